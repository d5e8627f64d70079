"""One writer per project: a lock file beside it, held with ``flock`` while the project is open.

The OS drops an ``flock`` when its process ends in any way (quit, crash, SIGKILL, power cut), so
a lock left behind by a crashed Cuesketch never blocks: the file may still be there, but nobody
holds it. The file names its holder (process, host, user, since when) so that a second instance
can say who has the project open. On a file system without ``flock`` (some network shares) the
record alone decides: a holder on this host whose process is gone is stale, so is one that was
written more than a day ago by another host.
"""

from __future__ import annotations

import errno
import fcntl
import getpass
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

LOCK_SUFFIX = ".lock"
_NO_FLOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}
_FOREIGN_STALE_AFTER = 24 * 3600  # seconds, for the no-flock fallback only


def lock_path(project_path: Path) -> Path:
    return project_path.with_name(project_path.name + LOCK_SUFFIX)


@dataclass(frozen=True)
class Holder:
    """Who holds a project open."""

    pid: int
    host: str
    user: str
    since: float  # seconds since the epoch

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.since))
        where = "on this computer" if self.host == socket.gethostname() else f"on {self.host}"
        return f"by {self.user or 'someone'} {where} (process {self.pid}) since {when}"

    @classmethod
    def me(cls) -> Holder:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = ""
        return cls(os.getpid(), socket.gethostname(), user, time.time())

    def alive(self) -> bool:
        """Does this holder still hold it? (Only for when flock can't tell.)"""
        if self.host != socket.gethostname():
            return time.time() - self.since < _FOREIGN_STALE_AFTER
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class LockedError(Exception):
    """The project is open for writing elsewhere."""

    def __init__(self, holder: Holder | None) -> None:
        self.holder = holder
        super().__init__("open in another Cuesketch " + (holder.describe() if holder else ""))


class ProjectLock:
    """The write lock of one project, held until ``release``."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, project_path: Path) -> ProjectLock:
        """Take the lock, or raise LockedError (someone has it) or OSError (can't make it)."""
        path = lock_path(project_path)
        for _ in range(10):
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise LockedError(holder) from None
            except OSError as e:
                if e.errno not in _NO_FLOCK:
                    os.close(fd)
                    raise
                holder = _read_holder(fd)
                if holder is not None and holder.alive() and holder.pid != os.getpid():
                    os.close(fd)
                    raise LockedError(holder) from None
            # A holder that is closing unlinks the file: make sure ours is still the one there.
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            _write_holder(fd, Holder.me())
            return cls(path, fd)
        raise LockedError(None)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                os.unlink(self.path)  # while still locked, so nobody locks a file we then remove
        except OSError:
            pass
        os.close(fd)


def read_holder(project_path: Path) -> Holder | None:
    """Who the lock file names, if anyone (it may be stale)."""
    try:
        fd = os.open(lock_path(project_path), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return _read_holder(fd)
    finally:
        os.close(fd)


def _read_holder(fd: int) -> Holder | None:
    try:
        d = json.loads(os.pread(fd, 4096, 0))
        return Holder(int(d["pid"]), str(d["host"]), str(d["user"]), float(d["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_holder(fd: int, holder: Holder) -> None:
    data = json.dumps({"pid": holder.pid, "host": holder.host, "user": holder.user,
                       "since": holder.since}).encode()
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
    except OSError:
        pass  # the lock holds without the record; only the message to others is poorer
