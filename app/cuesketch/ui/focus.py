"""Who gets a key: a text being typed, or the window's shortcuts and musical typing.

A composer types names into fields (a snapshot, a track, a cue) with musical typing on and the
film playing; the letters must land in the field, not play notes, and Space must not start the
film. Once the edit ends (Enter, Escape, a click elsewhere), the keys belong to the window again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox,
                               QKeySequenceEdit, QLineEdit, QPlainTextEdit, QTextEdit, QWidget)


def is_text_entry(widget: QWidget | None) -> bool:
    """Whether keys typed into ``widget`` are text (a field, a spin box, an editable combo,
    an open cell editor), so no shortcut or musical typing may take them."""
    if widget is None:
        return False
    if isinstance(widget, (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)):
        return not widget.isReadOnly()
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, QKeySequenceEdit)


def keys_belong_to_text() -> bool:
    """True while the user is typing text or answering a dialog: the focus is in a text entry,
    or a modal dialog or a popup (a menu, a combo's list) is open."""
    if QApplication.activeModalWidget() is not None or QApplication.activePopupWidget() is not None:
        return True
    return is_text_entry(QApplication.focusWidget())


def _in_item_view(widget: QWidget) -> bool:
    """A cell editor: its view ends the edit on Enter and Escape itself."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False


class EditingEnds(QObject):
    """Installed on the application for one window: a field of that window (not of a dialog,
    where Enter answers the dialog) stops taking keys when its edit ends.

    Enter keeps the edit, Escape puts a line edit's text back as it was when it got the focus,
    a click anywhere else in the window keeps the edit; then the focus goes ``home`` (the roll),
    so Space, Home and the other transport keys work again at once."""

    def __init__(self, window: QWidget, home: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.home = home
        self._before: tuple[QLineEdit, str] | None = None

    def _entry(self) -> QWidget | None:
        """The text entry of this window that has the focus (not a list's cell editor: its
        view ends that edit itself), or None."""
        focus = QApplication.focusWidget()
        if focus is None or not is_text_entry(focus) or focus.window() is not self.window \
                or _in_item_view(focus):
            return None
        return focus

    def _field(self, watched: QObject) -> QWidget | None:
        """The window's focused text entry, when ``watched`` is it (or one of its parts)."""
        focus = self._entry()
        if focus is not None and (watched is focus or (
                isinstance(watched, QWidget) and focus.isAncestorOf(watched))):
            return focus
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            self._before = (watched, watched.text())
        elif kind == QEvent.Type.KeyPress:
            field = self._field(watched)
            if field is None:
                return False
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                QTimer.singleShot(0, self._leave)  # after the field has taken its Enter
            elif event.key() == Qt.Key.Key_Escape:
                if isinstance(field, QLineEdit) and self._before is not None \
                        and self._before[0] is field:
                    field.setText(self._before[1])
                self._leave()
                return True
        elif kind == QEvent.Type.MouseButtonPress and isinstance(watched, QWidget) \
                and watched.window() is self.window:
            focus = self._entry()
            if focus is not None and watched is not focus and not focus.isAncestorOf(watched):
                focus.clearFocus()  # the edit is kept (editingFinished); the click goes on
        return False

    def _leave(self) -> None:
        focus = self._entry()
        if focus is not None:
            focus.clearFocus()
        self.home()
