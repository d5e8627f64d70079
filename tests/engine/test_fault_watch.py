"""Faults mid-take, headless: each part of what the app does when a device, a disk or the process
itself fails during a take (the trials with real JACK are tests/test_fault_trials.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from cuesketch.engine import fault_watch as fault_watch_module
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.fault_watch import FaultWatch
from cuesketch.engine.midi_input import Deliver, MidiInputs, PortChange, PortStatus
from cuesketch.engine.recorder import Recorder
from cuesketch.engine.scheduler import NOTE_OFF, NOTE_ON, Event, Scheduler
from cuesketch.engine.transport import Transport
from cuesketch.model import changes
from cuesketch.model.changes import Change
from cuesketch.model.document import Document
from cuesketch.model.entities import Settings, Track
from cuesketch.model.project import Project
from cuesketch.store.journal import Journal, pending_takes
from cuesketch.store.project_file import ProjectFile, ProjectFileError
from cuesketch.timing.units import FLICKS_PER_SECOND as S

KBD = "Keys"


class Rig:
    def __init__(self, document: Document | None = None, journal: Journal | None = None) -> None:
        self.clock = FakeClock()
        self.transport = Transport(self.clock)
        self.document = document or Document(Project())
        if not self.document.project.tracks:
            self.document.execute_changes([changes.insert(Track(1, "Strings"))], "Add track")
        self.recorder = Recorder(self.document, self.transport, journal)
        self.inputs = MidiInputs(clock=self.clock, system=None)
        self.inputs.add_listener(self.recorder.on_event)
        self.t0 = self.clock.now_ns()

    def at(self, seconds: float) -> int:
        self.clock.t = self.t0 + round(seconds * 1e9)
        return self.clock.t

    def note(self, on: float, off: float | None, pitch: int) -> None:
        self.inputs.deliver(KBD, [0x90, pitch, 100], self.at(on))
        if off is not None:
            self.inputs.deliver(KBD, [0x80, pitch, 0], self.at(off))

    def notes(self) -> list[tuple[float, float, int]]:
        return sorted((round(n.start / S, 3), round(n.end / S, 3), n.pitch)
                      for n in self.document.project.notes_of(1))


# -- the transport when the audio goes --------------------------------------------------------
def test_a_device_that_stops_calling_hands_the_transport_to_the_monotonic_clock_seamlessly() -> None:
    clock = FakeClock()
    transport = Transport(clock)
    transport.play()
    sample = 0
    for _ in range(200):  # the device runs 0.5 % fast: the transport follows it
        clock.advance(5_333_333)
        transport.device_period(sample, clock.t + 10_000_000, 256, 48_000, transport.state().epoch)
        sample = round(sample + 256 * 1.005)
    assert transport.following_device
    clock.advance(20_000_000)  # the server is killed: no more periods
    before = transport.position()
    transport.device_gone()
    assert transport.position() == before  # no jump, no step back
    assert not transport.following_device
    clock.advance(1_000_000_000)
    assert transport.position() - before == S  # on the monotonic clock, at speed 1


def test_a_steer_lasts_one_period_not_for_ever() -> None:
    clock = FakeClock()
    transport = Transport(clock)
    transport.play()
    for i in range(100):
        clock.advance(5_333_333)
        transport.device_period(i * 256, clock.t + 10_000_000, 256, 48_000,
                                transport.state().epoch)
    clock.advance(5_333_333 + 7_000_000)  # a late period: the servo steers hard once
    transport.device_period(100 * 256 + 300, clock.t, 256, 48_000, transport.state().epoch)
    at = transport.position()
    clock.advance(500_000_000)  # and then the device is gone: no steering in the silence
    assert abs((transport.position() - at) / S - 0.5) < 0.005


# -- stale notes after a pause ----------------------------------------------------------------
class SynthCalls:
    sample_rate = 48_000

    def __init__(self) -> None:
        self.samples_written = 48_000 * 10
        self.calls: list[tuple[str, int]] = []

    def render_into(self, out: object, start: int, end: int) -> None:
        self.samples_written += end - start

    def note_on(self, channel: int, key: int, velocity: int) -> None:
        self.calls.append(("on", key))

    def note_off(self, channel: int, key: int) -> None:
        self.calls.append(("off", key))


def test_the_scheduler_drops_stale_note_ons_but_never_a_note_off() -> None:
    synth = SynthCalls()
    scheduler = Scheduler(synth)  # type: ignore[arg-type]
    now = synth.samples_written
    stale = now - 48_000  # a second late: the process was stopped
    events = [Event(stale, NOTE_ON, 0, 60, 100), Event(stale + 10, NOTE_OFF, 0, 61),
              Event(now + 64, NOTE_ON, 0, 62, 100)]
    scheduler.render(256, events)
    assert synth.calls == [("off", 61), ("on", 62)]
    assert scheduler.dropped == 1


# -- the recorder across a pause, a lost port, a refused write ---------------------------------
def test_a_pause_ends_held_notes_where_it_began_and_nothing_lands_inside_it() -> None:
    rig = Rig()
    rig.recorder.start(1)
    rig.note(0.1, 0.3, 60)
    rig.note(0.5, None, 62)  # held when the process stops
    rig.note(0.6, None, 64)
    rig.at(0.7)
    # The note-off of 64 beat the watch to it: played after the pause.
    rig.inputs.deliver(KBD, [0x80, 64, 0], rig.at(10.75))
    rig.recorder.on_gap(rig.t0 + 700_000_000, rig.t0 + 10_700_000_000)
    rig.inputs.deliver(KBD, [0x80, 62, 0], rig.at(10.8))  # its real note-off comes late
    rig.note(11.0, 11.2, 65)
    rig.at(12)
    rig.recorder.stop()
    assert rig.notes() == [(0.1, 0.3, 60), (0.5, 0.7, 62), (0.6, 0.7, 64), (11.0, 11.2, 65)]


def test_a_chord_played_just_after_a_pause_is_not_cut_when_the_pause_is_told_late() -> None:
    rig = Rig()
    rig.recorder.start(1)
    rig.note(0.5, None, 62)  # held when the process stops
    rig.at(0.7)
    rig.note(10.75, None, 67)  # played at once after the pause, before the watch tells it
    rig.recorder.on_gap(rig.t0 + 700_000_000, rig.t0 + 10_700_000_000)
    rig.note(10.8, None, 71)
    for pitch in (67, 71):
        rig.inputs.deliver(KBD, [0x80, pitch, 0], rig.at(11.5))
    rig.at(12)
    rig.recorder.stop()
    assert rig.notes() == [(0.5, 0.7, 62), (10.75, 11.5, 67), (10.8, 11.5, 71)]


def test_a_sleep_lies_between_the_last_two_ticks_and_sigcont_at_the_longest_gap() -> None:
    second = 1_000_000_000
    ticks = [0, 50_000_000, 2 * second, 2 * second + 50_000_000]  # a tick late for the GIL
    # The computer slept: the monotonic clock stood still, so the sleep was just now, not at
    # the late tick two seconds before.
    assert FaultWatch.pause_in(ticks, 30 * second, False) == (2 * second, 2 * second + 50_000_000)
    # SIGCONT after SIGSTOP: the monotonic clock ran on; the pause is the long gap.
    assert FaultWatch.pause_in(ticks, 0, True) == (50_000_000, 2 * second)
    # A continue without a gap long enough to be a pause, or nothing at all: none.
    assert FaultWatch.pause_in([0, 50_000_000, 100_000_000], 0, True) is None
    assert FaultWatch.pause_in(ticks, 0, False) is None


def test_a_port_that_went_away_ends_its_notes_when_it_was_last_known_there() -> None:
    rig = Rig()
    rig.recorder.start(1)
    rig.note(0.2, None, 60)
    went = rig.t0 + 400_000_000
    rig.at(0.9)  # the watcher notices half a second later
    rig.recorder.on_status(PortStatus(KBD, PortChange.WENT_AWAY, went, "gone"))
    rig.at(1.0)
    result = rig.recorder.stop()
    assert result is not None and result.lost_ports == (KBD,)
    assert rig.notes() == [(0.2, 0.4, 60)]


class RefusingSink:
    def __init__(self) -> None:
        self.full = True
        self.written: list[Sequence[Change]] = []

    def write(self, changes: Sequence[Change], settings: Settings) -> None:
        if self.full:
            raise ProjectFileError("the change could not be saved: the disk is full")
        self.written.append(changes)


def test_a_take_the_file_refuses_is_kept_and_lands_when_it_can() -> None:
    rig = Rig()
    sink = RefusingSink()
    rig.document.sink = sink
    rig.recorder.start(1)
    rig.note(0.1, 0.2, 60)
    rig.at(0.5)
    assert rig.recorder.stop() is None
    assert "disk is full" in str(rig.recorder.last_error)
    assert rig.notes() == [] and len(rig.recorder.unlanded) == 1
    with pytest.raises(ProjectFileError):
        rig.recorder.retry_landing()  # still full: kept
    sink.full = False
    landed = rig.recorder.retry_landing()
    assert [r.notes for r in landed if r is not None] == [1]
    assert rig.notes() == [(0.1, 0.2, 60)] and not rig.recorder.unlanded
    assert len(sink.written) == 1


def test_a_take_waiting_to_land_keeps_its_crash_copy_while_others_come_and_go(
        tmp_path: Path) -> None:
    document, pf, journal = _project(tmp_path)
    rig = Rig(document, journal)
    sink = RefusingSink()
    rig.document.sink = sink
    rig.recorder.start(1)
    rig.note(0.1, 0.2, 60)
    rig.at(0.5)
    assert rig.recorder.stop() is None and len(rig.recorder.unlanded) == 1  # the disk is full

    def pending() -> list[list[int]]:
        return [[e.data[1] for e in t.events if e.data[0] == 0x90] for t in pending_takes(pf.path)]

    assert pending() == [[60]]
    rig.recorder.start(1)  # the next take, thrown away: the first is still only in memory
    rig.note(0.7, 0.8, 62)
    rig.recorder._flush()
    assert pending() == [[60], [62]]
    rig.recorder.cancel()
    assert pending() == [[60]]  # a crash now would still bring it back
    rig.recorder.start(1)  # one recorded while the first waits, landed before it
    rig.note(1.1, 1.2, 64)
    rig.at(1.5)
    sink.full = False
    assert rig.recorder.stop() is not None
    assert pending() == [[60]]
    rig.recorder.retry_landing()
    assert pending() == [] and sorted(p for _s, _e, p in rig.notes()) == [60, 64]
    rig.recorder.start(1)  # and a take recorded while one waits, the waiting one lands first
    sink.full = True
    rig.note(1.7, 1.8, 65)
    rig.at(1.9)
    rig.recorder.stop()
    rig.recorder.start(1)
    rig.note(2.1, 2.2, 67)
    rig.recorder._flush()
    sink.full = False
    rig.recorder.retry_landing()  # lands 65 while 67 is being recorded: 67 stays journaled
    assert pending() == [[67]] and rig.recorder.active
    rig.at(2.5)
    assert rig.recorder.stop() is not None and pending() == []
    journal.close()
    assert not journal.path.exists()
    pf.close()


# -- the MIDI server going away and coming back -----------------------------------------------
class DyingSystem:
    api = "FAKE"
    delivery_delay_ns = 0

    def __init__(self, names: list[str], alive: list[bool]) -> None:
        self.names, self._alive = names, alive

    def alive(self) -> bool:
        return self._alive[0]

    def list_ports(self) -> list[str]:
        return list(self.names) if self._alive[0] else []

    def open(self, name: str, deliver: Deliver) -> object:
        class Port:
            def close(self) -> None:
                pass
        return Port()

    def close(self) -> None:
        pass


def test_midi_inputs_start_over_when_their_server_died_and_returned(
        monkeypatch: pytest.MonkeyPatch) -> None:
    alive = [True]
    systems: list[DyingSystem] = []

    def open_system(api: str | None, name: str, clock: object) -> DyingSystem:
        systems.append(DyingSystem(["Keys:out"], alive))
        return systems[-1]
    monkeypatch.setattr("cuesketch.engine.midi_input.open_system", open_system)
    monkeypatch.setattr("cuesketch.engine.midi_input.api_may_start", lambda api: alive[0])
    inputs = MidiInputs("FAKE", clock=FakeClock())
    statuses: list[PortStatus] = []
    inputs.add_status_listener(statuses.append)
    inputs.set_ports(["Keys:out"])
    assert inputs.open_ports() == ["Keys:out"]
    alive[0] = False
    inputs.poll()
    assert inputs.open_ports() == [] and statuses[-1].change is PortChange.WENT_AWAY
    inputs.poll()  # still down: quiet
    alive[0] = True
    inputs.poll()
    assert inputs.open_ports() == ["Keys:out"] and statuses[-1].change is PortChange.CAME_BACK
    assert len(systems) == 2


# -- the disk ---------------------------------------------------------------------------------
def _project(tmp_path: Path, name: str = "Chase") -> tuple[Document, ProjectFile, Journal]:
    path = tmp_path / "drive" / f"{name}.cuesketch"
    path.parent.mkdir(parents=True)
    pf = ProjectFile.create(path)
    pf.close()
    pf = ProjectFile.open(path)
    document = Document(pf.load(), sink=pf)
    document.execute_changes([changes.insert(Track(1, "Strings"))], "Add track")
    return document, pf, Journal(path)


def _watched(tmp_path: Path) -> tuple[FaultWatch, Rig, ProjectFile, list[str]]:
    """A project on a "drive", recorded into, watched; what the watch says."""
    document, pf, journal = _project(tmp_path)
    said: list[str] = []
    rig = Rig(document, journal)
    faults = FaultWatch(document, rig.transport, rig.recorder, journal=journal,
                        project_file=pf, post=said.append)
    return faults, rig, pf, said


def test_a_full_disk_is_said_at_once_and_said_again_when_there_is_room(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    faults, rig, pf, said = _watched(tmp_path)
    free = [10 << 20]
    monkeypatch.setattr(fault_watch_module.shutil, "disk_usage",
                        lambda _p: shutil._ntuple_diskusage(1, 1, free[0]))  # type: ignore[attr-defined]
    faults._look_at_disk()
    assert not said
    assert faults.standing is None
    free[0] = 4096
    faults._look_at_disk()
    assert faults.disk_full and "Chase.cuesketch is full" in said[-1]
    assert "Save As" in said[-1] and faults.needs_save_as
    assert faults.standing == "Disk full: free some space, or use Save As"
    faults.disk_full = False
    rig.recorder.start(1)  # mid-take it is said so
    faults._look_at_disk()
    assert "the take goes on in memory and nothing is lost" in said[-1]
    assert faults.standing == "Disk full: the take is kept in memory"
    rig.recorder.cancel()
    free[0] = 10 << 20
    faults._look_at_disk()
    assert not faults.disk_full and "room on the disk again" in said[-1]
    pf.close()


def test_a_vanished_folder_goes_on_in_a_rescue_copy_and_save_as_keeps_everything(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    document, pf, journal = _project(tmp_path)
    said: list[str] = []
    rig = Rig(document, journal)
    moved: list[Path] = []
    faults = FaultWatch(document, rig.transport, rig.recorder, journal=journal,
                        project_file=pf, post=said.append,
                        moved=lambda new_pf, _j: moved.append(new_pf.path))
    rig.recorder.start(1)
    rig.note(0.1, 0.2, 60)
    rig.note(0.3, None, 62)  # held while the drive goes
    rig.recorder._flush()
    shutil.rmtree(tmp_path / "drive")
    faults._look_at_disk()
    assert not faults.folder_gone  # one look is not enough: looked again
    faults._look_at_disk()
    assert faults.folder_gone and "is gone" in said[-1]
    faults.service()  # the GUI thread: the rescue copy
    rescue = faults.project_path
    assert rescue is not None and rescue.is_relative_to(tmp_path / "data") and moved == [rescue]
    assert "rescued" in rescue.name and str(rescue) in said[-1]
    assert faults.standing == "Working in a rescue copy: use Save As"
    # The take goes on, journaled beside the rescue copy; an edit lands there too.
    assert [e.data[1] for e in pending_takes(rescue)[0].events] == [60, 60, 62]
    rig.note(0.5, 0.6, 64)
    rig.inputs.deliver(KBD, [0x80, 62, 0], rig.at(0.7))
    rig.at(1.0)
    assert rig.recorder.stop() is not None
    track = document.project.tracks[1]
    document.execute_changes([changes.replace(track, track.__class__(
        **{**track.__dict__, "name": "Edited"}))], "Rename")
    dest = tmp_path / "elsewhere" / "Chase copy.cuesketch"
    dest.parent.mkdir()
    faults.save_as(dest)
    with ProjectFile.open(dest, read_only=True) as again:
        project = again.load()
    assert sorted((n.pitch, round(n.start / S, 3)) for n in project.notes.values()) == [
        (60, 0.1), (62, 0.3), (64, 0.5)]
    assert project.tracks[1].name == "Edited"
    assert not pending_takes(dest)
    if faults.project_file is not None:
        faults.project_file.close()


def test_one_failed_look_or_a_look_it_may_not_take_is_not_a_folder_gone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    faults, rig, pf, said = _watched(tmp_path)
    real_stat = os.stat
    failing: list[int] = []

    def stat(path, *args, **kw):  # type: ignore[no-untyped-def]
        if failing and Path(path) == faults.project_path:
            raise OSError(failing.pop(0), os.strerror(errno.EIO), str(path))
        return real_stat(path, *args, **kw)
    monkeypatch.setattr(fault_watch_module.os, "stat", stat)
    for hiccups in ([errno.EIO], [errno.ENOENT], [errno.ESTALE]):
        failing += hiccups  # a share's hiccup, a sync tool replacing the file: then back
        faults._look_at_disk()
        faults._look_at_disk()
        assert not faults.folder_gone
    failing += [errno.EACCES] * 5  # no permission to look: it can't tell, so it waits
    for _ in range(5):
        faults._look_at_disk()
    assert not faults.folder_gone and not said
    failing += [errno.EIO, errno.EACCES, errno.ENOENT]  # gone, can't tell, gone: in a row
    for _ in range(3):
        faults._look_at_disk()
    assert faults.folder_gone and "is gone" in said[-1]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    faults.service()  # the rescue copy: the looks start again from nothing there
    assert faults.rescued is not None and not faults.folder_gone
    failing += [errno.ETIMEDOUT]  # one look at the copy a share does not answer: not yet
    faults._look_at_disk()
    assert not faults.folder_gone
    pf.close()


def test_the_stop_signals_call_the_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    import signal
    stops: list[int] = []
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        fault_watch_module.on_stop_signals(lambda: stops.append(1))
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGHUP)
        assert stops == [1, 1]
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def test_moving_the_journal_writes_outside_the_lock_and_keeps_what_came_in_meanwhile(
        tmp_path: Path) -> None:
    import threading
    document, pf, journal = _project(tmp_path)
    rig = Rig(document, journal)
    rig.recorder.start(1)
    rig.note(0.1, 0.2, 60)
    played: list[bool] = []

    class SlowJournal(Journal):
        """A journal on a slow disk: while it writes, the keyboard goes on playing."""

        def begin_take(self, *args: object, **kwargs: object) -> str:
            begun = super().begin_take(*args, **kwargs)  # type: ignore[arg-type]
            player = threading.Thread(target=lambda: rig.inputs.deliver(
                KBD, [0x90, 64, 100], rig.clock.now_ns()))
            player.start()
            player.join(2)
            played.append(not player.is_alive())
            return begun

    (tmp_path / "other").mkdir()
    moved = SlowJournal(tmp_path / "other" / "Chase.cuesketch")
    rig.at(0.5)
    rig.recorder.move_journal(moved)
    assert played == [True]  # the MIDI thread was not held up by the disk write
    rig.recorder._flush()
    assert [e.data[1] for e in pending_takes(tmp_path / "other" / "Chase.cuesketch")[0].events
            ] == [60, 60, 64]
    rig.recorder.cancel()
    pf.close()
