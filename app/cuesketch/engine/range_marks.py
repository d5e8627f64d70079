"""The in and out marks: the range the transport loops and recording punches over.

Set at the playhead (Mark In / Mark Out), to a cue, to the selected notes, or by Ctrl+drag in
the roll's ruler. Like a selection, the marks are not part of the project and not undoable.
Observers (the ruler, the loop and punch handlers) hear every change, on the thread that made
it (the GUI thread).

    marks = RangeMarks()
    marks.set_in(position)            # an out mark before it is dropped
    marks.set_out(position)
    marks.range                       # (in, out) flicks when both are set, else None
"""

from __future__ import annotations

from collections.abc import Callable


class RangeMarks:
    def __init__(self) -> None:
        self._in: int | None = None
        self._out: int | None = None
        self._listeners: list[Callable[[RangeMarks], None]] = []

    @property
    def in_at(self) -> int | None:
        return self._in

    @property
    def out_at(self) -> int | None:
        return self._out

    @property
    def range(self) -> tuple[int, int] | None:
        """(in, out) in flicks, in < out; None until both are set."""
        if self._in is None or self._out is None:
            return None
        return self._in, self._out

    def set_in(self, at: int) -> None:
        """The in mark at ``at``; an out mark not after it is dropped."""
        out = self._out if self._out is not None and self._out > at else None
        self._set(at, out)

    def set_out(self, at: int) -> None:
        """The out mark at ``at``; an in mark not before it is dropped."""
        start = self._in if self._in is not None and self._in < at else None
        self._set(start, at)

    def set(self, start: int, end: int) -> None:
        """Both marks; either order, but not empty."""
        if start == end:
            raise ValueError("a range needs a length")
        self._set(min(start, end), max(start, end))

    def clear(self) -> None:
        self._set(None, None)

    def observe(self, listener: Callable[[RangeMarks], None]) -> None:
        self._listeners.append(listener)

    def _set(self, start: int | None, end: int | None) -> None:
        if (start, end) == (self._in, self._out):
            return
        self._in, self._out = start, end
        for listener in list(self._listeners):
            listener(self)
