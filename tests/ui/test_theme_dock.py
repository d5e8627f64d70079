"""The Themes dock and the theme map strip (pytest-qt): capture from the roll's selection,
insert inverted and slower at the playhead as one undo step, see it on the strip and the
film-wide map, click to jump, copy through the personal library, apply a palette."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMainWindow

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.model.theme_values import Transform
from cuesketch.timing.units import FLICKS_PER_SECOND as F
from cuesketch.ui.palette_dialog import PaletteDialog
from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.ui.theme_dock import install_themes
from cuesketch.ui.theme_strip import ThemeStrip
from cuesketch.ui.theme_insert_dialog import ThemeInsertDialog, parse_ratio

TUNE = [(0, 1, 62), (1, 1, 65), (2, 2, 69), (4, 1, 67), (5, 1, 65), (6, 1, 64), (7, 2, 62)]


class Rig:
    def __init__(self, qtbot, tmp: Path) -> None:  # type: ignore[no-untyped-def]
        beat = F // 2
        notes = [Note(i + 1, 1, (4 + b) * beat, d * beat, p) for i, (b, d, p) in enumerate(TUNE)]
        project = Project()
        project.load(Settings(), [Track(1, "Flute"), Track(2, "Horn", order=1),
                                  Cue(1, "1M1", 0, 24 * 30), Cue(2, "1M4", 24 * 60, 24 * 120),
                                  *notes])
        self.document = Document(project)
        self.transport = Transport(FakeClock())
        self.window = QMainWindow()
        self.roll = PianoRoll(self.document, self.transport)
        self.window.setCentralWidget(self.roll)
        self.said: list[str] = []
        self.library = tmp / "library.json"
        self.dock = install_themes(self.window, self.document, self.transport, self.roll,
                                   self.said.append, self.library)
        self.control = self.dock.control
        qtbot.addWidget(self.window)
        self.window.resize(1400, 900)
        self.window.show()
        with qtbot.waitExposed(self.window):
            pass
        self.qtbot = qtbot

    def wait_for_map(self) -> None:
        self.qtbot.waitUntil(lambda: not self.control.stale, timeout=10000)
        QApplication.processEvents()


def test_capture_insert_see_it_on_the_map_and_jump(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, tmp_path)
    rig.roll.editor.set_selection(range(1, len(TUNE) + 1))
    theme = rig.dock.capture("Anna", ask=False)
    assert theme is not None and rig.dock.list.count() == 1
    assert "Anna" in rig.dock.list.item(0).text() and "D minor" in rig.dock.list.item(0).text()
    rig.roll.set_active_track(2)
    rig.transport.seek(61 * F)  # in 1M4
    assert rig.dock.insert(Transform(invert_around=62, ratio=Fraction(2)))
    assert rig.document.history()[-1] == "Insert theme Anna"
    rig.wait_for_map()
    entries = rig.control.entries
    assert [(e.source, e.cue) for e in entries] == [("found", "1M1"), ("inserted", "1M4")]
    assert "2 statements (1 inserted, 1 found)" in rig.dock.summary.text()
    # The strip over the roll shows the insertion where the roll shows 1M4; a click goes there.
    strip = rig.roll.findChild(ThemeStrip)
    assert strip is not None and strip.isVisible()
    rig.transport.seek(0)
    rig.roll.show_range(55 * F, 90 * F)
    QApplication.processEvents()
    inserted = entries[1]
    x = round(rig.roll.geo.x_of((inserted.start + inserted.end) // 2))
    qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=QPoint(x, 6 + 2 * 0))
    assert rig.transport.position() == inserted.start
    assert rig.roll.selection == set(inserted.note_ids) and len(inserted.note_ids) == len(TUNE)
    # The film-wide view: a click on the found statement goes to 1M1.
    view = rig.dock.map_view
    rect, found = next((r, e) for r, e in view._rects() if e.source == "found")
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert rig.transport.position() == found.start
    assert rig.roll.selection == set(found.note_ids)
    rig.document.undo()
    rig.wait_for_map()
    assert [e.source for e in rig.control.entries] == ["found"]


def test_the_insert_dialog_reads_its_fields(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, tmp_path)
    rig.roll.editor.set_selection(range(1, len(TUNE) + 1))
    theme = rig.dock.capture("Anna", ask=False)
    assert theme is not None
    dialog = ThemeInsertDialog(rig.control.themes, theme.id, rig.dock.where(), rig.dock)
    qtbot.addWidget(dialog)
    dialog.invert.setChecked(True)
    dialog.ratio.setCurrentText("3/2")
    dialog.retrograde.setChecked(True)
    dialog.shift_mode.setCurrentIndex(1)
    dialog.shift.setValue(2)
    t = dialog.transform()
    assert (t.invert_around, t.ratio, t.retrograde, t.diatonic, t.shift) == (
        62, Fraction(3, 2), True, True, 2)
    assert "retrograde" in dialog.preview.text() and dialog.ok.isEnabled()
    dialog.ratio.setCurrentText("fast")
    assert "not a ratio" in dialog.preview.text() and not dialog.ok.isEnabled()
    assert parse_ratio("x1/2") == Fraction(1, 2) and parse_ratio("1.5") == Fraction(3, 2)


def test_copy_a_theme_out_and_into_another_project(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, tmp_path)
    rig.roll.editor.set_selection(range(1, len(TUNE) + 1))
    rig.dock.capture("Anna", ask=False)
    assert rig.dock.copy_out() and rig.library.exists()
    other = Rig(qtbot, tmp_path)
    copied = other.dock.copy_in("anna")
    assert copied is not None and copied.snippet == rig.control.themes[0].snippet
    other.dock._fill_library_menu()
    titles = [a.text() for a in other.dock.library_menu.actions()]
    assert titles[0].startswith("Copy Anna to my library")


def test_apply_the_hybrid_palette_and_save_the_tracks(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, tmp_path)
    dialog = PaletteDialog(rig.document, rig.said.append, rig.library, None, rig.dock)
    qtbot.addWidget(dialog)
    dialog.choose("hybrid")
    assert dialog.table.rowCount() == 11 and "11 new tracks" in dialog.plan.text()
    ids = dialog.apply()
    assert len(ids) == 11 and rig.document.history()[-1] == "Apply palette hybrid"
    assert dialog.save_tracks("Mine")
    assert [t.name for t in dialog.templates][-1] == "Mine"
    dialog.target.setCurrentIndex(dialog.target.findData(2))
    dialog.choose("chamber strings")
    dialog.apply()
    assert rig.document.project.cues[2].palette == "chamber strings"


def test_the_cue_list_shows_the_palette_a_cue_calls_for(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cuesketch.model import palette_templates as pt
    from cuesketch.ui.cue_list import CueList
    rig = Rig(qtbot, tmp_path)
    cues = CueList(rig.document, lambda _f: None)
    qtbot.addWidget(cues)
    pt.apply_step(rig.document, pt.BUILTIN["small folk ensemble"], cue_id=2)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: "palette: small folk ensemble" in cues.topLevelItem(0).child(1).text(3))


def test_selected_notes_say_their_theme_and_the_threshold_remaps(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, tmp_path)
    rig.roll.editor.set_selection(range(1, len(TUNE) + 1))
    rig.dock.capture("Anna", ask=False)
    rig.roll.set_active_track(2)
    rig.transport.seek(61 * F)
    rig.dock.insert(Transform(ratio=Fraction(2), retrograde=True))
    assert rig.dock.origin.text() == "Selected notes: 7 from Anna (retrograde, x2) in 1M4"
    rig.roll.editor.set_selection([1])
    assert rig.dock.origin.text() == ""
    rig.wait_for_map()
    assert len(rig.control.entries) == 2
    rig.dock.threshold.setValue(100)
    assert rig.control.stale
    rig.wait_for_map()
    assert rig.control.threshold == 1.0 and len(rig.control.entries) == 2  # exact: still found


def test_overlapping_statements_sit_in_rows_of_their_own() -> None:
    from cuesketch.model.theme_map import MapEntry
    from cuesketch.ui.theme_strip import rows_of

    def e(start: int, end: int) -> MapEntry:
        return MapEntry(1, "A", "#fff", 1, start, end, 1.0, "inserted", "")
    assert rows_of([e(0, 10), e(5, 15), e(12, 20), e(6, 30), e(7, 8)]) == [0, 1, 0, 2, 1]


def test_the_theme_s_small_roll_edits_its_notes(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cuesketch.ui.theme_edit_dialog import ThemeEditDialog
    rig = Rig(qtbot, tmp_path)
    rig.roll.editor.set_selection(range(1, len(TUNE) + 1))
    theme = rig.dock.capture("Anna", ask=False)
    assert theme is not None
    dialog = ThemeEditDialog(theme, "Anna", rig.dock)
    qtbot.addWidget(dialog)
    dialog.show()
    roll = dialog.roll
    roll.resize(480, 140)
    first = roll._rect(0).center().toPoint()
    qtbot.mouseClick(roll, Qt.MouseButton.LeftButton, pos=first)
    assert roll.selected == 0
    qtbot.keyClick(roll, Qt.Key.Key_Up)
    assert roll.snippet.sorted_notes()[0].pitch == 63
    qtbot.keyClick(roll, Qt.Key.Key_Delete)
    assert len(roll.snippet.notes) == len(TUNE) - 1
    qtbot.mouseDClick(roll, Qt.MouseButton.LeftButton, pos=QPoint(8, 60))
    assert len(roll.snippet.notes) == len(TUNE) and roll.snippet.sorted_notes()[0].start == 0
    dialog.name.setText("Anna's theme")
    edited = dialog.result_theme()
    rig.control.update(edited)
    assert rig.control.themes[0].name == "Anna's theme"
    assert rig.control.themes[0].snippet == roll.snippet


def test_a_read_only_project_says_why_nothing_changes(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, tmp_path)
    rig.roll.editor.set_selection(range(1, len(TUNE) + 1))
    rig.dock.capture("Anna", ask=False)
    rig.document.read_only = True
    assert rig.dock.capture("Bob", ask=False) is None
    rig.roll.set_active_track(2)
    assert not rig.dock.insert(Transform())
    rig.dock.delete(confirm=False)
    assert len(rig.control.themes) == 1 and len(rig.said) >= 3
    assert all("read-only" in s for s in rig.said[-3:])


def test_a_damaged_library_is_never_overwritten_by_the_palette_dialog(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, tmp_path)
    damaged = '{"themes": [{"name": "Love theme", "notes": [[0, 1, 6'
    rig.library.write_text(damaged, encoding="utf-8")
    dialog = PaletteDialog(rig.document, rig.said.append, rig.library, None, rig.dock)
    qtbot.addWidget(dialog)
    assert not dialog.save_tracks("Mine")
    assert "could not be read" in rig.said[-1] and "Palette not saved" in rig.said[-1]
    dialog.delete()
    assert rig.library.read_text(encoding="utf-8") == damaged


def test_a_map_that_lands_after_its_worker_is_gone_is_dropped(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The dock closes while a map is made on the worker thread: it lands nowhere (no crash)."""
    import threading
    import time

    import shiboken6

    from cuesketch.model.themes_control import ThemesControl
    from cuesketch.ui.theme_strip import MapWorker
    rig = Rig(qtbot, tmp_path)
    control = ThemesControl(rig.document)
    computing, finish, finished = threading.Event(), threading.Event(), threading.Event()
    real = control.compute
    offered: list[int] = []

    def slow(copy, threshold=None):  # type: ignore[no-untyped-def]
        computing.set()
        finish.wait(10)
        try:
            return real(copy, threshold)
        finally:
            finished.set()

    control.compute = slow  # type: ignore[method-assign]
    control.offer = lambda generation, entries: offered.append(generation) or True  # type: ignore[method-assign]
    worker = MapWorker(control)
    worker.start()
    assert computing.wait(10)
    shiboken6.delete(worker)
    finish.set()
    assert finished.wait(10)
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline:
        QApplication.processEvents()
    assert offered == []
