"""The one funnel for change: commands, transactions, undo and redo, and who is told.

Every edit is a ``Command``: a label and a list of primitive changes. ``Document.execute``
applies it to the project, hands it to the sink (the project store, which commits it at once:
there are no unsaved changes) and tells the observers (views). Undo applies the inverse.

    with document.transaction("Move notes"):
        document.execute_changes([replace(old, new) ...])

groups many changes into one undo step, and rolls them back if the block raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from cuesketch.model.changes import Change, SettingsChange
from cuesketch.model.entities import Settings
from cuesketch.model.project import Project


@dataclass
class Command:
    label: str
    changes: list[Change] = field(default_factory=list)
    merge_key: str | None = None  # consecutive commands with the same key merge (a drag)

    def inverse(self) -> list[Change]:
        return [c.inverse() for c in reversed(self.changes)]


class ChangeSink(Protocol):
    """Where applied changes go to be kept (the project store)."""

    def write(self, changes: Sequence[Change], settings: Settings) -> None: ...


Observer = Callable[[Sequence[Change]], None]


class Document:
    def __init__(self, project: Project | None = None, sink: ChangeSink | None = None,
                 history_limit: int = 1000) -> None:
        self.project = project or Project()
        self.sink = sink
        self.read_only = False
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._observers: list[Observer] = []
        self._history_observers: list[Callable[[], None]] = []
        self._open: Command | None = None
        self._history_limit = history_limit

    # -- observers ---------------------------------------------------------------------------
    def observe(self, observer: Observer) -> None:
        self._observers.append(observer)

    def observe_history(self, observer: Callable[[], None]) -> None:
        self._history_observers.append(observer)

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

    def execute_changes(self, changes: Sequence[Change], label: str = "Edit",
                        merge_key: str | None = None) -> None:
        self.execute(Command(label, list(changes), merge_key))

    def set_settings(self, settings: Settings, label: str = "Change settings") -> None:
        self.execute(Command(label, [SettingsChange(self.project.settings, settings)]))

    @contextmanager
    def transaction(self, label: str, merge_key: str | None = None) -> Iterator[Command]:
        """Group what happens inside into one undo step; undo it all if the block raises."""
        if self._open is not None:  # nested: the outer transaction owns the step
            yield self._open
            return
        self._open = Command(label, [], merge_key)
        try:
            yield self._open
            # One write for the whole step: on disk it is all there or not at all.
            if self.sink is not None and self._open.changes:
                self.sink.write(self._open.changes, self.project.settings)
        except BaseException:
            done, self._open = self._open, None
            if done.changes:
                self._apply(done.inverse(), write=False)
            raise
        done, self._open = self._open, None
        if done.changes:
            self._record(done)

    def _record(self, command: Command) -> None:
        top = self._undo[-1] if self._undo else None
        if top is not None and command.merge_key is not None and top.merge_key == command.merge_key:
            top.changes.extend(command.changes)
        else:
            self._undo.append(command)
            del self._undo[:-self._history_limit]
        self._redo.clear()
        self._history_changed()

    def end_merge(self) -> None:
        """Close the current merge (a drag ended): the next command starts a new step."""
        if self._undo:
            self._undo[-1].merge_key = None

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
        if not self._undo or self.read_only:
            return None
        command = self._undo.pop()
        self._apply(command.inverse())
        self._redo.append(command)
        self._history_changed()
        return command.label

    def redo(self) -> str | None:
        if not self._redo or self.read_only:
            return None
        command = self._redo.pop()
        self._apply(command.changes)
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
