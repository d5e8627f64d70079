"""Where the main window opens: on the screen it was last on, at the geometry it had there, never
larger than the screen's available area nor off it; the first time on a screen, filling that
area. No Qt: rectangles are (x, y, width, height) and screens are named by ``screen_key``.

Each screen (by name and size: a laptop's panel and the studio's monitor differ) keeps its own
geometry, so moving between a laptop and a desk does not carry a 1920x1080 window onto a
1366x768 panel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Rect = tuple[int, int, int, int]  # x, y, width, height


def screen_key(name: str, width: int, height: int) -> str:
    """A settings-safe name for a screen: its name and size ("eDP-1 1366x768")."""
    clean = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "screen"
    return f"{clean}_{width}x{height}"


@dataclass(frozen=True)
class Placement:
    rect: Rect
    maximized: bool = False

    def encode(self) -> str:
        x, y, w, h = self.rect
        return f"{x} {y} {w} {h} {int(self.maximized)}"

    @classmethod
    def decode(cls, text: object) -> Placement | None:
        """The saved text back, or None when it is missing or not ours."""
        if not isinstance(text, str):
            return None
        parts = text.split()
        if len(parts) != 5:
            return None
        try:
            x, y, w, h, m = (int(p) for p in parts)
        except ValueError:
            return None
        if w <= 0 or h <= 0:
            return None
        return cls((x, y, w, h), bool(m))


def fit(saved: Rect | None, available: Rect) -> Rect:
    """The window's rectangle: the saved one shrunk to the available area and moved into it;
    the whole available area when nothing was saved."""
    ax, ay, aw, ah = available
    if saved is None:
        return available
    x, y, w, h = saved
    w, h = min(w, aw), min(h, ah)
    x = min(max(x, ax), ax + aw - w)
    y = min(max(y, ay), ay + ah - h)
    return (x, y, w, h)


def decode_margins(text: object) -> tuple[int, int, int, int]:
    """The window frame's last measured margins (left, top, right, bottom), or none."""
    if isinstance(text, str):
        parts = text.split()
        if len(parts) == 4 and all(p.isdigit() for p in parts):
            left, top, right, bottom = (min(int(p), 200) for p in parts)
            return left, top, right, bottom
    return 0, 0, 0, 0
