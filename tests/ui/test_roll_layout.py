"""The window on a laptop's screen and the roll's view: where the window opens (per screen,
never larger than the screen or off it), the lanes the user sizes or folds away, the notes in
use framed on open and when a take lands, the vertical zoom and the keyboard's octave names,
the take drawn while it is played, and the names in the ruler and over the notes that the
moving playhead must not erase nor overprint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QColor, QImage, QRegion, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from cuesketch.app import build_controls
from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.changes import insert
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Hit, HitKind, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.services import Services
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.model.edits import pitch_name
from cuesketch.ui.roll_live import RECORDING_EDGE
from cuesketch.ui.window_fit import Placement, fit, screen_key
from cuesketch.ui.window_root import build_window

FPF = SEC // 24
LAPTOP = (0, 0, 1366, 740)  # 1366x768 less a 28 px panel


class FakeScreen:
    """What the window asks of a screen: a name, a size, the area free of panels."""

    def __init__(self, name: str, width: int, height: int, available: tuple[int, int, int, int]):
        self._name, self._size, self._available = name, QSize(width, height), QRect(*available)

    def name(self) -> str:
        return self._name

    def size(self) -> QSize:
        return self._size

    def availableGeometry(self) -> QRect:  # noqa: N802 - Qt's name
        return self._available


@pytest.fixture
def on_screen(monkeypatch: pytest.MonkeyPatch) -> Callable[[FakeScreen], None]:
    """Put the window on a pretend screen (the offscreen platform has one of its own)."""
    def put(screen: FakeScreen) -> None:
        monkeypatch.setattr(MainWindow, "screen", lambda self: screen)
    return put


def open_window(qtbot: QtBot, tmp_path: Path, project: Project | None = None) -> MainWindow:
    """The window the composition root builds, over the demo, its layout kept in tmp_path."""
    clock = FakeClock()
    services = Services(Document(project or build_demo()), Transport(clock), None, None,
                        clock=clock)
    build_controls(services)
    window = build_window(services, QSettings(str(tmp_path / "ui.ini"),
                                              QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def roll_of(window: MainWindow) -> PianoRoll:
    assert isinstance(window.roll, PianoRoll)
    return window.roll


def inside(inner: QRect, outer: QRect) -> bool:
    return outer.contains(inner)


# -- the window on a laptop ---------------------------------------------------------------------

def test_fit_keeps_a_saved_window_on_the_screen() -> None:
    assert fit(None, LAPTOP) == LAPTOP
    assert fit((100, 50, 1600, 900), LAPTOP) == LAPTOP  # shrunk to the screen
    assert fit((3000, 2000, 800, 600), LAPTOP) == (566, 140, 800, 600)  # moved back onto it
    assert fit((-500, -20, 800, 600), (1366, 0, 1920, 1050)) == (1366, 0, 800, 600)
    assert fit((40, 30, 900, 600), LAPTOP) == (40, 30, 900, 600)
    assert screen_key("eDP-1", 1366, 768) == "eDP-1_1366x768"
    assert screen_key("", 800, 600) == "screen_800x600"
    assert Placement.decode(Placement((1, 2, 3, 4), True).encode()) == Placement((1, 2, 3, 4), True)
    assert Placement.decode("junk") is None and Placement.decode(None) is None


def test_the_window_opens_within_a_laptop_screen_and_the_notes_get_the_room(
        qtbot: QtBot, tmp_path: Path, on_screen: Callable[[FakeScreen], None]) -> None:
    on_screen(FakeScreen("eDP-1", 1366, 768, LAPTOP))
    window = open_window(qtbot, tmp_path)
    available = QRect(*LAPTOP)
    assert inside(window.frameGeometry(), available), window.frameGeometry()
    hint = window.minimumSizeHint()
    assert hint.width() <= available.width() and hint.height() <= available.height(), hint
    roll = roll_of(window)
    # nothing of the roll is cut off: it lies inside the window, and so does its toolbar
    for part in (roll, roll.toolbar, roll.canvas, roll.controller_lane, roll.hbar):
        top_left = part.mapTo(window, QPoint(0, 0))
        assert inside(QRect(top_left, part.size()), window.rect()), part
    # the note area has most of the roll's height, and shows far more than an octave
    assert roll.canvas.height() >= 0.45 * roll.height(), (roll.canvas.height(), roll.height())
    assert roll.canvas.height() >= 2 * roll.velocity_lane.height() + roll.controller_lane.height()
    low, high = roll.geo.pitch_span()
    assert high - low >= 30
    window.close()


def test_the_geometry_is_kept_per_screen(qtbot: QtBot, tmp_path: Path,
                                         on_screen: Callable[[FakeScreen], None]) -> None:
    desk = FakeScreen("HDMI-1", 1920, 1080, (0, 0, 1920, 1050))
    on_screen(desk)
    window = open_window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window.frameGeometry() == QRect(0, 0, 1920, 1050))  # frame too
    window.setGeometry(60, 40, 1700, 950)
    window.close()

    on_screen(FakeScreen("eDP-1", 1366, 768, LAPTOP))  # the laptop alone: not the desk's size
    window = open_window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window.frameGeometry() == QRect(*LAPTOP))
    window.setGeometry(20, 10, 1200, 700)
    window.close()

    on_screen(desk)
    window = open_window(qtbot, tmp_path)
    assert window.geometry() == QRect(60, 40, 1700, 950)
    window.close()

    on_screen(FakeScreen("eDP-1", 1366, 768, LAPTOP))
    window = open_window(qtbot, tmp_path)
    assert window.geometry() == QRect(20, 10, 1200, 700)
    window.close()

    # a panel that grew since: the kept geometry is fitted into what is left
    on_screen(FakeScreen("eDP-1", 1366, 768, (0, 100, 1366, 600)))
    window = open_window(qtbot, tmp_path)
    frame = window.frameGeometry()
    assert frame.top() == 100 and frame.height() == 600 and window.width() == 1200
    window.close()


def test_lanes_are_sized_or_folded_and_remembered(qtbot: QtBot, tmp_path: Path,
                                                  on_screen: Callable[[FakeScreen], None]) -> None:
    on_screen(FakeScreen("eDP-1", 1366, 768, LAPTOP))
    window = open_window(qtbot, tmp_path)
    roll = roll_of(window)
    canvas_h = roll.canvas.height()
    handle = roll.lanes.handle(1)  # between the notes and the velocity lane
    qtbot.mouseDClick(handle, Qt.MouseButton.LeftButton, pos=handle.rect().center())
    # the velocity lane folded away, the notes taller
    qtbot.waitUntil(lambda: roll.lanes.folded(1) and roll.lanes.widget(1).height() == 0)
    qtbot.waitUntil(lambda: roll.canvas.height() > canvas_h)
    sizes = roll.lanes.sizes()
    sizes[2] += 30
    sizes[0] -= 30
    roll.lanes.setSizes(sizes)  # the controller lane made taller
    QApplication.processEvents()
    kept = roll.lanes.sizes()
    window.close()

    window = open_window(qtbot, tmp_path)
    roll = roll_of(window)
    assert roll.lanes.folded(1)
    assert abs(roll.lanes.sizes()[2] - kept[2]) <= 2
    roll.lanes.toggle(1)  # and back
    qtbot.waitUntil(lambda: roll.velocity_lane.height() >= 24)
    window.close()


# -- framing the pitches in use ------------------------------------------------------------------

def make_roll(qtbot: QtBot, project: Project, size: tuple[int, int] = (900, 420)) -> PianoRoll:
    transport = Transport(FakeClock())
    roll = PianoRoll(Document(project), transport)
    qtbot.addWidget(roll)
    roll.resize(*size)
    roll.show()
    qtbot.waitExposed(roll)
    QApplication.processEvents()
    return roll


def row_visible(roll: PianoRoll, pitch: int) -> bool:
    geo = roll.geo
    return geo.y_of(pitch) >= -0.5 and geo.y_of(pitch) + geo.key_h <= geo.height + 0.5


def note_visible(roll: PianoRoll, n: Note) -> bool:
    geo = roll.geo
    return row_visible(roll, n.pitch) and geo.x_of(n.start) >= 0 and geo.x_of(n.end) <= geo.width


def test_the_demo_opens_with_every_note_in_view(qtbot: QtBot) -> None:
    project = build_demo()
    roll = make_roll(qtbot, project, (900, 560))
    notes = list(project.notes.values())
    assert notes and all(note_visible(roll, n) for n in notes)
    assert row_visible(roll, 60) and row_visible(roll, 48)  # C4 (musical typing's A), C3
    # the window settling (a smaller roll) keeps them framed until the user scrolls
    roll.resize(760, 470)
    QApplication.processEvents()
    assert all(note_visible(roll, n) for n in notes)
    roll.zoom_pitch(2.0)
    top = roll.geo.top
    roll.resize(760, 520)
    QApplication.processEvents()
    assert roll.geo.top == top  # the user's view stays


def test_an_empty_project_opens_on_middle_c(qtbot: QtBot) -> None:
    roll = make_roll(qtbot, Project())
    assert row_visible(roll, 60) and row_visible(roll, 48) and row_visible(roll, 72)


def test_a_landed_take_is_scrolled_into_view(qtbot: QtBot) -> None:
    project = Project()
    project.load(Settings(), [Track(1, "Strings"), Note(1, 1, 0, SEC, 60, 90)])  # type: ignore[list-item]
    roll = make_roll(qtbot, project)
    roll.zoom_pitch(3.0)  # the user zoomed in on C4
    assert not row_visible(roll, 96)
    t = roll.transport
    t.set_recording(True)
    t.play()
    roll.tick()
    t.stop()  # the take lands, as the recorder lands it: one transaction of new notes
    with roll.document.transaction("Record take"):
        roll.document.execute_changes([insert(Note(2, 1, 0, SEC, 96, 90)),
                                       insert(Note(3, 1, SEC, SEC, 98, 90))], "Record take")
    assert row_visible(roll, 96) and row_visible(roll, 98)


def test_vertical_zoom_by_wheel_over_the_keys_by_keys_and_buttons(qtbot: QtBot) -> None:
    roll = make_roll(qtbot, build_demo())
    kb = roll.keyboard
    key_h = roll.geo.key_h
    pos = QPoint(10, kb.height() // 2)
    event = QWheelEvent(QPointF(pos), QPointF(kb.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(kb, event)
    assert roll.geo.key_h > key_h
    key_h = roll.geo.key_h
    roll.canvas.setFocus()
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert roll.geo.key_h < key_h
    key_h = roll.geo.key_h
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert roll.geo.key_h > key_h
    roll.zoom_pitch(4.0)
    roll.frame_notes()  # the Fit button
    assert all(note_visible(roll, n) for n in roll.document.project.notes.values())


def dark_pixels(image: QImage, rect: QRect) -> int:
    return sum(1 for x in range(rect.left(), rect.right() + 1)
               for y in range(rect.top(), rect.bottom() + 1)
               if QColor(image.pixel(x, y)).lightness() < 120)


def test_the_keyboard_names_every_c_at_small_rows(qtbot: QtBot) -> None:
    roll = make_roll(qtbot, build_demo(), (900, 900))
    roll.geo.key_h = 3.2  # the whole range: rows far shorter than the names
    roll.geo.clamp()
    roll.refresh()
    labels = dict(roll.keyboard.octave_labels())
    shown = [pitch_name(k) for k in sorted(labels)]
    assert {"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"} <= set(shown), shown
    image = roll.keyboard.grab().toImage()
    for k in (36, 60, 96):
        r = labels[k].toAlignedRect().intersected(image.rect())
        assert dark_pixels(image, r) >= 6, pitch_name(k)  # the name is drawn


# -- the take drawn while it is played -----------------------------------------------------------

def test_the_take_is_drawn_while_it_is_played(qtbot: QtBot) -> None:
    project = Project()
    project.load(Settings(), [Track(1, "Strings", color="#4f9dde")])  # type: ignore[list-item]
    roll = make_roll(qtbot, project)
    roll.set_active_track(1)
    playing: list[Note] = []
    roll.set_live_source(lambda: list(playing))
    t = roll.transport
    t.set_recording(True)
    t.play()
    playing.append(Note(0, 1, SEC // 2, SEC, 62, 100))
    repainted: list[QRect] = []
    roll.canvas.update = lambda *a: repainted.append(QRect(a[0]) if a else roll.canvas.rect())  # type: ignore[method-assign]
    roll.poll_live()
    geo = roll.geo
    assert row_visible(roll, 62)
    x, y = round(geo.x_of(SEC)), round(geo.y_of(62) + geo.key_h / 2)
    assert any(r.contains(QPoint(x, y)) for r in repainted)  # only what changed is repainted
    del roll.canvas.update
    image = roll.canvas.grab().toImage()
    assert QColor(image.pixel(x, y)) == QColor("#4f9dde")
    x_edge = round(geo.x_of(SEC // 2))
    assert any(QColor(image.pixel(x_edge + dx, y)).red() > 200 for dx in (-1, 0, 1))  # red edge
    assert RECORDING_EDGE.red() > 200
    # a note played far above the view scrolls it there
    playing.append(Note(0, 1, SEC, SEC // 2, 100, 100))
    roll.poll_live()
    assert row_visible(roll, 100)
    # the take lands: the live notes go
    playing.clear()
    t.stop()
    roll.tick()
    assert roll.live.notes == []


# -- what the moving playhead must not erase ------------------------------------------------------

def marked_project() -> Project:
    project = Project()
    project.load(Settings(), [  # type: ignore[list-item]
        Track(1, "Strings", color="#4f9dde"),
        Note(1, 1, 50 * FPF, 24 * FPF, 60, 90),  # two frames after the hit: "+2f"
        Hit(1, 48, "Title card", HitKind.SOFT), Hit(2, 96, "Cut: bunny in the sun", HitKind.CUT),
        Hit(3, 140, "Door", HitKind.HARD), Hit(4, 200, "Far away", HitKind.SOFT),
        Cue(1, "1M1", 0, 120, title="Peach Project"), Cue(2, "1M2", 120, 300, title="A Bird")])
    return project


def render(widget: QWidget) -> QImage:
    image = QImage(widget.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    widget.render(image)
    return image


def strips_after(widget: QWidget, move: Callable[[], None]) -> QImage:
    """What the screen shows after ``move``: the picture before it, with only the strips the
    roll asked to repaint painted again."""
    image = render(widget)
    asked: list[QRect] = []
    widget.update = lambda *a: asked.append(QRect(a[0]) if a else widget.rect())  # type: ignore[method-assign]
    try:
        move()
    finally:
        del widget.update
    assert asked, "nothing was repainted"
    for r in asked:
        r = r.intersected(widget.rect())
        widget.render(image, r.topLeft(), QRegion(r))
    return image


@pytest.fixture
def marked(qtbot: QtBot) -> Iterator[PianoRoll]:
    roll = make_roll(qtbot, marked_project(), (1000, 420))
    roll.show_range(0, 8 * SEC)  # a frame is ~5 px: the readout shows
    roll.geo.key_h, roll.geo.top = 10.0, 70.0
    roll.refresh()
    QApplication.processEvents()
    yield roll


def test_the_playhead_leaves_the_hit_names_whole(marked: PianoRoll) -> None:
    roll = marked
    hit_x = roll.geo.x_of(48 * FPF)  # "Title card" is written right of its line
    for x in (hit_x + 14, hit_x + 28, hit_x + 42):
        roll.transport.seek(roll.geo.t_of(x))
        image = strips_after(roll.ruler, roll.tick)
        assert image == render(roll.ruler), f"the strip at x={x:.0f} lost a name"


def test_the_playhead_leaves_the_frames_off_readout_whole(marked: PianoRoll) -> None:
    roll = marked
    assert roll.frames_off_readout() == {1: 2}
    geo = roll.geo
    note_x = geo.x_of(50 * FPF)
    for x in (note_x - 30, note_x - 16, note_x - 6):  # across the "+2f" left of the note
        roll.transport.seek(geo.t_of(x))
        image = strips_after(roll.canvas, roll.tick)
        assert image == render(roll.canvas), f"the strip at x={x:.0f} lost the readout"


def test_cue_and_hit_names_never_overlap(qtbot: QtBot) -> None:
    roll = make_roll(qtbot, marked_project(), (1000, 420))
    demo = make_roll(qtbot, build_demo(), (800, 420))
    for r in (roll, demo):
        for seconds in (4, 8, 15, 30, 60, 120):
            r.show_range(0, seconds * SEC)
            labels = r.ruler.mark_labels(0, r.geo.width)
            assert labels
            for i, a in enumerate(labels):
                for b in labels[i + 1:]:
                    assert not a.rect.intersects(b.rect), (seconds, a.text, b.text)
    # squeezed names are elided, the whole name is in the tooltip
    roll.show_range(0, 30 * SEC)
    labels = roll.ruler.mark_labels(0, roll.geo.width)
    cut = [label for label in labels if label.full.startswith("Cut")]
    assert cut and cut[0].text != cut[0].full and cut[0].text.endswith("…")
    roll.show_range(0, 8 * SEC)
    assert "Title card" in [label.text for label in roll.ruler.mark_labels(0, roll.geo.width)]
    hit_x = roll.geo.x_of(96 * FPF)
    assert "Cut: bunny in the sun" in roll.ruler._tip_at(QPointF(hit_x + 1, 50))


def test_the_recorders_take_is_drawn_as_it_is_played_and_framed_when_it_lands(
        qtbot: QtBot) -> None:
    """The real recorder's live notes: a held note grows with the playhead, a note played
    above the view brings it there, and the landed take stays in view."""
    from cuesketch.engine.midi_input import MidiInputs
    from cuesketch.engine.recorder import Recorder

    project = Project()
    project.load(Settings(), [Track(1, "Strings", color="#4f9dde"),  # type: ignore[list-item]
                              Note(1, 1, 0, SEC, 40, 90)])
    roll = make_roll(qtbot, project)
    roll.zoom_pitch(3.0)  # the user looks closely at the low notes
    clock = roll.transport.clock
    assert isinstance(clock, FakeClock)
    recorder = Recorder(roll.document, roll.transport)
    inputs = MidiInputs(clock=clock, system=None)
    inputs.add_listener(recorder.on_event)
    roll.set_live_source(recorder.live_notes)
    recorder.start(1)
    clock.advance_s(0.5)
    inputs.deliver("Keys", [0x90, 84, 100], clock.now_ns())  # C6, far above the view
    clock.advance_s(0.25)
    roll.tick()
    roll.poll_live()
    assert [n.pitch for n in roll.live.notes] == [84]
    assert row_visible(roll, 84)
    held = roll.live.notes[0]
    clock.advance_s(0.5)
    roll.poll_live()
    assert roll.live.notes[0].end > held.end  # it grows while held
    geo = roll.geo
    x, y = round(geo.x_of(roll.live.notes[0].end) - 3), round(geo.y_of(84) + geo.key_h / 2)
    image = roll.canvas.grab().toImage()
    assert QColor(image.pixel(x, y)) == QColor("#4f9dde")
    inputs.deliver("Keys", [0x80, 84, 0], clock.now_ns())
    roll.zoom_pitch(1.0)
    roll.geo.top = 50  # the user scrolled away before stopping
    recorder.stop()
    roll.tick()
    assert roll.live.notes == []
    assert 84 in [n.pitch for n in roll.document.project.notes.values()]
    assert row_visible(roll, 84)  # the landed take is in view


def test_a_narrow_roll_wraps_its_toolbar_rather_than_cutting_it(qtbot: QtBot) -> None:
    """The picture may take most of a laptop's width: the roll's controls wrap onto a second
    row and none is cut off."""
    roll = make_roll(qtbot, build_demo(), (1000, 500))
    one_row = roll.toolbar.height()
    roll.resize(560, 500)
    qtbot.waitUntil(lambda: roll.toolbar.height() > one_row)
    assert roll.minimumSizeHint().width() <= 560
    boxes = [roll.toolbar.tool_box, roll.toolbar.grid_box, roll.toolbar.snap_box,
             roll.toolbar.strength_box, roll.toolbar.swing_box, roll.toolbar.follow_box,
             roll.toolbar.lead_box]
    for box in boxes:
        at = box.mapTo(roll, QPoint(0, 0))
        assert roll.rect().contains(QRect(at, box.size())), box
        assert roll.toolbar.rect().contains(QRect(box.mapTo(roll.toolbar, QPoint(0, 0)),
                                                  box.size())), box
    assert all(note_visible(roll, n) for n in roll.document.project.notes.values())
