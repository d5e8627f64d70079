"""SQLite plumbing shared by the store: connecting, transactions, plain-words errors, safe files."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"

# What reading a damaged file can raise: SQLite's errors, and the UnicodeDecodeError Python's
# sqlite3 raises when SQLite's message quotes bytes of the file that are not UTF-8.
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, UnicodeDecodeError)


def connect(path: Path, *, read_only: bool, create: bool = False,
            immutable: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are explicit (see ``transaction``)."""
    mode = "ro" if read_only else ("rwc" if create else "rw")
    uri = f"{Path(path).resolve().as_uri()}?mode={mode}" + ("&immutable=1" if immutable else "")
    db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                         timeout=2.0)
    # A file from elsewhere is data, not code: no schema-defined functions, and a damaged
    # page is noticed when it is read rather than trusted.
    db.execute("PRAGMA trusted_schema = OFF")
    db.execute("PRAGMA cell_size_check = ON")
    return db


def memory_db() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", uri=True, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA trusted_schema = OFF")
    return db


@contextmanager
def transaction(db: sqlite3.Connection, kind: str = "IMMEDIATE") -> Iterator[None]:
    """All or nothing: COMMIT at the end, ROLLBACK if anything (the commit included) fails."""
    db.execute(f"BEGIN {kind}")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            try:
                db.execute("ROLLBACK")
            except DB_ERRORS:
                pass  # SQLite rolled back on its own (disk full, I/O error)
        raise


@contextmanager
def deadline(db: sqlite3.Connection, seconds: float) -> Iterator[None]:
    """Abort any statement still running after ``seconds``: a damaged or hostile file can't hang
    us (the statement fails with "interrupted")."""
    end = time.monotonic() + seconds
    db.set_progress_handler(lambda: time.monotonic() > end, 20_000)
    try:
        yield
    finally:
        try:
            db.set_progress_handler(None, 0)
        except sqlite3.ProgrammingError:
            pass  # closed meanwhile (a damaged file is reopened read-only)


def describe(e: BaseException) -> str:
    """What went wrong, in words a composer can act on."""
    if isinstance(e, OSError):
        return _os_words(e)
    if isinstance(e, UnicodeDecodeError):
        return "the file is damaged (text that can't be read)"
    name = str(getattr(e, "sqlite_errorname", "") or "")
    if name.startswith("SQLITE_FULL"):
        return "the disk is full"
    if name.startswith("SQLITE_READONLY"):
        return "the file or its folder is read-only"
    if name.startswith("SQLITE_IOERR"):
        return f"the disk reported an error ({e})"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return "the file is damaged"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "another program is using the file"
    if name.startswith("SQLITE_CANTOPEN"):
        return "it can't be opened (is it there, and readable?)"
    if name.startswith("SQLITE_PERM"):
        return "permission denied"
    if name.startswith("SQLITE_INTERRUPT"):
        return "reading it took too long (the file may be damaged)"
    if name.startswith("SQLITE_CONSTRAINT"):
        return f"a value is out of range ({e})"
    return str(e)


def printable(text: str, limit: int = 160) -> str:
    """Text fit for a message: what a damaged file holds may be any bytes."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _os_words(e: OSError) -> str:
    import errno
    if e.errno == errno.ENOSPC:
        return "the disk is full"
    if e.errno == errno.EROFS:
        return "the disk is read-only"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return e.strerror or str(e)


def temp_beside(path: Path) -> Path:
    """A hidden name in the same folder: renaming it over ``path`` is atomic."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def fsync_path(path: Path, directory: bool = False) -> None:
    try:
        fd = os.open(path, (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if directory
                     else os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems can't sync a folder; the rename is still atomic
    finally:
        os.close(fd)


def commit_file(tmp: Path, dest: Path) -> None:
    """Put a finished temp file in place: synced, renamed over ``dest``, folder synced."""
    fsync_path(tmp)
    os.replace(tmp, dest)
    fsync_path(dest.parent, directory=True)


@contextmanager
def replacing(path: Path, error: type[Exception]) -> Iterator[Path]:
    """Write a file whole or not at all: yields a temp file beside ``path``, put in place when
    the block ends; on failure it is removed, and an OSError becomes ``error`` in plain words."""
    tmp = temp_beside(path)
    try:
        yield tmp
        commit_file(tmp, path)
    except OSError as e:
        remove_quietly(tmp)
        raise error(f"can't write {path}: {describe(e)}") from None
    except BaseException:
        remove_quietly(tmp)
        raise


def remove_quietly(*paths: Path) -> None:
    for p in paths:
        try:
            p.unlink()
        except OSError:
            pass


def sidecars(path: Path) -> list[Path]:
    """SQLite's own files beside a database."""
    return [path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm")]
