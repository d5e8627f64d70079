"""The project file's schema, as numbered forward migrations (PRAGMA user_version).

Room for what comes next: a feature that needs storage (themes, review notes, render settings)
adds a step here: new tables, or a key in ``meta`` for small settings. Steps run in one
transaction, so a file is either migrated whole or left as it was.
"""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x43534B54  # "CSKT": marks a SQLite file as a Cuesketch project

# From version 2 the tables are STRICT with CHECKs: SQLite itself refuses a wrong type or a note
# out of range on write, and `PRAGMA quick_check` verifies both on open, so the loader can build
# notes straight from rows without checking each value in Python.
_V2_TABLES = """
CREATE TABLE tracks (id INTEGER PRIMARY KEY CHECK (id > 0), name TEXT NOT NULL,
    bank INTEGER NOT NULL CHECK (bank BETWEEN 0 AND 16383),
    program INTEGER NOT NULL CHECK (program BETWEEN 0 AND 127),
    volume REAL NOT NULL, pan REAL NOT NULL,
    mute INTEGER NOT NULL CHECK (mute IN (0, 1)), solo INTEGER NOT NULL CHECK (solo IN (0, 1)),
    color TEXT NOT NULL, "order" INTEGER NOT NULL,
    channel INTEGER NOT NULL CHECK (channel BETWEEN 0 AND 15)) STRICT;
CREATE TABLE notes (id INTEGER PRIMARY KEY CHECK (id > 0), track_id INTEGER NOT NULL,
    start INTEGER NOT NULL, duration INTEGER NOT NULL CHECK (duration > 0),
    pitch INTEGER NOT NULL CHECK (pitch BETWEEN 0 AND 127),
    velocity INTEGER NOT NULL CHECK (velocity BETWEEN 1 AND 127)) STRICT;
CREATE TABLE controls (id INTEGER PRIMARY KEY CHECK (id > 0), track_id INTEGER NOT NULL,
    time INTEGER NOT NULL, controller TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value BETWEEN -8192 AND 8191)) STRICT;
CREATE TABLE hits (id INTEGER PRIMARY KEY CHECK (id > 0), frame INTEGER NOT NULL,
    name TEXT NOT NULL, kind TEXT NOT NULL, note TEXT NOT NULL) STRICT;
CREATE TABLE cues (id INTEGER PRIMARY KEY CHECK (id > 0), name TEXT NOT NULL,
    start_frame INTEGER NOT NULL, end_frame INTEGER NOT NULL, tempo TEXT,
    title TEXT NOT NULL, notes TEXT NOT NULL) STRICT;
"""

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
    # 1 -> 2: STRICT tables with range checks (rebuilt, rows copied: a row that breaks a check
    # fails the step and leaves the file at version 1), and named snapshots: each one a whole
    # project database, compressed, so an old snapshot migrates by these same steps.
    """
    ALTER TABLE tracks RENAME TO v1_tracks;
    ALTER TABLE notes RENAME TO v1_notes;
    ALTER TABLE controls RENAME TO v1_controls;
    ALTER TABLE hits RENAME TO v1_hits;
    ALTER TABLE cues RENAME TO v1_cues;
    DROP INDEX notes_by_track;
    """ + _V2_TABLES + """
    INSERT INTO tracks SELECT * FROM v1_tracks;
    INSERT INTO notes SELECT * FROM v1_notes;
    INSERT INTO controls SELECT * FROM v1_controls;
    INSERT INTO hits SELECT * FROM v1_hits;
    INSERT INTO cues SELECT * FROM v1_cues;
    DROP TABLE v1_tracks;
    DROP TABLE v1_notes;
    DROP TABLE v1_controls;
    DROP TABLE v1_hits;
    DROP TABLE v1_cues;
    CREATE INDEX notes_by_track ON notes (track_id, start);
    CREATE TABLE snapshots (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL,
        notes INTEGER NOT NULL, data BLOB NOT NULL) STRICT;
    """,
    # 2 -> 3: a track's stem group ("section"); empty: from its instrument's family.
    """
    ALTER TABLE tracks ADD COLUMN section TEXT NOT NULL DEFAULT '';
    """,
    # 3 -> 4: the spotting list (a cue's kind, usage, status, tags, palette; markers, no-music
    # ranges, the cue sheet's shares), speech regions, themes and a track's SoundFont, and
    # review notes: one step, so a file takes them all or none.
    """
    ALTER TABLE cues ADD COLUMN kind TEXT NOT NULL DEFAULT 'score';
    ALTER TABLE cues ADD COLUMN usage TEXT NOT NULL DEFAULT '';
    ALTER TABLE cues ADD COLUMN status TEXT NOT NULL DEFAULT 'spotted';
    ALTER TABLE cues ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE cues ADD COLUMN palette TEXT NOT NULL DEFAULT '';
    -- [spotting] markers, no-music ranges, the cue sheet's writers and publishers
    CREATE TABLE markers (id INTEGER PRIMARY KEY CHECK (id > 0), frame INTEGER NOT NULL,
        name TEXT NOT NULL, color TEXT NOT NULL, note TEXT NOT NULL,
        length INTEGER NOT NULL CHECK (length >= 0)) STRICT;
    CREATE TABLE no_music (id INTEGER PRIMARY KEY CHECK (id > 0),
        start_frame INTEGER NOT NULL, end_frame INTEGER NOT NULL, note TEXT NOT NULL) STRICT;
    CREATE TABLE rights_shares (id INTEGER PRIMARY KEY CHECK (id > 0), role TEXT NOT NULL,
        name TEXT NOT NULL, society TEXT NOT NULL,
        share INTEGER NOT NULL CHECK (share BETWEEN 0 AND 10000)) STRICT;
    -- [film lanes] speech regions
    CREATE TABLE speech_regions (id INTEGER PRIMARY KEY CHECK (id > 0),
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, CHECK ("end" > start)) STRICT;
    -- [themes and palettes] themes, where they were inserted, a track's SoundFont
    CREATE TABLE themes (id INTEGER PRIMARY KEY CHECK (id > 0), name TEXT NOT NULL,
        stands_for TEXT NOT NULL, role TEXT NOT NULL,
        snippet TEXT NOT NULL CHECK (length(snippet) <= 2000000),
        "key" TEXT NOT NULL, color TEXT NOT NULL, notes TEXT NOT NULL) STRICT;
    CREATE TABLE theme_uses (id INTEGER PRIMARY KEY CHECK (id > 0),
        theme_id INTEGER NOT NULL, track_id INTEGER NOT NULL, start INTEGER NOT NULL,
        transform TEXT NOT NULL CHECK (length(transform) <= 2000000),
        note_ids TEXT NOT NULL CHECK (length(note_ids) <= 2000000)
        ) STRICT;
    ALTER TABLE tracks ADD COLUMN soundfont TEXT NOT NULL DEFAULT '';
    -- [review] review notes: the director's (or a review site's), with the composer's replies
    CREATE TABLE review_notes (id INTEGER PRIMARY KEY CHECK (id > 0), uuid TEXT NOT NULL,
        frame INTEGER NOT NULL, end_frame INTEGER, text TEXT NOT NULL, author TEXT NOT NULL,
        created TEXT NOT NULL, cue TEXT NOT NULL, version TEXT NOT NULL,
        resolved INTEGER NOT NULL CHECK (resolved IN (0, 1)),
        replies TEXT NOT NULL CHECK (length(replies) <= 2000000), film_hash TEXT NOT NULL,
        off_cut INTEGER NOT NULL CHECK (off_cut IN (0, 1)), source TEXT NOT NULL) STRICT;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)

# What a file of the current version must hold (name -> type); anything else is not ours.
EXPECTED = {"meta": "table", "tracks": "table", "notes": "table", "controls": "table",
            "hits": "table", "cues": "table", "snapshots": "table", "notes_by_track": "index",
            "markers": "table", "no_music": "table", "rights_shares": "table",
            "themes": "table", "theme_uses": "table", "review_notes": "table",
            "speech_regions": "table"}


class NewerVersionError(RuntimeError):
    pass


def statements(script: str) -> list[str]:
    """Split a script into whole statements (a ``;`` inside a string or CHECK stays put)."""
    out: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                out.append(current.strip())
            current = ""
    if current.strip():
        out.append(current.strip())
    return out


def file_version(db: sqlite3.Connection) -> int:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    return int(version)


def check_version(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise NewerVersionError(
            f"this project was saved by a newer Cuesketch (file version {version}, this one "
            f"reads up to {SCHEMA_VERSION}); update Cuesketch to open it")


def migrate(db: sqlite3.Connection) -> int:
    """Bring a file up to SCHEMA_VERSION in one transaction; returns the version it had.

    ``db`` must be in autocommit mode (``isolation_level=None``): the steps hold DDL, which
    Python's implicit transactions would commit one statement at a time.
    """
    version = file_version(db)
    check_version(version)
    if version == SCHEMA_VERSION:
        return version
    db.execute("BEGIN IMMEDIATE")
    try:
        for step in MIGRATIONS[version:]:
            for statement in statements(step):
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return version
