"""The range controller without a window: marks at the playhead, to a cue, to notes; loop and
punch over the range (the cue under the playhead when nothing is marked), following the marks;
record mode, count-in and R for loop takes; every change heard by its listeners."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.range_control import Mark, RangeControl, RangeState
from cuesketch.engine.recorder import RecordMode, RecordOptions
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document


class Rig:
    def __init__(self) -> None:
        self.document = Document(build_demo())
        self.transport = Transport(FakeClock())
        self.session = SimpleNamespace(options=RecordOptions(),
                                       recorder=SimpleNamespace(active=False),
                                       toggle=self._toggle)
        self.toggled: list[tuple[int, int] | None] = []
        self.control = RangeControl(self.document, self.transport,
                                    session=self.session)  # type: ignore[arg-type]
        self.heard: list[RangeState] = []
        self.stop = self.control.observe(self.heard.append)
        self.rate = self.document.project.settings.rate

    def _toggle(self) -> str:
        self.toggled.append(self.transport.loop)
        return "recording"

    def f(self, frame: int) -> int:
        return self.rate.frame_to_flicks(frame)


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_marks_land_on_frames_and_loop_and_punch_follow_them(rig: Rig) -> None:
    c = rig.control
    rig.transport.seek(rig.f(100) + rig.rate.flicks_per_frame // 3)
    assert c.mark_in() == "In at 01:00:04:04"
    rig.transport.seek(rig.f(220))
    assert c.mark_out() == "Out at 01:00:09:04 (range 01:00:04:04 – 01:00:09:04)"
    assert c.set_loop(True) == "Looping 01:00:04:04 – 01:00:09:04"
    assert c.set_punch(True).startswith("Punch in and out over 01:00:04:04")
    assert rig.transport.loop == rig.session.options.punch == (rig.f(100), rig.f(220))
    assert c.state == RangeState(rig.f(100), rig.f(220), loop=True, punch=True)
    rig.transport.seek(rig.f(300))
    c.mark_out()
    assert rig.transport.loop == rig.session.options.punch == (rig.f(100), rig.f(300))
    assert rig.heard[-1].range == (rig.f(100), rig.f(300))
    assert c.go_to(Mark.IN) is None and rig.transport.position() == rig.f(100)
    assert c.clear() == "Range cleared"
    assert rig.transport.loop is None and rig.session.options.punch is None
    assert not c.state.loop and not c.state.punch and rig.heard[-1] == c.state


def test_with_nothing_marked_the_cue_under_the_playhead_is_taken(rig: Rig) -> None:
    c = rig.control
    rig.transport.seek(rig.f(400))  # inside 1M3 (360-792)
    c.set_loop(True)
    assert rig.transport.loop == (rig.f(360), rig.f(792)) == c.marks.range
    assert c.set_loop(False) == "Loop off"
    assert rig.transport.loop is None and c.marks.range is not None  # the marks stay
    c.clear()
    rig.transport.seek(rig.f(5000))  # past every cue
    assert "nothing to punch in" in c.set_punch(True)
    assert not c.state.punch and rig.session.options.punch is None
    assert c.go_to(Mark.OUT) == "There is no out mark"
    assert c.range_to_cue() == "The playhead is in no cue"


def test_range_to_a_cue_and_to_notes(rig: Rig) -> None:
    c = rig.control
    rig.transport.seek(rig.f(1200))  # inside 1M5 (1152-1230)
    assert c.range_to_cue().startswith("Range: 1M5")
    assert c.marks.range == (rig.f(1152), rig.f(1230))
    notes = sorted(rig.document.project.notes.values(), key=lambda n: n.start)[:3]
    assert c.range_to_notes(n.id for n in notes).startswith("Range: the 3 selected notes")
    fpf = rig.rate.flicks_per_frame
    lo, hi = c.marks.range or (0, 0)
    assert lo % fpf == 0 and hi % fpf == 0
    assert lo <= min(n.start for n in notes) < lo + fpf
    assert hi - fpf < max(n.end for n in notes) <= hi
    assert c.range_to_notes([]) == "No notes are selected"


def test_record_mode_count_in_and_r_for_loop_takes(rig: Rig) -> None:
    c = rig.control
    assert c.set_mode(RecordMode.LOOP) == "Record mode: loop"
    assert rig.session.options.mode is RecordMode.LOOP and c.state.mode is RecordMode.LOOP
    rig.transport.seek(rig.f(400))
    assert c.set_count_in(True) == "Count-in: one bar"
    assert rig.session.options.count_in == 4 * rig.rate.flicks_per_frame * 18  # 80 bpm: 3 s
    c.set_count_in(False)
    assert rig.session.options.count_in == 0
    rig.transport.seek(rig.f(5000))  # no cue, no marks: nothing to go round
    assert "nothing to loop" in (c.record() or "") and rig.toggled == []
    c.marks.set(rig.f(24), rig.f(96))
    assert c.record() == "recording" and c.state.loop
    assert rig.toggled == [(rig.f(24), rig.f(96))]
    c.set_mode(RecordMode.REPLACE)
    c.set_loop(False)
    c.record()  # replace: R never touches the loop
    assert rig.toggled[-1] is None and not c.state.loop


def test_listeners_hear_every_change_until_they_stop(rig: Rig) -> None:
    c = rig.control
    c.marks.set(rig.f(10), rig.f(20))
    c.set_punch(True)
    assert [s.punch for s in rig.heard] == [False, True]
    rig.stop()
    c.set_punch(False)
    assert len(rig.heard) == 2


def test_without_a_session_the_state_is_kept_here() -> None:
    document = Document(build_demo())
    c = RangeControl(document, Transport(FakeClock()))
    c.marks.set(0, document.project.settings.rate.flicks_per_frame * 10)
    c.set_punch(True)
    c.set_mode(RecordMode.OVERDUB)
    assert c.state.punch and c.state.mode is RecordMode.OVERDUB and c.record() is None
