"""The recording journal: what was played survives a SIGKILL, and the next open recovers it."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.midi_input import MidiInputs
from cuesketch.engine.recorder import Recorder, RecordMode, RecordOptions
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.model.take import MIN_DURATION, TakeEvent
from cuesketch.store import journal as journal_module
from cuesketch.store.journal import (RECOVER_LABEL, RESERVE, Journal, journal_path,
                                     pending_takes, recover)
from cuesketch.store.project_file import ProjectFile
from cuesketch.timing.units import FLICKS_PER_SECOND as S

from store_samples import sample_project


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "Chase.cuesketch"
    ProjectFile.write_new(p, sample_project(10))
    return p


def _played(n: int, start: int = 0) -> list[TakeEvent]:
    """n notes, each on then off, a tenth of a second apart."""
    out = []
    for i in range(n):
        at = start + i * S // 10
        out.append(TakeEvent(at, 0, "Keys", (0x90, 60 + i % 12, 64 + i % 60)))
        out.append(TakeEvent(at + S // 20, 0, "Keys", (0x80, 60 + i % 12, 0)))
    return out


def test_a_take_that_never_ended_is_pending_with_all_its_events(path: Path) -> None:
    j = Journal(path)
    j.begin_take(1, 0, RecordMode.REPLACE)
    events = _played(30)
    for i in range(0, len(events), 7):
        j.append(events[i:i + 7])
    assert journal_path(path).stat().st_size >= RESERVE  # room claimed ahead
    takes = pending_takes(path)  # as the next start would see it
    assert len(takes) == 1 and takes[0].track_id == 1 and takes[0].mode is RecordMode.REPLACE
    assert takes[0].events == events
    notes = takes[0].build().notes
    assert [(n.start, n.pitch) for n in notes] == [(i * S // 10, 60 + i % 12) for i in range(30)]
    j.end_take(committed=True)
    assert pending_takes(path) == [] and journal_path(path).stat().st_size == 0
    j.close()
    assert not journal_path(path).exists()


def test_a_held_note_ends_at_the_last_event_heard(path: Path) -> None:
    j = Journal(path)
    j.begin_take(1, 0, RecordMode.OVERDUB)
    j.append([TakeEvent(S, 0, "Keys", (0x90, 48, 100)),
              TakeEvent(3 * S, 0, "Keys", (0x90, 50, 90))])
    (take,) = pending_takes(path)
    held = take.build().notes
    assert [(n.start, n.end, n.pitch) for n in held][0] == (S, 3 * S, 48)
    assert held[1].end > held[1].start  # never zero long


def test_torn_and_garbage_lines_are_skipped(path: Path) -> None:
    j = Journal(path)
    j.begin_take(1, 0, RecordMode.REPLACE)
    j.append(_played(5))
    j.close()
    with open(journal_path(path), "r+b") as f:
        data = f.read().rstrip(b"\0")
        f.seek(len(data))
        f.write(b'0badc0de {"ev":[1,0,"Keys",[144,60,1]]}\n' + b'1234abcd {"ev":[2')  # torn
    (take,) = pending_takes(path)
    assert take.events == _played(5)


def test_each_append_is_synced_before_it_returns(path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    monkeypatch.setattr(journal_module, "_sync", lambda fd: synced.append(fd))
    j = Journal(path)
    j.begin_take(1, 0, RecordMode.REPLACE)
    for batch in range(5):
        j.append(_played(2, start=batch * S))
    assert len(synced) == 6  # the begin, then each batch
    j.close()


def test_a_failed_write_keeps_the_batch_and_writes_it_with_the_next(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    j = Journal(path)
    j.begin_take(1, 0, RecordMode.REPLACE)
    real = os.pwrite
    fail = {"left": 1}

    def full_disk(fd: int, data: bytes, offset: int) -> int:
        if fail["left"]:
            fail["left"] -= 1
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data, offset)

    monkeypatch.setattr(journal_module.os, "pwrite", full_disk)
    j.append(_played(3))
    assert j.error is not None and "No space left" in j.error
    j.append(_played(3, start=S))
    assert j.error is None
    (take,) = pending_takes(path)
    assert take.events == _played(3) + _played(3, start=S)
    j.close()


def test_recover_lands_the_take_on_a_new_track_as_one_undo_step(path: Path) -> None:
    j = Journal(path)
    j.begin_take(2, 0, RecordMode.REPLACE)
    j.append(_played(8))
    j.close()  # the process "died" with the take open: the journal stays
    pf = ProjectFile.open(path)
    doc = Document(pf.load(), pf)
    before = dict(doc.project.notes)
    added = recover(pf, doc)
    assert len(added) == 8
    track = doc.project.tracks[added[0].track_id]
    assert track.name == "Track 2 recovered" and track.program == doc.project.tracks[2].program
    assert doc.history()[-1] == RECOVER_LABEL
    assert not journal_path(path).exists()
    assert recover(pf, doc) == []
    pf.close()
    with ProjectFile.open(path) as again:
        assert {n.id for n in added} <= set(again.load().notes)
    pf2 = ProjectFile.open(path)
    doc2 = Document(pf2.load(), pf2)
    assert len(doc2.project.notes) == len(before) + 8
    pf2.close()


def test_recover_skips_a_take_that_landed_just_before_the_crash(path: Path) -> None:
    pf = ProjectFile.open(path)
    doc = Document(pf.load(), pf)
    clock = FakeClock()
    transport = Transport(clock)
    j = Journal(path)
    recorder = Recorder(doc, transport, j)
    inputs = MidiInputs(clock=clock, system=None)
    inputs.add_listener(recorder.on_event)
    recorder.start(1)
    for i in range(4):
        clock.advance_s(0.1)
        inputs.deliver("Keys", [0x90, 60 + i, 100], clock.now_ns())
        clock.advance_s(0.05)
        inputs.deliver("Keys", [0x80, 60 + i, 0], clock.now_ns())
    j.end_take = lambda committed, take=None: None  # type: ignore[method-assign]  # dies right after landing
    assert recorder.stop() is not None
    j.close()
    assert len(pending_takes(path)) == 1
    assert recover(pf, doc) == [] and not journal_path(path).exists()
    pf.close()


def test_the_recorder_writes_its_takes_to_the_journal(path: Path) -> None:
    pf = ProjectFile.open(path)
    doc = Document(pf.load(), pf)
    clock = FakeClock()
    j = Journal(path)
    recorder = Recorder(doc, Transport(clock), j)
    recorder.JOURNAL_INTERVAL_S = 0.01
    inputs = MidiInputs(clock=clock, system=None)
    inputs.add_listener(recorder.on_event)
    recorder.start(1)
    clock.advance_s(0.5)
    inputs.deliver("Keys", [0x90, 72, 99], clock.now_ns())
    deadline = time.monotonic() + 5
    while not pending_takes(path) or not pending_takes(path)[0].events:
        assert time.monotonic() < deadline, "the recorder's journal thread never wrote"
        time.sleep(0.01)
    (take,) = pending_takes(path)
    assert take.events[0].data == (0x90, 72, 99) and take.events[0].position == S // 2
    recorder.stop()
    assert pending_takes(path) == []
    j.close()
    pf.close()


def test_recover_waits_for_a_writable_open_and_for_no_live_take(path: Path) -> None:
    j = Journal(path)
    j.begin_take(1, 0, RecordMode.REPLACE)
    j.append(_played(2))
    pf = ProjectFile.open(path)
    doc = Document(pf.load(), pf)
    assert j.recording
    assert recover(pf, doc, j) == []  # the take is live in this process
    j.close()
    assert not j.recording
    reader = ProjectFile.open(path, read_only=True)
    assert recover(reader, Document(reader.load(), reader), j) == []
    reader.close()
    assert len(recover(pf, doc, j)) == 2
    pf.close()



def test_a_recovered_take_lands_as_the_live_take_of_the_same_events(tmp_path: Path) -> None:
    """The same played events, landed live by the Recorder and recovered from its journal after
    a crash: the same notes (a note-off at its note-on's time one sample long) and points."""
    live_path, crash_path = tmp_path / "Live.cuesketch", tmp_path / "Crash.cuesketch"
    for p in (live_path, crash_path):
        ProjectFile.write_new(p, sample_project(0, tracks=2))
    pf = ProjectFile.open(live_path)
    doc = Document(pf.load(), pf)
    clock = FakeClock()
    j = Journal(live_path)
    recorder = Recorder(doc, Transport(clock), j)
    inputs = MidiInputs(clock=clock, system=None)
    inputs.add_listener(recorder.on_event)
    recorder.start(2, RecordOptions(mode=RecordMode.OVERDUB))
    t0 = clock.now_ns()
    played = [(0.1, [0x90, 60, 100]), (0.2, [0x90, 64, 80]), (0.2, [0x80, 64, 0]),
              (0.25, [0xB0, 64, 127]), (0.3, [0x80, 60, 0]), (0.5, [0x90, 67, 90]),
              (0.6, [0x90, 67, 70]), (0.7, [0x80, 67, 0]), (0.8, [0x80, 67, 0]),
              (0.85, [0xB0, 1, 40]), (0.9, [0xB0, 64, 0]), (0.95, [0xE0, 0, 80]),
              (1.0, [0xE0, 0, 64])]
    for seconds, data in played:
        clock.t = t0 + round(seconds * 1e9)
        inputs.deliver("Keys", data, clock.now_ns())
    clock.t = t0 + round(1.5 * 1e9)
    j.end_take = lambda committed, take=None: None  # type: ignore[method-assign]  # dies right after landing
    assert recorder.stop() is not None
    j.close()
    journal_path(crash_path).write_bytes(journal_path(live_path).read_bytes())

    def landed(document: Document, track_id: int) -> tuple[object, ...]:
        project = document.project
        return (sorted((n.start, n.duration, n.pitch, n.velocity)
                       for n in project.notes_of(track_id)),
                sorted((c.time, c.controller.value, c.value) for c in project.controls.values()
                       if c.track_id == track_id))

    live = landed(doc, 2)
    pf.close()
    crashed = ProjectFile.open(crash_path)
    crashed_doc = Document(crashed.load(), crashed)
    added = recover(crashed, crashed_doc)
    assert added and crashed_doc.project.tracks[added[0].track_id].name == "Track 2 recovered"
    recovered = landed(crashed_doc, added[0].track_id)
    crashed.close()
    notes, points = live
    assert len(notes) == 4 and len(points) == 5
    assert (S // 5, MIN_DURATION, 64, 80) in notes  # off at its on's time: one sample
    assert recovered == live


_CHILD = textwrap.dedent("""
    import sys, time
    from cuesketch.engine.clock import SystemClock
    from cuesketch.engine.midi_input import MidiInputs
    from cuesketch.engine.recorder import Recorder, RecordMode, RecordOptions
    from cuesketch.engine.transport import Transport
    from cuesketch.model.document import Document
    from cuesketch.store.journal import Journal
    from cuesketch.store.project_file import ProjectFile
    path = sys.argv[1]
    pf = ProjectFile.open(path)
    doc = Document(pf.load(), pf)
    clock = SystemClock()
    transport = Transport(clock)
    recorder = Recorder(doc, transport, Journal(pf.path))
    inputs = MidiInputs(clock=clock, system=None)
    inputs.add_listener(recorder.on_event)
    recorder.start(1)
    i = 0
    while True:  # a player: a note every 30 ms, each held 20 ms, until killed
        pitch = 36 + i % 60
        t = clock.now_ns()
        inputs.deliver("Keys", [0x90, pitch, 100], t)
        print(t, transport.position_at(t), pitch, flush=True)
        time.sleep(0.02)
        inputs.deliver("Keys", [0x80, pitch, 0], clock.now_ns())
        time.sleep(0.01)
        i += 1
""")


@pytest.mark.slow
def test_sigkill_mid_take_loses_at_most_the_last_half_second(tmp_path: Path) -> None:
    """A real Recorder and Journal in a child process, killed at random moments."""
    rng = random.Random(3)
    for trial in range(3):
        path = tmp_path / f"kill{trial}.cuesketch"
        ProjectFile.write_new(path, sample_project(0))
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)],
                                stdout=subprocess.PIPE, text=True)
        played: list[tuple[int, int, int]] = []

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                t, pos, pitch = map(int, line.split())
                played.append((t, pos, pitch))

        reader = threading.Thread(target=read)
        reader.start()
        deadline = time.monotonic() + 20
        while not played and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.6, 1.6))
        killed_at = time.monotonic_ns()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        reader.join(10)
        pf = ProjectFile.open(path)
        doc = Document(pf.load(), pf)
        assert not pf.read_only, pf.reason  # the killed instance's lock is stale
        got = {(n.start, n.pitch) for n in recover(pf, doc)}
        pf.close()
        due = [(pos, pitch) for t, pos, pitch in played if t < killed_at - 500_000_000]
        assert len(due) > 10
        missing = [d for d in due if d not in got]
        assert not missing, f"trial {trial}: {len(missing)} of {len(due)} notes lost"


def test_a_mode_from_a_newer_cuesketch_still_recovers_the_take() -> None:
    assert RecordMode.named("overdub") is RecordMode.OVERDUB
    assert RecordMode.named("stutter") is RecordMode.REPLACE
    assert RecordMode.named(None) is RecordMode.REPLACE
