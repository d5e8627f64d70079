"""Where the film sits on the transport: its first frame ``offset_frames`` after the start.

Positions are transport flicks; project frames count at the project's rate, film frames at
the film's own (the same rate in any sane project; a film at another rate still maps exactly,
because a flick divides every standard frame duration).
"""

from __future__ import annotations

from dataclasses import dataclass

from cuesketch.timing.rates import FrameRate
from cuesketch.timing.units import Flicks, Frames


@dataclass(frozen=True)
class FilmTime:
    project_rate: FrameRate
    film_rate: FrameRate
    frame_count: int  # frames in the film
    offset_frames: int = 0  # project frames from the project start to the film's first frame

    @property
    def origin(self) -> Flicks:
        """The transport position (flicks) of the film's first frame."""
        return self.project_rate.frame_to_flicks(self.offset_frames)

    def film_frame(self, position: int) -> Frames:
        """The film frame showing at a transport position (may be outside the film)."""
        return self.film_rate.flicks_to_frame(position - self.origin)

    def frame_start(self, film_frame: int) -> Flicks:
        """The transport position where a film frame starts."""
        return Flicks(self.origin + self.film_rate.frame_to_flicks(film_frame))

    def project_frame(self, film_frame: int) -> Frames:
        return self.project_rate.flicks_to_frame(self.frame_start(film_frame))

    def inside(self, film_frame: int) -> bool:
        return 0 <= film_frame < self.frame_count

    def seek_ms(self, film_frame: int) -> int:
        """libvlc's seek time for a frame: its middle, in whole ms (STACK.md: the start
        lands one frame early)."""
        fps = self.film_rate.fps
        return int((film_frame * 2 + 1) * 1000 * fps.denominator // (2 * fps.numerator))
