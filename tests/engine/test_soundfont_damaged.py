"""Damaged SoundFonts: reading a file's presets ends with a plain-words error whatever the file
says about its own sizes (no synth needed, so no General MIDI SoundFont either)."""

from __future__ import annotations

from pathlib import Path

import pytest

import sf2_maker
from cuesketch.engine import soundfonts


def test_a_truncated_preset_list_claiming_a_megabyte_is_called_damaged(tmp_path: Path) -> None:
    bad = tmp_path / "short.sf2"
    data = (b"RIFF" + (32).to_bytes(4, "little") + b"sfbk"
            + b"LIST" + (1 << 20).to_bytes(4, "little") + b"pdta"
            + b"pbag" + (1 << 19).to_bytes(4, "little") + b"\0" * 8)
    assert len(data) == 40
    bad.write_bytes(data)
    with pytest.raises(soundfonts.SoundFontError, match="damaged"):
        soundfonts.read_presets(bad)


def test_every_truncation_of_a_soundfont_reads_or_is_called_damaged(tmp_path: Path) -> None:
    whole = sf2_maker.write_sf2(tmp_path / "beep.sf2", "Beep", bank=8, program=5).read_bytes()
    cut = tmp_path / "cut.sf2"
    for n in range(12, len(whole)):
        cut.write_bytes(whole[:n])
        try:
            presets = soundfonts.read_presets(cut)
        except soundfonts.SoundFontError as e:
            assert "damaged" in str(e) or "not a SoundFont" in str(e)
        else:
            assert presets == [(8, 5, "Beep")]
