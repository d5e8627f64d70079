"""Pre-roll: play from a place gone to starts that long before it; play after a stop does not."""

from __future__ import annotations

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.model.project import Project
from cuesketch.prefs import Preferences
from cuesketch.services import Services
from cuesketch.timing.units import FLICKS_PER_SECOND as S


def test_play_from_a_located_position_starts_the_pre_roll_before_it() -> None:
    clock = FakeClock()
    t = Transport(clock)
    t.pre_roll = 2 * S
    t.seek(60 * S)  # go to a hit
    t.play()
    assert t.position() == 58 * S
    clock.advance_s(3)
    t.stop()
    assert t.position() == 61 * S
    t.play()  # on from where it stopped: no pre-roll again (it would creep back)
    assert t.position() == 61 * S
    t.seek(30 * S)  # a seek while playing jumps there at once
    assert t.position() == 30 * S
    t.stop()
    t.seek(10 * S)
    t.play(-2.0)  # shuttling back: no pre-roll
    assert t.position() == 10 * S


def test_no_pre_roll_by_default() -> None:
    t = Transport(FakeClock())
    t.seek(5 * S)
    t.play()
    assert t.position() == 5 * S


def test_the_preference_reaches_the_transport_live() -> None:
    services = Services(Document(Project()), Transport(FakeClock()))
    said = services.apply_preferences(Preferences(pre_roll_seconds=1.5))
    assert services.transport.pre_roll == 3 * S // 2 and said == ["pre-roll 1.5 s"]
    said = services.apply_preferences(Preferences())
    assert services.transport.pre_roll == 0 and said == ["pre-roll off"]


def test_a_take_from_a_located_position_rolls_in_from_the_pre_roll() -> None:
    from cuesketch.engine.recorder import Recorder
    from cuesketch.model.entities import Track
    project = Project()
    project.load(project.settings, [Track(1, "Strings")])
    clock = FakeClock()
    t = Transport(clock)
    t.pre_roll = 2 * S
    recorder = Recorder(Document(project), t)
    t.seek(10 * S)  # go to the hit, then record
    recorder.start(1)
    assert t.position() == 8 * S and recorder.record_point == 10 * S
    clock.advance_s(1)
    assert recorder.stop() is None  # nothing kept from the pre-roll
