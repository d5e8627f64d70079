"""Numbered forward migrations: a version 1 file comes forward whole, or not at all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cuesketch.store.project_file import ProjectFile, ProjectFileError
from cuesketch.store.schema import MIGRATIONS, SCHEMA_VERSION, migrate, statements

from store_samples import same_content, sample_project, write_v1


def _version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def test_a_version_1_file_migrates_forward_with_a_backup_beside_it(tmp_path: Path) -> None:
    project = sample_project(300)
    old = tmp_path / "Chase.cuesketch"
    write_v1(old, project)
    original = old.read_bytes()
    with ProjectFile.open(old) as pf:
        assert not pf.read_only and not pf.damaged, pf.reason
        assert same_content(pf.load(), project)
        assert pf.db.execute("SELECT sql FROM sqlite_master WHERE name = 'notes'"
                             ).fetchone()[0].rstrip().endswith("STRICT")
    assert _version(old) == SCHEMA_VERSION
    backup = tmp_path / "Chase.v1-backup.cuesketch"  # what an older Cuesketch still reads
    assert _version(backup) == 1 and len(backup.read_bytes()) == len(original)
    with ProjectFile.open(backup, read_only=True) as b:
        assert same_content(b.load(), project)


def test_a_version_1_file_opened_read_only_is_read_but_not_changed(tmp_path: Path) -> None:
    project = sample_project(50)
    old = tmp_path / "old.cuesketch"
    write_v1(old, project)
    original = old.read_bytes()
    with ProjectFile.open(old, read_only=True) as pf:
        assert same_content(pf.load(), project)
    assert old.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.cuesketch"]


def test_a_version_1_row_that_breaks_a_check_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    project = sample_project(20)
    old = tmp_path / "bad.cuesketch"
    write_v1(old, project)
    db = sqlite3.connect(old)
    db.execute("UPDATE notes SET pitch = 300 WHERE id = 3")  # version 1 had no checks
    db.commit()
    db.close()
    original = old.read_bytes()
    with ProjectFile.open(old) as pf:
        assert pf.read_only and pf.damaged
        assert "brought up to date" in (pf.reason or "")
        salvaged = pf.load()
    assert old.read_bytes() == original and _version(old) == 1
    assert set(salvaged.notes) == set(project.notes) - {3}
    assert any("made no sense" in p for p in pf.problems)


def test_a_file_from_a_newer_cuesketch_says_so(tmp_path: Path) -> None:
    path = tmp_path / "new.cuesketch"
    ProjectFile.write_new(path, sample_project(5))
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    original = path.read_bytes()
    with pytest.raises(ProjectFileError, match="newer Cuesketch.*update Cuesketch"):
        ProjectFile.open(path)
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.cuesketch"]  # no lock left


def test_migration_steps_run_in_one_transaction() -> None:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE tracks (x)")  # makes the first step fail half-way
    with pytest.raises(sqlite3.OperationalError):
        migrate(db)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert names == {"tracks"} and db.execute("PRAGMA user_version").fetchone() == (0,)


def test_statements_keep_semicolons_inside_strings() -> None:
    assert statements("CREATE TABLE a (x TEXT DEFAULT ';');\nSELECT 1;") == [
        "CREATE TABLE a (x TEXT DEFAULT ';');", "SELECT 1;"]
    assert SCHEMA_VERSION == len(MIGRATIONS)
