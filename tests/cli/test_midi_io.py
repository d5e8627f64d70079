"""`cuesketch import-midi` and `cuesketch export-midi`."""

from __future__ import annotations

from pathlib import Path

import mido

import midi_songs
from cuesketch.cli import main
from cuesketch.store.project_file import ProjectFile


def load(path: Path):
    with ProjectFile.open(path, read_only=True) as pf:
        return pf.load()


def test_import_makes_a_new_project_then_adds_to_it(tmp_path: Path, capsys):
    song = midi_songs.write_song(tmp_path / "song.mid", bars=2)
    project = tmp_path / "sketch.cuesketch"
    assert main(["import-midi", str(song), "--into", str(project)]) == 0
    p = load(project)
    assert p.settings.title == "Test Song" and p.settings.rate.name == "25"
    assert p.settings.start_frame == (3600 + 10) * 25 + 5  # the SMPTE offset 01:00:10:05
    assert [t.name for t in p.sorted_tracks()] == ["Piano", "Strings", "Bass", "Drums"]
    first = min(n.start for n in p.notes.values())
    assert "4 tracks" in capsys.readouterr().err

    assert main(["import-midi", str(song), "--into", str(project), "--at", "01:00:20:05"]) == 0
    p = load(project)
    assert len(p.tracks) == 8
    later = [n.start for n in p.notes.values() if n.track_id > 4]
    assert min(later) - first == 10 * 705_600_000


def test_export_writes_type_1(tmp_path: Path):
    song = midi_songs.write_song(tmp_path / "song.mid", bars=2)
    project = tmp_path / "sketch.cuesketch"
    assert main(["import-midi", str(song), "--into", str(project)]) == 0
    out = tmp_path / "out.mid"
    assert main(["export-midi", str(project), "--out", str(out)]) == 0
    mid = mido.MidiFile(str(out))
    assert mid.type == 1 and len(mid.tracks) == 5
    offset = [m for m in mid.tracks[0] if m.type == "smpte_offset"][0]
    assert (offset.hours, offset.minutes, offset.seconds, offset.frames) == (1, 0, 10, 5)


def test_plain_errors(tmp_path: Path, capsys):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd\0\0\0\x06\0\x01\0\x01\x01\xe0MTrk\0\0\0\x40\0\x90\x3c")
    project = tmp_path / "p.cuesketch"
    assert main(["import-midi", str(bad), "--into", str(project)]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "Traceback" not in err and not project.exists()
    assert main(["import-midi", str(tmp_path / "none.mid"), "--into", str(project)]) == 1
    assert "no file" in capsys.readouterr().err
    song = midi_songs.write_song(tmp_path / "song.mid", bars=1)
    assert main(["import-midi", str(song), "--into", str(project), "--at", "01:00:00:00"]) == 1
    assert "existing project" in capsys.readouterr().err
    assert main(["import-midi", str(song), "--into", str(project)]) == 0
    assert main(["import-midi", str(song), "--into", str(project), "--at", "25:00:00:00"]) == 1
    assert "hours" in capsys.readouterr().err
    assert main(["export-midi", str(tmp_path / "none.cuesketch"), "--out", "x.mid"]) == 1
