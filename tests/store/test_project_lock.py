"""One writer: a second open is read-only and says why; a lock left by a killed process is free."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cuesketch.model import changes
from cuesketch.model.document import Document
from cuesketch.model.entities import Note
from cuesketch.store import lock as lock_module
from cuesketch.store.lock import LockedError, ProjectLock, lock_path, read_holder
from cuesketch.store.project_file import ProjectFile, ProjectFileError

from store_samples import sample_project


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "Chase.cuesketch"
    ProjectFile.write_new(p, sample_project(10))
    return p


def test_a_second_open_is_read_only_and_says_who_has_it(path: Path) -> None:
    first = ProjectFile.open(path)
    doc = Document(first.load(), first)
    second = ProjectFile.open(path)
    assert not first.read_only
    assert second.read_only and not second.damaged
    assert "open in another Cuesketch" in (second.reason or "")
    assert f"process {os.getpid()}" in (second.reason or "")
    with pytest.raises(ProjectFileError, match="open in another Cuesketch"):
        second.write([], doc.project.settings)
    doc.execute_changes([changes.insert(Note(500, 1, 0, 10, 60))])
    assert 500 in second.load().notes  # the reader sees committed edits
    second.close()
    first.close()
    assert not lock_path(path).exists()
    with ProjectFile.open(path) as third:
        assert not third.read_only


def test_asking_for_read_only_takes_no_lock(path: Path) -> None:
    reader = ProjectFile.open(path, read_only=True)
    with ProjectFile.open(path) as writer:
        assert not writer.read_only and reader.reason is None
    reader.close()


def test_a_lock_left_by_a_killed_process_does_not_block(path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from cuesketch.store.project_file import ProjectFile
        pf = ProjectFile.open({str(path)!r})
        pf.load()
        print("open", flush=True)
        sys.stdin.read()
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
        with ProjectFile.open(path) as while_alive:
            assert while_alive.read_only and f"process {proc.pid}" in (while_alive.reason or "")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
    holder = read_holder(path)
    assert holder is not None and holder.pid == proc.pid  # the stale record is still there
    with ProjectFile.open(path) as after:
        assert not after.read_only, after.reason
        after.load()


def test_without_flock_a_dead_holder_is_stale_and_a_live_one_is_not(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_flock(fd: int, op: int) -> None:
        raise OSError(errno.ENOLCK, "no locks on this share")

    monkeypatch.setattr(lock_module.fcntl, "flock", no_flock)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    lock_path(path).write_text(json.dumps({"pid": int(dead), "host": os.uname().nodename,
                                           "user": "x", "since": 0}))
    taken = ProjectLock.acquire(path)
    holder = read_holder(path)
    assert holder is not None and holder.pid == os.getpid()
    taken.release()
    lock_path(path).write_text(json.dumps({"pid": os.getppid(), "host": os.uname().nodename,
                                           "user": "x", "since": 0}))
    with pytest.raises(LockedError):
        ProjectLock.acquire(path)


def test_a_lock_file_that_can_not_be_made_means_read_only(path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(project_path: Path) -> ProjectLock:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(ProjectLock, "acquire", staticmethod(refuse))
    with ProjectFile.open(path) as pf:
        assert pf.read_only and "can't be locked" in (pf.reason or "")


def test_release_never_removes_a_lock_someone_else_holds(path: Path) -> None:
    mine = ProjectLock.acquire(path)
    os.unlink(lock_path(path))  # someone removed it by hand, and another instance locked anew
    theirs = ProjectLock.acquire(path)
    mine.release()
    assert lock_path(path).exists()
    with pytest.raises(LockedError):
        ProjectLock.acquire(path)
    theirs.release()
    assert not lock_path(path).exists()
