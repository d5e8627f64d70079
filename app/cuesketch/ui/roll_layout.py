"""How the piano roll's parts sit: a left column (the keyboard, the lanes' names), the timed
part in the middle, the vertical scroll bar's column at the right; the note area and the
lanes under it share a splitter, so the user sizes the lanes or folds them away and the notes
get the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (QHBoxLayout, QLayout, QLayoutItem, QScrollBar, QSplitter,
                               QSplitterHandle, QToolButton, QWidget)

from cuesketch.timing.units import FLICKS_PER_SECOND
from cuesketch.ui.roll_keyboard import WIDTH as KEYS_WIDTH
from cuesketch.ui.roll_view_model import RollGeometry

LEFT_PX = KEYS_WIDTH + 30  # the left column: keys, lane names, the controller's box
BAR_PX = 12  # the scroll bars' thickness
SCROLLBAR_STYLE = (
    "QScrollBar { background: #202328; border: none; margin: 0; }"
    "QScrollBar::handle { background: #4a505a; border-radius: 3px; min-height: 24px;"
    " min-width: 24px; margin: 2px; }"
    "QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; }"
    "QScrollBar::add-page, QScrollBar::sub-page { background: none; }")
LANE_MIN_PX = 28  # a lane shorter than this is folded away
LANE_MAX_DEFAULT = 72


def row_layout(left: QWidget | QLayout | None, middle: QWidget | QLayout,
               right: QWidget | None = None) -> QHBoxLayout:
    """``left`` in the left column (a narrower widget, the keyboard, at its right edge; a
    layout as wide as the column), ``middle`` timed, ``right`` or the scroll bar's room."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(0)
    if left is None:
        row.addSpacing(LEFT_PX)
    elif isinstance(left, QLayout):
        row.addLayout(left)
    else:
        if left.maximumWidth() < LEFT_PX:
            row.addSpacing(LEFT_PX - left.maximumWidth())
        else:
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
    """One pane of the splitter, laid out by ``row_layout``."""
    pane = QWidget(parent)
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
                       fit: Callable[[], None]) -> QHBoxLayout:
    """Smaller rows, taller rows, every note in use: under the keyboard, beside the time bar,
    as wide as the left column."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(0)
    for text, width, tip, do in (
            ("−", 24, "Smaller rows (Ctrl+Shift+Down; Ctrl+wheel over the keys)",
             lambda: zoom(1 / 1.25)),
            ("+", 24, "Taller rows (Ctrl+Shift+Up; Ctrl+wheel over the keys)",
             lambda: zoom(1.25)),
            ("Fit", LEFT_PX - 48, "Show every note in use (Alt+Z)", fit)):
        button = QToolButton(parent)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFixedSize(width, BAR_PX)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(do)
        row.addWidget(button)
    return row


class FlowLayout(QLayout):
    """Groups of items left to right, wrapping onto another row when the width runs out (the
    roll's toolbar on a narrow roll: a bigger picture beside it rather than controls cut off).
    A group (a label and its box) stays on one row."""

    INNER = 4  # px between the items of a group

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._starts: list[bool] = []  # the item begins a group
        self._gap = spacing
        self._joining = False

    def add_group(self, *widgets: QWidget) -> None:
        for k, w in enumerate(widgets):
            self._joining = k > 0
            self.addWidget(w)
        self._joining = False

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)
        self._starts.append(not self._joining or not self._items[:-1])

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        if not 0 <= index < len(self._items):
            return None
        self._starts.pop(index)
        if index < len(self._starts):
            self._starts[index] = True
        return self._items.pop(index)

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def _groups(self) -> list[list[QLayoutItem]]:
        groups: list[list[QLayoutItem]] = []
        for item, start in zip(self._items, self._starts):
            if start or not groups:
                groups.append([])
            groups[-1].append(item)
        return groups

    def _width(self, group: list[QLayoutItem]) -> int:
        return sum(i.sizeHint().width() for i in group) + self.INNER * (len(group) - 1)

    def sizeHint(self) -> QSize:  # noqa: N802
        m = self.contentsMargins()
        groups = self._groups()
        width = sum(self._width(g) for g in groups) + self._gap * max(len(groups) - 1, 0)
        height = max((i.sizeHint().height() for i in self._items), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        m = self.contentsMargins()
        width = max((self._width(g) for g in self._groups()), default=0)
        height = max((i.sizeHint().height() for i in self._items), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        left, right = rect.x() + m.left(), rect.right() - m.right()
        x, y, row_h = left, rect.y() + m.top(), 0
        for group in self._groups():
            width = self._width(group)
            if x > left and x + width - 1 > right:
                x, y, row_h = left, y + row_h + self._gap, 0
            height = max(i.sizeHint().height() for i in group)
            for item in group:
                hint = item.sizeHint()
                if move:  # centred in the row's height
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2), hint))
                x += hint.width() + self.INNER
            x += self._gap - self.INNER
            row_h = max(row_h, height)
        return y + row_h + m.bottom() - rect.y()


def scroll_bars(parent: QWidget) -> tuple[QScrollBar, QScrollBar]:
    """The roll's horizontal and vertical scroll bars: flat and quick to draw, like the roll."""
    hbar = QScrollBar(Qt.Orientation.Horizontal, parent)
    vbar = QScrollBar(Qt.Orientation.Vertical, parent)
    for bar in (hbar, vbar):
        bar.setStyleSheet(SCROLLBAR_STYLE)
    hbar.setFixedHeight(BAR_PX)
    vbar.setFixedWidth(BAR_PX)
    return hbar, vbar


def sync_scroll_bars(hbar: QScrollBar, vbar: QScrollBar, geo: RollGeometry,
                     extent: tuple[int, int]) -> None:
    """Set the bars to the view (without their signals): time from the music's ``extent``
    (flicks) and ten seconds more, pitch over the 128 keys."""
    lo, hi = extent
    lo = min(lo, geo.t0, 0)
    hi = max(hi + 10 * FLICKS_PER_SECOND, geo.t1)
    for bar, (a, b, page, value) in (
            (hbar, (lo / geo.fpp, (hi - geo.width * geo.fpp) / geo.fpp, geo.width,
                    geo.t0 / geo.fpp)),
            (vbar, (0, 128 * geo.key_h - geo.height, geo.height, (128 - geo.top) * geo.key_h))):
        bar.blockSignals(True)
        bar.setRange(int(a), max(int(a), int(b)))
        bar.setPageStep(max(int(page), 1))
        bar.setSingleStep(max(int(page) // 20, 1))
        bar.setValue(int(value))
        bar.blockSignals(False)
