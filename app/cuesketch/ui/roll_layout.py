"""How the piano roll's parts sit: a left column (the keyboard, the lanes' names), the timed
part in the middle, the vertical scroll bar's column at the right; the note area and the
lanes under it share a splitter, so the user sizes the lanes or folds them away and the notes
get the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (QHBoxLayout, QLayout, QLayoutItem, QSplitter, QSplitterHandle,
                               QToolButton, QWidget)

from cuesketch.ui.roll_keyboard import WIDTH as KEYS_WIDTH

LEFT_PX = KEYS_WIDTH + 30  # the left column: keys, lane names, the controller's box
BAR_PX = 12  # the scroll bars' thickness
LANE_MIN_PX = 28  # a lane shorter than this is folded away
LANE_MAX_DEFAULT = 72


def row_layout(left: QWidget | None, middle: QWidget | QLayout,
                right: QWidget | None = None) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(0)
    if left is None:
        row.addSpacing(LEFT_PX)
    else:
        if left.maximumWidth() > LEFT_PX:
            left.setFixedWidth(LEFT_PX)
        row.addWidget(left)
    if isinstance(middle, QLayout):
        row.addLayout(middle, 1)
    else:
        row.addWidget(middle, 1)
    if right is None:
        row.addSpacing(BAR_PX)
    else:
        row.addWidget(right)
    return row


def row_pane(parent: QWidget, left: QWidget, middle: QWidget,
             right: QWidget | None = None) -> QWidget:
    """One pane of the splitter: ``left`` in the left column (a narrower one, the keyboard,
    at its right edge), ``middle`` timed, ``right`` or the scroll bar's room."""
    pane = QWidget(parent)
    if left.maximumWidth() < LEFT_PX:
        column = QWidget(pane)
        inner = QHBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(0)
        inner.addStretch(1)
        inner.addWidget(left)
        left = column
    pane.setLayout(row_layout(left, middle, right))
    return pane


class _Handle(QSplitterHandle):
    """A visible grip; a double-click folds the lane below away, or brings it back."""

    def sizeHint(self) -> QSize:
        return QSize(8, 6)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#2a2e35"))
        p.fillRect(self.width() // 2 - 12, self.height() // 2 - 1, 24, 2, QColor("#5a616c"))
        p.end()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        splitter = self.splitter()
        if isinstance(splitter, LaneSplitter):
            splitter.toggle(splitter.indexOf(self))


class LaneSplitter(QSplitter):
    """The note area over the lanes. The lanes start a little over a tenth of the height each
    (at most 72 px) until the user sizes them; the note area grows with the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("RollLaneSplitter")
        self.setHandleWidth(6)
        self.setChildrenCollapsible(True)
        self._sized = False  # by the user, or restored
        self._unfolded: dict[int, int] = {}  # a folded lane's height before it was folded
        self.splitterMoved.connect(lambda _pos, _index: setattr(self, "_sized", True))

    def createHandle(self) -> QSplitterHandle:
        handle = _Handle(self.orientation(), self)
        handle.setToolTip("Drag to size the lane below; double-click to fold it away or back")
        return handle

    def restoreState(self, state: object) -> bool:  # type: ignore[override]
        ok = bool(super().restoreState(state))  # type: ignore[arg-type]
        self._sized = self._sized or ok
        return ok

    def default_sizes(self, height: int) -> list[int]:
        lanes = self.count() - 1
        lane = max(LANE_MIN_PX + 8, min(LANE_MAX_DEFAULT, round(height * 0.11)))
        return [max(height - lanes * (lane + self.handleWidth()), 0)] + [lane] * lanes

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._sized and self.height() > 0:
            self.setSizes(self.default_sizes(self.height()))

    def folded(self, index: int) -> bool:
        return self.sizes()[index] == 0

    def toggle(self, index: int) -> None:
        """Fold the pane ``index`` (a lane) away, or bring it back at its old height."""
        if not 0 < index < self.count():
            return
        sizes = self.sizes()
        if sizes[index] > 0:
            self._unfolded[index] = sizes[index]
            sizes[0] += sizes[index]
            sizes[index] = 0
        else:
            back = self._unfolded.get(index, self.default_sizes(self.height())[index])
            back = min(back, max(sizes[0] - 80, LANE_MIN_PX))
            sizes[0] -= back
            sizes[index] = back
        self._sized = True
        self.setSizes(sizes)


def pitch_zoom_buttons(parent: QWidget, zoom: Callable[[float], None],
                       fit: Callable[[], None]) -> QWidget:
    """Smaller rows, taller rows, every note in use: under the keyboard, beside the time bar."""
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 2, 0)
    row.setSpacing(1)
    row.addStretch(1)
    for text, tip, do in (
            ("−", "Smaller rows (Ctrl+Shift+Down; Ctrl+wheel over the keys)",
             lambda: zoom(1 / 1.25)),
            ("+", "Taller rows (Ctrl+Shift+Up; Ctrl+wheel over the keys)", lambda: zoom(1.25)),
            ("Fit", "Show every note in use (Alt+Z)", fit)):
        button = QToolButton(box)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFixedHeight(BAR_PX + 4)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(do)
        row.addWidget(button)
    box.setFixedHeight(BAR_PX)
    return box


class FlowLayout(QLayout):
    """Items left to right, wrapping onto another row when the width runs out (the roll's
    toolbar on a narrow roll: a bigger picture beside it rather than controls cut off)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        m = self.contentsMargins()
        width = sum(i.sizeHint().width() for i in self._items) + self._gap * max(
            len(self._items) - 1, 0)
        height = max((i.sizeHint().height() for i in self._items), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        m = self.contentsMargins()
        width = max((i.minimumSize().width() for i in self._items), default=0)
        height = max((i.minimumSize().height() for i in self._items), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        left, right = rect.x() + m.left(), rect.right() - m.right()
        x, y, row_h = left, rect.y() + m.top(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > left and x + hint.width() - 1 > right:
                x, y, row_h = left, y + row_h + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            row_h = max(row_h, hint.height())
        return y + row_h + m.bottom() - rect.y()
