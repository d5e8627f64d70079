"""The project file: one SQLite database, every edit committed as it happens."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.entities import Entity, Settings
from cuesketch.model.project import Project
from cuesketch.store.codec import TABLES, FormatError, settings_from_dict, settings_to_dict
from cuesketch.store.schema import APPLICATION_ID, NewerVersionError, migrate

SUFFIX = ".cuesketch"


class ProjectFileError(RuntimeError):
    """A project that can't be opened or written, said in plain words."""


class ProjectFile:
    """An open project file. ``write`` is the Document's sink."""

    def __init__(self, path: Path, db: sqlite3.Connection, read_only: bool = False) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, settings: Settings | None = None) -> ProjectFile:
        path = Path(path)
        if path.exists():
            raise ProjectFileError(f"{path} exists already")
        try:
            db = _connect(path, read_only=False)
        except sqlite3.Error as e:
            raise ProjectFileError(f"can't create {path}: {e}") from None
        migrate(db)
        pf = cls(path, db)
        with db:
            pf._write_settings(settings or Settings())
        return pf

    @classmethod
    def open(cls, path: Path, read_only: bool = False) -> ProjectFile:
        path = Path(path)
        if not path.exists():
            raise ProjectFileError(f"there is no project at {path}")
        if not read_only and not os.access(path.parent, os.W_OK):
            read_only = True  # a read-only folder: open it, say so, change nothing
        try:
            db = _connect(path, read_only=read_only)
            (app_id,) = db.execute("PRAGMA application_id").fetchone()
            if app_id != APPLICATION_ID:
                raise ProjectFileError(f"{path} is not a Cuesketch project")
            if not read_only:
                migrate(db)
        except NewerVersionError as e:
            raise ProjectFileError(str(e)) from None
        except sqlite3.DatabaseError as e:
            raise ProjectFileError(f"{path} is not a Cuesketch project or is damaged ({e})") from None
        return cls(path, db, read_only)

    def load(self) -> Project:
        project = Project()
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
            if row is None:
                raise ProjectFileError(f"{self.path} has no settings: it is damaged")
            settings = settings_from_dict(json.loads(row[0]))
            entities: list[Entity] = []
            for table, fields, _to_row, from_row in TABLES.values():
                cols = ", ".join(f'"{f}"' for f in fields)
                entities.extend(from_row(r) for r in self.db.execute(f"SELECT {cols} FROM {table}"))
        except (sqlite3.DatabaseError, FormatError, KeyError, ValueError, TypeError) as e:
            raise ProjectFileError(f"{self.path} is damaged: {e}") from None
        project.load(settings, entities)
        return project

    # -- writing -----------------------------------------------------------------------------
    def write(self, changes: Sequence[Change], settings: Settings) -> None:
        if self.read_only:
            raise ProjectFileError("this project is open read-only")
        try:
            with self.db:
                for change in changes:
                    if isinstance(change, EntityChange):
                        self._write_entity(change)
                    else:
                        self._write_settings(change.after)
        except sqlite3.Error as e:
            raise ProjectFileError(f"can't write {self.path}: {e}") from None

    def write_all(self, project: Project) -> None:
        """Replace everything in the file by ``project`` (Save As, import)."""
        with self.db:
            for table, *_ in TABLES.values():
                self.db.execute(f"DELETE FROM {table}")
            self._write_settings(project.settings)
            for kind, (table, fields, to_row, _from) in TABLES.items():
                marks = ", ".join("?" * len(fields))
                self.db.executemany(f"INSERT INTO {table} VALUES ({marks})",
                                    (to_row(e) for e in project.table(kind).values()))

    def _write_entity(self, change: EntityChange) -> None:
        table, fields, to_row, _from = TABLES[change.kind]
        if change.after is None:
            self.db.execute(f"DELETE FROM {table} WHERE id = ?", (change.id,))
        else:
            marks = ", ".join("?" * len(fields))
            self.db.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})",
                            to_row(change.after))

    def _write_settings(self, settings: Settings) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('settings', ?)",
                        (json.dumps(settings_to_dict(settings)),))

    def close(self) -> None:
        self.db.close()


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if read_only:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                             check_same_thread=False)
    else:
        db = sqlite3.connect(path, check_same_thread=False)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    return db
