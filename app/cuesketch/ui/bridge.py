"""Adapters from the plain core's callbacks to Qt signals, safe from any thread.

The transport and the document call plain Python callbacks, possibly on the MIDI or audio
thread; these objects re-emit them as Qt signals, which Qt queues to the GUI thread when they
are emitted elsewhere. Widgets connect to the signals, never to the core's callbacks.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Signal

from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document


def weak_emitter(obj: QObject, signal_name: str) -> Callable[..., None]:
    """A callback for the core that emits ``obj``'s signal, and forgets ``obj`` once Qt has
    deleted it (the document and the transport have no way to stop observing)."""
    ref = weakref.ref(obj)

    def call(*args: object) -> None:
        o = ref()
        if o is not None and shiboken6.isValid(o):
            getattr(o, signal_name).emit(*args)
    return call


class TransportSignals(QObject):
    stateChanged = Signal(object)  # TransportState

    def __init__(self, transport: Transport, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.transport = transport
        transport.observe(weak_emitter(self, "stateChanged"))


class DocumentSignals(QObject):
    changed = Signal(object)  # Sequence[Change]
    historyChanged = Signal()

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        changed = weak_emitter(self, "changed")
        document.observe(lambda changes: changed(list(changes)))
        document.observe_history(weak_emitter(self, "historyChanged"))


class StatusSignals(QObject):
    """Messages for the status bar from any service ("keyboard X went away")."""

    message = Signal(str)

    def post(self, text: str) -> None:
        self.message.emit(text)
