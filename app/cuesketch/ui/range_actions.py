"""The Transport menu's range, loop, punch, record mode and count-in actions over a
``RangeControl`` (cuesketch.engine.range_control): each action calls the controller and says
what it answers; the checkable ones only show the controller's state. The marks a project was
left with come back when it is opened again (``remember_marks``: kept per user, beside the
window's layout, not in the project).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from cuesketch.engine.range_control import Mark, RangeControl, RangeState
from cuesketch.engine.range_marks import RangeMarks
from cuesketch.engine.recorder import RecordMode

Handlers = dict[str, Callable[[], None]]


def range_handlers(control: RangeControl, post: Callable[[str], None],
                   selection: Callable[[], Iterable[int]] = tuple) -> Handlers:
    """Handlers by action name; ``selection``: the roll's selected notes (Range to Selected
    Notes). Pair with ``show_range_state`` once the actions exist."""

    def say(text: str | None) -> None:
        if text:
            post(text)

    handlers: Handlers = {
        "transport.mark_in": lambda: say(control.mark_in()),
        "transport.mark_out": lambda: say(control.mark_out()),
        "transport.range_cue": lambda: say(control.range_to_cue()),
        "transport.range_selection": lambda: say(control.range_to_notes(selection())),
        "transport.range_clear": lambda: say(control.clear()),
        "transport.go_in": lambda: say(control.go_to(Mark.IN)),
        "transport.go_out": lambda: say(control.go_to(Mark.OUT)),
        "transport.loop": lambda: say(control.set_loop(not control.state.loop)),
        "transport.punch": lambda: say(control.set_punch(not control.state.punch)),
        "transport.count_in": lambda: say(control.set_count_in(not control.state.count_in)),
    }
    if control.session is not None:
        handlers["transport.record"] = lambda: say(control.record())

    def choose(mode: RecordMode) -> Callable[[], None]:
        return lambda: say(control.set_mode(mode))

    for mode in RecordMode:
        handlers[f"transport.mode_{mode.value}"] = choose(mode)
    return handlers


def show_range_state(control: RangeControl, actions: Mapping[str, QAction]) -> None:
    """The checkable actions show the controller's state, now and after every change (a
    triggered action that changed nothing is put back too)."""

    def show(state: RangeState) -> None:
        checks = {"transport.loop": state.loop, "transport.punch": state.punch,
                  "transport.count_in": state.count_in}
        checks.update({f"transport.mode_{m.value}": m is state.mode for m in RecordMode})
        for name, on in checks.items():
            action = actions.get(name)
            if action is not None and action.isChecked() != on:
                action.setChecked(on)

    control.observe(show)
    for name in ("transport.loop", "transport.punch", "transport.count_in",
                 *(f"transport.mode_{m.value}" for m in RecordMode)):
        action = actions.get(name)
        if action is not None:  # Qt checks a checkable action before its handler runs
            action.triggered.connect(lambda _checked=False: show(control.state))
    show(control.state)


def remember_marks(marks: RangeMarks, settings: QSettings, project_path: Path) -> None:
    """Put back the marks this project was left with, and keep them as they change."""
    key = "range/" + hashlib.sha1(str(project_path.resolve()).encode()).hexdigest()[:16]
    saved = str(settings.value(key) or "")
    try:
        start, end = (int(v) if v else None for v in saved.split(","))
    except ValueError:  # nothing kept, or not ours
        start = end = None
    if start is not None:
        marks.set_in(start)
    if end is not None:
        marks.set_out(end)

    def keep(m: RangeMarks) -> None:
        settings.setValue(key, f"{'' if m.in_at is None else m.in_at},"
                               f"{'' if m.out_at is None else m.out_at}")
    marks.observe(keep)
