"""Bad input: a plain ProjectFileError or a read-only open of what can be read; the file intact."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import pytest

from cuesketch.model import changes
from cuesketch.model.document import Document
from cuesketch.model.entities import Note
from cuesketch.store import project_file
from cuesketch.store.project_file import ProjectFile, ProjectFileError

from store_samples import mutate, read_outcome, same_content, sample_project, seed_files


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "Chase.cuesketch"
    ProjectFile.write_new(path, sample_project(3000))
    return path


def _a_notes_leaf_page(path: Path) -> tuple[int, int]:
    """A page in the middle of the notes table (its number from 1, and the page size)."""
    db = sqlite3.connect(path)
    try:
        leaves = [r[0] for r in db.execute(
            "SELECT pageno FROM dbstat WHERE name = 'notes' AND pagetype = 'leaf' ORDER BY pageno")]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table")
    (size,) = db.execute("PRAGMA page_size").fetchone()
    db.close()
    return leaves[len(leaves) // 2], size


@pytest.mark.parametrize("keep", [0.5, 0.9, -100])
def test_a_truncated_project_is_opened_read_only_or_refused_plainly(project_path: Path,
                                                                   keep: float) -> None:
    data = project_path.read_bytes()
    cut = int(len(data) * keep) if keep > 0 else len(data) + int(keep)
    project_path.write_bytes(data[:cut])
    assert read_outcome(project_path, read_only=False) in ("damaged", "error")
    assert project_path.read_bytes() == data[:cut]


@pytest.mark.parametrize("content, words", [
    (b"", "is empty"),
    (b"SQLite format 3\x00abc", "cut short"),
    (b"%PDF-1.7\n" + bytes(5000), "not a Cuesketch project"),
    ("Chase\n1M1 01:00:00:00\n".encode(), "not a Cuesketch project"),
])
def test_what_is_not_a_project_says_so(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "x.cuesketch"
    path.write_bytes(content)
    with pytest.raises(ProjectFileError, match=words):
        ProjectFile.open(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.cuesketch"]


def test_another_programs_database_is_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "photos.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(ProjectFileError, match="not a Cuesketch project"):
        ProjectFile.open(path)


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="there is no project"):
        ProjectFile.open(tmp_path / "nothing.cuesketch")
    with pytest.raises(ProjectFileError, match="is a folder"):
        ProjectFile.open(tmp_path)


def test_a_damaged_page_opens_what_can_be_read_and_a_recovered_copy_works(
        project_path: Path, tmp_path: Path) -> None:
    full = sample_project(3000)
    leaf, size = _a_notes_leaf_page(project_path)
    data = bytearray(project_path.read_bytes())
    data[(leaf - 1) * size:leaf * size] = bytes(range(256)) * (size // 256)  # one page wrecked
    project_path.write_bytes(bytes(data))
    pf = ProjectFile.open(project_path)
    assert pf.read_only and pf.damaged
    assert "damaged" in (pf.reason or "") and "recovered copy" in (pf.reason or "")
    salvaged = pf.load()
    assert 0 < len(salvaged.notes) < 3000
    assert salvaged.settings == full.settings and salvaged.tracks == full.tracks
    assert all(full.notes[i] == n for i, n in salvaged.notes.items())  # nothing invented
    assert pf.problems
    doc = Document(salvaged, pf)
    doc.read_only = pf.read_only
    with pytest.raises(PermissionError):
        doc.execute_changes([changes.insert(Note(99999, 1, 0, 10, 60))])
    with pytest.raises(ProjectFileError, match="read-only|damaged"):
        pf.write([], salvaged.settings)
    rescued = tmp_path / "Chase recovered.cuesketch"
    pf.save_recovered_copy(rescued, salvaged)
    pf.close()
    assert project_path.read_bytes() == bytes(data)  # the original is never written
    with ProjectFile.open(rescued) as r:
        assert not r.read_only and same_content(r.load(), salvaged)


def test_a_damaged_header_mark_is_recognised_as_a_damaged_project(project_path: Path) -> None:
    data = bytearray(project_path.read_bytes())
    data[68:72] = b"\x00\x00\x00\x00"  # application_id lost
    project_path.write_bytes(bytes(data))
    with ProjectFile.open(project_path) as pf:
        assert pf.damaged and len(pf.load().notes) == 3000


def test_nonsense_inside_valid_sqlite_is_damage_not_a_crash(project_path: Path) -> None:
    db = sqlite3.connect(project_path)
    db.execute("UPDATE meta SET value = '{\"rate\": 5}' WHERE key = 'settings'")
    db.execute("UPDATE controls SET controller = 'cc99' WHERE id = 1")
    db.commit()
    db.close()
    with ProjectFile.open(project_path) as pf:
        assert pf.damaged and pf.read_only
        project = pf.load()
        assert len(project.notes) == 3000 and 1 not in project.controls
        assert any("settings" in p for p in pf.problems)


def test_a_trigger_planted_in_the_file_is_refused(project_path: Path) -> None:
    db = sqlite3.connect(project_path)
    db.execute("CREATE TRIGGER t AFTER INSERT ON notes BEGIN DELETE FROM tracks; END")
    db.commit()
    db.close()
    with ProjectFile.open(project_path) as pf:
        assert pf.damaged and pf.read_only and "trigger" in (pf.reason or "")


def test_a_read_only_folder_opens_read_only_and_says_so(project_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = project_path.parent
    real = project_file._writable
    monkeypatch.setattr(project_file, "_writable", lambda p: p != folder and real(p))
    with ProjectFile.open(project_path) as pf:
        assert pf.read_only and f"the folder {folder} is read-only" == pf.reason
        assert len(pf.load().notes) == 3000
    assert sorted(p.name for p in folder.iterdir()) == ["Chase.cuesketch"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_really_read_only_folder(project_path: Path) -> None:
    folder = project_path.parent
    folder.chmod(0o555)
    try:
        with ProjectFile.open(project_path) as pf:
            assert pf.read_only and "read-only" in (pf.reason or "")
            assert len(pf.load().notes) == 3000
    finally:
        folder.chmod(0o755)


def test_a_read_only_file(project_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = project_file._writable
    monkeypatch.setattr(project_file, "_writable", lambda p: p != project_path and real(p))
    with ProjectFile.open(project_path) as pf:
        assert pf.read_only and "read-only file" in (pf.reason or "")


def test_a_short_fuzz_of_the_reader(tmp_path: Path) -> None:
    """200 mutated files: each opens (maybe damaged, read-only) or fails with a plain
    ProjectFileError; a damaged file is never changed (checked in read_outcome)."""
    seeds = [p.read_bytes() for p in seed_files(tmp_path / "seeds")]
    rng = random.Random(7)
    outcomes: dict[str, int] = {}
    for i in range(200):
        path = tmp_path / f"m{i}.cuesketch"
        path.write_bytes(mutate(seeds[i % len(seeds)], rng))
        outcome = read_outcome(path, read_only=bool(i % 2))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        for p in tmp_path.glob(f"m{i}.*"):
            p.unlink()
    assert set(outcomes) <= {"ok", "damaged", "error"}
    assert outcomes.get("damaged", 0) > 0 and outcomes.get("error", 0) > 0


@pytest.mark.parametrize("read_only", [True, False])
@pytest.mark.parametrize("table, column, value", [
    ("notes", "pitch", "500"), ("notes", "velocity", "0"), ("notes", "duration", "-3"),
    ("controls", "value", "99999"),
])
def test_a_value_out_of_range_is_damage_even_read_only(project_path: Path, read_only: bool,
                                                      table: str, column: str,
                                                      value: str) -> None:
    # SQLite's quick_check skips the CHECKs on a read-only connection (a second instance, the
    # command line, a snapshot): the loader must not build a note that can't be played.
    db = sqlite3.connect(project_path)
    db.execute("PRAGMA ignore_check_constraints = ON")  # what a flipped byte could leave
    db.execute(f"UPDATE {table} SET {column} = {value} WHERE id = (SELECT min(id) FROM {table})")
    db.commit()
    db.close()
    before = project_path.read_bytes()
    with ProjectFile.open(project_path, read_only=read_only) as pf:
        project = pf.load()
        assert pf.damaged and pf.read_only
        assert any("made no sense" in p for p in pf.problems)
        rows = {"notes": project.notes, "controls": project.controls}[table]
        assert len(rows) == len(getattr(sample_project(3000), table)) - 1
        assert all(0 <= n.pitch <= 127 and n.velocity >= 1 and n.duration > 0
                   for n in project.notes.values())
    assert project_path.read_bytes() == before
