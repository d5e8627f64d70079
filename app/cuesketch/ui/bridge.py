"""Adapters from the plain core's callbacks to Qt signals, safe from any thread.

The transport and the document call plain Python callbacks, possibly on the MIDI or audio
thread; these objects re-emit them as Qt signals, which Qt queues to the GUI thread when they
are emitted elsewhere. Widgets connect to the signals, never to the core's callbacks.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from cuesketch.engine.transport import Transport, TransportState
from cuesketch.model.changes import Change
from cuesketch.model.document import Document


class TransportSignals(QObject):
    stateChanged = Signal(object)  # TransportState

    def __init__(self, transport: Transport, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.transport = transport
        transport.observe(self._on_state)

    def _on_state(self, state: TransportState) -> None:
        self.stateChanged.emit(state)


class DocumentSignals(QObject):
    changed = Signal(object)  # Sequence[Change]
    historyChanged = Signal()

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        document.observe(self._on_changes)
        document.observe_history(self.historyChanged.emit)

    def _on_changes(self, changes: Sequence[Change]) -> None:
        self.changed.emit(list(changes))


class StatusSignals(QObject):
    """Messages for the status bar from any service ("keyboard X went away")."""

    message = Signal(str)

    def post(self, text: str) -> None:
        self.message.emit(text)
