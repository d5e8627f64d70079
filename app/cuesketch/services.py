"""Every service of a running Cuesketch, typed, in one place.

The composition root (``app.py``) builds each of them once and hands this to the window; the
window and its handlers read them from here and never build one. A service that could not start
(no audio device, no MIDI system, no film) is None, and ``problems`` says why in plain words.

Floors: this module sits above the engine and media and below ``ui`` and ``app``; it imports
nothing from either of those.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cuesketch.engine.clock import MonotonicClock, SystemClock
from cuesketch.engine.range_marks import RangeMarks
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.prefs import Preferences, pre_roll_flicks
from cuesketch.store.project_file import ProjectFile

if TYPE_CHECKING:
    from cuesketch.engine.audio_out import AudioOutput
    from cuesketch.engine.click import Click
    from cuesketch.engine.fault_watch import FaultWatch
    from cuesketch.engine.midi_input import MidiInputs
    from cuesketch.engine.monitor import Monitor
    from cuesketch.engine.playback import Playback
    from cuesketch.engine.range_control import RangeControl
    from cuesketch.engine.recorder import Recorder
    from cuesketch.engine.session import RecordSession
    from cuesketch.engine.synth import SynthEngine
    from cuesketch.engine.typing_keyboard import TypingKeyboard
    from cuesketch.media.picture_service import PictureService
    from cuesketch.store.journal import Journal


class StatusLine:
    """What services have to say on the status bar ("keyboard X went away", "take recorded").

    ``post`` may be called from any thread; the window listens and shows the text on its own
    thread. With nobody listening (no window: tests, the command line) a message goes nowhere.
    """

    def __init__(self) -> None:
        self._listeners: tuple[Callable[[str], None], ...] = ()

    def listen(self, listener: Callable[[str], None]) -> None:
        self._listeners = (*self._listeners, listener)

    def post(self, text: str) -> None:
        for listener in self._listeners:
            listener(text)


@dataclass
class Services:
    document: Document
    transport: Transport
    project_file: ProjectFile | None = None
    project_path: Path | None = None
    problems: list[str] = field(default_factory=list)
    read_only_reason: str | None = None  # why the project opened read-only (also a problem)
    clock: MonotonicClock = field(default_factory=SystemClock)  # the transport's, shared
    preferences: Preferences = field(default_factory=Preferences)
    status: StatusLine = field(default_factory=StatusLine)
    range_marks: RangeMarks = field(default_factory=RangeMarks)
    picture: PictureService | None = None  # the film on screen (None: no picture at all)
    synth: SynthEngine | None = None
    playback: Playback | None = None
    audio: AudioOutput | None = None
    monitor: Monitor | None = None
    midi: MidiInputs | None = None
    recorder: Recorder | None = None
    journal: Journal | None = None
    session: RecordSession | None = None  # the armed track and the record button
    range_control: RangeControl | None = None  # loop and punch over the range, record mode
    typing: TypingKeyboard | None = None  # musical typing (needs the MIDI inputs' path)
    faults: FaultWatch | None = None  # pauses, lost audio, a full or vanished disk mid-take

    def apply_preferences(self, new: Preferences) -> list[str]:
        """What can change live, changed (MIDI inputs, the audio device, the film's sound, the
        click); the rest waits for the next start. Returns what to tell the user."""
        old, self.preferences = self.preferences, new
        said = []
        self.transport.pre_roll = pre_roll_flicks(new)
        if new.pre_roll_seconds != old.pre_roll_seconds:
            said.append(f"pre-roll {new.pre_roll_seconds:g} s" if new.pre_roll_seconds
                        else "pre-roll off")
        if self.midi is not None and new.midi_inputs != old.midi_inputs:
            self.midi.set_ports(new.midi_inputs or None)
            said.append("MIDI inputs: " + (", ".join(new.midi_inputs) or "the first one found"))
        if self.audio is not None and self.playback is not None and (
                new.audio_driver, new.audio_buffer) != (old.audio_driver, old.audio_buffer):
            from cuesketch.engine.audio_out import AudioOutput
            if self.faults is not None:
                self.faults.audio = None  # the watch lets go of the old output first
            self.audio.close()
            self.audio = AudioOutput(self.playback,
                                     drivers=(new.audio_driver,) if new.audio_driver else None,
                                     period_size=new.audio_buffer)
            self.audio.start()
            if self.faults is not None:
                self.faults.audio = self.audio  # watched for going away in its turn
            said.append(f"audio: {self.audio.status}")
        if new.soundfont != old.soundfont:
            said.append("the SoundFont changes when Cuesketch next starts")
        picture = self.picture
        if picture is not None and new.film_volume != old.film_volume:
            picture.set_volume(new.film_volume)
            if picture.player is not None:
                said.append(f"film sound at {new.film_volume * 100:.0f} %")
        if self.playback is not None and (new.click_level, new.click_sound) != (
                old.click_level, old.click_sound):
            apply_click_preferences(self.playback.click, new)
            said.append(f"click at {new.click_level * 100:.0f} %")
        return said

    def close(self) -> None:
        """Land a take still being recorded, then let every device go; the project last."""
        recorder = self.recorder
        steps: list[tuple[str, Callable[[], object] | None]] = [
            ("fault watch", self.faults.close if self.faults is not None else None),
            ("recorder", (lambda: recorder.active and recorder.stop())
             if recorder is not None else None),
            ("midi", self.midi.close if self.midi is not None else None),
            ("audio", self.audio.stop if self.audio is not None else None),
            ("playback", self.playback.close if self.playback is not None else None),
            ("picture", self.picture.close if self.picture is not None else None),
            ("journal", self.journal.close if self.journal is not None else None),
            ("synth", self.synth.close if self.synth is not None else None),
        ]
        for name, step in steps:
            if step is None:
                continue
            try:
                step()
            except Exception as e:  # closing one device must not lose the project
                print(f"cuesketch: closing {name}: {e}", file=sys.stderr)
        if self.project_file is not None:
            self.project_file.close()


def apply_click_preferences(click: Click, preferences: Preferences) -> None:
    """The click's level and sound as the user set them (at start, and live from the dialog);
    read by the audio thread at its next block."""
    from cuesketch.engine.click import CLICK_SOUNDS
    click.level = min(max(float(preferences.click_level), 0.0), 1.0)
    click.sound = preferences.click_sound if preferences.click_sound in CLICK_SOUNDS else "gm"
