"""Mutated review packages: bit flips, truncations, overwritten runs, and hostile schemas
(triggers, views, virtual tables, huge blobs, path-like names), for the fuzz figure and tests."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

# SQL a hostile sender might run on a real package before sending it.
HOSTILE_SQL: list[str] = [
    "CREATE TRIGGER t AFTER INSERT ON meta BEGIN DELETE FROM cues; END;",
    "CREATE TRIGGER t2 BEFORE DELETE ON cues BEGIN SELECT load_extension('x'); END;",
    "CREATE VIEW v AS SELECT * FROM cues;",
    "CREATE VIEW meta2 AS SELECT 'format', 'cuesketch-review';",
    "CREATE VIRTUAL TABLE vt USING fts5(x);",
    "CREATE VIRTUAL TABLE vt2 USING rtree(id, a, b);",
    "CREATE TABLE extra (x BLOB); INSERT INTO extra VALUES (zeroblob(1000000));",
    "CREATE INDEX i ON versions (name);",
    "DROP TABLE threads;",
    "UPDATE versions SET audio = zeroblob(70000000) WHERE id = 1;",
    "UPDATE versions SET audio = 'OggS' || randomblob(100) WHERE id = 1;",
    "UPDATE versions SET audio = 12 WHERE id = 1;",
    "UPDATE versions SET notes = zeroblob(5000000) WHERE id = 1;",
    "UPDATE versions SET audio_frames = 9223372036854775807 WHERE id = 1;",
    "UPDATE versions SET audio_start = -9223372036854775808 WHERE id = 1;",
    "UPDATE versions SET name = '../../x' WHERE id = 1;",
    "UPDATE versions SET name = '/etc/passwd' WHERE id = 1;",
    "UPDATE versions SET tempo = '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' WHERE id = 1;",
    "UPDATE versions SET tempo = '" + "[" * 100_000 + "' WHERE id = 1;",
    "UPDATE versions SET tracks = '[[\"a\", 1]]' WHERE id = 1;",
    "UPDATE versions SET cue_id = 999 WHERE id = 1;",
    "UPDATE meta SET value = '../../x' WHERE key = 'package_id';",
    "UPDATE meta SET value = '../../../../tmp/evil' WHERE key = 'package_id';",
    "UPDATE meta SET value = '{\"content_hash\": \"x\", \"file_name\": \"../../x\", "
    "\"frame_count\": 1, \"fps\": \"24\", \"drop\": false, \"offset_frames\": 0}' "
    "WHERE key = 'film';",
    "UPDATE meta SET value = '{\"fps\": \"1e999999\", \"drop\": false}' WHERE key = 'rate';",
    "UPDATE meta SET value = '{\"fps\": \"30\", \"drop\": true}' WHERE key = 'rate';",
    "UPDATE meta SET value = '99999999999999999999999' WHERE key = 'start_frame';",
    "UPDATE meta SET value = x'ff00fe' WHERE key = 'title';",
    "UPDATE meta SET value = 12 WHERE key = 'title';",
    "DELETE FROM meta WHERE key = 'rate';",
    "UPDATE cues SET data = '{\"cue\": {}, \"hits\": []}' WHERE id = 1;",
    "UPDATE cues SET data = json_set(data, '$.cue.name', '../../x') WHERE id = 1;",
    "UPDATE cues SET data = json_set(data, '$.cue.start_frame', 1e300) WHERE id = 1;",
    "UPDATE cues SET data = json_set(data, '$.cue.tempo', json('{\"origin\":0,\"tempos\":"
    "[{\"beat\":\"0\",\"bpm\":\"0\"}],\"meters\":[]}')) WHERE id = 1;",
    "UPDATE cues SET data = json_set(data, '$.hits', json('[{\"id\":0}]')) WHERE id = 1;",
    "INSERT INTO threads VALUES ('../../x', '{\"uuid\": \"../../x\"}');",
    "INSERT INTO movie VALUES (1, 0, 'mp4', zeroblob(1000));",
    "INSERT INTO movie VALUES (1, 0, 'mp4', x'00000018667479706d703432' || randomblob(500));",
    "PRAGMA application_id = 0x43534B54;",
    "PRAGMA user_version = 2;",
    "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = "
    "'CREATE TABLE cues (id INTEGER PRIMARY KEY, data TEXT NOT NULL)' WHERE name = 'cues';",
]


def hostile(base: Path, out: Path, sql: str) -> None:
    out.write_bytes(base.read_bytes())
    db = sqlite3.connect(out)
    try:
        db.executescript(sql)
    except sqlite3.Error:
        pass  # e.g. fts5 not built in: the file stays as it was
    finally:
        db.close()


def mutate(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    kind = rng.random()
    if kind < 0.45:  # bit flips
        for _ in range(rng.randint(1, 16)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    elif kind < 0.6:  # a truncation
        data = data[:rng.randrange(len(data))]
    elif kind < 0.75:  # a run overwritten
        i = rng.randrange(len(data))
        n = rng.randint(1, 512)
        data[i:i + n] = bytes(rng.randrange(256) for _ in range(min(n, len(data) - i)))
    elif kind < 0.85:  # the header's fields (page size, counts, schema cookie, app id)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(16, 100)
            data[i] = rng.randrange(256)
    else:  # a page duplicated over another
        page = 4096
        pages = len(data) // page
        if pages > 2:
            a, b = rng.randrange(1, pages), rng.randrange(1, pages)
            data[b * page:(b + 1) * page] = data[a * page:(a + 1) * page]
    return bytes(data)


def cases(base: Path, folder: Path, count: int, seed: int = 15) -> list[tuple[str, Callable[[Path], None]]]:
    """``count`` ways to make a hostile package from ``base``: every hostile SQL first (also
    mutated afterwards), then random mutations."""
    rng = random.Random(seed)
    raw = base.read_bytes()
    out: list[tuple[str, Callable[[Path], None]]] = []
    for sql in HOSTILE_SQL:
        out.append((f"sql: {sql[:50]}", lambda p, sql=sql: hostile(base, p, sql)))
    while len(out) < count:
        r = random.Random(rng.getrandbits(64))
        out.append(("mutation", lambda p, r=r: p.write_bytes(mutate(raw, r))))
    return out[:count]

