"""The actions that reach past the transport to the picture and the click: the picture's own
window, the film's sound, the click. Each checkable action shows the state of what it switches
(the player's mute, the click's ``enabled``), never holds it. The in–out range, loop, punch,
record modes and count-in are in ``range_actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cuesketch.engine.click import Click
from cuesketch.engine.transport import Transport
from cuesketch.media.picture import PicturePlayer
from cuesketch.model.document import Document

if TYPE_CHECKING:
    from cuesketch.ui.main_window import MainWindow
    from cuesketch.ui.picture_window import PictureWindow


class ViewActions:
    def __init__(self, window: Callable[[], MainWindow], document: Document,
                 transport: Transport, post: Callable[[str], None],
                 player: Callable[[], PicturePlayer | None] = lambda: None,
                 click: Click | None = None) -> None:
        """``window``: the main window, read lazily (it is built after the handlers);
        ``player``: the film's player as it is now (a relinked film brings one)."""
        self.window = window
        self.document = document
        self.transport = transport
        self.post = post
        self.player = player
        self.click = click
        self.picture: PictureWindow | None = None

    def handlers(self) -> dict[str, Callable[[], None]]:
        out: dict[str, Callable[[], None]] = {"view.picture_window": self.toggle_picture_window,
                                              "view.film_mute": self.toggle_film_mute}
        if self.click is not None:
            out["transport.click"] = self.toggle_click
        return out

    def show_state(self) -> None:
        """The checkable actions as things are (once the window is built)."""
        self._check("view.picture_window", self.picture is not None)
        player = self.player()
        self._check("view.film_mute", player is not None and player.muted)
        self._check("transport.click", self.click is not None and self.click.enabled)

    def toggle_picture_window(self) -> None:
        from cuesketch.ui.picture_window import PictureWindow
        if self.picture is not None:
            self.picture.close()
            return
        main = self.window()
        w = PictureWindow(self.document, self.transport, self.player(),
                          getattr(main.picture, "options", None), actions=main.action_map.values())

        def closed() -> None:
            self.picture = None
            self.show_state()
        w.closed.connect(closed)
        self.picture = w
        w.present(full_screen=True, avoid=main)
        self.show_state()

    def toggle_film_mute(self) -> None:
        player = self.player()
        if player is None:
            self.show_state()
            self.post("There is no film sound to mute")
            return
        muted = not player.muted
        player.set_muted(muted)
        self.show_state()
        self.post("Film sound muted" if muted else "Film sound on")

    def toggle_click(self) -> None:
        if self.click is None:
            return
        self.click.enabled = not self.click.enabled
        self.show_state()
        self.post("Click on" if self.click.enabled else "Click off")

    def _check(self, name: str, on: bool) -> None:
        action = self.window().action_map.get(name)
        if action is not None and action.isChecked() != on:
            action.setChecked(on)
