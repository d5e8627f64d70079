"""Adapters from the plain core's callbacks to Qt signals, safe from any thread.

The transport and the document call plain Python callbacks, possibly on the MIDI or audio
thread; these objects re-emit them as Qt signals, which Qt queues to the GUI thread when they
are emitted elsewhere. Widgets connect to the signals, never to the core's callbacks: this is
the one bridge (the window, the roll and the track panel all use it).
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
    deleted it."""
    ref = weakref.ref(obj)

    def call(*args: object) -> None:
        o = ref()
        if o is not None and shiboken6.isValid(o):
            getattr(o, signal_name).emit(*args)
    return call


def listen(obj: QObject, observe: Callable[[Callable[..., None]], object],
           callback: Callable[..., None]) -> None:
    """Hand ``callback`` to a core ``observe``; when that returns a way to stop (a
    subscription), stop when ``obj`` is destroyed."""
    handle = observe(callback)
    if callable(handle):
        obj.destroyed.connect(lambda *_: handle())


class TransportSignals(QObject):
    stateChanged = Signal(object)  # TransportState

    def __init__(self, transport: Transport, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.transport = transport
        listen(self, transport.observe, weak_emitter(self, "stateChanged"))


class DocumentSignals(QObject):
    changed = Signal(object)  # Sequence[Change]
    historyChanged = Signal()

    def __init__(self, document: Document, parent: QObject | None = None,
                 history: bool = True) -> None:
        """``history``: also hear undo and redo history changes (the window's title)."""
        super().__init__(parent)
        self.document = document
        changed = weak_emitter(self, "changed")
        listen(self, document.observe, lambda changes: changed(list(changes)))
        if history:
            listen(self, document.observe_history, weak_emitter(self, "historyChanged"))


class Relay(QObject):
    """Any other core observer (the range controller's state) as one signal."""

    fired = Signal(object)

    def __init__(self, observe: Callable[[Callable[..., None]], object],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        listen(self, observe, weak_emitter(self, "fired"))


class StatusSignals(QObject):
    """Messages for the status bar from any service ("keyboard X went away")."""

    message = Signal(str)

    def post(self, text: str) -> None:
        self.message.emit(text)
