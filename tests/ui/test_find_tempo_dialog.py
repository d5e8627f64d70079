"""The Find Tempo panel: find, choose, see each hit in colour, apply as one undo step, save the
click book."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from cuesketch.demo import build_demo
from cuesketch.model.document import Document
from cuesketch.model.tempo_fit import find_cue
from cuesketch.timing.tempo_fit import Grid, Status
from cuesketch.ui.find_tempo_dialog import FindTempoDialog


def _dialog(qtbot: QtBot, cue: str = "1M4") -> tuple[FindTempoDialog, Document]:
    project = build_demo()
    document = Document(project)
    dialog = FindTempoDialog(document, find_cue(project, cue).id)
    qtbot.addWidget(dialog)
    return dialog, document


def test_find_lists_answers_and_each_hit_in_colour(qtbot: QtBot) -> None:
    dialog, _ = _dialog(qtbot)
    assert not dialog.apply_button.isEnabled()
    dialog.find_button.click()
    dialog.wait_for_search()
    assert dialog.answers.count() >= 1
    assert "4 of 4 hits caught" in dialog.answers.item(0).text()
    assert dialog.hits.rowCount() == 4
    assert dialog.hits.item(0, 0).text() == "01:00:36:00"
    status = dialog.hits.item(0, 3)
    assert status.text() == "caught"
    assert status.foreground().color().name() == Status.CAUGHT.color
    assert dialog.apply_button.isEnabled()


def test_apply_sets_the_cues_map_in_one_undo_step(qtbot: QtBot) -> None:
    dialog, document = _dialog(qtbot)
    dialog.find_button.click()
    dialog.wait_for_search()
    dialog.keep_bars.setChecked(True)
    dialog.apply_button.click()
    assert document.history() == ["Fit tempo to hits"]
    assert find_cue(document.project, "1M4").tempo is not None
    assert "kept their bars" in dialog.message.text()
    document.undo()
    assert find_cue(document.project, "1M4").tempo is None


def test_the_click_book_goes_to_csv_and_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    dialog, _ = _dialog(qtbot)
    dialog.find_button.click()
    dialog.wait_for_search()
    dialog.save_book(tmp_path / "book.csv")
    assert (tmp_path / "book.csv").read_text().count("\n") >= 6
    dialog.save_book(tmp_path / "book.pdf")
    assert (tmp_path / "book.pdf").read_bytes().startswith(b"%PDF")
    assert "Click book saved" in dialog.message.text()


def test_a_cue_without_hits_is_said_in_plain_words(qtbot: QtBot) -> None:
    dialog, _ = _dialog(qtbot, "1M2")
    dialog.find_button.click()
    dialog.wait_for_search()
    assert dialog.answers.count() == 0
    assert dialog.message.text() == "Cue 1M2 has no hits to fit a tempo to."
    assert not dialog.apply_button.isEnabled()


def test_the_handler_opens_the_panel_on_the_cue_at_the_playhead(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QWidget

    from cuesketch.ui.find_tempo_dialog import find_tempo_handler

    project = build_demo()
    document = Document(project)
    parent = QWidget()
    qtbot.addWidget(parent)
    rate = project.settings.rate
    show = find_tempo_handler(lambda: parent, document,
                              lambda: rate.frame_to_flicks(900))  # inside 1M4
    show()
    dialogs = parent.findChildren(FindTempoDialog)
    assert len(dialogs) == 1 and dialogs[0].cue.currentText().startswith("1M4")
    show()  # raised, not opened twice
    assert len(parent.findChildren(FindTempoDialog)) == 1
    dialogs[0].close()


def test_preview_shows_an_answer_until_apply_keeps_it_or_the_panel_closes(
        qtbot: QtBot) -> None:
    dialog, document = _dialog(qtbot)
    dialog.find_button.click()
    dialog.wait_for_search()
    dialog.preview.setChecked(True)
    cue = find_cue(document.project, "1M4")
    first = dialog.session.candidates[0].tempo_map if dialog.session else None
    assert cue.tempo == first and document.history() == []  # shown, not an undo step
    if dialog.answers.count() > 1:
        dialog.answers.setCurrentRow(1)  # the preview follows the choice
        assert dialog.session is not None
        assert find_cue(document.project, "1M4").tempo == dialog.session.candidates[1].tempo_map
    dialog.preview.setChecked(False)
    assert find_cue(document.project, "1M4").tempo is None and document.history() == []
    dialog.preview.setChecked(True)
    dialog.apply_button.click()  # keeps what is shown: one step
    assert document.history() == ["Fit tempo to hits"]
    assert find_cue(document.project, "1M4").tempo is not None
    assert not dialog.preview.isChecked()
    document.undo()
    dialog.preview.setChecked(True)
    dialog.close()  # closing takes the preview back
    assert find_cue(document.project, "1M4").tempo is None and document.history() == []


def test_edit_find_tempo_in_the_window_opens_the_panel_on_the_cue_at_the_playhead(
        qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication

    from cuesketch.app import build_controls
    from cuesketch.engine.clock import FakeClock
    from cuesketch.engine.transport import Transport
    from cuesketch.services import Services
    from cuesketch.ui.window_root import build_window

    transport = Transport(FakeClock())
    project = build_demo()
    services = Services(Document(project), transport, None, None)
    build_controls(services)
    window = build_window(services, QSettings(str(tmp_path / "ui.ini"),
                                              QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    transport.seek(project.settings.rate.frame_to_flicks(400))  # inside 1M3
    action = window.action_map["edit.find_tempo"]
    assert action.isEnabled() and action.shortcut() == QKeySequence("Ctrl+Shift+T")
    assert action in window.menus["Edit"].actions()
    action.trigger()
    QApplication.processEvents()
    dialogs = window.findChildren(FindTempoDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    assert dialogs[0].cue.currentText().startswith("1M3")
    dialogs[0].close()
    transport.stop()
    window.close()


def test_the_panels_settings_reach_the_question(qtbot: QtBot) -> None:
    dialog, _ = _dialog(qtbot)
    dialog.lo.setValue(100)
    dialog.hi.setValue(130)
    dialog.changes.setValue(2)
    dialog.max_step.setValue(12.5)
    dialog.window_frames.setValue(3)
    dialog.grid.setCurrentIndex(dialog.grid.findText("Half beats"))
    dialog.ramps.setChecked(True)
    dialog.find_button.click()
    dialog.wait_for_search()
    assert dialog.session is not None and dialog.session.problem is not None
    problem = dialog.session.problem
    assert (problem.lo, problem.hi, problem.max_changes) == (100, 130, 2)
    assert problem.max_step == Fraction(25, 2) and problem.origin_window == 3
    assert problem.ramps and {h.grid for h in problem.hits} == {Grid.HALF}


def test_the_search_runs_beside_the_window(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    """The window goes on while the tempo is looked for (a long search must not stop it);
    the answer arrives when the search ends."""
    import threading

    import cuesketch.ui.find_tempo_dialog as panel
    seen: list[str] = []
    real = panel.answers

    def spy(*args, **kw):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return real(*args, **kw)

    monkeypatch.setattr(panel, "answers", spy)
    dialog, _ = _dialog(qtbot)
    dialog.find_button.click()
    assert not dialog.find_button.isEnabled()
    assert "Looking for the tempo" in dialog.message.text()
    dialog.wait_for_search()
    assert seen == ["cuesketch-fit"]
    assert dialog.find_button.isEnabled() and dialog.answers.count() > 0


def test_meters_allowed_let_the_map_change_meter_and_apply_with_it(qtbot: QtBot) -> None:
    from cuesketch.model.entities import Hit, HitKind
    dialog, document = _dialog(qtbot)
    project = document.project
    project.hits.clear()  # 1M4 from frame 792: downbeats of 4/4, 3/4, 4/4 bars at 120 bpm
    for n, beat in enumerate((4, 7, 11, 15), 1):
        project.hits[n] = Hit(n, 792 + 12 * beat, f"bar {n + 1}", HitKind.HARD)
    dialog.lo.setValue(60)
    dialog.hi.setValue(180)
    dialog.grid.setCurrentIndex(dialog.grid.findData(Grid.DOWNBEAT))
    dialog.meters.setText("4/4, 3/4, 5/4")
    dialog.find_button.click()
    dialog.wait_for_search()
    first = dialog.answers.item(0).text()
    assert "0 tempo changes, 2 meter changes (4/4, 3/4, 4/4): 4 of 4 hits caught" in first
    cells = [dialog.hits.item(i, 1) for i in range(4)]
    assert [c.text() if c is not None else None for c in cells] == [
        "2|1|000", "3|1|000", "4|1|000", "5|1|000"]
    dialog.apply_button.click()
    assert document.history() == ["Fit tempo to hits"]
    tm = find_cue(project, "1M4").tempo
    assert tm is not None and [m.numerator for m in tm.meters] == [4, 3, 4]
    document.undo()
    assert find_cue(project, "1M4").tempo is None


def test_a_meter_plan_that_is_no_plan_says_why(qtbot: QtBot) -> None:
    dialog, _ = _dialog(qtbot)
    dialog.meters.setText("4/4, waltz")
    dialog.find_button.click()
    assert "'waltz' is not a meter" in dialog.message.text()
    assert dialog.answers.count() == 0
