"""No audio device, no MIDI device, no SoundFont: the app says so in plain words and runs."""

from __future__ import annotations

from pathlib import Path

from cuesketch.app import Services, build_engine, open_document
from cuesketch.demo import ensure_demo
from cuesketch.engine.transport import Transport
from cuesketch.prefs import Preferences


def test_nothing_there_is_said_plainly_and_the_rest_works(tmp_path: Path) -> None:
    path = ensure_demo(tmp_path / "demo.cuesketch")
    document, pf, _ = open_document(path)
    services = Services(document, Transport(), pf, path)
    prefs = Preferences(soundfont=str(tmp_path / "missing.sf2"), audio_driver="alsa",
                        midi_backend="LINUX_ALSA")
    document_settings = document.project.settings
    build_engine(services, prefs)
    try:
        text = "\n".join(services.problems)
        assert "no SoundFont" in text and "missing.sf2" in text
        assert "no audio device: playing silently" in text
        assert "no MIDI input" in text and "usical typing" in text
        assert services.audio is not None and services.audio.silent
        # What still works: the transport runs on the system clock, edits are kept.
        services.transport.play()
        assert services.transport.playing
        services.transport.stop()
        assert document.project.settings == document_settings
    finally:
        services.close()
