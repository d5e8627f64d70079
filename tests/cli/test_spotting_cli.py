"""The spotting day on the command line: a project from a film, an editor's EDL in (once),
markers out, cuts found and applied, the notes and the cue sheet printed, mistakes in words."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cuesketch.cli import main
from cuesketch.model.entities import HitKind, RightsShare
from cuesketch.store.project_file import ProjectFile

from spotting_film import make_cut_film

EDL = """TITLE: Reel 1 v12
FCM: NON-DROP FRAME

001  AX       V     C        01:00:00:00 01:00:09:00 01:00:00:00 01:00:09:00
* LOC: 01:00:01:14 RED     Door slam
* LOC: 01:00:02:00 CYAN    Cut to the sea
* LOC: 01:00:03:00 MAGENTA 1M1
* LOC: 01:00:06:12 MAGENTA END
"""
RULES = "color red -> hit hard\ncolor cyan -> hit cut\ncolor magenta -> cue\n"


def load(path: Path):  # type: ignore[no-untyped-def]
    with ProjectFile.open(path, read_only=True) as pf:
        return pf.load()


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_cut_film(tmp_path_factory.mktemp("film") / "reel1.mp4", cuts=12, dissolves=2,
                         seed=5)


def test_new_import_export_detect_and_print(tmp_path: Path, film, capsys) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "reel1.cuesketch"
    assert main(["new", str(film.path), "--out", str(project), "--start", "01:00:00:00"]) == 0
    p = load(project)
    assert p.settings.rate.name == "24" and p.settings.start_frame == 86400
    (tmp_path / "cut.edl").write_text(EDL)
    (tmp_path / "rules.txt").write_text(RULES)
    args = ["import-markers", str(tmp_path / "cut.edl"), "--into", str(project), "--rules",
            str(tmp_path / "rules.txt")]
    assert main(args) == 0
    assert "added 2 hits, 1 cues" in capsys.readouterr().err
    assert main(args) == 0
    assert "nothing new (3 already in the project)" in capsys.readouterr().err
    p = load(project)
    assert sorted((h.frame, h.kind) for h in p.hits.values()) == [(38, HitKind.HARD),
                                                                 (48, HitKind.CUT)]
    (cue,) = p.cues.values()
    assert (cue.name, cue.start_frame, cue.end_frame) == ("1M1", 72, 156)

    for fmt, suffix in (("edl", ".edl"), ("avid", ".txt"), ("csv", ".csv"), ("otio", ".otio")):
        out = tmp_path / f"back{suffix}"
        assert main(["export-markers", str(project), "--out", str(out)]) == 0
        assert out.stat().st_size > 0, fmt

    assert main(["detect-cuts", str(project)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [int(line.split("\t")[1]) for line in listed] == film.cuts
    assert main(["detect-cuts", str(project), "--apply"]) == 0
    cut_hits = [h for h in load(project).hits.values() if h.kind is HitKind.CUT]
    assert len(cut_hits) == len(film.cuts) + 1  # the editor's cut at 48 is not a real cut here

    notes = tmp_path / "notes.pdf"
    assert main(["spotting", str(project), "--out", str(notes)]) == 0
    assert notes.read_bytes().startswith(b"%PDF") and "1 pictures" in capsys.readouterr().err
    text = subprocess.run(["pdftotext", str(notes), "-"], capture_output=True,  # poppler-utils
                          text=True, check=True).stdout
    assert "1M1" in text and "01:00:03:00" in text and "01:00:01:14" not in text
    for suffix in (".csv", ".html"):
        assert main(["spotting", str(project), "--out", str(tmp_path / f"notes{suffix}")]) == 0
    assert "1M1" in (tmp_path / "notes.csv").read_text()
    sheet = tmp_path / "sheet.csv"
    assert main(["cue-sheet", str(project), "--out", str(sheet), "--composer", "Ann Lee,PRS,100",
                 "--publisher", "Film Music Ltd,PRS,50"]) == 0
    assert "Ann Lee (PRS) 100%" in sheet.read_text()
    assert len(load(project).table(RightsShare)) == 2
    assert main(["cue-sheet", str(project), "--out", str(tmp_path / "sheet.pdf")]) == 0


def test_mistakes_are_plain_words_and_change_nothing(tmp_path: Path, film, capsys) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p.cuesketch"
    assert main(["new", str(film.path), "--out", str(project)]) == 0
    capsys.readouterr()
    assert main(["new", str(film.path), "--out", str(project)]) == 1
    assert "exists already" in capsys.readouterr().err
    bad = tmp_path / "bad.edl"
    bad.write_text(EDL + "* LOC: 01:00:0x RED broken\n")
    assert main(["import-markers", str(bad), "--into", str(project)]) == 1
    err = capsys.readouterr().err
    assert "line 9: expected * LOC" in err and "nothing was imported" in err
    assert not load(project).hits
    assert main(["import-markers", str(bad), "--into", str(tmp_path / "none.cuesketch")]) == 1
    assert "there is no project" in capsys.readouterr().err
    assert main(["detect-cuts", str(project), "--sensitivity", "0"]) == 1
    assert main(["spotting", str(project), "--out", str(tmp_path / "notes.doc")]) == 1
    assert "not .doc" in capsys.readouterr().err
    assert not (tmp_path / "notes.doc").exists()
    assert main(["cue-sheet", str(project), "--out", str(tmp_path / "s.csv"), "--composer",
                 "A,PRS,70", "--composer", "B,PRS,40"]) == 1
    assert "more than 100 %" in capsys.readouterr().err


def test_new_at_a_drop_frame_rate_and_start(tmp_path: Path, film, capsys) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "df.cuesketch"
    assert main(["new", str(film.path), "--out", str(project), "--rate", "29.97df",
                 "--start", "00:59:59;28", "--no-tracks"]) == 0
    p = load(project)
    assert p.settings.rate.name == "29.97df" and p.settings.start_frame == 107890
    assert not p.tracks and "29.97df fps, starting 00:59:59;28" in capsys.readouterr().err
    assert main(["new", str(film.path), "--out", str(tmp_path / "x.cuesketch"), "--start",
                 "01:00:00:24"]) == 1
    assert "frames go from 00 to 23" in capsys.readouterr().err


def test_new_makes_a_project_without_loading_qt(tmp_path: Path, film) -> None:  # type: ignore[no-untyped-def]
    import sys
    project = tmp_path / "headless.cuesketch"
    code = ("import sys\nfrom cuesketch.cli import main\n"
            f"assert main(['new', {str(film.path)!r}, '--out', {str(project)!r}]) == 0\n"
            "qt = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
            "assert not qt, qt\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    p = load(project)
    assert p.settings.start_frame == 86400 and p.tracks  # the starter tracks, as the window's
