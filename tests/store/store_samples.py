"""Projects to store: a fixed sample, random ones (hypothesis), and file mutations for fuzzing.

Also loaded by tests/bench/bench_store.py.
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

from hypothesis import strategies as st

from cuesketch.model.entities import (CUE_USAGES, ControlPoint, Controller, Cue, CueKind,
                                      CueStatus, Hit, HitKind, Media, Note, Settings, Track)
from cuesketch.model.project import Project
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND

S = FLICKS_PER_SECOND


def sample_project(notes: int = 200, seed: int = 0, tracks: int = 4) -> Project:
    """Every kind of entity, a film, a cue with its own tempo map: deterministic."""
    rng = random.Random(seed)
    settings = Settings(
        title="Chase — 1M3", rate=STANDARD_RATES["29.97df"], start_frame=107892,
        tempo=TempoMap(0, (TempoChange(Fraction(0), Fraction(120)),
                           TempoChange(Fraction(16), Fraction(9000, 89), True)),
                       (MeterChange(0, 4, 4), MeterChange(4, 7, 8))),
        media=Media("../picture/Chase v12.mov", "cs1:123456:00ff00ff00ff00ff00ff00ff00ff00ff", 24),
        soundfont="FluidR3_GM.sf2")
    entities: list[object] = [Track(i, f"Track {i}", program=rng.randrange(128),
                                    volume=rng.random(), pan=rng.uniform(-1, 1), order=i,
                                    channel=9 if i == tracks else i - 1)
                              for i in range(1, tracks + 1)]
    entities += [Note(i, 1 + i % tracks, i * S // 4 + rng.randrange(1000),
                      S // 8 + rng.randrange(S), rng.randrange(24, 100), rng.randrange(1, 128))
                 for i in range(1, notes + 1)]
    entities += [ControlPoint(i, 1, i * S, list(Controller)[i % 4], rng.randrange(128))
                 for i in range(1, 21)]
    entities += [Hit(i, i * 97, f"hit {i}", list(HitKind)[i % 4], "door slam" if i == 1 else "")
                 for i in range(1, 11)]
    entities += [Cue(1, "1M1", 0, 1200, None, "Opening", "strings, low"),
                 Cue(2, "1M2", 1500, 2900, TempoMap(0, (TempoChange(Fraction(0), Fraction(96)),)),
                     "The chase", "drums")]
    project = Project()
    project.load(settings, entities)  # type: ignore[arg-type]
    return project


def same_content(a: Project, b: Project) -> bool:
    """Settings and entities equal (the next-id counters may differ)."""
    from cuesketch.model.entities import ENTITY_KINDS
    return a.settings == b.settings and all(a.table(k) == b.table(k) for k in ENTITY_KINDS)


# -- random projects -----------------------------------------------------------------------------
ints = st.integers(-(2**62), 2**62)
text = st.text(max_size=20)
fractions = st.builds(Fraction, st.integers(1, 10_000), st.integers(1, 1_000))


@st.composite
def tempo_maps(draw: st.DrawFn) -> TempoMap:
    beats = sorted(draw(st.sets(st.builds(Fraction, st.integers(1, 10_000), st.integers(1, 16)),
                                max_size=3)))
    tempos = [TempoChange(b, draw(fractions), draw(st.booleans())) for b in [Fraction(0), *beats]]
    bars = sorted(draw(st.sets(st.integers(1, 500), max_size=2)))
    meters = [MeterChange(b, draw(st.integers(1, 15)), draw(st.sampled_from([2, 4, 8, 16])))
              for b in [0, *bars]]
    return TempoMap(draw(ints), tuple(tempos), tuple(meters))


@st.composite
def projects(draw: st.DrawFn) -> Project:
    media = draw(st.none() | st.builds(Media, text, text, st.integers(-10**6, 10**6)))
    settings = Settings(draw(text), draw(st.sampled_from(list(STANDARD_RATES.values()))),
                        draw(st.integers(0, 10**7)), draw(tempo_maps()), media,
                        draw(st.sampled_from([44_100, 48_000, 96_000])), draw(text))
    ids = st.integers(1, 2**40)
    tracks = draw(st.lists(st.builds(
        Track, ids, text, st.integers(0, 16383), st.integers(0, 127),
        st.floats(0, 1), st.floats(-1, 1), st.booleans(), st.booleans(), text, ints,
        st.integers(0, 15)), max_size=4, unique_by=lambda t: t.id))
    notes = draw(st.lists(st.builds(Note, ids, ints, ints, st.integers(1, 2**62),
                                    st.integers(0, 127), st.integers(1, 127)),
                          max_size=30, unique_by=lambda n: n.id))
    controls = draw(st.lists(st.builds(ControlPoint, ids, ints, ints,
                                       st.sampled_from(list(Controller)),
                                       st.integers(-8192, 8191)),
                             max_size=5, unique_by=lambda c: c.id))
    hits = draw(st.lists(st.builds(Hit, ids, ints, text, st.sampled_from(list(HitKind)), text),
                         max_size=5, unique_by=lambda h: h.id))
    cues = draw(st.lists(st.builds(Cue, ids, text, ints, ints, st.none() | tempo_maps(), text,
                                   text, st.sampled_from(list(CueKind)),
                                   st.sampled_from(CUE_USAGES), st.sampled_from(list(CueStatus)),
                                   st.lists(text, max_size=4).map(tuple), text),
                         max_size=3, unique_by=lambda c: c.id))
    project = Project()
    project.load(settings, [*tracks, *notes, *controls, *hits, *cues])
    return project


# -- fuzzing -------------------------------------------------------------------------------------
def mutate(data: bytes, rng: random.Random) -> bytes:
    """A damaged copy of a file: flipped bits, overwritten runs, cut, lost or swapped pages."""
    b = bytearray(data)
    page = 4096
    for _ in range(rng.choice((1, 1, 2, 3, 8))):
        kind = rng.randrange(8)
        n = len(b)
        if n == 0:
            break
        if kind == 0:  # a few flipped bits anywhere
            for _ in range(rng.randrange(1, 9)):
                i = rng.randrange(n)
                b[i] ^= 1 << rng.randrange(8)
        elif kind == 1:  # a run of random bytes
            i = rng.randrange(n)
            run = rng.randrange(1, 64)
            b[i:i + run] = bytes(rng.randrange(256) for _ in range(min(run, n - i)))
        elif kind == 2:  # cut short
            del b[rng.randrange(n):]
        elif kind == 3:  # a page of zeros (a lost write)
            p = rng.randrange(max(1, n // page))
            b[p * page:(p + 1) * page] = bytes(len(b[p * page:(p + 1) * page]))
        elif kind == 4:  # one page copied over another
            pages = max(1, n // page)
            src, dst = rng.randrange(pages), rng.randrange(pages)
            chunk = bytes(b[src * page:(src + 1) * page])
            b[dst * page:dst * page + len(chunk)] = chunk
        elif kind == 5:  # the header (page size, counts, versions, schema cookie)
            i = rng.randrange(min(100, n))
            b[i] = rng.randrange(256)
        elif kind == 6:  # a byte set to an extreme value inside the data
            i = rng.randrange(n)
            b[i] = rng.choice((0x00, 0x7F, 0x80, 0xFF))
        else:  # garbage appended
            b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 5000)))
    return bytes(b)


def seed_files(folder: Path) -> list[Path]:
    """Valid project files to mutate: current version, with a snapshot, and version 1."""
    from cuesketch.store import snapshots
    from cuesketch.store.project_file import ProjectFile

    folder.mkdir(parents=True, exist_ok=True)
    plain = folder / "plain.cuesketch"
    ProjectFile.write_new(plain, sample_project(60))
    with_snapshot = folder / "snap.cuesketch"
    ProjectFile.write_new(with_snapshot, sample_project(30, seed=1))
    with ProjectFile.open(with_snapshot) as pf:
        snapshots.take_snapshot(pf, "sent to the director")
    old = folder / "v1.cuesketch"
    write_v1(old, sample_project(40, seed=2))
    return [plain, with_snapshot, old]


def write_v1(path: Path, project: Project) -> None:
    """A file as the first Cuesketch wrote it (schema version 1)."""
    import sqlite3

    from cuesketch.store import tables
    from cuesketch.store.schema import APPLICATION_ID, MIGRATIONS, statements

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for statement in statements(MIGRATIONS[0]):
        db.execute(statement)
    from cuesketch.store.codec import KINDS, to_row
    for kind in KINDS.values():  # version 1's columns: what came later is left out
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({kind.table})")]
        names = ", ".join(f'"{c}"' for c in columns)
        for e in project.table(kind.cls).values():
            db.execute(f"INSERT INTO {kind.table} ({names}) VALUES "
                       f"({', '.join('?' * len(columns))})", to_row(e)[:len(columns)])
    tables.write_settings(db, project.settings)
    db.execute("PRAGMA user_version = 1")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("COMMIT")
    db.close()


def _out_of_range(project: Project) -> str | None:
    """What the rest of the app must be able to trust of a loaded project, or None."""
    for n in project.notes.values():
        if not (type(n.pitch) is int and 0 <= n.pitch <= 127 and type(n.velocity) is int
                and 1 <= n.velocity <= 127 and type(n.start) is int
                and type(n.duration) is int and n.duration > 0):
            return f"a note out of range: {n}"
    for c in project.controls.values():
        if not (type(c.time) is int and type(c.value) is int and -8192 <= c.value <= 8191):
            return f"a controller point out of range: {c}"
    return None


def read_outcome(path: Path, read_only: bool) -> str:
    """Open and load a (maybe damaged) project: "ok", "damaged" or "error" (ProjectFileError).
    Anything else raised is a reader bug and propagates. A damaged file must be unchanged."""
    from cuesketch.store import snapshots
    from cuesketch.store.project_file import ProjectFile, ProjectFileError

    before = path.read_bytes()
    try:
        pf = ProjectFile.open(path, read_only=read_only)
    except ProjectFileError as e:
        assert str(e), "an error must say something"
        return "error"
    try:
        try:
            project = pf.load()
        except ProjectFileError:
            return "error"
        insane = _out_of_range(project)
        if insane:
            raise AssertionError(f"loaded {insane}")
        damaged = pf.damaged
        try:  # the snapshots inside are read by the same reader, from a blob
            for info in snapshots.list_snapshots(pf):
                try:
                    snapshots.open_snapshot(pf, info.id)
                except ProjectFileError as e:
                    assert str(e)
        except ProjectFileError as e:
            assert str(e)
    finally:
        pf.close()
    if damaged and path.read_bytes() != before:
        raise AssertionError("a damaged file was changed")
    return "damaged" if damaged else "ok"
