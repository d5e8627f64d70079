"""Closing a window whose project is only all there in memory (its folder gone, the disk full,
a take not landed) offers Save As first; a close the system asks for asks nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.bridge import StatusSignals
from tests.ui.test_file_actions import Answers, Setup, answers, setup  # noqa: F401 (fixtures)

Button = QMessageBox.StandardButton


class FakeFaults:
    """The fault watch as far as closing asks it (the real one: tests/test_fault_trials.py)."""

    def __init__(self, fails: bool = False) -> None:
        self.needs_save_as = True
        self.standing = "Project folder gone: keeping everything"
        self.saved: list[Path] = []
        self.fails = fails

    def save_as(self, dest: Path) -> Path:
        if self.fails:
            raise OSError(28, "No space left on device", str(dest))
        self.saved.append(dest)
        self.needs_save_as = False
        return dest


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch, answers: Answers) -> list[Button]:  # noqa: F811
    """The buttons the close question answers, in turn (what it said: answers.warnings)."""
    replies: list[Button] = []

    def warning(_parent, _title, text, *rest):  # type: ignore[no-untyped-def]
        answers.warnings.append(text)
        return replies.pop(0) if rest else None  # a plain warning has no buttons to answer
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    return replies


def files_of(setup: Setup):  # noqa: F811  # type: ignore[no-untyped-def]
    from cuesketch.ui.file_actions import FileActions
    return FileActions(setup.window, setup.services, setup.answers.posted.append)


def test_a_project_on_disk_closes_without_a_question(setup: Setup, boxes: list[Button]) -> None:  # noqa: F811
    assert files_of(setup).may_close() and setup.answers.warnings == []


def test_cancel_keeps_the_window_and_discard_lets_it_go(setup: Setup,  # noqa: F811
                                                        boxes: list[Button]) -> None:
    faults = FakeFaults()
    setup.services.faults = faults  # type: ignore[assignment]
    files = files_of(setup)
    boxes += [Button.Cancel, Button.Discard]
    assert not files.may_close()
    assert "Project folder gone" in setup.answers.warnings[0]
    assert "not all on disk" in setup.answers.warnings[0]
    assert files.may_close() and faults.saved == []


def test_save_writes_from_memory_then_closes(setup: Setup, boxes: list[Button],  # noqa: F811
                                             tmp_path: Path) -> None:
    faults = FakeFaults()
    setup.services.faults = faults  # type: ignore[assignment]
    files = files_of(setup)
    dest = tmp_path / "elsewhere" / "demo rescued.cuesketch"
    dest.parent.mkdir()
    boxes += [Button.Save, Button.Save]
    setup.answers.save_file += ["", str(dest)]  # the first Save As dialog is cancelled
    assert not files.may_close() and faults.saved == []
    assert files.may_close() and faults.saved == [dest]


def test_a_save_that_fails_keeps_the_window(setup: Setup, boxes: list[Button],  # noqa: F811
                                            tmp_path: Path) -> None:
    setup.services.faults = FakeFaults(fails=True)  # type: ignore[assignment]
    boxes.append(Button.Save)
    setup.answers.save_file.append(str(tmp_path / "full.cuesketch"))
    assert not files_of(setup).may_close()
    said = setup.answers.warnings[-1]
    assert "the disk is full" in said and "Nothing was closed" in said


def test_opening_another_project_asks_first(setup: Setup, boxes: list[Button],  # noqa: F811
                                            tmp_path: Path) -> None:
    setup.services.faults = FakeFaults()  # type: ignore[assignment]
    files = files_of(setup)
    boxes.append(Button.Cancel)
    files.switch_to(tmp_path / "other.cuesketch")
    assert setup.answers.launched == [] and setup.window.isVisible()
    boxes.append(Button.Discard)
    files.switch_to(tmp_path / "other.cuesketch")
    assert setup.answers.launched == [tmp_path / "other.cuesketch"]
    assert not setup.window.isVisible()  # and it was asked once, not again on closing
    assert len(setup.answers.warnings) == 2


def test_the_window_asks_its_guards_and_a_signal_does_not(qtbot: QtBot, tmp_path: Path) -> None:
    w = MainWindow(Document(build_demo()), Transport(FakeClock()), QLabel(), QLabel(),
                   StatusSignals(), {},
                   QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    closed: list[bool] = []
    w.closing.connect(lambda: closed.append(True))
    asked: list[bool] = []
    w.close_guards.append(lambda: asked.append(True) or False)
    w.close()
    assert asked == [True] and w.isVisible() and closed == []
    w.force_close()
    assert asked == [True] and not w.isVisible() and closed == [True]


def test_the_built_window_asks_before_closing(qtbot: QtBot, tmp_path: Path,
                                              boxes: list[Button]) -> None:
    from tests.ui.test_roll_layout import open_window
    window = open_window(qtbot, tmp_path)
    window.show()
    boxes.append(Button.Cancel)
    faults = FakeFaults()
    guard = window.close_guards[0]
    owner = guard.__self__  # type: ignore[attr-defined]  # the window's FileActions
    owner.services.faults = faults
    window.close()
    assert window.isVisible() and boxes == []  # asked, and Cancel kept it
    faults.needs_save_as = False
    window.close()
    assert not window.isVisible()
