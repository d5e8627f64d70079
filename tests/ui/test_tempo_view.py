"""Inside a cue with its own tempo map the roll counts by that map: its grid lines, its bar
numbers, where notes snap, nudge and quantize (a cue's bar 1 at its start), as the transport
bar, the picture's bars and the click already do; elsewhere the project's map."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model import edits
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Note, Settings, Track
from cuesketch.model.grid import Grid, tempo_grid
from cuesketch.model.project import Project
from cuesketch.model.snap import SnapMode
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC
from cuesketch.ui import roll_paint as rp
from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.ui.roll_editor import RollEditor, Step
from cuesketch.ui.roll_view_model import RollGeometry
from cuesketch.ui.tempo_view import grid_xs_in_force, per_map

F = Fraction
START, END = 5 * SEC + SEC // 3, 11 * SEC  # the cue: frames 128 to 264 at 24 fps
# 90 bpm in 3/4 from the cue's start: a beat is 2/3 s, a bar 2 s
OWN = TempoMap(START, (TempoChange(F(0), F(90)),), (MeterChange(0, 3, 4),))


def project() -> Project:
    p = Project()
    p.load(Settings(), [Track(1, "Strings"), Cue(1, "1M1", 128, 264, tempo=OWN),
                        Note(1, 1, START + SEC // 10, SEC // 4, 60),
                        Note(2, 1, 2 * SEC + SEC // 10, SEC // 4, 62)])
    return p


def test_the_grid_lines_come_from_the_map_in_force() -> None:
    p = project()
    geo = RollGeometry(width=1400, t0=0, fpp=SEC / 100)  # 100 px a second
    lines = grid_xs_in_force(geo, p, Grid.parse("bar"), 0, 1400)
    (bars,) = [xs for xs, color in lines if color == rp.BAR_LINE]
    xs = (np.asarray(bars) - 0.5).astype(int).tolist()
    own = [round(geo.x_of(START + 2 * SEC * k)) for k in range(3)]  # 533, 733, 933
    project_bars = [0, 200, 400, 1200]  # 120 bpm 4/4 outside the cue: a bar every 2 s
    assert sorted(xs) == sorted(project_bars + own)
    # without a cue map, the same as before
    plain = Project()
    plain.load(Settings(), [])
    assert grid_xs_in_force(geo, plain, Grid.parse("bar"), 0, 1400) == rp.grid_xs(
        geo, tempo_grid(plain.settings.tempo), Grid.parse("bar"), plain.settings.rate, 0, 1400)


def test_each_stretch_paints_with_its_own_map() -> None:
    p = project()
    geo = RollGeometry(width=1400, t0=0, fpp=SEC / 100)
    calls: list[tuple[float, float, TempoMap]] = []
    image = QImage(1400, 20, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    per_map(painter, geo, p, 0, 1400, 0, 20, lambda a, b, tg: calls.append((a, b, tg.tempo)))
    painter.end()
    assert calls == [(0, 533, p.settings.tempo), (533, 1100, OWN), (1100, 1400, p.settings.tempo)]


def test_snapping_nudging_and_quantizing_inside_the_cue_count_by_its_map() -> None:
    doc = Document(project())
    editor = RollEditor(doc)
    editor.set_grid(Grid.parse("beat"))
    assert editor.snap_mode is SnapMode.GRID
    snap = editor.snapper(SEC / 100)
    beat = 2 * SEC // 3
    assert snap.nearest(START + beat + SEC // 10) == START + beat  # the cue's beat 2
    assert snap.nearest(2 * SEC + SEC // 10) == 2 * SEC  # outside: the project's beats
    assert editor.min_length(START + SEC) == beat
    editor.set_selection({1})
    editor.nudge(+1, Step.GRID)
    assert doc.project.notes[1].start == START + beat
    editor.quantize = edits.Quantize(Grid.parse("beat"))
    editor.set_selection({1, 2})
    doc.execute_changes(edits.move_notes(doc.project, {1}, SEC // 10))
    editor.quantize_selection()
    assert doc.project.notes[1].start == START + beat  # the cue's beat
    assert doc.project.notes[2].start == 2 * SEC  # the project's beat


def test_a_note_drawn_inside_the_cue_lands_on_its_grid(qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = Document(project())
    roll = PianoRoll(doc, Transport(FakeClock()))
    qtbot.addWidget(roll)
    roll.resize(1200, 600)
    with qtbot.waitExposed(roll):
        roll.show()
    roll.show_range(0, 12 * SEC)
    roll.editor.set_active_track(1)
    roll.editor.set_grid(Grid.parse("beat"))
    geo = roll.geo
    beat = 2 * SEC // 3
    x = round(geo.x_of(START + 2 * beat + beat // 3))
    y = round(geo.y_of(72) + geo.key_h / 2)
    qtbot.mouseClick(roll.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(x, y))
    (drawn,) = [n for n in doc.project.notes.values() if n.pitch == 72]
    assert drawn.start == START + 2 * beat and drawn.duration == beat


def test_the_roll_draws_the_cues_bar_lines_inside_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    p = Project()
    own = TempoMap(START, (TempoChange(F(0), F(100)),), (MeterChange(0, 3, 4),))  # bars: 1.8 s
    p.load(Settings(), [Track(1, "Strings"), Cue(1, "1M1", 128, 264, tempo=own)])
    roll = PianoRoll(Document(p), Transport(FakeClock()))
    qtbot.addWidget(roll)
    roll.resize(1200, 600)
    with qtbot.waitExposed(roll):
        roll.show()
    roll.show_range(0, 12 * SEC)
    geo = roll.geo
    y = round(geo.y_of(72) + geo.key_h / 2)  # a white key's row, no notes

    def color(t: int, widget: QWidget, row: int) -> QColor:
        x = int(np.floor((t - geo.t0) / geo.fpp))
        return widget.grab().toImage().pixelColor(x, row)

    cue_bar = START + 9 * SEC // 5  # the cue's bar 2
    for widget, row in ((roll.canvas, y), (roll.velocity_lane, roll.velocity_lane.height() // 2)):
        assert color(cue_bar, widget, row) == rp.BAR_LINE
        assert color(8 * SEC, widget, row) != rp.BAR_LINE  # the project's bar 5: not in the cue
        assert color(4 * SEC, widget, row) == rp.BAR_LINE  # the project's bar 3, before it
