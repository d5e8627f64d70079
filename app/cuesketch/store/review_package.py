"""The review package (``NAME.cuereview``): one SQLite file the composer sends the director.

    write_package(path, info, audio={version_id: opus_bytes}, movie=None)   # whole or not at all
    with PackageReader.open(path) as package:                              # untrusted: checked
        info = package.info            # cues, versions, notes, tempo maps, hits, the film
        data = package.audio(version_id)

Layout (``review_schema.PACKAGE_SCHEMA``): ``meta`` (key/value text: the package id, who it is
for, the project's rate and start, the film's identity), ``cues`` (a cue with its spotting
fields and hits, as JSON), ``versions`` (per cue version: name, tempo map, tracks as JSON, the
notes packed, the audio encoded), ``threads`` (earlier notes with their replies) and ``movie``
(an optional small preview of the cue ranges). The writer fills a temp file beside the target
and renames it into place when complete (``files.commit_file``); the reader checks everything
(``review_schema.open_untrusted``, then each value here).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from cuesketch.files import commit_file, remove_quietly, temp_beside
from cuesketch.model.entities import Cue, Hit
from cuesketch.model.review import (MAX_CUES, MAX_HITS, MAX_NAME, MAX_NOTES_PER_VERSION,
                                    MAX_TEXT, MAX_VERSIONS, FilmIdentity, PackageCue,
                                    PackageInfo, PackageVersion, PackedNote, PackedTrack, Reply,
                                    Thread)
from cuesketch.store import codec
from cuesketch.store.codec import FormatError
from cuesketch.store.review_schema import (MAX_PACKAGE_BYTES, PACKAGE_APPLICATION_ID,
                                           PACKAGE_SCHEMA, PACKAGE_VERSION, ReviewFileError,
                                           create_schema, open_untrusted)
from cuesketch.store.sqlite_io import DB_ERRORS, connect, describe, printable, sidecars
from cuesketch.timing.rates import STANDARD_RATES, FrameRate

FORMAT = "cuesketch-review"
AUDIO_CODECS = ("opus",)
MOVIE_CONTAINERS = ("mp4",)
MAX_AUDIO_BYTES = 64 << 20  # one version's audio: 50 minutes of Opus at 160 kb/s
MAX_AUDIO_FRAMES = 48_000 * 60 * 60  # an hour
MAX_TOTAL_AUDIO_FRAMES = 2 * MAX_AUDIO_FRAMES  # all versions: decoded ahead, ~0.7 GB an hour
MIN_BYTES_PER_S = 100  # Opus at 160 kb/s spends ~230 bytes a second even on silence
MAX_MOVIE_BYTES = 1 << 30
MAX_JSON = 4 << 20  # a cue's JSON, a version's tempo map or tracks
MAX_TRACKS = 1000  # in a version
_NOTE_FIELDS = 5  # track, start, duration, pitch, velocity as int64
_INT64 = 2**63


# -- the reader's limits, for the writer ---------------------------------------------------------
@dataclass(frozen=True)
class VersionSize:
    """What the reader bounds of one version: as written, or estimated before the render."""

    cue: str
    name: str
    frames: int  # at 48 kHz
    notes: int = 0
    tracks: int = 0
    audio_bytes: int = 0


def check_limits(cues: Sequence[tuple[str, int]], versions: Sequence[VersionSize], *,
                 title: str = "", made_for: str = "", made_by: str = "",
                 movie_bytes: int = 0) -> None:
    """Raise ``ReviewFileError`` saying what to drop when the reader would refuse a package
    of these cues (name, hit count) and versions: the writer never makes one the director
    can't open."""
    why: list[str] = []
    if len(cues) > MAX_CUES:
        why.append(f"{len(cues)} cues are more than a package holds ({MAX_CUES}): send fewer "
                   f"cues at a time")
    if len(versions) > MAX_VERSIONS:
        why.append(f"{len(versions)} versions are more than a package holds ({MAX_VERSIONS}): "
                   f"send fewer versions or cues")
    for name, hits in cues:
        if not _fair_name(name):
            why.append(f"the cue name {name[:40]!r} is empty, longer than {MAX_NAME} characters "
                       f"or holds characters that are not text: rename the cue")
        if hits > MAX_HITS:
            why.append(f"cue {name[:40]} has {hits} hits, more than a package holds "
                       f"({MAX_HITS}): leave it out")
    for v in versions:
        what = f"{v.cue[:40]} {v.name[:40]}"
        if not _fair_name(v.name):
            why.append(f"the version name {v.name[:40]!r} is empty, longer than {MAX_NAME} "
                       f"characters or holds characters that are not text: rename the snapshot")
        if v.frames > MAX_AUDIO_FRAMES:
            why.append(f"{what} runs {_minutes(v.frames)}, more than the hour a version may: "
                       f"leave it out or shorten the cue")
        if v.audio_bytes > MAX_AUDIO_BYTES:
            why.append(f"{what}'s sound comes to {v.audio_bytes >> 20} MB, more than a version "
                       f"may ({MAX_AUDIO_BYTES >> 20} MB): leave it out or shorten the cue")
        if v.notes > MAX_NOTES_PER_VERSION:
            why.append(f"{what} has {v.notes} notes, more than a version may "
                       f"({MAX_NOTES_PER_VERSION}): leave it out")
        if v.tracks > MAX_TRACKS:
            why.append(f"{what} has {v.tracks} tracks, more than a version may ({MAX_TRACKS})")
    total = sum(v.frames for v in versions)
    if total > MAX_TOTAL_AUDIO_FRAMES:
        longest = sorted(versions, key=lambda v: -v.frames)[:3]
        why.append(f"the versions come to {_minutes(total)} of sound, more than the two hours "
                   f"a package holds: leave out some versions or cues (the longest: "
                   f"{', '.join(f'{v.cue} {v.name}' for v in longest)})")
    if movie_bytes > MAX_MOVIE_BYTES:
        why.append(f"the preview movie is {movie_bytes >> 20} MB, more than a package holds "
                   f"({MAX_MOVIE_BYTES >> 20} MB): send it without the movie, or fewer cues")
    for words, value, limit in (("the director's name", made_for, MAX_NAME),
                                ("your name", made_by, MAX_NAME),
                                ("the project's title", title, MAX_TEXT)):
        if len(value) > limit:
            why.append(f"{words} is longer than {limit} characters: shorten it")
    if why:
        raise ReviewFileError("; ".join(why[:5]) + (f" (and {len(why) - 5} more)"
                                                    if len(why) > 5 else ""))


def sizes_of(info: PackageInfo, audio: Mapping[int, bytes]) -> list[VersionSize]:
    return [VersionSize(pc.cue.name, v.name, v.audio_frames, len(v.notes), len(v.tracks),
                        len(audio.get(v.id, b""))) for pc in info.cues for v in pc.versions]


def _fair_name(name: str) -> bool:
    return bool(name.strip()) and len(name) <= MAX_NAME and all(c.isprintable() for c in name)


def _minutes(frames: int) -> str:
    return f"{frames / 48_000 / 60:.0f} minutes"


# -- writing -------------------------------------------------------------------------------------
def write_package(path: Path, info: PackageInfo, audio: Mapping[int, bytes],
                  movie: bytes | None = None) -> None:
    """Write the package whole or not at all (a temp file beside ``path``, then a rename);
    one the reader would refuse is not written (``check_limits`` says why)."""
    path = Path(path)
    check_limits([(pc.cue.name, len(pc.hits)) for pc in info.cues], sizes_of(info, audio),
                 title=info.title, made_for=info.made_for, made_by=info.made_by,
                 movie_bytes=len(movie) if movie is not None else 0)
    if not path.parent.is_dir():
        raise ReviewFileError(f"there is no folder {path.parent} to write {path.name} in")
    tmp = temp_beside(path)
    remove_quietly(tmp, *sidecars(tmp))
    try:
        db = connect(tmp, read_only=False, create=True)
        try:
            db.execute("PRAGMA journal_mode = OFF")  # a new file, renamed only when complete
            db.execute("BEGIN")
            create_schema(db, PACKAGE_SCHEMA, PACKAGE_APPLICATION_ID, PACKAGE_VERSION)
            _write_content(db, info, audio, movie)
            db.execute("COMMIT")
        finally:
            db.close()
        commit_file(tmp, path)
    except (sqlite3.Error, OSError, OverflowError, UnicodeEncodeError) as e:
        remove_quietly(tmp, *sidecars(tmp))
        raise ReviewFileError(f"{path} could not be written: {describe(e)}") from None
    except BaseException:
        remove_quietly(tmp, *sidecars(tmp))
        raise


def _write_content(db: sqlite3.Connection, info: PackageInfo, audio: Mapping[int, bytes],
                   movie: bytes | None) -> None:
    meta = {"format": FORMAT, "package_id": info.package_id, "title": info.title,
            "made_for": info.made_for, "made_by": info.made_by, "created": info.created,
            "rate": json.dumps({"fps": str(info.rate.fps), "drop": info.rate.drop}),
            "start_frame": str(info.start_frame),
            "film": json.dumps(None if info.film is None else _film_to_dict(info.film))}
    db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
    for pc in info.cues:
        data = {"cue": codec.entity_to_dict(pc.cue),
                "hits": [codec.entity_to_dict(h) for h in pc.hits]}
        db.execute("INSERT INTO cues (id, data) VALUES (?, ?)", (pc.cue.id, json.dumps(data)))
        for v in pc.versions:
            if v.id not in audio:
                raise ReviewFileError(f"version {v.name} of {pc.cue.name} has no audio")
            db.execute(
                "INSERT INTO versions (id, cue_id, name, created, tempo, tracks, notes, "
                "audio_codec, sample_rate, audio_start, audio_frames, audio) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (v.id, pc.cue.id, v.name, v.created, json.dumps(codec.tempo_to_dict(v.tempo)),
                 json.dumps([[t.name, t.color] for t in v.tracks]), pack_notes(v.notes),
                 v.audio_codec, v.sample_rate, v.audio_start, v.audio_frames, audio[v.id]))
    for t in info.threads:
        db.execute("INSERT INTO threads (uuid, data) VALUES (?, ?)",
                   (t.uuid, json.dumps(_thread_to_dict(t))))
    if movie is not None:
        db.execute("INSERT INTO movie (id, start_frame, container, data) VALUES (1, ?, ?, ?)",
                   (info.movie_start_frame or 0, "mp4", movie))


def pack_notes(notes: tuple[PackedNote, ...]) -> bytes:
    a = np.array([(n.track, n.start, n.duration, n.pitch, n.velocity) for n in notes],
                 dtype="<i8").reshape(-1, _NOTE_FIELDS)
    return zlib.compress(a.tobytes(), 6)


def _film_to_dict(f: FilmIdentity) -> dict[str, Any]:
    return {"content_hash": f.content_hash, "file_name": f.file_name,
            "frame_count": f.frame_count, "fps": str(f.rate.fps), "drop": f.rate.drop,
            "offset_frames": f.offset_frames}


def _thread_to_dict(t: Thread) -> dict[str, Any]:
    return {"uuid": t.uuid, "cue": t.cue, "version": t.version, "author": t.author,
            "created": t.created, "text": t.text, "frame": t.frame, "end_frame": t.end_frame,
            "resolved": t.resolved,
            "replies": [[r.author, r.created, r.text] for r in t.replies]}


# -- reading (untrusted) -------------------------------------------------------------------------
class PackageReader:
    """An open, checked package; ``info`` is read whole at once, audio and movie on demand."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ctx = open_untrusted(self.path, what="review package",
                                   application_id=PACKAGE_APPLICATION_ID,
                                   script=PACKAGE_SCHEMA, version=PACKAGE_VERSION,
                                   max_bytes=MAX_PACKAGE_BYTES)
        self.db = self._ctx.__enter__()
        try:
            self.info = self._read_info()
        except BaseException as e:
            self._ctx.__exit__(type(e), e, e.__traceback__)
            raise

    @classmethod
    def open(cls, path: Path) -> PackageReader:
        return cls(path)

    def close(self) -> None:
        self._ctx.__exit__(None, None, None)

    def __enter__(self) -> PackageReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _bad(self, what: str) -> ReviewFileError:
        return ReviewFileError(f"{self.path.name} is damaged: {printable(what, 200)}")

    # -- the parts -----------------------------------------------------------------------------
    def audio(self, version_id: int) -> bytes:
        """A version's encoded audio, its size checked before it is fetched."""
        try:
            row = self.db.execute("SELECT length(audio), typeof(audio) FROM versions "
                                  "WHERE id = ?", (version_id,)).fetchone()
            if row is None:
                raise self._bad(f"it has no version {version_id}")
            if row[1] != "blob" or not 0 < row[0] <= MAX_AUDIO_BYTES:
                raise self._bad(f"the audio of version {version_id} is not a sound, or too large")
            (data,) = self.db.execute("SELECT audio FROM versions WHERE id = ?",
                                      (version_id,)).fetchone()
        except DB_ERRORS as e:
            raise self._bad(describe(e)) from None
        if not isinstance(data, bytes) or not data.startswith(b"OggS"):
            raise self._bad(f"the audio of version {version_id} is not Opus")
        return data

    def movie(self) -> bytes | None:
        """The embedded preview movie, if any (checked in size; decoded only by ffmpeg/libvlc)."""
        try:
            row = self.db.execute("SELECT length(data), typeof(data), container FROM movie "
                                  "WHERE id = 1").fetchone()
            if row is None:
                return None
            if row[1] != "blob" or not 0 < row[0] <= MAX_MOVIE_BYTES or row[2] != "mp4":
                raise self._bad("its movie is not a movie, or too large")
            (data,) = self.db.execute("SELECT data FROM movie WHERE id = 1").fetchone()
        except DB_ERRORS as e:
            raise self._bad(describe(e)) from None
        if not isinstance(data, bytes) or data[4:8] != b"ftyp":
            raise self._bad("its movie is not an MP4 file")
        return data

    def _read_info(self) -> PackageInfo:
        db = self.db
        try:
            meta = self._meta(db)
            cues = self._cues(db)
            threads = self._threads(db)
            movie = db.execute("SELECT start_frame FROM movie WHERE id = 1").fetchone()
        except (FormatError, ValueError, TypeError, KeyError, RecursionError) as e:
            raise self._bad(str(e)) from None
        movie_start = movie[0] if movie is not None and type(movie[0]) is int else None
        return PackageInfo(meta["package_id"], meta["title"], meta["made_for"],
                           meta["made_by"], meta["created"], meta["rate"],
                           meta["start_frame"], meta["film"], cues, threads, movie_start)

    def _meta(self, db: sqlite3.Connection) -> dict[str, Any]:
        rows = db.execute("SELECT key, value FROM meta WHERE length(value) <= ? "
                          "AND length(key) <= 64", (MAX_TEXT,)).fetchall()
        raw = {k: v for k, v in rows if isinstance(k, str) and isinstance(v, str)}
        if raw.get("format") != FORMAT:
            raise FormatError("it does not say it is a review package")
        out: dict[str, Any] = {k: text(raw, k, MAX_TEXT if k == "title" else MAX_NAME)
                               for k in ("package_id", "title", "made_for", "made_by", "created")}
        out["rate"] = _rate(json.loads(text(raw, "rate", 200)))
        out["start_frame"] = _bounded_int(text(raw, "start_frame", 24), 0, 10**9)
        film = json.loads(text(raw, "film", MAX_TEXT))
        out["film"] = None if film is None else _film(film)
        return out

    def _cues(self, db: sqlite3.Connection) -> tuple[PackageCue, ...]:
        if db.execute("SELECT count(*) FROM cues").fetchone()[0] > MAX_CUES:
            raise FormatError(f"it holds more than {MAX_CUES} cues")
        if db.execute("SELECT count(*) FROM versions").fetchone()[0] > MAX_VERSIONS:
            raise FormatError(f"it holds more than {MAX_VERSIONS} versions")
        too_long = db.execute(
            "SELECT 1 FROM cues WHERE typeof(data) != 'text' OR length(data) > ? UNION ALL "
            "SELECT 1 FROM versions WHERE typeof(tempo) != 'text' OR length(tempo) > ? "
            "OR typeof(tracks) != 'text' OR length(tracks) > ? OR typeof(notes) != 'blob' "
            "OR length(notes) > ? OR length(name) > ? OR length(created) > ? "
            "OR length(audio_codec) > 16 LIMIT 1",
            (MAX_JSON, MAX_JSON, MAX_JSON, MAX_JSON, MAX_NAME, MAX_NAME)).fetchone()
        if too_long is not None:
            raise FormatError("a cue or a version holds a value too large or of the wrong kind")
        versions: dict[int, list[PackageVersion]] = {}
        total = 0
        for row in db.execute("SELECT id, cue_id, name, created, tempo, tracks, notes, "
                              "audio_codec, sample_rate, audio_start, audio_frames, "
                              "length(audio) FROM versions ORDER BY id"):
            v = _version(row)
            total += v.audio_frames
            if total > MAX_TOTAL_AUDIO_FRAMES:
                raise FormatError("it holds more than two hours of audio")
            versions.setdefault(v.cue_id, []).append(v)
        out = []
        for cue_id, data in db.execute("SELECT id, data FROM cues ORDER BY id"):
            d = json.loads(data)
            if not isinstance(d, dict):
                raise FormatError("a cue is not an object")
            cue = codec.entity_from_dict(Cue, codec._get(d, "cue"))
            assert isinstance(cue, Cue)
            if cue.id != cue_id:
                raise FormatError(f"cue {cue_id} names itself {cue.id}")
            _check_name(cue.name, "a cue's name")
            hits_raw = codec._list(d, "hits")
            if len(hits_raw) > MAX_HITS:
                raise FormatError("a cue holds too many hits")
            hits = tuple(codec.entity_from_dict(Hit, h) for h in hits_raw)
            out.append(PackageCue(cue, hits, tuple(versions.pop(cue_id, ()))))  # type: ignore[arg-type]
        if versions:
            raise FormatError("a version belongs to no cue")
        return tuple(out)

    def _threads(self, db: sqlite3.Connection) -> tuple[Thread, ...]:
        if db.execute("SELECT count(*) FROM threads WHERE typeof(data) != 'text' "
                      "OR length(data) > ?", (MAX_JSON,)).fetchone()[0]:
            raise FormatError("an earlier note is too large")
        out = []
        for uuid, data in db.execute("SELECT uuid, data FROM threads ORDER BY uuid LIMIT 100000"):
            d = json.loads(data)
            replies = codec._list(d, "replies")
            if len(replies) > 10_000:
                raise FormatError("an earlier note has too many replies")
            end = codec._get(d, "end_frame")
            out.append(Thread(
                text(d, "uuid", MAX_NAME), text(d, "cue", MAX_NAME), text(d, "version", MAX_NAME),
                text(d, "author", MAX_NAME), text(d, "created", MAX_NAME),
                text(d, "text", MAX_TEXT), codec._int(d, "frame", -10**9, 10**9),
                None if end is None else codec._int(d, "end_frame", -10**9, 10**9),
                codec._bool(d, "resolved"),
                tuple(_reply(r) for r in replies)))
            if out[-1].uuid != uuid:
                raise FormatError("an earlier note's id does not match")
        return tuple(out)


def _version(row: tuple[Any, ...]) -> PackageVersion:
    (vid, cue_id, name, created, tempo, tracks, notes, codec_name, rate, start, frames,
     audio_len) = row
    for v, what in ((vid, "id"), (cue_id, "cue"), (rate, "sample rate"), (start, "start"),
                    (frames, "length"), (audio_len, "audio")):
        if type(v) is not int:
            raise FormatError(f"a version's {what} is not a whole number")
    if codec_name not in AUDIO_CODECS:
        raise FormatError(f"a version's audio is in an unknown codec ({str(codec_name)[:20]!r})")
    if rate != 48_000 or not 0 < frames <= MAX_AUDIO_FRAMES or abs(start) >= _INT64 // 4:
        raise FormatError("a version's audio has an impossible rate, length or start")
    if not 0 < audio_len <= MAX_AUDIO_BYTES:
        raise FormatError("a version's audio is empty or too large")
    if frames > (audio_len // MIN_BYTES_PER_S + 2) * rate:
        raise FormatError("a version claims far more audio than it holds")
    for v, what in ((name, "name"), (created, "date")):
        if not isinstance(v, str):
            raise FormatError(f"a version's {what} is not text")
    _check_name(name, "a version's name")
    tempo_map = codec.tempo_from_dict(json.loads(tempo))
    track_list = json.loads(tracks)
    if not isinstance(track_list, list) or len(track_list) > MAX_TRACKS:
        raise FormatError("a version's tracks are not a list")
    packed_tracks = tuple(PackedTrack(text({"t": t[0]}, "t", MAX_NAME),
                                      text({"t": t[1]}, "t", 32))
                          for t in track_list if isinstance(t, list) and len(t) == 2)
    if len(packed_tracks) != len(track_list):
        raise FormatError("a version's tracks are not as they should be")
    return PackageVersion(vid, cue_id, name, created, tempo_map, packed_tracks,
                          unpack_notes(notes, len(packed_tracks)), codec_name, rate, start,
                          frames, audio_len)


def unpack_notes(data: bytes, tracks: int) -> tuple[PackedNote, ...]:
    limit = MAX_NOTES_PER_VERSION * _NOTE_FIELDS * 8
    try:
        unpack = zlib.decompressobj()
        raw = unpack.decompress(data, limit)
        if unpack.unconsumed_tail or not unpack.eof:
            raise FormatError("a version's notes are cut short or too many")
    except zlib.error:
        raise FormatError("a version's notes can't be unpacked") from None
    if len(raw) % (_NOTE_FIELDS * 8):
        raise FormatError("a version's notes are cut short")
    a = np.frombuffer(raw, dtype="<i8").reshape(-1, _NOTE_FIELDS)
    if len(a) and not (((a[:, 0] >= 0) & (a[:, 0] < tracks) & (a[:, 2] > 0)
                        & (a[:, 3] >= 0) & (a[:, 3] <= 127) & (a[:, 4] >= 1)
                        & (a[:, 4] <= 127)).all()):
        raise FormatError("a version holds a note out of range")
    return tuple(PackedNote(*map(int, r)) for r in a.tolist())


def text(d: Mapping[str, Any], key: str, limit: int) -> str:
    v = codec._str(d, key)
    if len(v) > limit:
        raise FormatError(f"{key} is too long")
    return v


def _check_name(name: str, what: str) -> None:
    if not _fair_name(name):
        raise FormatError(f"{what} is empty, too long or holds characters that are not text")


def _bounded_int(v: str, lo: int, hi: int) -> int:
    if not v.lstrip("-").isdigit() or len(v) > 20:
        raise FormatError(f"{v[:20]!r} is not a whole number")
    n = int(v)
    if not lo <= n <= hi:
        raise FormatError(f"{n} is out of range")
    return n


def _rate(d: Any) -> FrameRate:
    if not isinstance(d, dict):
        raise FormatError("the frame rate is not readable")
    fps = codec._fraction(codec._get(d, "fps"), "the frame rate")
    if not 0 < fps <= 1000:
        raise FormatError("the frame rate is out of range")
    rate = FrameRate(fps, codec._bool(d, "drop"))
    if rate not in STANDARD_RATES.values():  # only these divide a flick exactly
        raise FormatError(f"{float(fps):g} fps is not a frame rate Cuesketch knows")
    return rate


def _film(d: Any) -> FilmIdentity:
    if not isinstance(d, dict):
        raise FormatError("the film's identity is not readable")
    return FilmIdentity(text(d, "content_hash", MAX_NAME), text(d, "file_name", MAX_NAME),
                        codec._int(d, "frame_count", 0, 10**9), _rate(d),
                        codec._int(d, "offset_frames", -10**9, 10**9))


def _reply(r: Any) -> Reply:
    if not isinstance(r, list) or len(r) != 3:
        raise FormatError("a reply is not as it should be")
    d = {"author": r[0], "created": r[1], "text": r[2]}
    return Reply(text(d, "author", MAX_NAME), text(d, "created", MAX_NAME),
                 text(d, "text", MAX_TEXT))
