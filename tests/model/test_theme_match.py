"""Theme matching: a planted statement is found through transposition, augmentation,
inversion, retrograde and ornaments; unrelated notes are not; the map joins it to insertions."""

from __future__ import annotations

import random
from fractions import Fraction

from cuesketch.model import theme_map, theme_match, themes
from cuesketch.model import theme_transforms as tt
from cuesketch.model.document import Document
from cuesketch.model.entities import Note, Settings, Theme, Track
from cuesketch.model.project import Project
from cuesketch.model.theme_values import Key, Mode, Snippet, SnippetNote, Transform
from cuesketch.timing.units import FLICKS_PER_SECOND as F

import theme_film

TUNE = [(0, 1, 62), (1, 1, 65), (2, 2, 69), (4, 1, 67), (5, 1, 65), (6, 1, 64), (7, 1, 62),
        (8, 2, 57)]
THEME = Theme(1, "Anna", snippet=Snippet(tuple(SnippetNote(Fraction(b), Fraction(d), p)
                                               for b, d, p in TUNE), Fraction(12)),
              key=Key(2, Mode.MINOR))


def _played(t: Transform, at_s: float, bpm: float, grace_before: set[int] = frozenset()
            ) -> list[tuple[float, float, int]]:
    s = tt.apply(THEME.snippet, t)
    out = []
    for i, n in enumerate(s.sorted_notes()):
        start = at_s + float(n.start) * 60 / bpm
        if i in grace_before:
            out.append((start - 0.08, 0.07, n.pitch + 1))
        out.append((start, float(n.duration) * 60 / bpm, n.pitch))
    return out


def _project(*phrases: list[tuple[float, float, int]], noise: int = 300) -> Project:
    rng = random.Random(4)
    notes = []
    for phrase in phrases:
        for s, d, p in phrase:
            notes.append(Note(len(notes) + 1, 1, round(s * F), round(d * F), p))
    for k in range(noise):  # a random melody elsewhere on the track, and chords on another
        notes.append(Note(len(notes) + 1, 1, round((400 + k * 0.4) * F), round(0.35 * F),
                          rng.randint(55, 80)))
        notes.append(Note(len(notes) + 1, 2, round(k * 1.5 * F), round(1.4 * F),
                          rng.randint(40, 54)))
    project = Project()
    project.load(Settings(), [Track(1, "Flute"), Track(2, "Strings"), THEME, *notes])
    return project


def test_a_transposed_slower_ornamented_statement_is_found() -> None:
    phrase = _played(Transform(shift=5, ratio=Fraction(3, 2)), 20.0, 84, {3})
    found = theme_match.find(_project(phrase))
    assert len(found) == 1
    m = found[0]
    assert (m.theme_id, m.track_id, m.variant, m.shift) == (1, 1, "prime", 5)
    assert m.start == round(20.0 * F) and m.score > 0.85
    assert len(m.note_ids) == len(TUNE)  # the grace note stepped over


def test_inverted_and_retrograde_statements_are_found_as_such() -> None:
    inverted = _played(Transform(invert_around=62, shift=-3), 20.0, 120)
    backwards = _played(Transform(retrograde=True, diatonic=True, key=THEME.key, shift=2),
                        60.0, 100)
    found = theme_match.find(_project(inverted, backwards))
    assert [(m.start // F, m.variant) for m in found] == [(20, "inverted"), (61, "retrograde")]
    # (the last note ends two beats before the theme's span: backwards, it starts 2 beats in)


def test_a_diatonic_transposition_counts_as_the_theme() -> None:
    phrase = _played(Transform(shift=3, diatonic=True, key=THEME.key), 30.0, 100)
    found = theme_match.find(_project(phrase))
    assert len(found) == 1 and found[0].score >= 0.95


def test_unrelated_notes_are_not_the_theme() -> None:
    assert theme_match.find(_project(noise=600)) == []


def test_a_new_rhythm_lowers_the_score_but_a_clear_tune_still_matches() -> None:
    steady = theme_match.find(_project(_played(Transform(), 20.0, 100)))[0]
    rng = random.Random(1)
    t, bent = 20.0, []
    for s, d, p in _played(Transform(), 0.0, 100):
        bent.append((t, 0.25, p))
        t += rng.choice([0.3, 0.9, 1.4])
    moved = theme_match.find(_project(bent))
    assert moved and moved[0].score < steady.score


def test_the_map_joins_insertions_and_found_statements() -> None:
    project = _project(_played(Transform(shift=2), 20.0, 120))
    doc = Document(project)
    use = themes.insert_theme_step(doc, 1, 2, 200 * F, Transform(ratio=Fraction(2)))
    entries = theme_map.build(project)
    assert [(e.source, e.track_id) for e in entries] == [("found", 1), ("inserted", 2)]
    assert entries[1].use_id == use.id and entries[1].score == 1.0
    assert entries[0].theme_name == "Anna"


def test_the_generated_film_is_mapped_well_at_a_small_size() -> None:
    project, planted = theme_film.film(seed=3, themes=6, statements=40, unrelated=3000,
                                       seconds=1200)
    found = theme_match.find(project)
    recall, precision = theme_film.score(
        [(m.theme_id, m.track_id, m.start, m.end) for m in found], planted)
    assert recall >= 0.95 and precision >= 0.95


def test_a_theme_in_the_bass_under_a_tune_on_the_same_track_is_found() -> None:
    low = [(s, d, p - 24) for s, d, p in _played(Transform(), 20.0, 100)]
    rng = random.Random(9)
    over = []
    t = 20.0
    while t < low[-1][0] + 2:  # a busy tune above, on the same track
        over.append((t, 0.24, rng.randint(76, 88)))
        t += 0.25
    found = theme_match.find(_project(low + over))
    assert [(m.start // F, m.variant) for m in found] == [(20, "prime")]
    assert found[0].shift == -24


def test_a_short_motif_must_be_played_almost_exactly() -> None:
    motif = Theme(2, "Knock", snippet=Snippet(tuple(
        SnippetNote(Fraction(b), Fraction(1), p) for b, p in enumerate([67, 67, 67, 63]))))
    rng = random.Random(2)
    notes = [Note(k + 1, 1, round(k * 0.3 * F), round(0.28 * F), rng.randint(60, 72))
             for k in range(2000)]
    exact = [Note(5000 + i, 1, round((700 + i * 0.5) * F), round(0.45 * F), p + 2)
             for i, p in enumerate([67, 67, 67, 63])]
    project = Project()
    project.load(Settings(), [Track(1, "Brass"), motif, *notes, *exact])
    found = theme_match.find(project)
    assert all(m.score >= theme_match.SHORT_THEME_SCORE for m in found)
    assert any(m.note_ids == (5000, 5001, 5002, 5003) for m in found)


def test_matching_keeps_a_byte_a_cell_of_the_alignment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Memory: the alignment of an m-note theme over n played notes keeps m x n bytes (the
    way back), not three m x n arrays of 8-byte numbers."""
    seen: list[tuple[int, int, int]] = []
    align = theme_match._align

    def measured(q, qd, steps, keyed, n):  # type: ignore[no-untyped-def]
        al = align(q, qd, steps, keyed, n)
        seen.append((len(q), n, sum(b.nbytes for b in al.back)))
        return al

    monkeypatch.setattr(theme_match, "_align", measured)
    project = _project(_played(Transform(), 10, 90), noise=2000)
    found = theme_match.find(project)
    assert [m.theme_id for m in found][:1] == [1]
    assert seen and all(kept <= m * n for m, n, kept in seen)
