"""Reading a project file that may be damaged: connections that get as far as they can.

``ProjectFile`` opens every file through here. A sound file opens as usual
(``connect_existing``); one SQLite calls damaged (``is_damage``) is read leniently, read-only
(``connect_salvaging``), or, when its 100-byte header is the torn part, from a copy in memory
with the header rebuilt (``with_repaired_header``). ``quick_check`` and ``looks_like_a_project``
tell a damaged project from a file that is not one. Nothing here writes the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cuesketch.store.sqlite_io import DB_ERRORS, SQLITE_MAGIC, connect, describe, memory_db


def connect_existing(path: Path, read_only: bool) -> sqlite3.Connection:
    """A connection that has read the header and the schema (else it raises)."""
    db = connect(path, read_only=read_only)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        db.close()
        if not read_only:
            raise
        # A WAL file in a read-only folder, with no -shm beside it: SQLite can't set up
        # shared memory there. Nothing can be writing it, so read it as immutable.
        db = connect(path, read_only=True, immutable=True)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        db.close()
        raise
    return db


def is_damage(e: Exception) -> bool:
    name = str(getattr(e, "sqlite_errorname", "") or "")
    return (isinstance(e, UnicodeDecodeError)
            or name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
            or "unsupported file format" in str(e))  # a damaged schema-format byte


def connect_salvaging(path: Path) -> sqlite3.Connection:
    """Read-only, and lenient: ``writable_schema`` lets SQLite read a file cut short (its
    header counts pages that are gone) or whose schema points at a lost page. Nothing can be
    written through a read-only connection, so the pragma changes nothing but the reading."""
    db = connect(path, read_only=True)
    try:
        db.execute("PRAGMA writable_schema = ON")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        db.close()
        db = connect(path, read_only=True, immutable=True)
        db.execute("PRAGMA writable_schema = ON")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        db.close()
        raise
    return db


def with_repaired_header(path: Path) -> sqlite3.Connection | None:
    """The file in memory with its 100-byte header rewritten from what it must say, if that
    makes it readable (the header is rewritten at every commit: it can be the torn part)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    for page_size in (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512):
        pages = -(-len(data) // page_size)
        if pages < 2:
            continue
        image = bytearray(data) + bytes(pages * page_size - len(data))
        image[0:16] = SQLITE_MAGIC
        image[16:18] = (page_size if page_size < 65536 else 1).to_bytes(2, "big")
        image[18:24] = bytes((1, 1, 0, 64, 32, 32))  # rollback journal, no reserved bytes
        image[28:32] = pages.to_bytes(4, "big")
        image[32:40] = bytes(8)  # no free-page list
        image[44:48] = (4).to_bytes(4, "big")  # schema format 4
        image[52:56] = bytes(4)  # no auto-vacuum
        image[56:60] = (1).to_bytes(4, "big")  # UTF-8
        image[64:68] = bytes(4)
        mem = memory_db()
        try:
            mem.deserialize(bytes(image))
            mem.execute("PRAGMA writable_schema = ON")
            if looks_like_a_project(mem):
                return mem
        except DB_ERRORS:
            pass
        mem.close()
    return None


def quick_check(db: sqlite3.Connection) -> str | None:
    """None if SQLite finds the file sound (pages, types, CHECKs), else the first trouble."""
    try:
        rows = db.execute("PRAGMA quick_check(3)").fetchall()
    except DB_ERRORS as e:
        return describe(e)
    if rows == [("ok",)]:
        return None
    first = str(rows[0][0]).replace("*** in database main ***", "").strip() if rows else ""
    return first.splitlines()[0][:160] if first else "the check failed"


def looks_like_a_project(db: sqlite3.Connection) -> bool:
    """A file whose header lost our mark but whose tables are ours."""
    try:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except DB_ERRORS:
        return False
    return {"meta", "notes", "tracks"} <= names
