"""What the piano roll's parts (ruler, keyboard, note canvas, lanes, toolbar) may use of the
roll: the editor (selection, tool, grid, edits: ``roll_editor``), the view's geometry and
settings, and a few things only the widget can do (audition, scroll and zoom, say). The parts
are typed against this protocol, not against ``PianoRoll``.
"""

from __future__ import annotations

import enum
from typing import Protocol

from PySide6.QtGui import QWheelEvent

from cuesketch.engine.range_control import RangeState
from cuesketch.ui.roll_editor import RollEditor
from cuesketch.ui.roll_live import LiveTake
from cuesketch.ui.roll_paint import TrackStyle
from cuesketch.ui.roll_view_model import Follow, RollGeometry


class RulerLead(enum.Enum):
    """Which scale leads the ruler (its top row)."""

    TIMECODE = "timecode"
    BARS = "bars"


class RollHost(Protocol):
    editor: RollEditor
    geo: RollGeometry
    playhead: int  # flicks, as last drawn
    hit_window: int  # frames: the readout shows notes this near a hit
    follow: Follow
    ruler_lead: RulerLead
    live: LiveTake  # the take being recorded, drawn over the notes

    @property
    def range(self) -> RangeState | None:
        """The in–out marks and whether they loop (None: the roll shows no range)."""

    def track_styles(self) -> list[TrackStyle]: ...

    def audition(self, pitch: int, velocity: int) -> None:
        """Sound a pitch (velocity 0 releases it)."""

    def status(self, text: str) -> None: ...

    def seek(self, position: int) -> None: ...

    def mark_range(self, start: int, end: int) -> None:
        """Set the in–out marks (a Ctrl+drag in the ruler)."""

    def wheel(self, event: QWheelEvent, x: float | None, y: float | None,
              zoom: bool = False) -> None: ...

    def canvas_resized(self, width: int, height: int) -> None: ...

    def set_follow(self, mode: Follow) -> None: ...

    def set_ruler_lead(self, lead: RulerLead) -> None: ...
