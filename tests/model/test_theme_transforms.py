"""Theme transforms: what undoes itself does, and each does what a composer means by it."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings, strategies as st

from cuesketch.model import theme_transforms as tt
from cuesketch.model.theme_values import (Key, Mode, Snippet, SnippetNote, ThemeError, Transform,
                                          parse_key)

beats = st.fractions(min_value=0, max_value=32, max_denominator=8)
lengths = st.fractions(min_value=Fraction(1, 8), max_value=8, max_denominator=8)
notes = st.builds(SnippetNote, beats, lengths, st.integers(40, 90), st.integers(1, 127))
snippets = st.builds(Snippet, st.lists(notes, max_size=12).map(tuple),
                     st.fractions(min_value=0, max_value=48, max_denominator=4))
keys = st.builds(Key, st.integers(0, 11), st.sampled_from(list(Mode)))


def _same(a: Snippet, b: Snippet) -> bool:
    return sorted(a.notes, key=repr) == sorted(b.notes, key=repr) and a.length == b.length


@settings(max_examples=40, deadline=None)
@given(snippets)
def test_retrograde_twice_is_the_theme(s: Snippet) -> None:
    assert _same(tt.retrograde(tt.retrograde(s)), s)


@settings(max_examples=40, deadline=None)
@given(snippets, st.integers(40, 90))
def test_inversion_twice_is_the_theme(s: Snippet, around: int) -> None:
    assume(all(0 <= 2 * around - n.pitch <= 127 for n in s.notes))
    assert _same(tt.invert(tt.invert(s, around), around), s)


@settings(max_examples=40, deadline=None)
@given(snippets, keys, st.integers(-14, 14))
def test_diatonic_steps_up_and_down_again(s: Snippet, key: Key, steps: int) -> None:
    on_scale = Snippet(tuple(n for n in s.notes if key.degree_of(n.pitch)[1] == 0), s.length)
    there = tt.transpose_diatonic(on_scale, steps, key)
    assert _same(tt.transpose_diatonic(there, -steps, key), on_scale)
    assert all(key.degree_of(n.pitch)[1] == 0 for n in there.notes)


@settings(max_examples=40, deadline=None)
@given(snippets, keys, st.integers(40, 90))
def test_diatonic_inversion_of_scale_notes_twice_is_the_theme(s: Snippet, key: Key,
                                                              around: int) -> None:
    on_scale = Snippet(tuple(n for n in s.notes if key.degree_of(n.pitch)[1] == 0), s.length)
    try:
        tt.invert(on_scale, around, key)
    except ThemeError:
        assume(False)
    assert _same(tt.invert(tt.invert(on_scale, around, key), around, key), on_scale)


@settings(max_examples=40, deadline=None)
@given(snippets, st.sampled_from([Fraction(1, 2), Fraction(2), Fraction(3, 2), Fraction(5, 7)]))
def test_augmentation_then_its_reciprocal_is_the_theme(s: Snippet, ratio: Fraction) -> None:
    assert _same(tt.scale_time(tt.scale_time(s, ratio), 1 / ratio), s)


@settings(max_examples=40, deadline=None)
@given(snippets, st.integers(-20, 20))
def test_transposition_keeps_every_interval(s: Snippet, shift: int) -> None:
    try:
        moved = tt.transpose(s, shift)
    except ThemeError:
        return
    assert [b.pitch - a.pitch for a, b in zip(s.notes, moved.notes)] == [shift] * len(s.notes)


def test_diatonic_shift_in_c_major_turns_thirds_the_key_s_way() -> None:
    c = parse_key("C major")
    s = Snippet((SnippetNote(Fraction(0), Fraction(1), 60), SnippetNote(Fraction(1), Fraction(1), 64)))
    up = tt.transpose_diatonic(s, 1, c)  # C-E (major third) -> D-F (minor third)
    assert [n.pitch for n in up.notes] == [62, 65]


def test_inversion_mirrors_around_the_pitch() -> None:
    s = Snippet((SnippetNote(Fraction(0), Fraction(1), 60), SnippetNote(Fraction(1), Fraction(1), 67)))
    assert [n.pitch for n in tt.invert(s, 60).notes] == [60, 53]


def test_retrograde_keeps_the_span_and_mirrors_inside_it() -> None:
    s = Snippet((SnippetNote(Fraction(1), Fraction(1), 60),), Fraction(4))
    assert tt.retrograde(s).notes[0].start == 2


def test_quantize_to_eighths() -> None:
    s = Snippet((SnippetNote(Fraction(3, 10), Fraction(1, 10), 60),), Fraction(4))
    q = tt.quantize(s, Fraction(1, 2))
    assert q.notes[0].start == Fraction(1, 2) and q.notes[0].duration == Fraction(1, 2)


def test_apply_runs_time_then_pitch_and_describes_itself() -> None:
    s = Snippet((SnippetNote(Fraction(0), Fraction(1), 60), SnippetNote(Fraction(1), Fraction(1), 62)),
                Fraction(2))
    t = Transform(shift=3, ratio=Fraction(2), invert_around=60, retrograde=True)
    out = tt.apply(s, t)
    assert [(n.start, n.duration, n.pitch) for n in out.sorted_notes()] == [
        (0, 2, 61), (2, 2, 63)]
    assert t.describe() == "retrograde, inverted around C4, x2, up 3 semitones"


def test_a_pitch_off_the_keyboard_is_said_plainly() -> None:
    s = Snippet((SnippetNote(Fraction(0), Fraction(1), 120),))
    with pytest.raises(ThemeError, match="off the keyboard"):
        tt.transpose(s, 12)


def test_bad_values_are_refused_in_words() -> None:
    with pytest.raises(ThemeError):
        Transform(ratio=Fraction(0))
    with pytest.raises(ThemeError, match="not a note name"):
        parse_key("H minor")
    assert str(parse_key("eb dorian")) == "Eb dorian"


def test_key_is_guessed_from_the_notes() -> None:
    a_minor = [57, 59, 60, 62, 64, 65, 67, 69, 64, 57]
    s = [SnippetNote(Fraction(i), Fraction(2 if p in (57, 64) else 1), p)
         for i, p in enumerate(a_minor)]
    assert tt.guess_key(s) == Key(9, Mode.MINOR)
