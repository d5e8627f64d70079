"""The project file's schema, as numbered forward migrations (PRAGMA user_version)."""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x43534B54  # "CSKT": marks a SQLite file as a Cuesketch project

# MIGRATIONS[i] takes a file from version i to version i + 1. Never edit a released step:
# add a new one.
MIGRATIONS: list[str] = [
    # 0 -> 1: the first schema.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE tracks (id INTEGER PRIMARY KEY, name TEXT NOT NULL, bank INTEGER NOT NULL,
        program INTEGER NOT NULL, volume REAL NOT NULL, pan REAL NOT NULL, mute INTEGER NOT NULL,
        solo INTEGER NOT NULL, color TEXT NOT NULL, "order" INTEGER NOT NULL,
        channel INTEGER NOT NULL);
    CREATE TABLE notes (id INTEGER PRIMARY KEY, track_id INTEGER NOT NULL, start INTEGER NOT NULL,
        duration INTEGER NOT NULL, pitch INTEGER NOT NULL, velocity INTEGER NOT NULL);
    CREATE INDEX notes_by_track ON notes (track_id, start);
    CREATE TABLE controls (id INTEGER PRIMARY KEY, track_id INTEGER NOT NULL,
        time INTEGER NOT NULL, controller TEXT NOT NULL, value INTEGER NOT NULL);
    CREATE TABLE hits (id INTEGER PRIMARY KEY, frame INTEGER NOT NULL, name TEXT NOT NULL,
        kind TEXT NOT NULL, note TEXT NOT NULL);
    CREATE TABLE cues (id INTEGER PRIMARY KEY, name TEXT NOT NULL, start_frame INTEGER NOT NULL,
        end_frame INTEGER NOT NULL, tempo TEXT, title TEXT NOT NULL, notes TEXT NOT NULL);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


class NewerVersionError(RuntimeError):
    pass


def migrate(db: sqlite3.Connection) -> int:
    """Bring a file up to SCHEMA_VERSION in one transaction; returns the version it had."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise NewerVersionError(
            f"this project was saved by a newer Cuesketch (file version {version}, this one "
            f"reads up to {SCHEMA_VERSION}); update Cuesketch to open it")
    if version == SCHEMA_VERSION:
        return version
    with db:
        for step in MIGRATIONS[version:]:
            for statement in step.split(";"):
                if statement.strip():
                    db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    return version
