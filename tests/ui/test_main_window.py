from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.main_window import MainWindow


def make_window(qtbot: QtBot, tmp_path: Path) -> tuple[MainWindow, Transport, FakeClock]:
    clock = FakeClock()
    transport = Transport(clock)
    doc = Document(build_demo())
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    w = MainWindow(doc, transport, QLabel("picture"), QLabel("roll"), StatusSignals(),
                   settings=settings)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    w.windowHandle().requestActivate()
    qtbot.waitUntil(w.isActiveWindow)  # shortcuts fire only in the active window
    return w, transport, clock


def test_keys_drive_the_transport(qtbot: QtBot, tmp_path: Path) -> None:
    w, t, clock = make_window(qtbot, tmp_path)
    frame = w.frame_flicks()
    qtbot.keyClick(w, Qt.Key.Key_Right)
    qtbot.keyClick(w, Qt.Key.Key_Right)
    assert t.position() == 2 * frame
    qtbot.keyClick(w, Qt.Key.Key_Left)
    assert t.position() == frame
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert t.playing
    clock.advance_s(1)
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert not t.playing and t.position() == frame + 24 * frame
    qtbot.keyClick(w, Qt.Key.Key_Home)
    assert t.position() == 0
    qtbot.keyClick(w, Qt.Key.Key_R)
    assert t.recording and t.playing
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert not t.recording


def test_transport_bar_shows_the_timecode(qtbot: QtBot, tmp_path: Path) -> None:
    w, t, clock = make_window(qtbot, tmp_path)
    t.seek(w.frame_flicks() * (24 * 61 + 5))
    w.transport_bar.refresh()
    assert w.transport_bar.timecode.text() == "01:01:01:05"


def test_double_click_on_a_hit_goes_there(qtbot: QtBot, tmp_path: Path) -> None:
    w, t, clock = make_window(qtbot, tmp_path)
    hits = w.cue_list.topLevelItem(1)
    item = hits.child(1)  # the cut at frame 593
    w.cue_list._on_double_click(item, 0)
    assert t.position() == 593 * w.frame_flicks()


def test_layout_is_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    w, _, _ = make_window(qtbot, tmp_path)
    w.resize(701, 501)
    w.splitter.setSizes([300, 700])
    sizes = w.splitter.sizes()
    w.close()
    w2, _, _ = make_window(qtbot, tmp_path)
    assert w2.size().width() == 701 and w2.size().height() == 501
    assert w2.splitter.sizes() == sizes


def test_undo_label_follows_history(qtbot: QtBot, tmp_path: Path) -> None:
    from cuesketch.model.changes import insert
    from cuesketch.model.entities import Hit
    w, _, _ = make_window(qtbot, tmp_path)
    assert not w.action_map["edit.undo"].isEnabled()
    w.document.execute_changes([insert(Hit(99, 10, "door"))], "Add hit")
    assert w.action_map["edit.undo"].isEnabled()
    assert "Add hit" in w.action_map["edit.undo"].text()
    w.action_map["edit.undo"].trigger()
    assert 99 not in w.document.project.hits


def test_history_view_lists_steps_and_jumps(qtbot: QtBot, tmp_path: Path) -> None:
    from cuesketch.model.changes import insert
    from cuesketch.model.entities import Hit
    w, _, _ = make_window(qtbot, tmp_path)
    for i in range(3):
        w.document.execute_changes([insert(Hit(100 + i, 10 * i, f"hit {i}"))], f"Add hit {i}")
    labels = [w.history.item(i).text() for i in range(w.history.count())]
    assert labels == ["(as opened)", "Add hit 0", "Add hit 1", "Add hit 2"]
    w.history._go_to(w.history.item(1))  # back to just after the first step
    assert set(w.document.project.hits) - set(build_demo().hits) == {100}
    w.history._go_to(w.history.item(3))
    assert {100, 101, 102} <= set(w.document.project.hits)


def test_cue_list_follows_edits_and_undo(qtbot: QtBot, tmp_path: Path) -> None:
    from cuesketch.model.changes import insert
    from cuesketch.model.entities import Cue
    w, _, _ = make_window(qtbot, tmp_path)
    cues = w.cue_list.topLevelItem(0)
    before = cues.childCount()
    w.document.execute_changes([insert(Cue(99, "2M1", 1300, 1400, None, "Credits"))], "Add cue")
    w.cue_list.flush()  # the list rebuilds once after a burst of changes; now, to read it
    cues = w.cue_list.topLevelItem(0)
    assert cues.childCount() == before + 1
    assert cues.child(before).text(0) == "2M1" and cues.child(before).text(3) == "Credits"
    w.document.undo()
    qtbot.waitUntil(lambda: w.cue_list.topLevelItem(0).childCount() == before)


def test_problems_show_by_their_first_words_in_full_in_the_tooltip(qtbot: QtBot,
                                                                   tmp_path: Path) -> None:
    w, _, _ = make_window(qtbot, tmp_path)
    damaged = ("Chase.cuesketch is damaged (its header is damaged). It is open read-only with "
               "what could be read; save a recovered copy to go on working.")
    w.show_problems([damaged, "no audio device: playing silently (choose a driver)",
                     "the project is open read-only"])
    assert w.status_label.text() == ("Chase.cuesketch is damaged · no audio device · "
                                     "the project is open read-only")
    assert damaged in w.status_label.toolTip()


def test_a_damaged_project_offers_a_recovered_copy_at_once(qtbot: QtBot, tmp_path: Path) -> None:
    from cuesketch.ui.main_window import damaged_notice
    saved: list[bool] = []
    doc = Document(build_demo())
    w = MainWindow(doc, Transport(FakeClock()), QLabel(), QLabel(), StatusSignals(),
                   {"file.save_as": lambda: saved.append(True)},
                   QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    box = damaged_notice(w, "Chase.cuesketch is damaged. Part of the notes could not be read.")
    assert box.isVisible() and "Part of the notes" in box.text()
    box.defaultButton().click()
    assert saved == [True]


def test_a_project_that_cant_be_opened_is_said_in_a_box(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Started from a file manager there is no terminal: the reason must be on the screen.
    from PySide6.QtWidgets import QMessageBox

    from cuesketch.app import run_gui
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "exec",
                        lambda box: shown.append((box.windowTitle(), box.text())) or 0)
    junk = tmp_path / "notes.cuesketch"
    junk.write_bytes(b"%PDF-1.7\n" + bytes(5000))
    assert run_gui(str(junk)) == 1
    assert shown == [("notes.cuesketch can't be opened",
                      f"{junk} is not a Cuesketch project")]
    assert junk.read_bytes() == b"%PDF-1.7\n" + bytes(5000)
