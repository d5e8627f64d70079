"""Named snapshots ("1M3 v3, sent to the director"): take, list, open, export, restore, delete.

A snapshot lives inside the project file, in the ``snapshots`` table: the whole project as a
SQLite database of its own (``serialize``), compressed. Why inside rather than beside:
- it travels with the project: copy, mail or back up the one file and the history comes along;
  nothing beside it can get lost, renamed apart or out of step;
- taking one is a single transaction: it is there whole or not at all;
- an old snapshot is a project file of its version, so it is brought up to date by the same
  numbered migrations as the project, and read by the same loader;
- it costs about a third of the project's size each (compressed) and nothing when opening the
  project: its pages are never read until the snapshot is asked for.
``save_copy(..., with_snapshots=False)`` writes a lean copy to send.

Restoring is undoable: a snapshot of the current state is taken first ("Before restoring ..."),
then the difference is applied through the Document as one undo step.
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cuesketch.files import commit_file, remove_quietly, temp_beside
from cuesketch.model.changes import Change, EntityChange, SettingsChange
from cuesketch.model.document import Command, Document
from cuesketch.model.entities import ENTITY_KINDS, Entity
from cuesketch.model.project import ModelError, Project
from cuesketch.store import tables
from cuesketch.store.codec import KINDS, FormatError
from cuesketch.store.project_file import ProjectFile, ProjectFileError
from cuesketch.store.schema import APPLICATION_ID, NewerVersionError, migrate
from cuesketch.store.sqlite_io import (DB_ERRORS, connect, deadline, describe, memory_db,
                                       transaction)

# Every table of the schema is the project's content but the snapshots themselves: read from
# the schema, so a table a later step adds is kept too (a list here once missed the themes,
# their uses and the speech regions, and a restore took them away).
_NOT_CONTENT = ("snapshots",)


# A snapshot names the tables it holds (meta key). One taken before it did may lack these:
# restoring it leaves what the project holds of them as it is, unless the snapshot has rows
# there (then it held them).
_KEPT_KEY = "snapshot_tables"
_LEGACY_MISSING = frozenset({"themes", "theme_uses", "speech_regions"})


def _content_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM main.sqlite_master WHERE type = 'table' "
                      "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    return [name for (name,) in rows if name not in _NOT_CONTENT]
_MAX_SIZE = 4 << 30  # a snapshot claiming to unpack to more than this is damaged


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    name: str
    created: str  # local time, ISO 8601
    notes: int
    size: int  # bytes in the file


def list_snapshots(pf: ProjectFile) -> list[SnapshotInfo]:
    try:
        rows = pf.reader.execute(
            "SELECT id, name, created, notes, length(data) FROM snapshots ORDER BY id").fetchall()
    except DB_ERRORS as e:
        raise ProjectFileError(f"the snapshots of {pf.path.name} can't be read: "
                               f"{describe(e)}") from None
    return [SnapshotInfo(*r) for r in rows if _sane(r)]


def _sane(row: tuple[object, ...]) -> bool:
    """A row of the snapshot list as it must be (a damaged file may hold anything)."""
    kinds = (int, str, str, int, int)
    return len(row) == len(kinds) and all(type(v) is k for v, k in zip(row, kinds))


def take_snapshot(pf: ProjectFile, name: str) -> SnapshotInfo:
    """Keep the project as it is now under ``name``."""
    name = name.strip()
    if not name:
        raise ProjectFileError("a snapshot needs a name")
    pf.prepare_to_write()
    mem = memory_db()
    try:
        migrate(mem)  # the current schema, empty
        mem.execute("ATTACH DATABASE ? AS src", (f"{pf.path.resolve().as_uri()}?mode=ro",))
        with transaction(mem):  # one read of the project: a consistent copy
            kept = _content_tables(mem)
            for table in kept:
                mem.execute(f"INSERT INTO main.{table} SELECT * FROM src.{table}")
            mem.execute("INSERT OR REPLACE INTO main.meta (key, value) VALUES (?, ?)",
                        (_KEPT_KEY, json.dumps(kept)))
        mem.execute("DETACH DATABASE src")
        (notes,) = mem.execute("SELECT count(*) FROM notes").fetchone()
        data = zlib.compress(mem.serialize(), 6)
        created = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with transaction(pf.db):
            cur = pf.db.execute(
                "INSERT INTO snapshots (name, created, notes, data) VALUES (?, ?, ?, ?)",
                (name, created, notes, data))
        return SnapshotInfo(int(cur.lastrowid or 0), name, created, int(notes), len(data))
    except DB_ERRORS as e:
        raise ProjectFileError(f"the snapshot could not be saved: {describe(e)}") from None
    finally:
        mem.close()


def open_snapshot(pf: ProjectFile, snapshot_id: int) -> Project:
    """The project as it was when the snapshot was taken (the file is not changed)."""
    return _open(pf, snapshot_id)[0]


def _open(pf: ProjectFile, snapshot_id: int) -> tuple[Project, tuple[type, ...]]:
    """The snapshot's project, and the kinds of entity it holds (``_KEPT_KEY``)."""
    mem = _snapshot_db(pf, snapshot_id)
    try:
        with deadline(mem, 60):
            row = mem.execute("SELECT value FROM meta WHERE key = ?", (_KEPT_KEY,)).fetchone()
            empty = {t for t in _LEGACY_MISSING
                     if mem.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() is None}
            project = tables.load(mem)
    except (sqlite3.Error, UnicodeDecodeError, FormatError, ModelError) as e:
        raise ProjectFileError(f"the snapshot is damaged ({e})") from None
    finally:
        mem.close()
    try:
        held = set(json.loads(row[0])) if row is not None else None
    except (ValueError, TypeError):
        held = None
    # without the key: a table it has rows in, it held; one of those it may have left out
    # and holds nothing of, it is taken not to know about
    kinds = tuple(k for k in ENTITY_KINDS if (
        KINDS[k].table in held if isinstance(held, set) else KINDS[k].table not in empty))
    return project, kinds


def export_snapshot(pf: ProjectFile, snapshot_id: int, dest: Path) -> None:
    """Write a snapshot as a project file of its own (to open it beside the current one)."""
    dest = Path(dest)
    if dest.exists():
        raise ProjectFileError(f"{dest} exists already")
    mem = _snapshot_db(pf, snapshot_id)
    tmp = temp_beside(dest)
    try:
        out = connect(tmp, read_only=False, create=True)
        try:
            mem.backup(out)
        finally:
            out.close()
        commit_file(tmp, dest)
    except (sqlite3.Error, UnicodeDecodeError, OSError) as e:
        remove_quietly(tmp)
        raise ProjectFileError(f"{dest} could not be written: {describe(e)}") from None
    finally:
        mem.close()


def restore_snapshot(pf: ProjectFile, snapshot_id: int, document: Document) -> SnapshotInfo:
    """Make the project what the snapshot holds, as one undo step, after keeping the current
    state as a snapshot too. Returns that safety snapshot."""
    info = _info(pf, snapshot_id)
    target, kinds = _open(pf, snapshot_id)
    safety = take_snapshot(pf, f"Before restoring “{info.name}”")
    todo = diff(document.project, target, kinds)
    if todo:
        document.execute(Command(f"Restore snapshot “{info.name}”", todo))
    return safety


def delete_snapshot(pf: ProjectFile, snapshot_id: int) -> None:
    pf.prepare_to_write()
    _info(pf, snapshot_id)
    try:
        with transaction(pf.db):
            pf.db.execute("DELETE FROM snapshots WHERE id = ?", (snapshot_id,))
    except DB_ERRORS as e:
        raise ProjectFileError(f"the snapshot could not be deleted: {describe(e)}") from None


def diff(current: Project, target: Project,
         kinds: tuple[type, ...] = ENTITY_KINDS) -> list[Change]:
    """The changes that turn ``current`` into ``target`` (its ``kinds`` of entity)."""
    out: list[Change] = []
    if current.settings != target.settings:
        out.append(SettingsChange(current.settings, target.settings))
    for now, then in zip(_tables_of(current, kinds), _tables_of(target, kinds)):
        out += [EntityChange(e, None) for i, e in now.items() if i not in then]
        out += [EntityChange(now[i], e) for i, e in then.items() if i in now and now[i] != e]
        out += [EntityChange(None, e) for i, e in then.items() if i not in now]
    return out


def _tables_of(p: Project, kinds: tuple[type, ...]) -> list[Mapping[int, Entity]]:
    return [p._tables[kind] for kind in kinds]


def _info(pf: ProjectFile, snapshot_id: int) -> SnapshotInfo:
    for info in list_snapshots(pf):
        if info.id == snapshot_id:
            return info
    raise ProjectFileError(f"there is no snapshot {snapshot_id} in {pf.path.name}")


def _snapshot_db(pf: ProjectFile, snapshot_id: int) -> sqlite3.Connection:
    """The snapshot as an in-memory database, checked and brought up to date."""
    try:
        row = pf.reader.execute("SELECT data FROM snapshots WHERE id = ?",
                                 (snapshot_id,)).fetchone()
    except DB_ERRORS as e:
        raise ProjectFileError(f"the snapshot can't be read: {describe(e)}") from None
    if row is None:
        raise ProjectFileError(f"there is no snapshot {snapshot_id} in {pf.path.name}")
    try:
        unpack = zlib.decompressobj()
        data = unpack.decompress(row[0], _MAX_SIZE)
        if unpack.unconsumed_tail or not unpack.eof or len(data) < 512:
            raise ValueError("cut short or too large")
    except (zlib.error, TypeError, ValueError):
        raise ProjectFileError("the snapshot is damaged: it can't be unpacked") from None
    mem = memory_db()
    try:
        try:
            mem.deserialize(data)
        except MemoryError:  # what sqlite3 raises for an image SQLite refuses
            raise ProjectFileError("the snapshot is damaged: it is not a database") from None
        with deadline(mem, 60):
            (app_id,) = mem.execute("PRAGMA application_id").fetchone()
            if app_id != APPLICATION_ID:
                raise ProjectFileError("the snapshot is damaged: it is not a project")
            if mem.execute("PRAGMA quick_check(1)").fetchone() != ("ok",):
                raise ProjectFileError("the snapshot is damaged")
            migrate(mem)
    except NewerVersionError as e:
        mem.close()
        raise ProjectFileError(f"the snapshot {e}") from None
    except DB_ERRORS as e:
        mem.close()
        raise ProjectFileError(f"the snapshot is damaged ({describe(e)})") from None
    except BaseException:
        mem.close()
        raise
    return mem
