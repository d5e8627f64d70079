"""The record session: arming, the record key, what is said when a take lands."""

from __future__ import annotations

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.midi_input import MidiInputs
from cuesketch.engine.recorder import Recorder
from cuesketch.engine.session import RecordSession
from cuesketch.engine.transport import Transport
from cuesketch.model.changes import insert
from cuesketch.model.document import Document
from cuesketch.model.entities import Track


def test_a_take_stopped_by_the_transport_is_said_once() -> None:
    clock = FakeClock()
    transport = Transport(clock)
    doc = Document()
    doc.execute_changes([insert(Track(1, "Strings"))], "Add track")
    said: list[str] = []
    session = RecordSession(doc, Recorder(doc, transport), tell=said.append)
    inputs = MidiInputs(clock=clock, system=None)
    inputs.add_listener(session.recorder.on_event)
    assert session.toggle() == "recording on Strings (replace)"
    clock.advance_s(0.5)
    inputs.deliver("Keys", [0x90, 60, 100], clock.now_ns())
    clock.advance_s(0.5)
    inputs.deliver("Keys", [0x80, 60, 0], clock.now_ns())
    transport.stop()  # the space bar, not the record key
    assert said == ["take recorded: 1 note (one undo step)"]
    assert session.toggle().startswith("recording")  # the record key again starts a take
    clock.advance_s(0.2)
    assert session.toggle() == "take ended: nothing was played"
    assert len(said) == 1  # the record key's own answer is not said twice
