"""The in–out range from the Transport menu: marks at the playhead, to a cue or to the selected
notes; loop and punch over it (the cue under the playhead when nothing is marked); the ruler
shows it and Ctrl+drag there marks it."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from cuesketch.app import Services
from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.recorder import RecordOptions
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.engine.range_control import RangeControl
from cuesketch.ui.range_actions import range_handlers, show_range_state
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


class Rig:
    def __init__(self, qtbot: QtBot, tmp_path: Path) -> None:
        self.services = Services(Document(build_demo()), Transport(FakeClock()))
        self.session = SimpleNamespace(options=RecordOptions())
        self.said: list[str] = []
        self.roll = PianoRoll(self.services.document, self.services.transport)
        self.control = RangeControl(self.services.document, self.services.transport,
                                    session=self.session)  # type: ignore[arg-type]
        self.marks = self.control.marks
        self.roll.set_range(self.control)
        self.window = MainWindow(self.services.document, self.services.transport, QLabel(),
                                 self.roll, StatusSignals(),
                                 range_handlers(self.control, self.said.append,
                                                lambda: self.roll.selection),
                                 QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
        show_range_state(self.control, self.window.action_map)
        qtbot.addWidget(self.window)
        self.rate = self.services.document.project.settings.rate

    def f(self, frame: int) -> int:
        return self.rate.frame_to_flicks(frame)

    def trigger(self, name: str) -> None:
        self.window.action_map[f"transport.{name}"].trigger()

    def checked(self, name: str) -> bool:
        return self.window.action_map[f"transport.{name}"].isChecked()

    @property
    def transport(self) -> Transport:
        return self.services.transport

    @property
    def punch(self) -> tuple[int, int] | None:
        return self.session.options.punch  # type: ignore[no-any-return]


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Rig:
    return Rig(qtbot, tmp_path)


def test_mark_in_and_out_at_the_playhead_then_loop_and_punch_over_them(rig: Rig) -> None:
    rig.transport.seek(rig.f(100) + rig.rate.flicks_per_frame // 3)  # a third into frame 100
    rig.trigger("mark_in")
    rig.transport.seek(rig.f(220))
    rig.trigger("mark_out")
    assert rig.marks.range == (rig.f(100), rig.f(220))  # on frames
    assert rig.said[-1] == "Out at 01:00:09:04 (range 01:00:04:04 – 01:00:09:04)"
    rig.trigger("loop")
    assert rig.transport.loop == (rig.f(100), rig.f(220)) and rig.checked("loop")
    rig.trigger("punch")
    assert rig.punch == (rig.f(100), rig.f(220))
    rig.transport.seek(rig.f(300))
    rig.trigger("mark_out")  # moving a mark moves what loops and punches
    assert rig.transport.loop == rig.punch == (rig.f(100), rig.f(300))
    rig.trigger("go_in")
    assert rig.transport.position() == rig.f(100)
    rig.trigger("range_clear")  # no range: loop and punch end
    assert rig.transport.loop is None and rig.punch is None
    assert not rig.checked("loop") and not rig.checked("punch")


def test_with_nothing_marked_loop_takes_the_cue_under_the_playhead(rig: Rig) -> None:
    rig.transport.seek(rig.f(400))  # inside 1M3 (360-792)
    rig.trigger("loop")
    assert rig.transport.loop == (rig.f(360), rig.f(792)) == rig.marks.range
    rig.trigger("loop")
    assert rig.transport.loop is None and rig.marks.range is not None  # the marks stay
    rig.marks.clear()
    rig.transport.seek(rig.f(5000))  # past every cue
    rig.trigger("punch")
    assert not rig.checked("punch") and rig.punch is None
    assert "nothing to punch in" in rig.said[-1]
    rig.trigger("go_out")
    assert rig.said[-1] == "There is no out mark"


def test_range_to_the_cue_and_to_the_selected_notes(rig: Rig) -> None:
    rig.transport.seek(rig.f(1200))  # inside 1M5 (1152-1230)
    rig.trigger("range_cue")
    assert rig.marks.range == (rig.f(1152), rig.f(1230))
    notes = sorted(rig.services.document.project.notes.values(), key=lambda n: n.start)[:3]
    rig.roll.editor.set_selection(n.id for n in notes)
    rig.trigger("range_selection")
    fpf = rig.rate.flicks_per_frame
    lo, hi = rig.marks.range or (0, 0)
    assert lo % fpf == 0 and hi % fpf == 0
    assert lo <= min(n.start for n in notes) < lo + fpf
    assert hi - fpf < max(n.end for n in notes) <= hi


def test_ctrl_drag_in_the_ruler_marks_the_range_on_frames(rig: Rig, qtbot: QtBot) -> None:
    rig.window.resize(1400, 800)
    rig.window.show()
    ruler = rig.roll.ruler
    geo = rig.roll.geo
    a, b = round(geo.x_of(rig.f(30))), round(geo.x_of(rig.f(90)))
    qtbot.mousePress(ruler, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     QPoint(b, 10))
    qtbot.mouseMove(ruler, QPoint(a, 10))
    qtbot.mouseRelease(ruler, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                       QPoint(a, 10))
    r = rig.marks.range
    assert r is not None and abs(r[0] - rig.f(30)) <= rig.rate.flicks_per_frame
    assert abs(r[1] - rig.f(90)) <= rig.rate.flicks_per_frame
    assert r[0] % rig.rate.flicks_per_frame == 0
    assert rig.transport.position() == 0  # marking is not scrubbing
    image = ruler.grab().toImage()  # the range is drawn: amber at its top edge
    mid = image.pixelColor((a + b) // 2, 1)
    assert mid.red() > 150 and mid.green() > 90 and mid.blue() < 110
    roll_image = rig.roll.canvas.grab().toImage()  # and the marks as lines through the roll

    def amber(x: int) -> int:
        return sum(1 for y in range(0, roll_image.height(), 3)
                   if (c := roll_image.pixelColor(x, y)).red() > 120 and c.red() > c.blue() + 60)
    in_x = round(geo.x_of(r[0]))
    assert amber(in_x) > roll_image.height() // 12
    assert amber((a + b) // 2) < amber(in_x) // 4


def test_recording_loop_takes_switches_the_loop_on_over_the_range(rig: Rig) -> None:
    from cuesketch.engine.recorder import RecordMode
    toggled: list[tuple[int, int] | None] = []
    rig.session.recorder = SimpleNamespace(active=False)
    rig.session.toggle = lambda: toggled.append(rig.transport.loop) or "recording"
    rig.trigger("mode_loop")
    assert rig.checked("mode_loop") and not rig.checked("mode_replace")
    assert rig.session.options.mode is RecordMode.LOOP
    rig.transport.seek(rig.f(5000))  # in no cue, nothing marked: nothing to go round
    rig.window.action_map["transport.record"].trigger()
    assert toggled == [] and "nothing to loop" in rig.said[-1] and not rig.checked("loop")
    rig.marks.set(rig.f(24), rig.f(96))
    rig.window.action_map["transport.record"].trigger()
    assert toggled == [(rig.f(24), rig.f(96))] and rig.checked("loop")
    assert rig.said[-1] == "recording"
    rig.trigger("mode_replace")  # replace: R never touches the loop
    rig.trigger("loop")
    rig.window.action_map["transport.record"].trigger()
    assert toggled[-1] is None and not rig.checked("loop")


def test_the_marks_come_back_when_the_project_is_opened_again(tmp_path: Path) -> None:
    from cuesketch.engine.range_marks import RangeMarks
    from cuesketch.ui.range_actions import remember_marks
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    chase, other = tmp_path / "Chase.cuesketch", tmp_path / "Other.cuesketch"
    first = RangeMarks()
    remember_marks(first, settings, chase)
    assert first.range is None
    first.set(1000, 5000)
    first.set_out(700)  # the in mark goes: only the out mark is left
    settings.sync()
    again = RangeMarks()
    remember_marks(again, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat), chase)
    assert (again.in_at, again.out_at) == (None, 700)
    elsewhere = RangeMarks()
    remember_marks(elsewhere, settings, other)
    assert (elsewhere.in_at, elsewhere.out_at) == (None, None)
    settings.setValue(next(k for k in settings.allKeys() if k.startswith("range/")), "junk,3")
    damaged = RangeMarks()
    remember_marks(damaged, settings, chase)  # a value that is not ours is ignored
    assert damaged.range is None and damaged.in_at is None
