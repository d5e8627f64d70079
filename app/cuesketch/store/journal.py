"""The recording journal: a take's raw MIDI events kept on disk while it is played.

A crash, a SIGKILL or a power cut mid-take must not take the take with it. The recorder
(``engine.recorder.Recorder``) hands its events to a ``Journal`` as it goes; the next time the
project is opened, ``recover`` lands any take that never ended.

    journal = Journal(project_file.path)          # one per open (writable) project
    recorder = Recorder(document, transport, journal)
    ...
    recover(project_file, document, journal)      # on opening, before anything is recorded

The interface (``engine.recorder.TakeJournal``):

- ``begin_take(track_id, start, mode, *, end=None, loop=None, early_grace=0)``, GUI thread:
  a take starts; returns its id. ``end`` (punch-out), ``loop`` and ``early_grace`` are
  optional; given, the recovered take follows the same rules as the live one
  (``model.take.replay``).
- ``append(events)``, any thread (the recorder's journal thread, every 0.25 s): a batch of
  ``TakeEvent``. It is written and synced (fdatasync) before ``append`` returns, so what the
  recorder handed over survives a SIGKILL and a power cut: the recorder holds at most 0.25 s,
  so a crash loses at most that, plus the time of one sync.
- ``end_take(committed, take=None)``, GUI thread: the take (the one being recorded, unless
  ``take`` names another) is in the project file, or thrown away. Several takes may be open at
  once: one the file refused (a full disk) waits to land while the next is recorded; the file
  is emptied only when none is left.
- ``flush()``: sync now (``append`` already does); ``close()``: let go of the file.

The file sits beside the project, ``<project>.recording`` (e.g. ``Chase.cuesketch.recording``),
one record a line: the CRC-32 of the JSON as 8 hex digits, a space, the JSON. Records:
``{"begin": {...}}``, ``{"ev": [position, pass, source, [bytes]]}`` and
``{"end": {"take": id, "committed": bool}}``. A line torn by a crash fails its CRC and is skipped.
When no take is pending the file is emptied, and removed on ``close``.

A disk that fills up mid-take does not stop the journal: room for about 2 MiB of events
(a quarter of an hour of dense playing) is reserved when a take begins, and again as it grows.
If a write fails anyway, ``error`` says why, the batch is kept in memory and written with the
next one, and the recorder's take goes on: nothing is dropped while the process lives.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cuesketch.model import changes
from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Document
from cuesketch.model.entities import Note, Track
from cuesketch.model.take import RecordMode, TakeBuilder, TakeEvent, land_pass, replay
from cuesketch.store.project_file import ProjectFile

JOURNAL_SUFFIX = ".recording"
RESERVE = 2 * 1024 * 1024  # bytes kept ahead on disk for a take's events
RECOVER_LABEL = "Recover take"


def journal_path(project_path: Path) -> Path:
    path = Path(os.path.abspath(project_path))
    return path.with_name(path.name + JOURNAL_SUFFIX)


class Journal:
    """The recording journal of one project. Safe to call from several threads."""

    def __init__(self, project_path: Path) -> None:
        self.path = journal_path(project_path)
        self._write_error: str | None = None
        self._reserve_error: str | None = None
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._end = 0  # where the next record goes
        self._reserved = 0  # bytes on disk (zeros after _end)
        self._take: str | None = None  # the take being recorded: events go to it
        self._open_takes: set[str] = set()  # begun, not ended (recorded, or waiting to land)
        self._unwritten = bytearray()  # records a failed write left behind
        self._keep_old = False  # pending takes of an earlier session: never empty the file
        self._live = False  # a take is being recorded into it, in this process

    @property
    def recording(self) -> bool:
        """A take is being recorded now (begun, not ended, the journal not closed): ``recover``
        leaves it alone, it is not lost."""
        return self._live

    @property
    def error(self) -> str | None:
        """Why the journal is not keeping up (a failed write, no room reserved), or None.
        The take goes on either way; tell the user, who may free some space."""
        return self._write_error or self._reserve_error

    # -- the recorder's side -----------------------------------------------------------------
    def begin_take(self, track_id: int, start: int, mode: RecordMode, *, end: int | None = None,
                   loop: tuple[int, int] | None = None, early_grace: int = 0) -> str:
        with self._lock:
            self._take = uuid.uuid4().hex
            self._open_takes.add(self._take)
            self._live = True
            if self._open():
                self._reserve(RESERVE)
            self._write([{"begin": {
                "take": self._take, "track": track_id, "start": start, "mode": mode.value,
                "end": end, "loop": list(loop) if loop else None, "grace": early_grace,
                "time": time.time()}}])
            return self._take

    def append(self, events: Sequence[TakeEvent]) -> None:
        if not events:
            return
        with self._lock:
            if self._take is None:
                return  # nothing is being recorded: nothing to keep
            if self._fd is not None and self._reserved - self._end < RESERVE // 4:
                self._reserve(RESERVE)
            self._write([{"ev": [e.position, e.pass_index, e.source, list(e.data)]}
                         for e in events])

    def end_take(self, committed: bool, take: str | None = None) -> None:
        with self._lock:
            take = take or self._take
            if take is None or take not in self._open_takes:
                return
            self._open_takes.discard(take)
            if take == self._take:
                self._take = None
                self._live = False
            self._write([{"end": {"take": take, "committed": committed}}])
            if not self._open_takes and not self._keep_old and not self._unwritten:
                self._empty()

    def flush(self) -> None:
        with self._lock:
            if self._fd is not None:
                _sync(self._fd)

    def close(self) -> None:
        """Let go of the file; a take still open stays in it, for ``recover``."""
        with self._lock:
            self._live = False
            fd, self._fd = self._fd, None
            if fd is None:
                return
            os.close(fd)
            if not self._open_takes and not self._keep_old and not self._unwritten:
                try:
                    self.path.unlink()
                except OSError:
                    pass

    # -- internals ---------------------------------------------------------------------------
    def _open(self) -> bool:
        if self._fd is not None:
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                data = _read_all(fd)
            except OSError:
                os.close(fd)
                raise
        except OSError as e:
            self._write_error = f"the recording journal can't be opened ({e.strerror or e})"
            return False
        self._fd = fd
        self._end = _valid_end(data)
        self._reserved = len(data)
        self._keep_old = bool(_takes(data, pending_only=True))
        return True

    def _write(self, records: list[dict[str, Any]]) -> None:
        data = bytes(self._unwritten) + b"".join(_line(r) for r in records)
        if not self._open():
            self._unwritten = bytearray(data)
            return
        assert self._fd is not None
        try:
            written = os.pwrite(self._fd, data, self._end)
            if written != len(data):
                raise OSError(28, "short write")
            _sync(self._fd)
        except OSError as e:
            # Keep it all for the next try; the recorder's take goes on in memory.
            self._unwritten = bytearray(data)
            self._write_error = f"the recording journal can't be written ({e.strerror or e})"
            return
        self._unwritten.clear()
        self._end += len(data)
        self._reserved = max(self._reserved, self._end)
        self._write_error = None

    def _reserve(self, nbytes: int) -> None:
        """Claim disk blocks ahead of time, so a disk filling up mid-take can't stop us."""
        assert self._fd is not None
        want = self._end + nbytes
        if self._reserved >= want:
            return
        try:
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(self._fd, self._reserved, want - self._reserved)
            else:  # macOS: write the zeros
                os.pwrite(self._fd, bytes(want - self._reserved), self._reserved)
            self._reserved = want
            self._reserve_error = None
        except OSError as e:
            self._reserved = os.fstat(self._fd).st_size  # a failed claim may leave part of it
            self._reserve_error = f"no room ahead for the recording journal ({e.strerror or e})"

    def _empty(self) -> None:
        assert self._fd is not None
        try:
            os.ftruncate(self._fd, 0)
            self._end = self._reserved = 0
        except OSError:
            pass


# -- reading and recovering ----------------------------------------------------------------------
@dataclass
class JournaledTake:
    """A take found in a journal: how it was recorded, and its events."""

    take_id: str
    track_id: int
    start: int
    mode: RecordMode
    end: int | None = None
    loop: tuple[int, int] | None = None
    early_grace: int = 0
    began: float = 0.0  # seconds since the epoch
    events: list[TakeEvent] = field(default_factory=list)
    committed: bool | None = None  # None: it never ended (the process died)

    def build(self) -> TakeBuilder:
        """The take, as the recorder would have landed it, held notes ending at the last
        event heard (at least ``model.take.MIN_DURATION`` long)."""
        if self.events:
            last = max(self.events, key=lambda e: (e.pass_index, e.position))
            stop, stop_pass = max(last.position, self.start), last.pass_index
        else:
            stop, stop_pass = self.start, 0
        return replay(self.events, self.start, stop, stop_pass, self.end, self.early_grace,
                      self.loop)


def pending_takes(project_path: Path) -> list[JournaledTake]:
    """Takes that began and never ended, from the journal beside a project (changes nothing)."""
    try:
        data = journal_path(project_path).read_bytes()
    except FileNotFoundError:
        return []
    except OSError:
        return []
    return _takes(data, pending_only=True)


def recover(project_file: ProjectFile, document: Document,
            live: Journal | None = None) -> list[Note]:
    """Land the takes a crash left in the journal, as one undo step, and empty the journal.

    Each take goes on a new track beside the one it was recorded on ("Strings recovered"), so
    nothing already in the project is replaced; a take whose notes are all in the project
    already (it was saved just before the crash) is skipped. Each pass lands as the recorder
    lands it (``model.take.land_pass``). Returns the notes added. Does nothing on a read-only
    project: the journal waits for a writable open; nor while ``live``, this process's journal
    of the project, is recording a take: that take is not lost, it is live.
    """
    if project_file.read_only or document.read_only:
        return []
    if live is not None and live.recording and live.path == journal_path(project_file.path):
        return []
    takes = pending_takes(project_file.path)
    if not takes:
        _remove_settled(project_file.path)
        return []
    added: list[Note] = []
    todo: list[Change] = []
    project = document.project
    # A take landed just before the crash is in the project already (held notes may end
    # elsewhere: the live take ended at the stop, this one at the last event).
    have = {(n.start, n.pitch, n.velocity) for n in project.notes.values()}
    for take in takes:
        builder = take.build()
        if not builder.notes and not builder.controls:
            continue
        if builder.notes and all((n.start, n.pitch, n.velocity) in have for n in builder.notes):
            continue
        base = project.tracks.get(take.track_id) or Track(0, "Recording")
        passes = builder.passes()
        for k in passes:
            name = f"{base.name} recovered" + (f" (pass {k + 1})" if len(passes) > 1 else "")
            track = replace(base, id=project.new_id(Track), name=name, solo=False,
                            mute=k != passes[-1], order=base.order)
            todo.append(changes.insert(track))
            landed = land_pass(project, track.id, builder.notes, builder.controls, k)
            added += [c.after for c in landed
                      if isinstance(c, EntityChange) and isinstance(c.after, Note)]
            todo += landed
    if todo:
        with document.transaction(RECOVER_LABEL):
            document.execute_changes(todo, RECOVER_LABEL)
    _remove_settled(project_file.path)  # only once the take is in the project file
    return added


def _remove_settled(project_path: Path) -> None:
    try:
        journal_path(project_path).unlink()
    except OSError:
        pass


def _takes(data: bytes, pending_only: bool) -> list[JournaledTake]:
    takes: dict[str, JournaledTake] = {}
    current: JournaledTake | None = None
    for record in _records(data):
        if "begin" in record:
            current = _begin(record["begin"])
            if current is not None:
                takes[current.take_id] = current
        elif "ev" in record:
            event = _event(record["ev"])
            if current is not None and event is not None:
                current.events.append(event)
        elif "end" in record:
            end = record["end"]
            take = takes.get(str(end.get("take"))) if isinstance(end, dict) else None
            if take is not None:
                take.committed = bool(end.get("committed"))
                if take is current:
                    current = None
    return [t for t in takes.values() if not pending_only or t.committed is None]


def _begin(d: Any) -> JournaledTake | None:
    try:
        loop = d.get("loop")
        return JournaledTake(str(d["take"]), int(d["track"]), int(d["start"]),
                             RecordMode.named(d.get("mode")),
                             None if d.get("end") is None else int(d["end"]),
                             None if not loop else (int(loop[0]), int(loop[1])),
                             int(d.get("grace", 0)), float(d.get("time", 0.0)))
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return None


def _event(v: Any) -> TakeEvent | None:
    try:
        position, pass_index, source, data = v
        if not (type(position) is int and type(pass_index) is int and isinstance(source, str)
                and isinstance(data, list) and all(type(b) is int and 0 <= b < 256
                                                   for b in data)):
            return None
        return TakeEvent(position, pass_index, source, tuple(data))
    except (TypeError, ValueError):
        return None


def _line(record: dict[str, Any]) -> bytes:
    payload = json.dumps(record, separators=(",", ":")).encode()
    return b"%08x %s\n" % (zlib.crc32(payload), payload)


def _records(data: bytes) -> list[dict[str, Any]]:
    out = []
    for raw in data.split(b"\n"):
        raw = raw.lstrip(b"\x00")  # reserved space a crash left unwritten
        if len(raw) < 10 or raw[8:9] != b" ":
            continue
        payload = raw[9:]
        try:
            if int(raw[:8], 16) != zlib.crc32(payload):
                continue
            record = json.loads(payload)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


def _valid_end(data: bytes) -> int:
    """Where the records end (the reserved zeros after them are free to write over)."""
    stripped = data.rstrip(b"\x00")
    if not stripped:
        return 0
    cut = stripped.rfind(b"\n")
    return cut + 1  # a torn last line (no newline) is written over


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    offset = 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _sync(fd: int) -> None:
    """Onto the disk itself: fdatasync; on macOS F_FULLFSYNC (its fsync stops at the drive's
    cache)."""
    try:
        import fcntl
        full = getattr(fcntl, "F_FULLFSYNC", None)
        if full is not None:
            fcntl.fcntl(fd, full)
            return
    except OSError:
        pass
    if hasattr(os, "fdatasync"):
        os.fdatasync(fd)
    else:
        os.fsync(fd)
