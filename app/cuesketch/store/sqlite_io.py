"""SQLite plumbing shared by the store: connecting, transactions, plain-words errors.

Files written whole or not at all are ``cuesketch.files``'s.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cuesketch.files import os_words

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
        return os_words(e)
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


def sidecars(path: Path) -> list[Path]:
    """SQLite's own files beside a database."""
    return [path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm")]
