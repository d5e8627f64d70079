"""Musical typing: the computer keyboard as a small piano, for when no MIDI keyboard is at hand.

The layout is the one DAWs use (Logic's "Musical Typing", Ableton's computer MIDI keyboard):
the home row plays the white keys and the row above the black keys,

     W E   T Y U   O P
    A S D F G H J K L ; '      A = C, W = C#, S = D ... K = C an octave up ... ' = F

Z / X move an octave down / up, C / V lower / raise the velocity. No Qt here: the window
hands key presses and releases to ``press`` / ``release`` (plain characters) and the keyboard
sends raw MIDI bytes through ``send``, usually ``MidiInputs.sender(TYPING_SOURCE)``, so typed
notes take the same path as a real keyboard's (monitoring, recording).
"""

from __future__ import annotations

from collections.abc import Callable

from cuesketch.model.edits import NOTE_NAMES, pitch_name

TYPING_SOURCE = "Computer keyboard"

# Semitones above the current octave's C.
KEY_OFFSETS: dict[str, int] = {
    "a": 0, "w": 1, "s": 2, "e": 3, "d": 4, "f": 5, "t": 6, "g": 7, "y": 8, "h": 9, "u": 10,
    "j": 11, "k": 12, "o": 13, "l": 14, "p": 15, ";": 16, "'": 17,
}
OCTAVE_DOWN, OCTAVE_UP = "z", "x"
VELOCITY_DOWN, VELOCITY_UP = "c", "v"
CONTROL_KEYS = frozenset({OCTAVE_DOWN, OCTAVE_UP, VELOCITY_DOWN, VELOCITY_UP})

VELOCITY_STEP = 20
LOWEST_BASE, HIGHEST_BASE = 0, 108  # the C the A key plays: keeps every key inside 0..127
note_name = pitch_name  # MIDI pitch as a name, middle C (60) being C4


class TypingKeyboard:
    def __init__(self, send: Callable[[list[int]], None], base: int = 60, velocity: int = 100,
                 channel: int = 0) -> None:
        self.send = send
        self.base = base
        self.velocity = velocity
        self.channel = channel
        self._held: dict[str, int] = {}  # key -> the pitch it sounded, so a release after an
        # octave change still ends the right note

    def handles(self, key: str) -> bool:
        k = key.lower()
        return k in KEY_OFFSETS or k in CONTROL_KEYS

    def press(self, key: str, auto_repeat: bool = False) -> bool:
        """A key went down; True when it is one of ours (the window then swallows it)."""
        k = key.lower()
        if k in CONTROL_KEYS:
            if not auto_repeat:
                self._control(k)
            return True
        if k not in KEY_OFFSETS:
            return False
        if auto_repeat or k in self._held:  # the OS repeats held keys: one note per press
            return True
        pitch = self.base + KEY_OFFSETS[k]
        if pitch > 127:
            return True
        self._held[k] = pitch
        self.send([0x90 | self.channel, pitch, self.velocity])
        return True

    def release(self, key: str, auto_repeat: bool = False) -> bool:
        k = key.lower()
        if k in CONTROL_KEYS:
            return True
        if k not in KEY_OFFSETS:
            return False
        if auto_repeat:
            return True
        pitch = self._held.pop(k, None)
        if pitch is not None:
            self.send([0x80 | self.channel, pitch, 0])
        return True

    def release_all(self) -> None:
        """End every held note (the window lost focus: the key releases will never come)."""
        for key in list(self._held):
            self.release(key)

    def describe(self) -> str:
        return (f"Musical typing: A plays {note_name(self.base)}, velocity {self.velocity} "
                f"(Z/X octave, C/V velocity)")

    def _control(self, key: str) -> None:
        if key == OCTAVE_DOWN:
            self.base = max(LOWEST_BASE, self.base - 12)
        elif key == OCTAVE_UP:
            self.base = min(HIGHEST_BASE, self.base + 12)
        elif key == VELOCITY_DOWN:
            self.velocity = max(1, self.velocity - VELOCITY_STEP)
        elif key == VELOCITY_UP:
            self.velocity = min(127, self.velocity + VELOCITY_STEP)
