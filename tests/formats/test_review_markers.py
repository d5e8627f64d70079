"""A review site's export (a Vimeo-style CSV, a Frame.io EDL) read as a reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesketch.formats.review_markers import (MarkerFormatError, is_marker_file,
                                              reply_from_markers)
from cuesketch.model.entities import Cue, Settings
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.timecode import parse_timecode

RATE = STANDARD_RATES["29.97df"]
SETTINGS = Settings(rate=RATE, start_frame=parse_timecode("01:00:00;00", RATE))
CUES = [Cue(1, "1M1", 0, 900), Cue(2, "1M2", 900, 1800)]


def test_a_vimeo_style_csv(tmp_path: Path) -> None:
    path = tmp_path / "vimeo review.csv"
    path.write_text("Timecode,Name,Comment,Date\n"
                    "01:00:10;02,Anna,Too bright here,2026-01-02\n"
                    "01:00:40;00,Ben,Lovely,2026-01-02\n")
    reply = reply_from_markers(path, SETTINGS, CUES, "Vimeo")
    frames = [n.frame for n in reply.notes]
    assert frames == [parse_timecode("01:00:10;02", RATE) - SETTINGS.start_frame,
                      parse_timecode("01:00:40;00", RATE) - SETTINGS.start_frame]
    assert [n.cue for n in reply.notes] == ["1M1", "1M2"]
    assert reply.notes[0].text == "Anna — Too bright here" and reply.notes[0].author == "Vimeo"
    assert reply_from_markers(path, SETTINGS, CUES, "Vimeo").notes == reply.notes  # same ids


def test_what_is_not_a_marker_file(tmp_path: Path) -> None:
    (tmp_path / "r.cuereply").write_bytes(b"SQLite format 3\x00")
    (tmp_path / "x.db").write_bytes(b"SQLite format 3\x00" + bytes(100))
    (tmp_path / "junk.csv").write_text("nothing,here\n1,2\n")
    assert not is_marker_file(tmp_path / "r.cuereply")
    assert not is_marker_file(tmp_path / "x.db")
    assert is_marker_file(tmp_path / "junk.csv")
    with pytest.raises(MarkerFormatError):
        reply_from_markers(tmp_path / "junk.csv", SETTINGS, CUES)
