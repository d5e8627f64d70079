"""The status bar: the newest message at once, long ones cut at a word, none left stale."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QMainWindow
from pytestqt.qtbot import QtBot

from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.changes import delete
from cuesketch.model.document import Document
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.status_bar import ELLIPSIS, StatusMessages, elide_words

LONG = ("Rendered the whole project to /home/composer/Films/Reel 1/mixes/reel 1 v3.wav: "
        "1:42.500, peak -3.1 dBFS; a Broadcast WAV that a DAW places at 01:00:00:00")


def test_elision_ends_on_a_whole_word() -> None:
    def fits(width: int):
        return lambda t: len(t) <= width
    assert elide_words("short", fits(10)) == "short"
    assert elide_words("Quantized 2 notes to sixteenths", fits(20)) == \
        "Quantized 2 notes" + ELLIPSIS
    assert elide_words("one, two: three", fits(12)) == "one, two" + ELLIPSIS  # no dangling ":"
    assert elide_words("/a/very/long/path/only", fits(8)) == "/a/very" + ELLIPSIS
    for width in range(len("Rendered…"), len(LONG)):  # from where the first word fits
        shown = elide_words(LONG, fits(width))
        assert len(shown) <= width and shown.endswith(ELLIPSIS)
        words = shown[:-1].split(" ")
        assert all(w in LONG.split(" ") for w in words[:-1])
        assert LONG.startswith(shown[:-1]) and LONG[len(shown[:-1])] in " ,;:"


def bar_window(qtbot: QtBot, document: Document | None = None,
               width: int = 420) -> tuple[QMainWindow, StatusMessages]:
    window = QMainWindow()
    qtbot.addWidget(window)
    messages = StatusMessages(window.statusBar(), document)
    window.resize(width, 200)
    window.show()
    qtbot.waitExposed(window)
    return window, messages


def test_a_long_message_is_cut_at_a_word_with_all_of_it_in_the_tooltip(qtbot: QtBot) -> None:
    window, messages = bar_window(qtbot)
    messages.show(LONG)
    label = messages.label
    shown = label.text()
    assert shown.endswith(ELLIPSIS) and LONG.startswith(shown[:-1])
    assert LONG[len(shown) - 1] in " ,;:" and label.toolTip() == LONG
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    window.resize(2400, 200)  # room enough: all of it, no tooltip needed
    qtbot.waitUntil(lambda: label.text() == LONG)
    assert label.toolTip() == ""


def test_every_message_replaces_the_last_at_once(qtbot: QtBot) -> None:
    window, messages = bar_window(qtbot)
    messages.show("Quantized 2 notes")
    window.statusBar().showMessage("Undid Quantize", 4000)  # Qt's own call lands here too
    assert messages.text() == "Undid Quantize" and window.statusBar().currentMessage() == ""
    messages.show("Opening x.cuesketch in a new window")
    assert messages.label.text() == "Opening x.cuesketch in a new window"


def test_a_message_goes_when_its_time_is_up(qtbot: QtBot) -> None:
    _, messages = bar_window(qtbot)
    messages.show("Saved", timeout_ms=50)
    qtbot.waitUntil(lambda: messages.text() == "", timeout=2000)


def test_an_edit_that_says_nothing_replaces_a_stale_message(qtbot: QtBot) -> None:
    doc = Document(build_demo())
    _, messages = bar_window(qtbot, doc, width=900)
    messages.show("Quantized 2 notes")
    notes = list(doc.project.notes.values())
    doc.execute_changes([delete(notes[0])], "Delete notes")
    assert messages.text() == "Delete notes"
    doc.undo()
    assert messages.text() == ""  # the undo says itself what it did
    doc.redo()
    assert messages.text() == "Delete notes"


def test_the_main_window_uses_it(qtbot: QtBot, tmp_path: Path) -> None:
    from cuesketch.ui.main_window import MainWindow
    doc = Document(build_demo())
    status = StatusSignals()
    w = MainWindow(doc, Transport(FakeClock()), QLabel("picture"), QLabel("roll"), status,
                   settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    status.post("Quantized 2 notes")
    assert w.status_messages.text() == "Quantized 2 notes"
    doc.execute_changes([delete(next(iter(doc.project.notes.values())))], "Delete notes")
    assert w.status_messages.text() == "Delete notes"
    w.action_map["edit.undo"].trigger()
    assert w.status_messages.text() == "Undid Delete notes"
