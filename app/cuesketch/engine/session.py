"""The recording session: which track is armed, and the record button's behaviour.

Plain Python over the recorder, the monitor and playback, so the window's record key and a
test drive the same code.
"""

from __future__ import annotations

from collections.abc import Callable

from cuesketch.engine.monitor import Monitor
from cuesketch.engine.playback import Playback
from cuesketch.engine.recorder import Recorder, RecordError, RecordOptions, TakeResult
from cuesketch.model.document import Document


class RecordSession:
    def __init__(self, document: Document, recorder: Recorder, monitor: Monitor | None = None,
                 playback: Playback | None = None,
                 tell: Callable[[str], None] | None = None) -> None:
        """``tell``: where to say what happened to a take that landed without ``toggle`` (the
        transport was stopped by the space bar, or from elsewhere)."""
        self.document = document
        self.recorder = recorder
        self.tell = tell
        self._toggling = False
        recorder.on_landed = self._landed
        self.monitor = monitor
        self.playback = playback
        self.options = RecordOptions()
        self.track_id: int | None = None
        tracks = document.project.sorted_tracks()
        if tracks:
            self.arm(tracks[0].id)

    def arm(self, track_id: int | None) -> None:
        """Record on ``track_id``; what is played sounds at once on its instrument."""
        self.track_id = track_id
        if self.monitor is not None:
            channel = self.playback.monitor(track_id) if self.playback is not None else 0
            self.monitor.arm(channel if track_id is not None else None)

    def toggle(self) -> str:
        """Start a take, or land the one being recorded; returns what to tell the user."""
        if self.recorder.active:
            self._toggling = True
            try:
                result: TakeResult | None = self.recorder.stop()
            finally:
                self._toggling = False
            if self.recorder.last_error is not None:
                return f"the take could not be saved: {self.recorder.last_error}"
            return _describe(result)
        if self.track_id is None or self.track_id not in self.document.project.tracks:
            return "choose a track to record on first"
        try:
            self.recorder.start(self.track_id, self.options)
        except RecordError as e:
            return str(e)
        name = self.document.project.tracks[self.track_id].name
        return f"recording on {name} ({self.options.mode.value})"


    def _landed(self, result: TakeResult | None) -> None:
        if self.tell is not None and not self._toggling:
            self.tell(_describe(result))

    def take_failed(self) -> str | None:
        """Why the last take could not be written (then cleared), or None."""
        error, self.recorder.last_error = self.recorder.last_error, None
        return None if error is None else f"the take could not be saved: {error}"


def _describe(result: TakeResult | None) -> str:
    if result is None:
        return "take ended: nothing was played"
    text = f"take recorded: {result.notes} note{'' if result.notes == 1 else 's'} (one undo step)"
    if result.take_tracks:
        text += f"; {len(result.take_tracks)} more passes kept on muted take tracks"
    if result.lost_ports:
        text += f"; {', '.join(result.lost_ports)} went away during the take, its notes are kept"
    return text
