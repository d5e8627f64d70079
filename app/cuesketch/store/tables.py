"""The project's tables over one SQLite connection: load (fast or salvaging), write, check."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.entities import Entity, Settings
from cuesketch.model.project import Project
from cuesketch.store.codec import (
    KINDS,
    TRUSTED_ROWS,
    FormatError,
    fast_from_rows,
    row_to_entity,
    settings_from_json,
    settings_to_json,
    to_row,
)
from cuesketch.store.schema import EXPECTED
from cuesketch.store.sqlite_io import DB_ERRORS, printable, transaction

_COLUMNS = {cls: ", ".join(f'"{f}"' for f in k.fields) for cls, k in KINDS.items()}
_SELECT = {cls: f"SELECT {_COLUMNS[cls]} FROM {k.table}" for cls, k in KINDS.items()}
_UPSERT = {cls: f"INSERT OR REPLACE INTO {k.table} ({_COLUMNS[cls]}) "
                f"VALUES ({', '.join('?' * len(k.fields))})" for cls, k in KINDS.items()}
_DELETE = {cls: f"DELETE FROM {k.table} WHERE id = ?" for cls, k in KINDS.items()}
_SETTINGS = "INSERT OR REPLACE INTO meta (key, value) VALUES ('settings', ?)"
_UNTRUSTED = {cls: f"SELECT id FROM {KINDS[cls].table} WHERE ({check}) IS NOT 1 LIMIT 1"
              for cls, check in TRUSTED_ROWS.items()}


# -- reading -------------------------------------------------------------------------------------
def read_settings(db: sqlite3.Connection) -> Settings:
    row = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
    if row is None:
        raise FormatError("the project settings are missing")
    return settings_from_json(row[0])


def load(db: sqlite3.Connection, check_rows: bool = True) -> Project:
    """The whole project (run ``quick_check`` first: this trusts the pages). ``check_rows``:
    make sure the rows hold what ``fast_from_rows`` trusts (~30 ms for 100,000 notes); False
    only when quick_check ran on a writable connection, which checks the same.

    Raises sqlite3.DatabaseError, FormatError or ModelError if the file is not as it should be.
    """
    entities: list[Entity] = []
    with _gc_paused(), transaction(db, "DEFERRED"):  # one read transaction: a consistent view
        settings = read_settings(db)
        for cls, query in _UNTRUSTED.items() if check_rows else ():
            bad = db.execute(query).fetchone()
            if bad is not None:
                raise FormatError(f"{KINDS[cls].table} row {bad[0]} holds a value out of range")
        for cls in KINDS:
            entities.extend(fast_from_rows(cls, db.execute(_SELECT[cls]).fetchall()))
        project = Project()
        project.load(settings, entities)
    return project


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Hold the cycle collector while building many acyclic objects: it would otherwise walk
    them again and again as they pile up (a fifth of the time to open 100,000 notes)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def salvage(db: sqlite3.Connection) -> tuple[Project, list[str]]:
    """Whatever can be read from a damaged file, row by row, and what was lost, in words.

    Never writes. A row that can't be read or makes no sense is left out; a damaged stretch of a
    table is stepped over by seeking past it.
    """
    problems: list[str] = []
    try:
        settings = read_settings(db)
    except (sqlite3.Error, UnicodeDecodeError, FormatError) as e:
        settings = Settings()
        problems.append(f"the settings could not be read ({_short(e)}); defaults are used")
    kept: list[Entity] = []
    for cls, kind in KINDS.items():
        bad = 0
        ids: set[int] = set()
        rows, unreadable = _rows_around_damage(db, cls)
        for row in rows:
            try:
                entity = row_to_entity(cls, row)
            except FormatError:
                bad += 1
                continue
            if entity.id in ids:
                bad += 1
                continue
            ids.add(entity.id)
            kept.append(entity)
        if unreadable:
            problems.append(f"part of the {kind.table} could not be read")
        if bad:
            were = "was" if bad == 1 else "were"
            problems.append(f"{bad} of the {kind.table} made no sense and {were} left out")
    project = Project()
    project.load(settings, kept)
    return project, problems


def _rows_around_damage(db: sqlite3.Connection, cls: type) -> tuple[list[Any], bool]:
    """Rows in id order; on a damaged page, seek ever further past it (bounded tries)."""
    rows: list[Any] = []
    damaged = False
    last = -(2**63)
    skip = 0
    tries = 0
    while tries < 200:
        after = last + skip
        if after >= 2**63 - 1:
            break
        try:
            for row in db.execute(f"{_SELECT[cls]} WHERE id > ? ORDER BY id", (after,)):
                rows.append(row)
                if type(row[0]) is int:
                    last, skip = row[0], 0
            break
        except DB_ERRORS as e:
            damaged = True
            tries += 1
            if _fatal(e):
                break
            skip = max(1, skip * 4)
    return rows, damaged


def _fatal(e: Exception) -> bool:
    if isinstance(e, UnicodeDecodeError):
        return False
    name = str(getattr(e, "sqlite_errorname", "") or "")
    return not name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR"))


def _short(e: BaseException) -> str:
    return printable(str(e).splitlines()[0], 120) if str(e) else type(e).__name__


def schema_problems(db: sqlite3.Connection) -> list[str]:
    """What is missing or foreign in a file of the current version (triggers, views)."""
    found = {name: kind for kind, name in
             db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    problems = [f"the {name} {kind} is missing" for name, kind in EXPECTED.items()
                if found.get(name) != kind]
    problems += [f"it holds a {kind} named {name!r} that Cuesketch did not make"
                 for name, kind in found.items() if kind in ("trigger", "view")]
    return problems


# -- writing -------------------------------------------------------------------------------------
def write_changes(db: sqlite3.Connection, changes: Sequence[Change]) -> None:
    """Apply changes inside the caller's transaction."""
    for change in changes:
        if isinstance(change, EntityChange):
            if change.after is None:
                db.execute(_DELETE[change.kind], (change.id,))
            else:
                db.execute(_UPSERT[change.kind], to_row(change.after))
        else:
            db.execute(_SETTINGS, (settings_to_json(change.after),))


def write_settings(db: sqlite3.Connection, settings: Settings) -> None:
    db.execute(_SETTINGS, (settings_to_json(settings),))


def write_all(db: sqlite3.Connection, project: Project) -> None:
    """Replace every entity and the settings, inside the caller's transaction."""
    for kind in KINDS.values():
        db.execute(f"DELETE FROM {kind.table}")
    write_settings(db, project.settings)
    for cls in KINDS:
        db.executemany(_UPSERT[cls], (to_row(e) for e in project.table(cls).values()))
