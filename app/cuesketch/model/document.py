"""The one funnel for change: commands, transactions, undo and redo, and who is told.

Every edit is a ``Command``: a label and a list of primitive changes. ``Document.execute``
applies it to the project, hands it to the sink (the project store, which commits it at once:
there are no unsaved changes) and tells the observers (views). Undo applies the inverse.

    with document.transaction("Move notes"):
        document.execute_changes([replace(old, new) ...])

groups many changes into one undo step, and rolls them back if the block raises.

A gesture (a drag) spans many events, so it cannot be one ``with`` block:

    gesture = document.begin("Move notes")   # on press
    document.execute_changes(...)            # on every move: applied and observed at once
    gesture.commit()                         # on release: one undo step, one write to the sink
    gesture.rollback()                       # or on Escape: every change taken back

``document.commit()`` and ``document.rollback()`` do the same for whichever gesture is open;
``with document.begin(label):`` commits at the end of the block and rolls back if it raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from cuesketch.model.changes import Change, SettingsChange
from cuesketch.model.entities import Settings
from cuesketch.model.project import Project

T = TypeVar("T")


@dataclass
class Command:
    label: str
    changes: list[Change] = field(default_factory=list)

    def inverse(self) -> list[Change]:
        return [c.inverse() for c in reversed(self.changes)]


class ChangeSink(Protocol):
    """Where applied changes go to be kept (the project store)."""

    def write(self, changes: Sequence[Change], settings: Settings) -> None: ...


Observer = Callable[[Sequence[Change]], None]
HistoryObserver = Callable[[], None]


class Subscription:
    """What ``observe`` returns: call it (or ``close()``) to stop hearing. Closing twice is fine."""

    def __init__(self, remove: Callable[[], None]) -> None:
        self._remove: Callable[[], None] | None = remove

    def close(self) -> None:
        remove, self._remove = self._remove, None
        if remove is not None:
            remove()

    def __call__(self) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._remove is None


def _remover(observers: list[T], observer: T) -> Callable[[], None]:
    def remove() -> None:
        for i, o in enumerate(observers):
            if o is observer:
                del observers[i]
                return
    return remove


class Gesture:
    """An open gesture (a drag): changes made while it is open are applied and observed at
    once, but become one undo step and reach the sink in one write only at ``commit()``.

    A gesture begun while another transaction is open joins it (``joined``): the outer one owns
    the step, and this handle's commit and rollback do nothing."""

    def __init__(self, document: Document, command: Command, joined: bool = False,
                 block: bool = False) -> None:
        self._document = document
        self.command = command
        self.joined = joined
        self.block = block  # opened by a ``transaction`` block, not by ``begin``

    @property
    def label(self) -> str:
        return self.command.label

    @property
    def is_open(self) -> bool:
        return self._document._gesture is self

    @property
    def changes(self) -> Sequence[Change]:
        return self.command.changes

    def commit(self) -> bool:
        """Close the gesture as one undo step, written to the sink in one write. True if a step
        was recorded (False if nothing changed, it was closed already, or it is joined). If the
        sink refuses, every change of the gesture is taken back and the error raised."""
        if not self.is_open:
            return False
        return self._document._commit_gesture()

    def rollback(self) -> None:
        """Take back every change of the gesture (observers hear it); nothing reaches the sink."""
        if self.is_open:
            self._document._rollback_gesture()

    def __enter__(self) -> Gesture:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()


class Document:
    def __init__(self, project: Project | None = None, sink: ChangeSink | None = None,
                 history_limit: int = 1000) -> None:
        self.project = project or Project()
        self.sink = sink
        self.read_only = False
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._observers: list[Observer] = []
        self._history_observers: list[HistoryObserver] = []
        self._open: Command | None = None  # the step being gathered (a transaction or gesture)
        self._gesture: Gesture | None = None  # the handle that owns _open
        self._history_limit = history_limit

    # -- observers ---------------------------------------------------------------------------
    def observe(self, observer: Observer) -> Subscription:
        """Hear every applied change list (executed, undone, redone, rolled back)."""
        self._observers.append(observer)
        return Subscription(_remover(self._observers, observer))

    def observe_history(self, observer: HistoryObserver) -> Subscription:
        """Hear that the undo or redo history changed."""
        self._history_observers.append(observer)
        return Subscription(_remover(self._history_observers, observer))

    # -- changing ----------------------------------------------------------------------------
    def execute(self, command: Command) -> None:
        if not command.changes:
            return
        if self.read_only:
            raise PermissionError("this project is open read-only")
        self._apply(command.changes)
        if self._open is not None:
            self._open.changes.extend(command.changes)
        else:
            self._record(command)

    def execute_changes(self, changes: Sequence[Change], label: str = "Edit") -> None:
        self.execute(Command(label, list(changes)))

    def set_settings(self, settings: Settings, label: str = "Change settings") -> None:
        self.execute(Command(label, [SettingsChange(self.project.settings, settings)]))

    @contextmanager
    def transaction(self, label: str) -> Iterator[Command]:
        """Group what happens inside into one undo step; undo it all if the block raises.
        Inside another transaction or an open gesture, it joins that one."""
        with self._begin(label, block=True) as gesture:
            yield gesture.command

    # -- gestures ----------------------------------------------------------------------------
    def begin(self, label: str) -> Gesture:
        """Open a gesture (see ``Gesture``). Inside a ``transaction`` block it joins that block;
        a gesture still open from before (a release that never came) is committed first."""
        return self._begin(label, block=False)

    def _begin(self, label: str, block: bool) -> Gesture:
        owner = self._gesture
        if owner is not None:
            if block or owner.block:
                return Gesture(self, owner.command, joined=True)
            owner.commit()
        self._open = Command(label, [])
        self._gesture = Gesture(self, self._open, block=block)
        return self._gesture

    @property
    def gesture(self) -> Gesture | None:
        """The open gesture, if any."""
        return self._gesture

    def commit(self) -> bool:
        """Commit the open gesture (see ``Gesture.commit``); False if none is open."""
        return self._gesture.commit() if self._gesture is not None else False

    def rollback(self) -> None:
        """Roll back the open gesture, if any."""
        if self._gesture is not None:
            self._gesture.rollback()

    def _commit_gesture(self) -> bool:
        done = self._open
        assert done is not None
        try:
            # One write for the whole step: on disk it is all there or not at all.
            if self.sink is not None and done.changes:
                self.sink.write(done.changes, self.project.settings)
        except BaseException:
            self._rollback_gesture()
            raise
        self._open = self._gesture = None
        if not done.changes:
            return False
        self._record(done)
        return True

    def _rollback_gesture(self) -> None:
        done, self._open, self._gesture = self._open, None, None
        if done is not None and done.changes:
            self._apply(done.inverse(), write=False)

    def _record(self, command: Command) -> None:
        self._undo.append(command)
        del self._undo[:-self._history_limit]
        self._redo.clear()
        self._history_changed()

    # -- undo --------------------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def history(self) -> list[str]:
        return [c.label for c in self._undo]

    def redo_labels(self) -> list[str]:
        return [c.label for c in reversed(self._redo)]

    def undo(self) -> str | None:
        gesture = self._gesture
        if gesture is not None:  # undo during a drag: the drag is what is undone
            if gesture.block:
                return None
            gesture.rollback()
            return gesture.label
        if not self._undo or self.read_only:
            return None
        command = self._undo[-1]
        self._apply(command.inverse())  # if the write fails, the step stays where it was
        self._undo.pop()
        self._redo.append(command)
        self._history_changed()
        return command.label

    def redo(self) -> str | None:
        if not self._redo or self.read_only or self._gesture is not None:
            return None
        command = self._redo[-1]
        self._apply(command.changes)  # if the write fails, the step stays where it was
        self._redo.pop()
        self._undo.append(command)
        self._history_changed()
        return command.label

    # -- internals ---------------------------------------------------------------------------
    def _apply(self, changes: Sequence[Change], write: bool = True) -> None:
        self.project.apply(changes)
        # Inside a transaction the sink hears the whole step at its end.
        if self.sink is not None and write and self._open is None:
            try:
                self.sink.write(changes, self.project.settings)
            except Exception:
                # Keep memory and disk the same: take the change back, then report.
                self.project.apply([c.inverse() for c in reversed(changes)])
                raise
        for observer in list(self._observers):
            observer(changes)

    def _history_changed(self) -> None:
        for observer in list(self._history_observers):
            observer()
