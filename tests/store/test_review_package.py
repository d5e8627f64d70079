"""The review package and reply files: round trip, whole-or-nothing writes, untrusted reading."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review_kit import make_package

from cuesketch.engine.review_pack import PackError, check_plan, plan_package
from cuesketch.model.entities import Cue, Settings
from cuesketch.model.project import Project
from cuesketch.model.review import DirectorNote, Reply, Verdict, VersionVerdict
from cuesketch.store.review_package import PackageReader, write_package
from cuesketch.store.review_reply import ReplyJournal, read_reply
from cuesketch.store.review_schema import ReviewFileError
from cuesketch.timing.rates import STANDARD_RATES


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pkg") / "a.cuereview"
    make_package(path, rate=STANDARD_RATES["29.97df"])
    return path


def test_round_trip(package: Path, tmp_path: Path) -> None:
    with PackageReader.open(package) as p:
        info = p.info
        assert info.rate == STANDARD_RATES["29.97df"]
        assert [pc.cue.name for pc in info.cues] == ["1M1", "1M2"]
        assert [v.name for v in info.cues[0].versions] == ["v1", "v2"]
        assert info.cues[0].hits[0].frame == 3
        assert info.cues[0].versions[0].notes[0].pitch == 60
        assert info.film is not None and info.film.file_name == "film.mov"
        assert p.audio(1).startswith(b"OggS")
        assert p.movie() is None
    # Rewriting what was read gives the same package back.
    with PackageReader.open(package) as p:
        audio = {v.id: p.audio(v.id) for pc in p.info.cues for v in pc.versions}
        write_package(tmp_path / "b.cuereview", p.info, audio)
    with PackageReader.open(tmp_path / "b.cuereview") as q:
        assert q.info == info


def test_reading_writes_nothing(package: Path) -> None:
    before = sorted(os.listdir(package.parent)), package.stat().st_mtime_ns
    with PackageReader.open(package) as p:
        p.audio(2)
    assert (sorted(os.listdir(package.parent)), package.stat().st_mtime_ns) == before


def test_write_is_whole_or_nothing(package: Path, tmp_path: Path) -> None:
    with PackageReader.open(package) as p:
        info = p.info
    out = tmp_path / "c.cuereview"
    with pytest.raises(ReviewFileError, match="no audio"):
        write_package(out, info, {})
    assert os.listdir(tmp_path) == []
    with pytest.raises(ReviewFileError, match="no folder"):
        write_package(tmp_path / "missing" / "c.cuereview", info, {})


def _altered(package: Path, tmp_path: Path, sql: str) -> Path:
    out = tmp_path / "altered.cuereview"
    out.write_bytes(package.read_bytes())
    db = sqlite3.connect(out)
    db.executescript(sql)
    db.close()
    return out


@pytest.mark.parametrize("sql, words", [
    ("CREATE TRIGGER t AFTER INSERT ON meta BEGIN DELETE FROM cues; END;", "altered"),
    ("CREATE VIEW v AS SELECT * FROM cues;", "altered"),
    ("CREATE TABLE extra (x);", "altered"),
    ("CREATE INDEX i ON versions (name);", "altered"),
    ("PRAGMA application_id = 1;", "not a Cuesketch review package"),
    ("PRAGMA user_version = 9;", "newer Cuesketch"),
    ("UPDATE meta SET value = '{\"fps\": \"7/3\", \"drop\": false}' WHERE key = 'rate';",
     "frame rate"),
    ("UPDATE versions SET name = '../../x' || char(10) WHERE id = 1;", "version's name"),
    ("UPDATE cues SET data = '[' WHERE id = 1;", "damaged"),
    ("UPDATE versions SET audio = zeroblob(100) WHERE id = 1;", None),
    ("UPDATE versions SET sample_rate = 44100 WHERE id = 1;", "impossible"),
    ("UPDATE meta SET value = 'x' WHERE key = 'format';", "does not say"),
    ("UPDATE versions SET notes = x'789c' WHERE id = 1;", "notes"),
])
def test_hostile_packages_are_refused_in_plain_words(package: Path, tmp_path: Path, sql: str,
                                                     words: str | None) -> None:
    path = _altered(package, tmp_path, sql)
    with pytest.raises(ReviewFileError) as e:
        with PackageReader.open(path) as p:
            p.audio(1)
    if words:
        assert words in str(e.value)


def test_not_a_package(tmp_path: Path) -> None:
    for name, data in [("empty.cuereview", b""), ("text.cuereview", b"hello" * 200),
                       ("short.cuereview", b"SQLite format 3\x00" + b"\x00" * 50)]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ReviewFileError):
            PackageReader.open(tmp_path / name)
    with pytest.raises(ReviewFileError, match="no review package"):
        PackageReader.open(tmp_path / "none.cuereview")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_packages_fail_only_in_plain_words(package: Path, tmp_path: Path,
                                                   data: st.DataObject) -> None:
    raw = bytearray(package.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] ^= 1 << data.draw(st.integers(0, 7))
    if data.draw(st.booleans()):
        raw = raw[:data.draw(st.integers(0, len(raw)))]
    path = tmp_path / "m.cuereview"
    path.write_bytes(bytes(raw))
    try:
        with PackageReader.open(path) as p:
            for pc in p.info.cues:
                for v in pc.versions:
                    p.audio(v.id)
    except ReviewFileError:
        pass


def test_reply_journal_round_trip(tmp_path: Path) -> None:
    j = ReplyJournal(tmp_path / "j.cuereply", "pkg-1", "R. Smith", "cs1:1:aa")
    note = DirectorNote("u1", "1M1", "v2", "R. Smith", "2026-01-01T10:00", "Too loud", 12, 20)
    j.put_note(note)
    j.put_note(DirectorNote("u2", "1M1", "v2", "R. Smith", "2026-01-01T10:01", "gone", 30))
    j.delete_note("u2")
    j.put_verdict(VersionVerdict("1M1", "v2", Verdict.CHANGES, "darker", "R. Smith", "t"))
    j.add_thread_reply("old", Reply("R. Smith", "t", "yes, better"))
    j.send_to(tmp_path / "sent.cuereply")
    j.close()
    for path in (tmp_path / "j.cuereply", tmp_path / "sent.cuereply"):
        r = read_reply(path)
        assert r.package_id == "pkg-1" and r.film_hash == "cs1:1:aa"
        assert r.notes == (note,)
        assert r.verdicts[0].verdict is Verdict.CHANGES
        assert r.thread_replies == {"old": (Reply("R. Smith", "t", "yes, better"),)}
    # Reopening the journal keeps what it holds; another package's journal is refused.
    ReplyJournal(tmp_path / "j.cuereply", "pkg-1", "R. Smith", "").close()
    with pytest.raises(ReviewFileError, match="another package"):
        ReplyJournal(tmp_path / "j.cuereply", "pkg-2", "R. Smith", "")


def test_a_package_is_not_a_reply(package: Path) -> None:
    with pytest.raises(ReviewFileError, match="not a Cuesketch review reply"):
        read_reply(package)


def test_every_hostile_schema_of_the_fuzz_is_refused(package: Path, tmp_path: Path) -> None:
    """Triggers, views, virtual tables, extra tables and indexes, another id or version, a
    rewritten schema: refused before a row is read. (Hostile values, such as a version named
    ../../x, are only text: read, shown, never used as a path.)"""
    from review_fuzz import HOSTILE_SQL, hostile
    structural = [sql for sql in HOSTILE_SQL if sql.startswith(("CREATE", "DROP", "PRAGMA"))]
    assert len(structural) >= 12
    for sql in structural:
        path = tmp_path / "h.cuereview"
        hostile(package, path, sql)
        with pytest.raises(ReviewFileError):
            PackageReader.open(path).close()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_replies_fail_only_in_plain_words(tmp_path: Path, data: st.DataObject) -> None:
    path = tmp_path / "r.cuereply"
    if not path.exists():
        j = ReplyJournal(path, "pkg", "R. Smith", "h")
        j.put_note(DirectorNote("u", "1M1", "v1", "R. Smith", "t", "note " * 50, 3, 9))
        j.put_verdict(VersionVerdict("1M1", "v1", Verdict.APPROVED, "ok", "R. Smith", "t"))
        j.close()
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] ^= 1 << data.draw(st.integers(0, 7))
    mutated = tmp_path / "m.cuereply"
    mutated.write_bytes(bytes(raw))
    try:
        read_reply(mutated)
    except ReviewFileError:
        pass


def test_a_version_claiming_more_audio_than_it_holds_is_refused(package: Path,
                                                                tmp_path: Path) -> None:
    """Decoded audio is held in memory: a claimed hour in a few bytes would be an hour of it."""
    path = _altered(package, tmp_path, "UPDATE versions SET audio_frames = 172800000 "
                                       "WHERE id = 1;")
    with pytest.raises(ReviewFileError, match="claims far more audio"):
        PackageReader.open(path)


def test_the_writer_refuses_what_the_reader_would_and_says_what_to_drop(
        package: Path, tmp_path: Path) -> None:
    with PackageReader.open(package) as p:
        info = p.info
        audio = {v.id: p.audio(v.id) for pc in info.cues for v in pc.versions}
    assert sum(len(pc.versions) for pc in info.cues) >= 3
    long = 50 * 60 * 48_000  # 50 minutes a version: three come to more than two hours
    cues = tuple(replace(pc, versions=tuple(replace(v, audio_frames=long) for v in pc.versions))
                 for pc in info.cues)
    out = tmp_path / "big.cuereview"
    with pytest.raises(ReviewFileError, match="more than the two hours a package holds: "
                                              "leave out some versions or cues"):
        write_package(out, replace(info, cues=cues), audio)
    bell = replace(info.cues[0], cue=replace(info.cues[0].cue, name="1M1\a"))
    with pytest.raises(ReviewFileError, match="rename the cue"):
        write_package(out, replace(info, cues=(bell, *info.cues[1:])), audio)
    with pytest.raises(ReviewFileError, match="without the movie"):
        write_package(out, info, audio, movie=b"\0" * ((1 << 30) + 1))
    assert os.listdir(tmp_path) == []


def test_a_package_too_long_is_refused_before_the_render() -> None:
    """A 70-minute cue: more than a version may hold, said from the cue's length alone."""
    p = Project()
    settings = Settings(title="Reel 1")
    fps = settings.rate.fps
    p.load(settings, [Cue(1, "1M1", 0, int(70 * 60 * fps)), Cue(2, "1M2", 0, 100)])
    plan = plan_package(None, p, ["1M1", "1M2"], ["current"])
    with pytest.raises(PackError, match="1M1 current runs 70 minutes, more than the hour"):
        check_plan(plan, p, made_for="R. Smith")
    check_plan(plan_package(None, p, ["1M2"], ["current"]), p, made_for="R. Smith")


def test_a_journal_refused_is_not_left_open(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from cuesketch.store import review_reply
    opened: list[sqlite3.Connection] = []
    real = review_reply.connect

    def connect(*args: object, **kw: object) -> sqlite3.Connection:
        db = real(*args, **kw)  # type: ignore[arg-type]
        opened.append(db)
        return db

    monkeypatch.setattr(review_reply, "connect", connect)
    path = tmp_path / "j.cuereply"
    ReplyJournal(path, "pkg-1", "R. Smith", "").close()
    with pytest.raises(ReviewFileError, match="answers another package"):
        ReplyJournal(path, "pkg-2", "R. Smith", "")
    assert len(opened) == 2
    with pytest.raises(sqlite3.ProgrammingError):
        opened[1].execute("SELECT 1")  # closed


def test_a_cue_ends_where_the_next_begins_for_its_earlier_notes() -> None:
    """The app's one rule (``timing.cues``): a cue spans start <= frame < end. A note on the
    frame where 1M1 ends is the next cue's, not 1M1's."""
    from cuesketch.engine.review_pack import threads_of
    from cuesketch.model.entities import ReviewNote
    p = Project()
    one, two = Cue(1, "1M1", 0, 100), Cue(2, "1M2", 100, 200)
    p.load(Settings(title="Reel 1"), [
        one, two, ReviewNote(1, "a", 0, text="at the start"),
        ReviewNote(2, "b", 99, text="last frame"),
        ReviewNote(3, "c", 100, text="the next cue's first frame")])
    assert [t.text for t in threads_of(p, [one])] == ["at the start", "last frame"]
    assert [t.text for t in threads_of(p, [two])] == ["the next cue's first frame"]
