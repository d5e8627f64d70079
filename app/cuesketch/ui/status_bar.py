"""The status bar's messages: the newest always shown at once, a long one cut at a word with the
whole text in its tooltip, none left standing once it is stale.

``StatusMessages(bar, document)`` takes over the bar's message line. Whatever shows a message
(a service's post, ``QStatusBar.showMessage`` from anywhere) lands here and replaces the one
before at once. A new undo step that says nothing itself shows its own label ("Delete notes"),
so an older "Quantized 2 notes" never stands beside a later edit; undo and redo clear it
before they say what they did.

A fault that lasts (the disk full, the audio server gone, the project working in a rescue
copy) also *stands* at the bar's right end (``set_standing``) until it is over: a message
fades, the fault does not.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

from cuesketch.model.document import Document
from cuesketch.ui.bridge import DocumentSignals

ELLIPSIS = "…"


def elide_words(text: str, fits: Callable[[str], bool]) -> str:
    """``text`` if it fits, else its longest start that ends on a whole word and fits with
    "…" after it. A first word too long on its own is cut where it must be."""
    if fits(text):
        return text
    ends = [i for i, ch in enumerate(text) if ch == " " and i and text[i - 1] != " "]
    best = ""
    lo, hi = 0, len(ends) - 1
    while lo <= hi:  # the fitting prefixes are a prefix of ``ends``: binary search
        mid = (lo + hi) // 2
        candidate = text[:ends[mid]].rstrip(" ,;:–—-(") + ELLIPSIS
        if fits(candidate):
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    if best:
        return best
    for n in range(len(text) - 1, 0, -1):  # one long word (a path): cut it
        if fits(text[:n] + ELLIPSIS):
            return text[:n] + ELLIPSIS
    return ELLIPSIS


def show_time_ms(text: str) -> int:
    """How long a message stays: long enough to read it (6 s, more for a long one)."""
    return min(20_000, 6_000 + 60 * len(text))


class ElidedLabel(QLabel):
    """A one-line label showing as much of its text as fits, cut at a word."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        room = max(0, self.contentsRect().width() - 2)
        shown = elide_words(self._full, lambda t: metrics.horizontalAdvance(t) <= room)
        self.setText(shown if self._full else "")
        self.setToolTip(self._full if shown != self._full else "")


class StatusMessages(QObject):
    def __init__(self, bar: QStatusBar, document: Document | None = None) -> None:
        super().__init__(bar)
        self.bar = bar
        self.label = ElidedLabel(bar)
        self.label.setObjectName("StatusMessage")
        bar.addWidget(self.label, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.standing = QLabel(bar)
        self.standing.setObjectName("StandingFault")
        self.standing.setStyleSheet("QLabel#StandingFault { color: #b35c00; font-weight: bold; }")
        self.standing.hide()
        bar.addPermanentWidget(self.standing)
        bar.messageChanged.connect(self._shown_elsewhere)
        if document is not None:
            self._document = document
            signals = DocumentSignals(document, self)
            signals.historyChanged.connect(self._history_changed)

    def text(self) -> str:
        """The whole message being shown ("" for none)."""
        return self.label.full_text()

    def show(self, text: str, timeout_ms: int | None = None) -> None:
        """Show ``text`` now, in place of whatever was shown."""
        self.label.set_full_text(text)
        if text:
            self._timer.start(show_time_ms(text) if timeout_ms is None else timeout_ms)
        else:
            self._timer.stop()

    def clear(self) -> None:
        self.show("")

    def set_standing(self, text: str | None) -> None:
        """Show ``text`` at the right end until it is set again (None: nothing stands)."""
        text = text or ""
        if text != self.standing.text():
            self.standing.setText(text)
            self.standing.setVisible(bool(text))

    def _shown_elsewhere(self, text: str) -> None:
        """``QStatusBar.showMessage`` was called: the message is shown here instead (Qt's own
        line would clip it mid-word and hide this one)."""
        if text:
            self.bar.clearMessage()
            self.show(text)

    def _history_changed(self) -> None:
        doc = self._document
        history = doc.history()
        if history and not doc.redo_labels():  # a new step (or the last redo)
            self.show(history[-1])
        else:  # an undo: what it did is said by whoever undid
            self.clear()
