"""A fault that lasts stands at the status bar's right end until it is over."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from cuesketch.ui.status_bar import StatusMessages


def test_a_lasting_fault_stands_until_it_is_over(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    messages = StatusMessages(window.statusBar())
    window.show()
    messages.set_standing("Disk full: the take is kept in memory")
    messages.show("a later message")  # a message does not push the fault away
    assert messages.standing.isVisible()
    assert messages.standing.text() == "Disk full: the take is kept in memory"
    messages.set_standing(None)
    assert not messages.standing.isVisible() and messages.standing.text() == ""
