"""The main window: picture beside the piano roll, the transport bar above, cues and hits in a
dock, the status bar below. It lays out what the composition root hands it and routes the
actions; it owns no service."""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (QApplication, QDockWidget, QInputDialog, QLabel, QMainWindow,
                               QMenu, QMessageBox, QSplitter, QToolBar, QWidget)

from cuesketch import __version__
from cuesketch.demo import CREDIT
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.timing.timecode import TimecodeError, parse_timecode
from cuesketch.timing.units import FLICKS_PER_SECOND
from cuesketch.ui.actions import ACTIONS, build_actions
from cuesketch.ui.bridge import DocumentSignals, StatusSignals
from cuesketch.ui.cue_list import CueList, spotting_panel
from cuesketch.ui.edit_actions import EditCommands
from cuesketch.ui.history_view import HistoryView
from cuesketch.ui.manual_dialog import ManualDialog
from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.ui.roll_menu import RollMenu
from cuesketch.ui.shortcuts_dialog import ShortcutsDialog
from cuesketch.ui.status_bar import StatusMessages
from cuesketch.ui.transport_bar import TransportBar
from cuesketch.ui.window_placement import keep_layout, restore_layout

SHUTTLE_SPEEDS = (1.0, 2.0, 4.0, 8.0)


class TypingSwitch(Protocol):
    """Musical typing's event filter, as the window sees it (also a QObject)."""

    def toggle(self) -> bool: ...


class MainWindow(QMainWindow):
    closing = Signal()  # the window is closing: the application quits with it
    def __init__(self, document: Document, transport: Transport, picture: QWidget,
                 roll: QWidget, status: StatusSignals,
                 handlers: dict[str, Callable[[], None]] | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__()
        self.document = document
        self.transport = transport
        self.settings = settings or QSettings("Cuesketch", "Cuesketch")
        # Asked in turn before the window closes (a render running, a project only in
        # memory); any may say no. A close the system asks for (a signal) asks none.
        self.close_guards: list[Callable[[], bool]] = []
        self._forced_close = False
        self._asking = False  # a guard's question is open
        self.setObjectName("MainWindow")
        self.doc_signals = DocumentSignals(document, self)
        self.doc_signals.historyChanged.connect(self._update_title)

        self.edit_commands = EditCommands(roll, self) if isinstance(roll, PianoRoll) else None
        all_handlers = self._transport_handlers()
        all_handlers.update({"edit.undo": self._undo, "edit.redo": self._redo,
                             "help.about": self.show_about, "file.quit": self._quit,
                             "help.manual": self.show_manual,
                             "help.shortcuts": self.show_shortcuts})
        if self.edit_commands is not None:
            all_handlers.update(self.edit_commands.handlers())
        all_handlers.update(handlers or {})
        self.action_map = build_actions(self, all_handlers)
        self._build_menus()
        self.roll_menu: RollMenu | None = None
        if self.edit_commands is not None and isinstance(roll, PianoRoll):
            self.edit_commands.attach(self.action_map)
            self.roll_menu = RollMenu(roll, self.action_map, self.edit_commands.sync)

        self.transport_bar = TransportBar(document, transport, self.action_map, self)
        bar = QToolBar("Transport", self)
        bar.setObjectName("TransportToolBar")
        bar.addWidget(self.transport_bar)
        bar.setMovable(False)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

        self.picture = picture
        self.roll = roll
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("PictureRollSplitter")
        self.splitter.addWidget(picture)
        self.splitter.addWidget(roll)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        self.setCentralWidget(self.splitter)

        self.cue_list = CueList(document, self.go_to_frame, self)
        dock = QDockWidget("Cues and hits", self)
        dock.setObjectName("CueDock")
        dock.setWidget(spotting_panel(self.cue_list))
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)

        self.history = HistoryView(document, self)
        history_dock = QDockWidget("Undo history", self)
        history_dock.setObjectName("HistoryDock")
        history_dock.setWidget(self.history)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, history_dock)
        self.tabifyDockWidget(dock, history_dock)
        from cuesketch.ui.review_dock import ReviewDock
        self.review_notes = ReviewDock(document, self.go_to_frame, parent=self)
        review_dock = QDockWidget("Review", self)
        review_dock.setObjectName("ReviewDock")
        review_dock.setWidget(self.review_notes)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, review_dock)
        self.tabifyDockWidget(dock, review_dock)
        dock.raise_()

        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)
        self.status_messages = StatusMessages(self.statusBar(), document)
        status.message.connect(self.status_messages.show)
        self._update_title()
        self._restore_layout()

    # -- layout ------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        """The menus from the action table, in its order; "Edit/&Transpose" is a submenu."""
        self.menus: dict[str, QMenu] = {}
        for spec in ACTIONS:
            if not spec.menu:
                continue
            menu = self.menus.get(spec.menu)
            if menu is None:
                menu = self._menu(spec.menu)
            elif spec.group_start:
                menu.addSeparator()
            menu.addAction(self.action_map[spec.name])
        view = self.menus["View"]
        self._panel_actions: list[QAction] = []
        view.aboutToShow.connect(self._list_panels)

    def _menu(self, path: str) -> QMenu:
        if "/" not in path:
            menu = self.menus[path] = self.menuBar().addMenu(f"&{path}")
            menu.setObjectName(f"{path}Menu")
            return menu
        top, _, title = path.partition("/")
        parent = self.menus.get(top) or self._menu(top)
        menu = self.menus[path] = parent.addMenu(title)
        menu.setObjectName(f"{top}{title.replace('&', '')}Menu")
        return menu

    def _list_panels(self) -> None:
        """View lists the panels (docks and the transport bar) as they are now: one can be
        brought back after it was closed."""
        view = self.menus["View"]
        for action in self._panel_actions:
            view.removeAction(action)
        self._panel_actions = [view.addSeparator()]
        panels = [(b.windowTitle(), b.toggleViewAction()) for b in self.findChildren(QToolBar)
                  if b.parent() is self]
        panels += [(d.windowTitle(), d.toggleViewAction()) for d in
                   self.findChildren(QDockWidget) if d.parent() is self]
        for title, action in panels:
            action.setText(title)
            view.addAction(action)
            self._panel_actions.append(action)

    def _restore_layout(self) -> None:
        """Open on the screen last used, at the geometry kept for that screen, fitted into its
        available area (``window_placement``); the docks, the picture|roll split and the
        roll's lanes as they were left."""
        restore_layout(self, self.settings, self.splitter, self.roll)

    def force_close(self) -> None:
        """Close without asking (Ctrl+C in the terminal, the system ending the session). A
        question a guard has open is answered no, and the window closes right after it."""
        self._forced_close = True
        if self._asking:  # Qt ignores a close() inside the closeEvent being asked: its
            # questions are closed instead (all of them: one may be on top of another), and
            # the closeEvent, finding the close forced, lets the window go
            for widget in QApplication.topLevelWidgets():
                if widget is not self and widget.isVisible() and widget.isModal():
                    widget.close()
            return
        self.close()

    def _guards_allow(self) -> bool:
        self._asking = True
        try:
            return all(may() for may in self.close_guards)
        except Exception as e:  # a broken guard must neither trap the window nor skip asking
            traceback.print_exc(file=sys.stderr)
            answer = QMessageBox.question(
                self, "Close", f"Cuesketch could not check that everything is saved "
                f"({type(e).__name__}: {e}). Close anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            return answer == QMessageBox.StandardButton.Yes
        finally:
            self._asking = False

    def closeEvent(self, event: QCloseEvent) -> None:
        if not (self._forced_close or self._guards_allow() or self._forced_close):
            event.ignore()  # (forced while a guard asked: it goes all the same)
            return
        keep_layout(self, self.settings, self.splitter, self.roll)
        self.transport.stop()
        super().closeEvent(event)
        self.closing.emit()

    def _update_title(self) -> None:
        s = self.document.project.settings
        ro = " [read-only]" if self.document.read_only else ""
        self.setWindowTitle(f"{s.title}{ro} — Cuesketch")
        self.action_map["edit.undo"].setEnabled(self.document.can_undo)
        self.action_map["edit.redo"].setEnabled(self.document.can_redo)
        history = self.document.history()
        self.action_map["edit.undo"].setText(f"&Undo {history[-1]}" if history else "&Undo")
        redo = self.document.redo_labels()
        self.action_map["edit.redo"].setText(f"&Redo {redo[0]}" if redo else "&Redo")

    def install_typing(self, typing_filter: TypingSwitch) -> None:
        """Musical typing: a filter (a QObject) on the whole application, toggled by its
        action."""
        app = QApplication.instance()
        assert app is not None and isinstance(typing_filter, QObject)
        app.installEventFilter(typing_filter)
        action = self.action_map["edit.musical_typing"]
        action.setEnabled(True)
        action.triggered.connect(
            lambda _checked=False: action.setChecked(typing_filter.toggle()))

    # -- transport ---------------------------------------------------------------------------
    def frame_flicks(self) -> int:
        return self.document.project.settings.rate.flicks_per_frame

    def go_to_frame(self, frame: int) -> None:
        self.transport.seek(self.document.project.settings.rate.frame_to_flicks(frame))

    def step(self, flicks: int) -> None:
        self.transport.stop()
        rate = self.document.project.settings.rate
        frame = rate.flicks_to_frame(self.transport.position())
        self.transport.seek(rate.frame_to_flicks(frame) + flicks)

    def _shuttle(self, direction: int) -> None:
        t = self.transport
        if direction == 0:
            t.stop()
            return
        speed = t.speed if t.playing else 0.0
        if speed * direction <= 0:
            new = SHUTTLE_SPEEDS[0] * direction
        else:
            i = min(SHUTTLE_SPEEDS.index(abs(speed)) + 1, len(SHUTTLE_SPEEDS) - 1) \
                if abs(speed) in SHUTTLE_SPEEDS else 0
            new = SHUTTLE_SPEEDS[i] * direction
        t.stop()
        t.play(new)

    def _go_to_timecode(self) -> None:
        s = self.document.project.settings
        text, ok = QInputDialog.getText(self, "Go to timecode", f"Timecode ({s.rate.name} fps):")
        if not ok or not text.strip():
            return
        try:
            frame = parse_timecode(text, s.rate)
        except (TimecodeError, ValueError) as e:
            QMessageBox.warning(self, "Go to timecode", str(e))
            return
        self.go_to_frame(frame - s.start_frame)

    def _transport_handlers(self) -> dict[str, Callable[[], None]]:
        t = self.transport
        second = FLICKS_PER_SECOND
        return {
            "transport.play": t.toggle,
            "transport.stop": t.stop,
            "transport.record": self._toggle_record,
            "transport.start": lambda: t.seek(0),
            "transport.frame_back": lambda: self.step(-self.frame_flicks()),
            "transport.frame_forward": lambda: self.step(self.frame_flicks()),
            "transport.second_back": lambda: self.step(-second),
            "transport.second_forward": lambda: self.step(second),
            "transport.shuttle_back": lambda: self._shuttle(-1),
            "transport.shuttle_pause": lambda: self._shuttle(0),
            "transport.shuttle_forward": lambda: self._shuttle(1),
            "transport.goto": self._go_to_timecode,
        }

    def _quit(self) -> None:
        self.close()

    def _toggle_record(self) -> None:
        t = self.transport
        if t.recording:
            t.stop()
        else:
            t.set_recording(True)
            if not t.playing:
                t.play()

    # -- edit --------------------------------------------------------------------------------
    def _undo(self) -> None:
        label = self.document.undo()
        if label:
            self.statusBar().showMessage(f"Undid {label}", 4000)

    def _redo(self) -> None:
        label = self.document.redo()
        if label:
            self.statusBar().showMessage(f"Redid {label}", 4000)

    def show_manual(self) -> None:
        """Help › Manual, beside the window (not modal: read it while trying things)."""
        dialog = self.findChild(ManualDialog) or ManualDialog(self)
        dialog.show()
        dialog.raise_()

    def show_shortcuts(self) -> None:
        """Help › Keyboard Shortcuts, its search box ready."""
        dialog = self.findChild(ShortcutsDialog) or ShortcutsDialog(self)
        dialog.show()
        dialog.raise_()
        dialog.search.setFocus()

    def show_about(self) -> None:
        QMessageBox.about(
            self, "About Cuesketch",
            f"<h3>Cuesketch {__version__}</h3><p>Sketch film music against picture, "
            f"to the frame.</p><p>Demo film: {CREDIT}.</p>"
            "<p>Default SoundFont: FluidR3_GM by Frank Wen (MIT licence).</p>")

    def show_problems(self, problems: list[str]) -> None:
        """What is missing (no audio, no MIDI, no SoundFont): said once, kept in the status."""
        if problems:
            self.status_label.setText(" · ".join(_headline(p) for p in problems))
            self.status_label.setToolTip("\n".join(problems))
            self.statusBar().showMessage(problems[0], 15000)


def _headline(problem: str) -> str:
    """A problem's first words, for the status bar: "no audio device: playing silently (...)"
    is "no audio device"; the whole text is in the tooltip."""
    return re.split(r": |\. | \(", problem, maxsplit=1)[0].rstrip(".")


def damaged_notice(window: MainWindow, reason: str) -> QMessageBox:
    """Said at once when the project opened damaged: it is read-only, and the way on is a
    recovered copy (File › Save As writes what could be read)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "The project is damaged", reason,
                      QMessageBox.StandardButton.NoButton, window)
    save = box.addButton("Save a Recovered Copy…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Look at It Read-only", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save)
    save.clicked.connect(window.action_map["file.save_as"].trigger)
    box.open()
    return box


def action(window: MainWindow, name: str) -> QAction:
    return window.action_map[name]
