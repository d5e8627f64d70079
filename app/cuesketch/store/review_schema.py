"""The review files' schemas, and opening one that came from outside.

Two small SQLite formats, each with its own application id so that neither is ever taken for a
project (or for the other):

* a **package** (``NAME.cuereview``, ``CSRV``): what the composer sends (``review_package``);
* a **reply** (``NAME.cuereply``, ``CSRP``): what the director sends back, and also the
  director's journal while reviewing (``review_reply``).

A file from outside is data, never code. ``open_untrusted`` opens it read-only and immutable
(SQLite takes no lock and writes nothing, no journal, no WAL beside it), with
``trusted_schema = OFF`` and no extension loading, under a deadline; then, before a single row
is read, it checks the application id, the version and the **exact** schema: every entry of
``sqlite_master`` must be one this module makes, word for word. That refuses triggers, views,
virtual tables and extra indexes outright, which is what SQLite's defensive flag
(``SQLITE_DBCONFIG_DEFENSIVE``) would guard against on a writable connection; Python 3.11's
``sqlite3`` can't set that flag (``Connection.setconfig`` arrived in 3.12), and it matters little
here: the connection is read-only and nothing is ever written through it. Last, ``quick_check``
reads every page. The readers then check each value's type and bound every blob and string
before they fetch it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cuesketch.store.schema import statements
from cuesketch.store.sqlite_io import DB_ERRORS, SQLITE_MAGIC, connect, deadline, describe, memory_db

PACKAGE_APPLICATION_ID = 0x43535256  # "CSRV": a Cuesketch review package
REPLY_APPLICATION_ID = 0x43535250  # "CSRP": a Cuesketch review reply
PACKAGE_SUFFIX = ".cuereview"
REPLY_SUFFIX = ".cuereply"
READ_DEADLINE_S = 5.0  # no statement on a file from outside may run longer

PACKAGE_VERSION = 1
PACKAGE_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE cues (id INTEGER PRIMARY KEY CHECK (id > 0), data TEXT NOT NULL) STRICT;
CREATE TABLE versions (id INTEGER PRIMARY KEY CHECK (id > 0), cue_id INTEGER NOT NULL,
    name TEXT NOT NULL, created TEXT NOT NULL, tempo TEXT NOT NULL, tracks TEXT NOT NULL,
    notes BLOB NOT NULL, audio_codec TEXT NOT NULL, sample_rate INTEGER NOT NULL,
    audio_start INTEGER NOT NULL, audio_frames INTEGER NOT NULL, audio BLOB NOT NULL) STRICT;
CREATE TABLE threads (uuid TEXT PRIMARY KEY, data TEXT NOT NULL) STRICT;
CREATE TABLE movie (id INTEGER PRIMARY KEY CHECK (id = 1), start_frame INTEGER NOT NULL,
    container TEXT NOT NULL, data BLOB NOT NULL) STRICT;
"""

REPLY_VERSION = 2  # 2: each note says the film it was placed on
REPLY_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE notes (uuid TEXT PRIMARY KEY, cue TEXT NOT NULL, version TEXT NOT NULL,
    author TEXT NOT NULL, created TEXT NOT NULL, edited TEXT NOT NULL, text TEXT NOT NULL,
    frame INTEGER NOT NULL, end_frame INTEGER, film_hash TEXT NOT NULL) STRICT;
CREATE TABLE verdicts (cue TEXT NOT NULL, version TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('pending', 'approved', 'changes')),
    comment TEXT NOT NULL, author TEXT NOT NULL, changed TEXT NOT NULL,
    PRIMARY KEY (cue, version)) STRICT;
CREATE TABLE thread_replies (id INTEGER PRIMARY KEY, thread TEXT NOT NULL, author TEXT NOT NULL,
    created TEXT NOT NULL, text TEXT NOT NULL) STRICT;
"""

MAX_PACKAGE_BYTES = 4 << 30  # a package with a movie; anything larger is not ours
MAX_REPLY_BYTES = 256 << 20


class ReviewFileError(RuntimeError):
    """A review package or reply that can't be read or written, said in plain words."""


def create_schema(db: sqlite3.Connection, script: str, application_id: int,
                  version: int) -> None:
    for statement in statements(script):
        db.execute(statement)
    db.execute(f"PRAGMA application_id = {application_id}")
    db.execute(f"PRAGMA user_version = {version}")


def _master(db: sqlite3.Connection) -> list[tuple[object, ...]]:
    return sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(),
                  key=repr)


_EXPECTED_MASTER: dict[str, list[tuple[object, ...]]] = {}


def expected_master(script: str) -> list[tuple[object, ...]]:
    """``sqlite_master`` as this module's script makes it (built once in memory)."""
    if script not in _EXPECTED_MASTER:
        mem = memory_db()
        try:
            for statement in statements(script):
                mem.execute(statement)
            _EXPECTED_MASTER[script] = _master(mem)
        finally:
            mem.close()
    return _EXPECTED_MASTER[script]


@contextmanager
def open_untrusted(path: Path, *, what: str, application_id: int, script: str,
                   version: int, max_bytes: int,
                   seconds: float = READ_DEADLINE_S) -> Iterator[sqlite3.Connection]:
    """A checked, read-only connection to a review file from outside (see the module doc).
    Every failure is a ReviewFileError in plain words."""
    path = Path(path)
    name = path.name
    _check_file(path, what, max_bytes)
    try:
        db = connect(path, read_only=True, immutable=True)
    except DB_ERRORS as e:
        raise ReviewFileError(f"{name} can't be opened: {describe(e)}") from None
    try:
        if hasattr(db, "enable_load_extension"):
            db.enable_load_extension(False)
        with deadline(db, seconds):
            try:
                db.execute("PRAGMA query_only = ON")
                (app_id,) = db.execute("PRAGMA application_id").fetchone()
                (found,) = db.execute("PRAGMA user_version").fetchone()
                if app_id != application_id:
                    raise ReviewFileError(f"{name} is not a Cuesketch {what}")
                if found != version:
                    newer = " by a newer Cuesketch" if found > version else ""
                    raise ReviewFileError(f"{name} is a {what} of another version (file version "
                                          f"{found}{newer}; this Cuesketch reads {version})")
                if _master(db) != expected_master(script):
                    raise ReviewFileError(f"{name} is damaged or was altered: its tables are "
                                          f"not those of a Cuesketch {what}")
                if db.execute("PRAGMA quick_check(1)").fetchone() != ("ok",):
                    raise ReviewFileError(f"{name} is damaged")
            except DB_ERRORS as e:
                raise ReviewFileError(f"{name} can't be read: {describe(e)}") from None
            yield db
    except DB_ERRORS as e:  # a reader's query on a damaged page
        raise ReviewFileError(f"{name} is damaged ({describe(e)})") from None
    finally:
        db.close()


def _check_file(path: Path, what: str, max_bytes: int) -> None:
    name = path.name
    try:
        if not path.is_file():
            raise ReviewFileError(f"there is no {what} at {path}")
        size = os.stat(path).st_size
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as e:
        raise ReviewFileError(f"{path} can't be read: {describe(e)}") from None
    if size == 0:
        raise ReviewFileError(f"{name} is empty: it is not a Cuesketch {what}")
    if size > max_bytes:
        raise ReviewFileError(f"{name} is too large ({size >> 20} MB) to be a Cuesketch {what}")
    if head[:16] != SQLITE_MAGIC:
        raise ReviewFileError(f"{name} is not a Cuesketch {what}")
    if len(head) < 100 or size < 512:
        raise ReviewFileError(f"{name} is cut short ({size} bytes) and can't be read")
