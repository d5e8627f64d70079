"""The Cues dock as a spotting list (pytest-qt, offscreen): filters, sorting by a header click,
editing a cell (one undo step; a refusal puts it back), Delete, the right-click menu at the
playhead; the Import Markers preview and Detect Cuts dialogs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from cuesketch.model.document import Document
from cuesketch.model.entities import CueStatus, HitKind, Settings
from cuesketch.model.project import Project
from cuesketch.model.spotting_edits import SpottingEditor
from cuesketch.model.spotting_live import LiveSpotting
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.ui.cue_list import CueList, spotting_panel


def _doc() -> Document:
    doc = Document(Project(Settings(rate=STANDARD_RATES["24"], start_frame=86400)))
    ed = SpottingEditor(doc)
    ed.add_cue(240, 480, "1M1", title="Arrival", tags=("tense",))
    ed.add_cue(1000, 1200, "1M2", status=CueStatus.SENT)
    ed.add_cue(5000, 5100, "2M1")
    ed.add_hit(300, HitKind.HARD, "Door")
    return doc


def _cue_names(cues: CueList) -> list[str]:
    cues.flush()  # changes rebuild the list once, on the next turn of the event loop
    group = cues.topLevelItem(0)
    return [group.child(i).text(0) for i in range(group.childCount())]


def test_filter_sort_edit_delete_and_undo(qtbot: QtBot) -> None:
    doc = _doc()
    cues = CueList(doc, lambda _f: None)
    panel = spotting_panel(cues)
    qtbot.addWidget(panel)
    bar = panel.filter_bar  # type: ignore[attr-defined]
    assert _cue_names(cues) == ["1M1", "1M2", "2M1"]
    bar.status.setCurrentIndex(bar.status.findData(CueStatus.SENT))
    assert _cue_names(cues) == ["1M2"]
    bar.status.setCurrentIndex(0)
    bar.reel.setCurrentIndex(bar.reel.findData(2))
    assert _cue_names(cues) == ["2M1"]
    bar.reel.setCurrentIndex(0)
    bar.tag.setCurrentIndex(bar.tag.findData("tense"))
    assert _cue_names(cues) == ["1M1"]
    bar.tag.setCurrentIndex(0)
    cues.header().sectionClicked.emit(7)  # Status
    cues.header().sectionClicked.emit(7)  # descending
    assert _cue_names(cues)[0] == "1M2"

    item = next(cues.topLevelItem(0).child(i) for i in range(3)
                if cues.topLevelItem(0).child(i).text(0) == "1M1")
    item.setText(7, "approved")  # as the inline editor commits it
    cue = next(c for c in doc.project.cues.values() if c.name == "1M1")
    assert cue.status is CueStatus.APPROVED
    said: list[str] = []
    cues.post = said.append
    item = next(cues.topLevelItem(0).child(i) for i in range(3)
                if cues.topLevelItem(0).child(i).text(0) == "1M1")
    item.setText(2, "00:59:00:00")  # the out before the in: refused, put back
    assert said and "must end after it starts" in said[0]
    assert any(cues.topLevelItem(0).child(i).text(2) == "01:00:20:00" for i in range(3))
    assert cues.editable(cues.topLevelItem(0).child(0), 7)
    assert not cues.editable(cues.topLevelItem(0).child(0), 4)  # the duration follows

    hits = cues.topLevelItem(1)
    hits.child(0).setSelected(True)
    qtbot.keyClick(cues, Qt.Key.Key_Delete)
    assert not doc.project.hits
    doc.undo()
    assert doc.project.hits
    doc.undo()
    assert next(c for c in doc.project.cues.values() if c.name == "1M1").status is \
        CueStatus.SPOTTED


def test_status_colour_and_double_click(qtbot: QtBot) -> None:
    doc = _doc()
    went: list[int] = []
    cues = CueList(doc, went.append)
    qtbot.addWidget(cues)
    sent = next(cues.topLevelItem(0).child(i) for i in range(3)
                if cues.topLevelItem(0).child(i).text(0) == "1M2")
    assert sent.background(7).color().name() == "#4f9dde"
    cues._on_double_click(sent, 1)
    assert went == [1000]


def test_the_right_click_menu_adds_at_the_playhead_and_renumbers(qtbot: QtBot) -> None:
    doc = _doc()
    cues = CueList(doc, lambda _f: None)
    qtbot.addWidget(cues)
    position = [STANDARD_RATES["24"].frame_to_flicks(2000)]
    cues.live = LiveSpotting(doc, lambda: position[0])
    menu = cues.context_menu()
    actions = {a.text(): a for a in menu.actions()}
    actions["Add cut hit at the playhead"].trigger()
    assert any(h.frame == 2000 and h.kind is HitKind.CUT for h in doc.project.hits.values())
    actions["Cue start at the playhead"].trigger()
    position[0] = STANDARD_RATES["24"].frame_to_flicks(2400)
    actions["Cue end at the playhead"].trigger()
    assert "1M3" in _cue_names(cues)
    actions["Renumber cues running"].trigger()
    assert _cue_names(cues) == ["1M1", "1M2", "1M3", "2M4"]


def test_import_markers_dialog_previews_then_lands_once(qtbot: QtBot, tmp_path: Path) -> None:
    from cuesketch.ui.marker_import_dialog import MarkerImportDialog
    doc = _doc()
    edl = tmp_path / "cut.edl"
    edl.write_text("TITLE: x\nFCM: NON-DROP FRAME\n\n"
                   "001  AX V C 01:00:00:00 01:00:09:00 01:00:00:00 01:00:09:00\n"
                   "* LOC: 01:00:01:14 RED     Slam\n* LOC: 01:00:12:12 CYAN    Sea\n")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = MarkerImportDialog(doc, edl, settings)
    qtbot.addWidget(dialog)
    assert dialog.preview.topLevelItemCount() == 2
    assert "will add 2 hits" in dialog.summary.text()
    assert len(doc.project.hits) == 1  # nothing yet
    dialog.rules.setPlainText("color cyan -> note\n")
    # each keystroke does not read the file again: once the typing pauses, it does
    assert "will add 2 hits" in dialog.summary.text()
    qtbot.waitUntil(lambda: "1 hits, 1 notes" in dialog.summary.text())
    dialog.ok.click()
    assert dialog.landed == 2 and len(doc.project.hits) == 2
    again = MarkerImportDialog(doc, edl, settings)
    qtbot.addWidget(again)
    assert again.rules.toPlainText() == "color cyan -> note\n"  # remembered
    assert not again.ok.isEnabled() and "already in the project" in again.summary.text()
    bad = tmp_path / "bad.edl"
    bad.write_text("TITLE: x\n* LOC: 01:00:0 RED x\n")
    broken = MarkerImportDialog(doc, bad, settings)
    qtbot.addWidget(broken)
    assert "line 2" in broken.summary.text() and not broken.ok.isEnabled()


def test_detect_cuts_dialog_reads_in_the_background_and_adds_the_checked(
        qtbot: QtBot, tmp_path: Path) -> None:
    from spotting_film import make_cut_film
    from cuesketch.ui.spotting_cuts_dialog import DetectCutsDialog
    film = make_cut_film(tmp_path / "f.mp4", cuts=6, dissolves=1, seed=2)
    doc = Document()
    dialog = DetectCutsDialog(doc, film.path, film.frames)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.found.topLevelItemCount() == 6, timeout=60_000)
    assert dialog.bar.value() == 1000
    dialog.found.topLevelItem(0).setCheckState(0, Qt.CheckState.Unchecked)
    dialog.sensitivity.setValue(51)  # re-decided at once, no second read
    dialog.found.topLevelItem(0).setCheckState(0, Qt.CheckState.Unchecked)
    dialog.add.click()
    assert sorted(h.frame for h in doc.project.hits.values()) == film.cuts[1:]


def test_writers_and_publishers_kept_as_one_step_shares_checked(qtbot: QtBot) -> None:
    from cuesketch.model.entities import RightsShare
    from cuesketch.ui.spotting_rights_dialog import RightsDialog
    doc = _doc()
    dialog = RightsDialog(doc)
    qtbot.addWidget(dialog)
    dialog.add_row("composer", "Ann Lee", "PRS", 100)
    dialog.add_row("publisher", "Film Music Ltd", "PRS", 60)
    dialog.add_row("publisher", "Other", "ASCAP", 50)
    dialog.keep()
    assert "more than 100 %" in dialog.problem.text() and not doc.project.table(RightsShare)
    dialog.table.item(2, 3).setText("40")
    dialog.keep()
    kept = sorted((r.role, r.name, r.society, r.share)
                  for r in doc.project.table(RightsShare).values())
    assert kept == [("composer", "Ann Lee", "PRS", 10000),
                    ("publisher", "Film Music Ltd", "PRS", 6000),
                    ("publisher", "Other", "ASCAP", 4000)]
    doc.undo()
    assert not doc.project.table(RightsShare)


def test_a_read_only_project_is_not_changed_from_the_list(qtbot: QtBot) -> None:
    doc = _doc()
    doc.read_only = True
    cues = CueList(doc, lambda _f: None)
    qtbot.addWidget(cues)
    said: list[str] = []
    cues.post = said.append
    first = cues.topLevelItem(0).child(0)
    assert not cues.editable(first, 7)
    first.setText(7, "approved")
    assert "read-only" in said[-1]
    assert all(not a.isEnabled() for a in cues.context_menu().actions() if not a.isSeparator())
    first = cues.topLevelItem(0).child(0)
    first.setSelected(True)
    qtbot.keyClick(cues, Qt.Key.Key_Delete)
    assert len(doc.project.cues) == 3 and "read-only" in said[-1]


def test_a_csv_s_columns_are_chosen_from_its_header_and_remembered(qtbot: QtBot,
                                                                   tmp_path: Path) -> None:
    from cuesketch.ui.marker_import_dialog import MarkerImportDialog
    doc = _doc()
    data = tmp_path / "m.csv"
    data.write_text("When,What,Shade\n01:00:20:00,Gun,red\n")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = MarkerImportDialog(doc, data, settings)
    qtbot.addWidget(dialog)
    assert "Nothing can be imported" in dialog.summary.text()  # no timecode column it knows
    box = dialog.column_boxes["tc"]
    box.setCurrentIndex(box.findData("When"))
    dialog.column_boxes["name"].setCurrentIndex(dialog.column_boxes["name"].findData("What"))
    assert "will add 1 hits" in dialog.summary.text()
    dialog.ok.click()
    assert any(h.name == "Gun" and h.frame == 480 for h in doc.project.hits.values())
    again = MarkerImportDialog(doc, data, settings)
    qtbot.addWidget(again)
    assert again.column_boxes["tc"].currentData() == "When"


def test_a_read_only_project_opens_no_spotting_dialog_and_a_late_refusal_is_said(
        qtbot: QtBot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from PySide6.QtWidgets import QDialog, QLabel

    from cuesketch.model.entities import RightsShare
    from cuesketch.engine.clock import FakeClock
    from cuesketch.engine.transport import Transport
    from cuesketch.ui.marker_import_dialog import MarkerImportDialog
    from cuesketch.ui.spotting_actions import SpottingActions
    from cuesketch.ui.spotting_rights_dialog import RightsDialog
    doc = _doc()
    services = SimpleNamespace(document=doc, transport=Transport(FakeClock()),
                               project_file=None, project_path=None)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    spotting = SpottingActions(QLabel(), services, lambda _s: None, settings)  # type: ignore[arg-type]
    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(spotting, "error", lambda title, text: errors.append((title, text)))
    asked: list[str] = []
    monkeypatch.setattr(spotting, "choose_open", lambda *a, **k: asked.append("file"))
    opened: list[str] = []
    monkeypatch.setattr(QDialog, "exec", lambda self: opened.append(type(self).__name__) or 0)
    doc.read_only = True
    spotting.import_markers()
    spotting.detect_cuts()
    spotting.rights()
    assert [t for t, _ in errors] == ["Import markers", "Detect cuts", "Writers and publishers"]
    assert all("read-only" in text for _, text in errors) and not asked and not opened
    # a dialog already open when the project turns read-only says why, and stays open
    doc.read_only = False
    edl = tmp_path / "cut.edl"
    edl.write_text("TITLE: x\nFCM: NON-DROP FRAME\n\n"
                   "001  AX V C 01:00:00:00 01:00:09:00 01:00:00:00 01:00:09:00\n"
                   "* LOC: 01:00:01:14 RED     Slam\n")
    dialog = MarkerImportDialog(doc, edl, settings)
    qtbot.addWidget(dialog)
    rights = RightsDialog(doc)
    qtbot.addWidget(rights)
    rights.add_row("composer", "Ann Lee", "PRS", 100)
    doc.read_only = True
    dialog._land()
    rights.keep()
    assert "read-only" in dialog.summary.text() and dialog.landed == 0
    assert "read-only" in rights.problem.text() and not doc.project.table(RightsShare)


def test_the_list_rebuilds_once_for_its_own_changes_keeping_selection_and_scroll(
        qtbot: QtBot) -> None:
    from cuesketch.model.changes import insert
    from cuesketch.model.entities import Note, Track
    from cuesketch.ui.cue_list import SpottingFilterBar
    doc = _doc()
    ed = SpottingEditor(doc)
    for i in range(60):
        ed.add_hit(3000 + 10 * i, HitKind.HARD, f"h{i}")
    cues = CueList(doc, lambda _f: None)
    qtbot.addWidget(cues)
    bar = SpottingFilterBar(cues)
    qtbot.addWidget(bar)
    cues.resize(400, 200)
    cues.show()
    built: list[int] = []
    real = cues._fill
    cues._fill = lambda: (built.append(1), real())[1]  # type: ignore[method-assign]
    chose: list[int] = []
    real_choices = bar.refresh_choices
    bar.refresh_choices = lambda: (chose.append(1), real_choices())[1]  # type: ignore[method-assign]
    target = cues.topLevelItem(1).child(40)
    name = cues.row_of(target).entity.name  # type: ignore[union-attr]
    cues.setCurrentItem(target)
    target.setSelected(True)
    cues.scrollToItem(target)
    scroll = cues.verticalScrollBar().value()
    assert scroll > 0
    with doc.transaction("Add a track and a note"):  # not the list's business
        doc.execute_changes([insert(Track(50, "Horns"))])
    doc.execute_changes([insert(Note(77, 50, 0, 10, 60, 90))])
    qtbot.wait(10)
    assert not built and not chose
    for i in range(3):  # three hits in a row: one rebuild, after them; cues unchanged
        ed.add_hit(10 + i, HitKind.CUT)
    assert not built
    qtbot.waitUntil(lambda: built == [1])
    qtbot.wait(10)
    assert built == [1] and not chose
    selected = [cues.row_of(i).entity for i in cues.selectedItems()]  # type: ignore[union-attr]
    assert [e.name for e in selected] == [name]  # type: ignore[union-attr]
    assert cues.row_of(cues.currentItem()).entity.name == name  # type: ignore[union-attr]
    assert cues.verticalScrollBar().value() == scroll
    ed.add_cue(9000, 9100, title="Late")
    qtbot.waitUntil(lambda: len(built) == 2)
    assert chose


def test_rights_shares_that_are_not_numbers_are_said_and_an_unchanged_sheet_adds_no_step(
        qtbot: QtBot) -> None:
    from cuesketch.model.entities import RightsShare
    from cuesketch.ui.spotting_rights_dialog import RightsDialog
    doc = _doc()
    dialog = RightsDialog(doc)
    qtbot.addWidget(dialog)
    dialog.add_row("composer", "Ann Lee", "PRS", 100)
    for bad in ("nan", "1e999", "-5", "inf"):
        dialog.table.item(0, 3).setText(bad)
        dialog.keep()
        assert "percentage from 0 to 100" in dialog.problem.text(), bad
        assert not doc.project.table(RightsShare)
    dialog.table.item(0, 3).setText("100")
    dialog.keep()
    steps = len(doc._undo)
    again = RightsDialog(doc)
    qtbot.addWidget(again)
    again.keep()  # OK with nothing changed
    assert len(doc._undo) == steps and len(doc.project.table(RightsShare)) == 1


def test_a_csv_column_named_with_a_comma_or_equals_is_mapped_by_its_number(
        qtbot: QtBot, tmp_path: Path) -> None:
    from cuesketch.ui.marker_import_dialog import MarkerImportDialog
    doc = _doc()
    data = tmp_path / "m.csv"
    data.write_text('"Note",,"When, rec",x=y\nslam,,01:00:20:00,Gun\n')
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = MarkerImportDialog(doc, data, settings)
    qtbot.addWidget(dialog)
    tc, name = dialog.column_boxes["tc"], dialog.column_boxes["name"]
    tc.setCurrentIndex(tc.findText("Timecode: When, rec"))
    name.setCurrentIndex(name.findText("Name: x=y"))
    assert (tc.currentData(), name.currentData()) == ("3", "4")  # the empty column counts
    assert "will add 1 hits" in dialog.summary.text(), dialog.summary.text()
    dialog.ok.click()
    assert any(h.name == "Gun" and h.frame == 480 for h in doc.project.hits.values())

