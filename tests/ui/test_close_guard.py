"""Closing a window (or opening another project in its stead) when something is only in
memory (a take the file refused, a project whose folder went with no rescue copy made) offers
Save As first; a close the system asks for asks nothing, and saves a rescue copy instead."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.fault_watch import FaultWatch
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.store.journal import Journal
from cuesketch.store.project_file import ProjectFile
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.main_window import MainWindow
from tests.ui.test_file_actions import Answers, Setup, answers, setup  # noqa: F401 (fixtures)

Button = QMessageBox.StandardButton


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


def watch(setup: Setup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FaultWatch:  # noqa: F811
    """The real fault watch over the setup's project (not started: the test looks for it)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    services = setup.services
    faults = FaultWatch(services.document, services.transport, None,
                        journal=Journal(setup.path), project_file=services.project_file)
    services.faults = faults
    return faults


def folder_goes(setup: Setup, faults: FaultWatch) -> None:  # noqa: F811
    faults.GONE_AFTER_LOOKS = 1
    faults.rescue_now = lambda: None  # type: ignore[method-assign]
    shutil.rmtree(setup.path.parent)
    faults._look_at_disk()
    assert faults.folder_gone and faults.only_in_memory


def test_a_project_on_disk_closes_without_a_question(setup: Setup, boxes: list[Button],  # noqa: F811
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    faults = watch(setup, monkeypatch, tmp_path)
    faults.disk_full = True  # a full disk alone: an edit it refuses is taken back at once
    assert faults.needs_save_as and not faults.only_in_memory
    assert files_of(setup).may_close() and setup.answers.warnings == []


def test_cancel_keeps_the_window_and_discard_lets_it_go(setup: Setup,  # noqa: F811
                                                        boxes: list[Button],
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    faults = watch(setup, monkeypatch, tmp_path)
    folder_goes(setup, faults)
    files = files_of(setup)
    boxes += [Button.Cancel, Button.Discard]
    assert not files.may_close()
    assert "folder gone" in setup.answers.warnings[0]
    assert "not all on disk" in setup.answers.warnings[0]
    assert files.may_close()


def test_save_writes_from_memory_then_closes(setup: Setup, boxes: list[Button],  # noqa: F811
                                             monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    faults = watch(setup, monkeypatch, tmp_path)
    notes = dict(setup.document.project.notes)
    folder_goes(setup, faults)
    files = files_of(setup)
    dest = tmp_path / "elsewhere" / "demo rescued.cuesketch"
    dest.parent.mkdir()
    boxes += [Button.Save, Button.Save]
    setup.answers.save_file += ["", str(dest)]  # the first Save As dialog is cancelled
    assert not files.may_close() and not dest.exists()
    assert files.may_close()  # saved: the real watch lets it go
    assert len(setup.answers.warnings) == 2 and faults.project_path == dest
    with ProjectFile.open(dest, read_only=True) as saved:
        assert saved.load().notes == notes


def test_a_save_that_fails_keeps_the_window(setup: Setup, boxes: list[Button],  # noqa: F811
                                            monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    faults = watch(setup, monkeypatch, tmp_path)
    folder_goes(setup, faults)

    def full(dest: Path) -> Path:
        raise OSError(28, "No space left on device", str(dest))
    faults.save_as = full  # type: ignore[method-assign]
    boxes.append(Button.Save)
    setup.answers.save_file.append(str(tmp_path / "full.cuesketch"))
    assert not files_of(setup).may_close()
    said = setup.answers.warnings[-1]
    assert "the disk is full" in said and "Nothing was closed" in said


def test_opening_another_project_asks_once_before_anything(setup: Setup,  # noqa: F811
                                                           boxes: list[Button],
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    other = tmp_path / "other.cuesketch"
    ProjectFile.write_new(other, build_demo())
    faults = watch(setup, monkeypatch, tmp_path)
    folder_goes(setup, faults)
    files = files_of(setup)
    boxes.append(Button.Cancel)
    files.open_path(other, "Open")
    assert setup.answers.launched == [] and setup.window.isVisible()
    boxes.append(Button.Discard)
    files.open_path(other, "Open")
    assert setup.answers.launched == [other] and not setup.window.isVisible()
    assert len(setup.answers.warnings) == 2


def window_on_demo(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    w = MainWindow(Document(build_demo()), Transport(FakeClock()), QLabel(), QLabel(),
                   StatusSignals(), {},
                   QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    return w


def test_the_window_asks_its_guards_and_a_signal_does_not(qtbot: QtBot, tmp_path: Path) -> None:
    w = window_on_demo(qtbot, tmp_path)
    closed: list[bool] = []
    w.closing.connect(lambda: closed.append(True))
    asked: list[bool] = []
    w.close_guards.append(lambda: asked.append(True) or False)
    w.close()
    assert asked == [True] and w.isVisible() and closed == []
    w.force_close()
    assert asked == [True] and not w.isVisible() and closed == [True]


def test_a_signal_while_the_question_is_open_closes_right_after_it(
        qtbot: QtBot, tmp_path: Path) -> None:
    w = window_on_demo(qtbot, tmp_path)
    closed: list[bool] = []
    w.closing.connect(lambda: closed.append(True))

    def ask() -> bool:  # a real modal question, answered by nobody: the signal comes
        box = QMessageBox(QMessageBox.Icon.Warning, "Close", "Save first?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                          w)
        QTimer.singleShot(50, w.force_close)
        return box.exec() == QMessageBox.StandardButton.Save
    w.close_guards.append(ask)
    w.close()
    qtbot.waitUntil(lambda: closed == [True], timeout=5000)
    assert not w.isVisible()


def test_a_guard_that_fails_asks_plainly(qtbot: QtBot, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    w = window_on_demo(qtbot, tmp_path)
    said: list[str] = []
    replies = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda _p, _t, text, *r: said.append(text) or replies.pop(0)))

    def broken() -> bool:
        raise KeyError("recorder")
    w.close_guards.append(broken)
    w.close()
    assert w.isVisible() and "could not check that everything is saved" in said[0]
    w.close()
    assert not w.isVisible()


def test_the_built_window_and_its_open_recent_ask_once(qtbot: QtBot, tmp_path: Path,
                                                       boxes: list[Button],
                                                       answers: Answers,  # noqa: F811
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.ui.test_roll_layout import open_window

    from cuesketch.ui.recent import RecentProjects, RecentStore
    other = tmp_path / "other.cuesketch"
    ProjectFile.write_new(other, build_demo())
    window = open_window(qtbot, tmp_path)
    guard = window.close_guards[0]
    files = guard.__self__  # type: ignore[attr-defined]  # the window's FileActions
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    faults = FaultWatch(files.services.document, files.services.transport, None)
    faults.folder_gone = True  # as the watch finds it
    files.services.faults = faults
    boxes.append(Button.Cancel)
    window.close()
    assert window.isVisible() and len(answers.warnings) == 1  # asked, and Cancel kept it
    RecentProjects(RecentStore(window.settings)).add(other)
    from cuesketch.ui import recent
    menu = recent.install_for(window, window.action_map, files.services, lambda _t: None,
                              window.settings, files=files)
    entry = next(a for a in menu.actions() if a.toolTip() == str(other.resolve()))
    boxes.append(Button.Discard)
    entry.trigger()
    assert answers.launched == [other.resolve()] and not window.isVisible()
    assert len(answers.warnings) == 2  # once for Open Recent, not again on closing


def test_a_close_nobody_is_asked_about_saves_a_rescue_copy(setup: Setup,  # noqa: F811
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    faults = watch(setup, monkeypatch, tmp_path)
    assert faults.rescue_now() is None  # nothing only in memory: nothing written
    notes = dict(setup.document.project.notes)
    faults.GONE_AFTER_LOOKS = 1
    shutil.rmtree(setup.path.parent)
    faults._look_at_disk()
    saved = faults.rescue_now()
    assert saved is not None and saved.is_relative_to(tmp_path / "data")
    assert not faults.only_in_memory
    with ProjectFile.open(saved, read_only=True) as copy:
        assert copy.load().notes == notes


class RefusedTake:
    """A recorder whose take the full disk refuses when it lands (the real one:
    tests/engine/test_fault_watch.py)."""

    def __init__(self) -> None:
        self.active = True
        self.unlanded: list[str] = []

    def stop(self) -> None:
        self.active = False
        self.unlanded.append("take")


def with_a_refused_take(setup: Setup, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                        tmp_path: Path) -> tuple[FaultWatch, RefusedTake]:
    """The real fault watch over a recorder whose takes the disk refuses."""
    faults = watch(setup, monkeypatch, tmp_path)
    take = RefusedTake()
    faults.recorder = take  # type: ignore[assignment]
    setup.services.recorder = take  # type: ignore[assignment]
    return faults, take


def test_a_take_refused_as_another_project_opens_is_asked_about(
        setup: Setup, boxes: list[Button], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        tmp_path: Path) -> None:
    other = tmp_path / "other.cuesketch"
    ProjectFile.write_new(other, build_demo())
    faults, take = with_a_refused_take(setup, monkeypatch, tmp_path)
    boxes.append(Button.Cancel)
    files_of(setup).open_path(other, "Open Recent")  # nothing in memory only, until it lands
    assert take.unlanded and len(setup.answers.warnings) == 1
    assert setup.answers.launched == [] and setup.window.isVisible()


def test_a_signal_closes_under_a_second_box_on_the_question(qtbot: QtBot,
                                                             tmp_path: Path) -> None:
    w = window_on_demo(qtbot, tmp_path)
    closed: list[bool] = []
    w.closing.connect(lambda: closed.append(True))

    def another_box() -> None:  # a render's failure said while the close question is open
        box = QMessageBox(QMessageBox.Icon.Warning, "Render", "failed",
                          QMessageBox.StandardButton.Ok, w)
        QTimer.singleShot(50, w.force_close)
        box.exec()

    def ask() -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Close", "Save first?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                          w)
        QTimer.singleShot(50, another_box)
        return box.exec() == QMessageBox.StandardButton.Save
    w.close_guards.append(ask)
    rescue = QTimer(w)  # should it hang: the boxes go (the timer goes with the window)
    rescue.setSingleShot(True)
    rescue.timeout.connect(lambda: [b.reject() for b in w.findChildren(QMessageBox)])
    rescue.start(3000)
    w.close()
    qtbot.waitUntil(lambda: closed == [True], timeout=2000)
    assert not w.isVisible()


def test_a_rescue_copy_is_said_on_closing_and_close_lets_it_go(
        setup: Setup, boxes: list[Button], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        tmp_path: Path) -> None:
    faults = watch(setup, monkeypatch, tmp_path)
    faults.GONE_AFTER_LOOKS = 1
    shutil.rmtree(setup.path.parent)
    faults._look_at_disk()
    faults.service()  # the rescue copy, in Cuesketch's own folder
    assert faults.rescued is not None and not faults.only_in_memory
    files = files_of(setup)
    boxes += [Button.Cancel, Button.Close, Button.Close]
    assert not files.may_close()
    assert "rescue copy" in setup.answers.warnings[0] and str(faults.rescued) in \
        setup.answers.warnings[0] and "Nothing is lost" in setup.answers.warnings[0]
    assert files.may_close() and files.may_close()  # an answer holds for one close
    assert len(setup.answers.warnings) == 3


def test_letting_one_take_go_does_not_let_the_next_one_go(
        setup: Setup, boxes: list[Button], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        tmp_path: Path) -> None:
    faults, take = with_a_refused_take(setup, monkeypatch, tmp_path)
    take.unlanded.append("first")
    files = files_of(setup)
    monkeypatch.setattr(files, "may_leave", lambda _title: False)  # a render: stay after all
    boxes.append(Button.Discard)
    assert not files.may_close()
    take.unlanded[:] = ["second"]  # the first landed; another was refused since
    boxes.append(Button.Cancel)
    assert not files.may_close() and len(setup.answers.warnings) == 2  # asked again


def test_save_as_while_a_take_is_refused_writes_it_into_the_file_chosen(
        setup: Setup, boxes: list[Button], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        tmp_path: Path) -> None:
    faults, take = with_a_refused_take(setup, monkeypatch, tmp_path)
    saved: list[Path] = []
    monkeypatch.setattr(faults, "save_as", lambda dest: saved.append(dest) or dest)
    dest = tmp_path / "copy.cuesketch"
    setup.answers.save_file.append(str(dest))
    setup.run("file.save_as")
    assert take.unlanded and saved == [dest]  # from memory, the take with it, in this window
    assert setup.answers.launched == [] and setup.answers.warnings == []
