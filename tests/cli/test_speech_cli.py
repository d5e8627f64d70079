"""`cuesketch speech PROJECT [--csv out.csv]`: the lines with timecodes; kept with --store."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from cuesketch.cli import main
from cuesketch.model.entities import HitKind, Media, Note, Settings, SpeechRegion, Track
from cuesketch.model.project import Project
from cuesketch.store.project_file import ProjectFile
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC
from speech_film import speaking_film

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="no ffmpeg")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speaking_film(tmp_path_factory.mktemp("film"))


def _project(folder: Path, film: Path | None, regions: list[SpeechRegion] = ()) -> Path:  # type: ignore[assignment]
    p = Project()
    media = Media(str(film), "", 0) if film else None
    p.load(Settings(title="Lighthouse", media=media),
           [Track(1, "Strings"), Note(1, 1, 2 * SEC, 2 * SEC, 60), *regions])
    path = folder / "Lighthouse.cuesketch"
    ProjectFile.write_new(path, p)
    return path


def test_detects_prints_timecodes_and_writes_csv(film: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = _project(tmp_path, film)
    out_csv = tmp_path / "lines.csv"
    code, out, err = run(capsys, "speech", str(path), "--csv", str(out_csv))
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split()[:3] == ["line", "start", "end"]
    first = lines[1].split()
    assert first[0] == "1" and first[1] in ("01:00:01:22", "01:00:01:23", "01:00:02:00",
                                            "01:00:02:01", "01:00:02:02")  # spoken at 2 s
    with out_csv.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and 1.8 < float(rows[0]["start_s"]) < 2.4
    assert rows[0]["notes"] == "1"  # the note at 2 s sounds over the line
    with ProjectFile.open(path) as pf:
        assert not pf.load().speech_regions  # printed, not kept


def test_store_keeps_the_regions_and_dialogue_hits(film: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = _project(tmp_path, film)
    code, _, err = run(capsys, "speech", str(path), "--store", "--dialogue-hits")
    assert code == 0, err and "kept 1 speech regions" in err
    with ProjectFile.open(path) as pf:
        project = pf.load()
    assert len(project.speech_regions) == 1
    assert [h.kind for h in project.hits.values()] == [HitKind.DIALOGUE]


def test_prints_the_regions_the_project_keeps(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _project(tmp_path, None, [SpeechRegion(1, 10 * SEC, 12 * SEC)])
    code, out, _ = run(capsys, "speech", str(path))
    assert code == 0
    assert out.splitlines()[1].split()[:4] == ["1", "01:00:10:00", "01:00:12:00", "2.000"]


def test_plain_errors(film: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _project(tmp_path, None)
    code, _, err = run(capsys, "speech", str(path))
    assert code == 1 and "has no film" in err and "Traceback" not in err
    code, _, err = run(capsys, "speech", str(path), "--dialogue-hits")
    assert code == 1 and "needs --store" in err
    code, _, err = run(capsys, "speech", str(tmp_path / "none.cuesketch"))
    assert code == 1
    moved = tmp_path / "moved"
    moved.mkdir()
    path = _project(moved, tmp_path / "gone.mp4")
    code, _, err = run(capsys, "speech", str(path))
    assert code == 1 and "not there" in err
    (tmp_path / "again").mkdir()
    path = _project(tmp_path / "again", film)
    code, _, err = run(capsys, "speech", str(path), "--stream", "3")
    assert code == 1 and "1 sound stream" in err
