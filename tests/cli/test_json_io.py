"""`cuesketch export-json` and `import-json`: a round trip gives the same file; plain errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesketch.cli import main
from cuesketch.model.entities import Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.store.project_file import ProjectFile


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = Project()
    notes = [Note(i, 1, i * 1000, 500, 60 + i % 12) for i in range(1, 40)]
    p.load(Settings(title="Chase"), [Track(1, "Strings", program=48), *notes])
    path = tmp_path / "Chase.cuesketch"
    ProjectFile.write_new(path, p)
    return path


def test_export_then_import_then_export_is_identical(project: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, printed, _ = run(capsys, "export-json", str(project))
    assert code == 0 and '"title": "Chase"' in printed
    assert run(capsys, "export-json", str(project), "--out", str(tmp_path / "a.json"))[0] == 0
    assert (tmp_path / "a.json").read_text() == printed
    code, _, err = run(capsys, "import-json", str(tmp_path / "a.json"), "--out",
                       str(tmp_path / "b.cuesketch"))
    assert code == 0 and "39 notes" in err
    assert run(capsys, "export-json", str(tmp_path / "b.cuesketch"))[1] == printed


def test_import_never_replaces_a_project_unasked(project: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "export-json", str(project), "--out", str(tmp_path / "a.json"))
    before = project.read_bytes()
    code, _, err = run(capsys, "import-json", str(tmp_path / "a.json"), "--out", str(project))
    assert code == 1 and "exists already" in err and "--force" in err
    assert project.read_bytes() == before
    assert run(capsys, "import-json", str(tmp_path / "a.json"), "--out", str(project),
               "--force")[0] == 0


@pytest.mark.parametrize("content, words", [
    ("{not json", "not valid JSON (line 1"),
    ('{"format": "cuesketch-project", "version": 1, "settings": 5}',
     "settings: expected an object"),
    ("[]", "not a Cuesketch project export"),
])
def test_bad_json_gives_a_plain_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      content: str, words: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    code, _, err = run(capsys, "import-json", str(bad), "--out", str(tmp_path / "x.cuesketch"))
    assert code == 1 and words in err and "Traceback" not in err
    assert not (tmp_path / "x.cuesketch").exists()


def test_export_of_what_is_not_a_project(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("1M1 opening")
    code, _, err = run(capsys, "export-json", str(tmp_path / "notes.txt"))
    assert code == 1 and "not a Cuesketch project" in err
    code, _, err = run(capsys, "export-json", str(tmp_path / "missing.cuesketch"))
    assert code == 1 and "there is no project" in err


def test_export_of_a_damaged_project_keeps_what_can_be_read(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The notes' page is overwritten (not the file's tail: as the schema grows, its own pages
    # are written last, and a file without its schema can't be read at all).
    import sqlite3
    db = sqlite3.connect(project)
    (page,) = db.execute("SELECT pageno FROM dbstat WHERE name = 'notes'").fetchone()
    (size,) = db.execute("PRAGMA page_size").fetchone()
    db.close()
    data = bytearray(project.read_bytes())
    data[(page - 1) * size:page * size] = b"\xa5" * size
    project.write_bytes(bytes(data))
    code, printed, err = run(capsys, "export-json", str(project))
    assert code == 0 and "is damaged; exporting what could be read" in err
    assert '"name": "Strings"' in printed


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["import-json", "x.json"])  # --out is required
    assert e.value.code == 2
