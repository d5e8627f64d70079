"""`cuesketch review-pack` and `cuesketch import-review`: the round trip from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesketch.cli import main
from cuesketch.demo import ensure_demo
from cuesketch.engine.review_session import ReviewSession
from cuesketch.model.entities import CueStatus
from cuesketch.model.review import Verdict
from cuesketch.store.project_file import ProjectFile
from cuesketch.store.review_package import PackageReader
from cuesketch.store.snapshots import take_snapshot


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = ensure_demo(tmp_path_factory.mktemp("demo") / "demo.cuesketch")
    with ProjectFile.open(path) as pf:
        pf.load()
        take_snapshot(pf, "1M3 v1")
    return path


def test_pack_review_import(demo: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "1M3-1M5.cuereview"
    assert main(["review-pack", str(demo), "--cues", "1M3,1M5", "--versions", "v1,current",
                 "--for", "R. Smith", "--out", str(out), "--with-movie"]) == 0
    err = capsys.readouterr().err
    assert "2 cues, 3 versions" in err and "1M5 has no version v1" in err
    with PackageReader.open(out) as p:
        assert [[v.name for v in pc.versions] for pc in p.info.cues] == [["v1", "current"],
                                                                         ["current"]]
        assert p.info.made_for == "R. Smith" and p.info.film is not None
        assert p.info.film.frame_count > 1000
        movie = p.movie()
        assert movie is not None and p.info.movie_start_frame is not None
    s = ReviewSession.open(out, author="R. Smith", journal_dir=tmp_path / "j")
    cue = s.info.cues[0]
    s.jump_to_cue(cue.cue.id)
    s.add_note("Warmer here")
    s.set_verdict(cue.versions[0].id, Verdict.APPROVED, "")
    s.send_back(tmp_path / "back.cuereply")
    s.close()
    for _ in range(2):
        assert main(["import-review", str(tmp_path / "back.cuereply"), "--into", str(demo)]) == 0
    err = capsys.readouterr().err
    assert "1 new note" in err and "1 already there" in err
    with ProjectFile.open(demo, read_only=True) as pf:
        project = pf.load()
    assert [n.text for n in project.review_notes.values()] == ["Warmer here"]
    assert next(c for c in project.cues.values() if c.name == "1M3").status is CueStatus.APPROVED


@pytest.mark.parametrize("args, words", [
    (["--cues", "9M9"], "no cue '9M9'"),
    (["--versions", "v7"], "no version v7"),
    (["--out-name", "x.wav"], "ends in .cuereview"),
    (["--for", "R" * 300], "the director's name is longer than 200 characters"),
])
def test_mistakes_are_said_plainly(demo: Path, tmp_path: Path, args: list[str], words: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.cuereview"
    if args[0] == "--out-name":
        out, args = tmp_path / args[1], []
    assert main(["review-pack", str(demo), "--for", "R", "--out", str(out), *args]) == 1
    assert words in capsys.readouterr().err
    assert not out.exists()


def test_import_of_something_else_is_refused(demo: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-review", str(demo), "--into", str(demo)]) == 1
    assert "not a Cuesketch review reply" in capsys.readouterr().err


def test_review_site_markers_land_as_notes_once(demo: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from cuesketch.formats.markers_common import RawMarker
    from cuesketch.formats.markers_edl import write_edl
    with ProjectFile.open(demo, read_only=True) as pf:
        settings = pf.load().settings
    start = settings.start_frame
    edl = tmp_path / "frameio comments.edl"
    edl.write_text(write_edl("Frame.io", settings.rate,
                             [RawMarker(start + 400, "Anna", "", "Music too bright here"),
                              RawMarker(start + 1160, "Anna", "", "Hold the hit")]))
    for _ in range(2):
        assert main(["import-review", str(edl), "--into", str(demo), "--site", "Frame.io"]) == 0
    err = capsys.readouterr().err
    assert "2 new notes" in err and "2 already there" in err
    with ProjectFile.open(demo, read_only=True) as pf:
        notes = [n for n in pf.load().review_notes.values() if n.author == "Frame.io"]
    assert sorted((n.frame, n.cue) for n in notes) == [(400, "1M3"), (1160, "1M5")]
    assert any("Music too bright here" in n.text for n in notes)
