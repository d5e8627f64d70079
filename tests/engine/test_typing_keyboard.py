"""Musical typing: the DAW layout, octaves, velocity, held keys."""

from __future__ import annotations

from cuesketch.engine.typing_keyboard import TypingKeyboard, note_name


def make() -> tuple[TypingKeyboard, list[list[int]]]:
    sent: list[list[int]] = []
    return TypingKeyboard(sent.append), sent


def test_home_row_white_keys_upper_row_black_keys() -> None:
    kb, sent = make()
    for key in "AWSEDFTGYHUJK":
        assert kb.press(key)
        assert kb.release(key)
    ons = [m[1] for m in sent if m[0] == 0x90]
    assert ons == list(range(60, 73))
    assert [m[0] for m in sent[1::2]] == [0x80] * 13


def test_octave_and_velocity_keys() -> None:
    kb, sent = make()
    kb.press("z")
    kb.press("a")
    kb.press("x")
    kb.press("x")
    kb.press("a", auto_repeat=True)  # the OS repeating a held key: no second note
    kb.release("a")  # ends the note it started, an octave below, despite the octave change
    kb.press("c")
    kb.press("a")
    assert sent == [[0x90, 48, 100], [0x80, 48, 0], [0x90, 72, 80]]
    assert note_name(72) == "C5" and "C5" in kb.describe() and "80" in kb.describe()


def test_limits_and_other_keys() -> None:
    kb, sent = make()
    for _ in range(20):
        kb.press("x")
        kb.press("v")
    assert kb.base == 108 and kb.velocity == 127
    kb.press("'")  # the highest key at the highest octave is still a MIDI note
    assert sent == [[0x90, 125, 127]]
    sent.clear()
    for _ in range(20):
        kb.press("z")
        kb.press("c")
    assert kb.base == 0 and kb.velocity == 1
    assert not kb.press("q") and not kb.handles("1") and kb.handles("K")


def test_release_all_when_focus_is_lost() -> None:
    kb, sent = make()
    kb.press("a")
    kb.press("d")
    kb.release_all()
    assert sorted(m[1] for m in sent if m[0] == 0x80) == [60, 64]
    kb.release("a")  # the late key-up finds nothing held
    assert len(sent) == 4
