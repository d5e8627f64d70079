"""The project file: round trips, every edit committed at once, copies, a full disk."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cuesketch.model import changes
from cuesketch.model.document import Document
from cuesketch.model.entities import Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.store import snapshots
from cuesketch.store.project_file import ProjectFile, ProjectFileError
from cuesketch.store.schema import SCHEMA_VERSION

from store_samples import projects, same_content, sample_project

SLOW_OK = settings(max_examples=40, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW_OK
@given(project=projects())
def test_any_project_written_and_reopened_is_the_same(tmp_path: Path, project: Project) -> None:
    path = tmp_path / f"p{os.urandom(4).hex()}.cuesketch"
    ProjectFile.write_new(path, project)
    with ProjectFile.open(path) as pf:
        assert not pf.read_only, pf.reason
        assert same_content(pf.load(), project)


@SLOW_OK
@given(project=projects(), data=st.data())
def test_edits_through_the_document_are_all_in_the_file(tmp_path: Path, project: Project,
                                                        data: st.DataObject) -> None:
    path = tmp_path / f"e{os.urandom(4).hex()}.cuesketch"
    ProjectFile.write_new(path, project)
    pf = ProjectFile.open(path)
    doc = Document(pf.load(), pf)
    for _ in range(data.draw(st.integers(1, 8))):
        notes = list(doc.project.notes.values())
        action = data.draw(st.sampled_from(["add", "move", "delete", "undo", "redo", "title"]))
        if action == "add":
            doc.execute_changes([changes.insert(Note(doc.project.new_id(Note), 1, 0, 10, 60))])
        elif action == "move" and notes:
            n = data.draw(st.sampled_from(notes))
            doc.execute_changes([changes.replace(n, replace(n, start=n.start + 7))], "Move")
        elif action == "delete" and notes:
            doc.execute_changes([changes.delete(data.draw(st.sampled_from(notes)))], "Delete")
        elif action == "undo":
            doc.undo()
        elif action == "redo":
            doc.redo()
        elif action == "title":
            doc.set_settings(replace(doc.project.settings, title=data.draw(st.text(max_size=5))))
    pf.close()
    with ProjectFile.open(path) as again:
        assert same_content(again.load(), doc.project)


def test_open_sets_wal_and_full_sync_and_leaves_one_file_at_rest(tmp_path: Path) -> None:
    path = tmp_path / "a.cuesketch"
    pf = ProjectFile.create(path, Settings(title="Chase"))
    assert pf.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert pf.db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert pf.db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    pf.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.cuesketch"]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    db.close()


def test_create_refuses_an_existing_path(tmp_path: Path) -> None:
    path = tmp_path / "a.cuesketch"
    ProjectFile.create(path).close()
    with pytest.raises(ProjectFileError, match="exists already"):
        ProjectFile.create(path)


def test_an_edit_that_returned_survives_sigkill(tmp_path: Path) -> None:
    """Each edit is committed when ``execute`` returns: kill the process right after."""
    path = tmp_path / "k.cuesketch"
    ProjectFile.write_new(path, sample_project(5))
    script = textwrap.dedent(f"""
        import os, signal, sys
        from cuesketch.model import changes
        from cuesketch.model.document import Document
        from cuesketch.model.entities import Note
        from cuesketch.store.project_file import ProjectFile
        pf = ProjectFile.open({str(path)!r})
        doc = Document(pf.load(), pf)
        for i in range(50):
            doc.execute_changes([changes.insert(Note(1000 + i, 1, i, 10, 60))])
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with ProjectFile.open(path) as pf:  # the stale lock does not block
        assert not pf.read_only, pf.reason
        notes = pf.load().notes
    assert all(1000 + i in notes for i in range(50))


def test_a_full_disk_keeps_memory_and_file_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "full.cuesketch"
    ProjectFile.write_new(path, sample_project(20))
    pf = ProjectFile.open(path)
    doc = Document(pf.load(), pf)
    before = dict(doc.project.notes)
    (pages,) = pf.db.execute("PRAGMA page_count").fetchone()
    pf.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full"
    big = [changes.insert(Note(doc.project.new_id(Note), 1, i, 10, 60)) for i in range(5000)]
    with pytest.raises(ProjectFileError, match="the disk is full.*Nothing of it was kept"):
        doc.execute_changes(big, "Paste")
    assert doc.project.notes == before and not doc.can_undo
    pf.db.execute("PRAGMA max_page_count = 1000000")
    doc.execute_changes([changes.insert(Note(doc.project.new_id(Note), 1, 0, 10, 61))])
    pf.close()
    with ProjectFile.open(path) as again:
        assert again.load().notes == doc.project.notes


def test_a_value_sqlite_refuses_rolls_the_edit_back(tmp_path: Path) -> None:
    pf = ProjectFile.create(tmp_path / "c.cuesketch")
    doc = Document(pf.load(), pf)
    with pytest.raises(ProjectFileError, match="out of range"):
        doc.execute_changes([changes.insert(Track(1, "Bad", program=300))])
    assert doc.project.tracks == {}
    pf.close()


def test_save_a_copy_and_save_as(tmp_path: Path) -> None:
    path = tmp_path / "a.cuesketch"
    ProjectFile.write_new(path, sample_project(50))
    pf = ProjectFile.open(path)
    doc = Document(pf.load(), pf)
    snapshots.take_snapshot(pf, "v1")
    pf.save_copy(tmp_path / "copy.cuesketch")
    pf.save_copy(tmp_path / "lean.cuesketch", with_snapshots=False)
    with pytest.raises(ProjectFileError, match="exists already"):
        pf.save_copy(tmp_path / "copy.cuesketch")
    with pytest.raises(ProjectFileError, match="is this project"):
        pf.save_copy(path)
    for name, snaps in (("copy.cuesketch", 1), ("lean.cuesketch", 0)):
        with ProjectFile.open(tmp_path / name) as c:
            assert same_content(c.load(), doc.project)
            assert len(snapshots.list_snapshots(c)) == snaps
    assert not list(tmp_path.glob(".*tmp"))

    pf.save_as(tmp_path / "b.cuesketch")
    assert pf.path == tmp_path / "b.cuesketch" and not pf.read_only
    doc.execute_changes([changes.insert(Note(doc.project.new_id(Note), 1, 0, 10, 60))])
    assert ProjectFile.open(path).read_only is False  # the old one is free again
    second = ProjectFile.open(tmp_path / "b.cuesketch")
    assert second.read_only and "open in another Cuesketch" in (second.reason or "")
    second.close()
    pf.close()
    with ProjectFile.open(tmp_path / "b.cuesketch") as b, ProjectFile.open(path) as a:
        assert same_content(b.load(), doc.project)
        assert len(a.load().notes) == 50


def test_save_as_refuses_a_project_open_elsewhere(tmp_path: Path) -> None:
    a = ProjectFile.create(tmp_path / "a.cuesketch")
    b = ProjectFile.create(tmp_path / "b.cuesketch")
    with pytest.raises(ProjectFileError, match="open in another Cuesketch"):
        a.save_as(tmp_path / "b.cuesketch", overwrite=True)
    a.close()
    b.close()


def test_write_new_leaves_nothing_behind_when_it_fails(tmp_path: Path) -> None:
    project = sample_project(3)
    project.load(project.settings, [Note(99, 1, 0, 10, 60, velocity=0)])  # out of range
    with pytest.raises(ProjectFileError, match="could not be written"):
        ProjectFile.write_new(tmp_path / "x.cuesketch", project)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB file system (tmpfs), where root may mount one; else skipped."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
            capture_output=True).returncode != 0:
        pytest.skip("needs to mount a small tmpfs (root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_really_full_disk_mid_take_keeps_the_take_and_the_project(tiny_disk: Path) -> None:
    from cuesketch.model.take import RecordMode, TakeEvent
    from cuesketch.store.journal import Journal, pending_takes

    path = tiny_disk / "Chase.cuesketch"
    ProjectFile.write_new(path, sample_project(100))
    pf = ProjectFile.open(path)
    doc = Document(pf.load(), pf)
    journal = Journal(path)
    journal.begin_take(1, 0, RecordMode.REPLACE)  # claims its room on disk now
    with open(tiny_disk / "filler", "wb", buffering=0) as f:
        with pytest.raises(OSError):
            while True:
                f.write(bytes(65536))
    for i in range(2000):  # a long take on a full disk
        journal.append([TakeEvent(i * 1000, 0, "Keys", (0x90, 60, 100)),
                        TakeEvent(i * 1000 + 500, 0, "Keys", (0x80, 60, 0))])
        assert journal.error is None
    assert len(pending_takes(path)[0].events) == 4000
    with pytest.raises(ProjectFileError, match="the disk is full. Nothing of it was kept"):
        doc.execute_changes([changes.insert(Note(doc.project.new_id(Note), 1, i, 10, 60))
                             for i in range(3000)])
    assert len(doc.project.notes) == 100
    (tiny_disk / "filler").unlink()
    doc.execute_changes([changes.insert(Note(doc.project.new_id(Note), 1, 0, 10, 60))])
    journal.close()
    pf.close()
    with ProjectFile.open(path) as again:
        assert again.load().notes == doc.project.notes
