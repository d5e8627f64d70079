"""The handlers of the View and Transport menus that reach past the transport: the picture's
own window, the film's sound, the click, record modes and count-in (the in–out range, loop and
punch are in ``range_actions``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction

from cuesketch.app import Services
from cuesketch.engine.recorder import RecordMode, count_in_flicks
from cuesketch.timing.position import tempo_at


def view_handlers(window: Any, services: Services,
                  post: Callable[[str], None]) -> dict[str, Callable[[], None]]:
    """Handlers by action name; ``window`` is the MainWindow, read lazily (it is built after)."""
    extras = services.extras
    document, transport = services.document, services.transport
    state: dict[str, Any] = {"picture_window": None}

    def action(name: str) -> QAction:
        return window().action_map[name]  # type: ignore[no-any-return]

    def picture_window() -> None:
        from cuesketch.ui.picture_window import PictureWindow
        w = state["picture_window"]
        if w is not None:
            w.close()
            return
        view = window().picture
        w = PictureWindow(document, transport, extras.get("picture"),  # type: ignore[arg-type]
                          getattr(view, "options", None), actions=window().action_map.values())

        def closed() -> None:
            state.update(picture_window=None)
            action("view.picture_window").setChecked(False)
        w.closed.connect(closed)
        state["picture_window"] = w
        w.present(full_screen=True, avoid=window())
        action("view.picture_window").setChecked(True)

    def film_mute() -> None:
        player = extras.get("picture")
        muted = action("view.film_mute").isChecked()
        if player is None:
            post("There is no film sound to mute")
            return
        player.set_muted(muted)  # type: ignore[attr-defined]
        post("Film sound muted" if muted else "Film sound on")

    def click() -> None:
        playback = extras.get("playback")
        if playback is None:
            return
        on = action("transport.click").isChecked()
        playback.click.enabled = on  # type: ignore[attr-defined]
        post("Click on" if on else "Click off")

    def record_mode(mode: RecordMode) -> Callable[[], None]:
        def choose() -> None:
            session = extras.get("session")
            if session is None:
                return
            from dataclasses import replace
            session.options = replace(session.options, mode=mode)  # type: ignore[attr-defined]
            for m in RecordMode:
                action(f"transport.mode_{m.value}").setChecked(m is mode)
            post(f"Record mode: {mode.value}")
        return choose

    def count_in() -> None:
        session = extras.get("session")
        if session is None:
            return
        from dataclasses import replace
        bars = 1 if action("transport.count_in").isChecked() else 0
        at = transport.position()
        flicks = count_in_flicks(tempo_at(at, document.project.settings,
                                          document.project.cues.values()), at, bars)
        session.options = replace(session.options, count_in=flicks)  # type: ignore[attr-defined]
        post("Count-in: one bar" if bars else "Count-in off")

    handlers: dict[str, Callable[[], None]] = {
        "view.picture_window": picture_window,
        "view.film_mute": film_mute,
        "transport.click": click,
        "transport.count_in": count_in,
    }
    for m in RecordMode:
        handlers[f"transport.mode_{m.value}"] = record_mode(m)
    return handlers
