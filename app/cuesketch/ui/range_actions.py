"""The in–out range's handlers: mark in and out at the playhead, the range to a cue or to the
selected notes, go to either mark, and the two things a range is for: looping it and punching
in and out over it. With no range marked, loop and punch take the cue under the playhead (and
mark it), so one key still loops the cue being written.

While loop or punch is on, moving a mark moves what they cover; clearing the range ends them.
Recording loop takes switches the loop on first (``record``). The marks a project was left
with come back when it is opened again (``remember_marks``: kept per user, beside the window's
layout, not in the project).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from cuesketch.app import Services
from cuesketch.engine.range_marks import RangeMarks
from cuesketch.engine.recorder import RecordMode
from cuesketch.timing.timecode import format_timecode


def range_marks(services: Services) -> RangeMarks:
    """The session's marks (the composition root makes them; a test may not have)."""
    marks = services.extras.get("range")
    if not isinstance(marks, RangeMarks):
        marks = services.extras["range"] = RangeMarks()
    return marks


def range_handlers(window: Any, services: Services,
                   post: Callable[[str], None]) -> dict[str, Callable[[], None]]:
    """Handlers by action name; ``window`` is the MainWindow, read lazily (it is built after)."""
    document, transport, extras = services.document, services.transport, services.extras
    marks = range_marks(services)

    def action(name: str) -> QAction:
        return window().action_map[name]  # type: ignore[no-any-return]

    def on_frame(t: int) -> int:
        rate = document.project.settings.rate
        return rate.flicks_to_frame(t + rate.flicks_per_frame // 2) * rate.flicks_per_frame

    def tc(t: int) -> str:
        s = document.project.settings
        return format_timecode(s.start_frame + s.rate.flicks_to_frame(t), s.rate)

    def described() -> str:
        r = marks.range
        return f"{tc(r[0])} – {tc(r[1])}" if r else "no range"

    def current_cue() -> tuple[str, tuple[int, int]] | None:
        rate = document.project.settings.rate
        frame = rate.flicks_to_frame(transport.position())
        cues = [c for c in document.project.cues.values() if c.start_frame <= frame < c.end_frame]
        if not cues:
            return None
        cue = min(cues, key=lambda c: c.start_frame)
        return cue.name, (rate.frame_to_flicks(cue.start_frame), rate.frame_to_flicks(cue.end_frame))

    def the_range(what: str) -> tuple[int, int] | None:
        """The marked range; else the cue under the playhead, marked; else None (said)."""
        if marks.range is not None:
            return marks.range
        found = current_cue()
        if found is None:
            post(f"No range is marked and the playhead is in no cue: nothing to {what} "
                 "(mark in and out with I and O)")
            return None
        marks.set(*found[1])
        return marks.range

    def mark_in() -> None:
        marks.set_in(on_frame(transport.position()))
        post(f"In at {tc(marks.in_at or 0)}" + (f" (range {described()})" if marks.range else ""))

    def mark_out() -> None:
        marks.set_out(on_frame(transport.position()))
        post(f"Out at {tc(marks.out_at or 0)}" + (f" (range {described()})" if marks.range else ""))

    def range_to_cue() -> None:
        found = current_cue()
        if found is None:
            post("The playhead is in no cue")
            return
        marks.set(*found[1])
        post(f"Range: {found[0]}, {described()}")

    def range_to_selection() -> None:
        roll = getattr(window(), "roll", None)
        notes = document.project.notes
        chosen = [notes[i] for i in getattr(roll, "selection", ()) if i in notes]
        if not chosen:
            post("No notes are selected")
            return
        start = min(n.start for n in chosen)
        end = max(n.end for n in chosen)
        rate = document.project.settings.rate
        fpf = rate.flicks_per_frame
        marks.set(start // fpf * fpf, -(-end // fpf) * fpf)  # whole frames around them
        post(f"Range: the {len(chosen)} selected notes, {described()}")

    def clear() -> None:
        marks.clear()
        post("Range cleared")

    def go_to(which: str) -> Callable[[], None]:
        def go() -> None:
            at = marks.in_at if which == "in" else marks.out_at
            if at is None:
                post(f"There is no {which} mark")
                return
            transport.seek(at)
        return go

    def loop() -> None:
        if not action("transport.loop").isChecked():
            transport.set_loop(None)
            post("Loop off")
            return
        r = the_range("loop")
        if r is None:
            action("transport.loop").setChecked(False)
            return
        transport.set_loop(r)
        post(f"Looping {described()}")

    def punch() -> None:
        session = extras.get("session")
        if session is None:
            return
        r = None
        if action("transport.punch").isChecked():
            r = the_range("punch in")
            if r is None:
                action("transport.punch").setChecked(False)
                return
            post(f"Punch in and out over {described()}: only that range is recorded")
        else:
            post("Punch off")
        session.options = replace(session.options, punch=r)  # type: ignore[attr-defined]

    def follow(m: RangeMarks) -> None:
        """Loop and punch cover the range as it moves; with no range they end."""
        w = window()
        if w is None:
            return
        r = m.range
        if action("transport.loop").isChecked():
            transport.set_loop(r)
            if r is None:
                action("transport.loop").setChecked(False)
        session = extras.get("session")
        if action("transport.punch").isChecked() and session is not None:
            session.options = replace(session.options, punch=r)  # type: ignore[attr-defined]
            if r is None:
                action("transport.punch").setChecked(False)

    marks.observe(follow)
    return {
        "transport.mark_in": mark_in,
        "transport.mark_out": mark_out,
        "transport.range_cue": range_to_cue,
        "transport.range_selection": range_to_selection,
        "transport.range_clear": clear,
        "transport.go_in": go_to("in"),
        "transport.go_out": go_to("out"),
        "transport.loop": loop,
        "transport.punch": punch,
    }


def record(session: Any, window: Any, post: Callable[[str], None]) -> None:
    """R: start a take or land it. Loop takes go round the range: with the loop off, R switches
    it on first (the marked range, else the cue under the playhead, as Ctrl+L does)."""
    loop = window.action_map["transport.loop"]
    if (not session.recorder.active and session.options.mode is RecordMode.LOOP
            and not loop.isChecked()):
        loop.trigger()
        if not loop.isChecked():
            return  # nothing to loop over; the loop handler said why
    post(session.toggle())


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
