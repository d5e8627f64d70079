"""The project's theme library: capture a theme from notes, insert it (transformed and fitted to
the tempo map in force), and which use of which theme a note came from.

Like ``model.edits``, the functions return changes; the caller makes them one undo step:

    with document.transaction("Insert theme"):
        document.execute_changes(insert_theme(project, theme_id, track_id, at, transform))

or calls ``insert_theme_step``, which does exactly that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from fractions import Fraction

from cuesketch.model.changes import Change, EntityChange, delete, insert
from cuesketch.model.document import Document
from cuesketch.model.entities import Note, Theme, ThemeUse
from cuesketch.model.project import ModelError, Project
from cuesketch.model.theme_transforms import apply, guess_key
from cuesketch.model.theme_values import Snippet, SnippetNote, ThemeError, ThemeRole, Transform
from cuesketch.timing.position import tempo_at
from cuesketch.timing.tempo import PPQ, BarBeatTick, TempoMap

# Theme colours, offered in turn to new themes: apart from the instrument families' and hits'.
THEME_COLORS = ("#f2c14e", "#e86a92", "#7bd389", "#6fa8ff", "#c38fff", "#ff9f5a", "#4fd1c5",
                "#f07167", "#b8d96a", "#e0b3ff", "#ffd166", "#80c7ff")


def _tick(b: Fraction) -> Fraction:
    """A beat to the nearest tick (1/960 beat): a captured snippet keeps small numbers."""
    return Fraction(round(b * PPQ), PPQ)


def map_at(project: Project, at: int) -> TempoMap:
    """The tempo map in force at a transport position (a cue's own inside it)."""
    return tempo_at(at, project.settings, project.cues.values())


def bar_start(tm: TempoMap, at: int) -> Fraction:
    """The beat where the bar holding ``at`` begins."""
    bbt = tm.flicks_to_bbt(at)
    return tm.bbt_to_beat(BarBeatTick(bbt.bar))


# -- capture -------------------------------------------------------------------------------------
def capture(project: Project, notes: Sequence[Note], name: str, *,
            stands_for: str = "", role: ThemeRole = ThemeRole.CHARACTER) -> Theme:
    """A new theme (id 0: not yet added) from notes: beats from the start of the first note's
    bar, in the map in force there, its tempo and meter; whole bars long; key guessed."""
    if not notes:
        raise ThemeError("select the notes of the theme first")
    first = min(notes, key=lambda n: n.start)
    tm = map_at(project, first.start)
    origin = bar_start(tm, first.start)
    snippet_notes = []
    for n in notes:
        b0 = tm.flicks_to_beat(n.start) - origin
        b1 = tm.flicks_to_beat(n.end) - origin
        start, end = _tick(b0), _tick(b1)
        snippet_notes.append(SnippetNote(start, max(end - start, Fraction(1, PPQ)), n.pitch,
                                         n.velocity))
    bar = tm.flicks_to_bbt(first.start).bar
    meter = tm.meter_at(bar)
    bar_beats = Fraction(4 * meter.numerator, meter.denominator)
    end = max(s.end for s in snippet_notes)
    bars = -(-end // bar_beats)  # whole bars
    snippet = Snippet(tuple(sorted(snippet_notes, key=lambda s: (s.start, s.pitch))),
                      bars * bar_beats, _tick(tm.bpm_at(first.start)) or Fraction(120),
                      meter.numerator, meter.denominator)
    color = THEME_COLORS[len(project.themes) % len(THEME_COLORS)]
    return Theme(0, name.strip() or "Theme", stands_for, role, snippet,
                 guess_key(snippet.notes), color)


def add_theme(project: Project, theme: Theme) -> list[Change]:
    """Add a theme to the project's library (a fresh id; the name made unique)."""
    names = {t.name.lower() for t in project.themes.values()}
    name, k = theme.name, 2
    while name.lower() in names:
        name, k = f"{theme.name} {k}", k + 1
    return [insert(replace(theme, id=project.new_id(Theme), name=name))]


def update_theme(project: Project, theme: Theme) -> list[Change]:
    return [EntityChange(project.get(Theme, theme.id), theme)]


def delete_theme(project: Project, theme_id: int) -> list[Change]:
    """The theme and the record of its uses; the notes inserted from it stay in the score."""
    theme = project.get(Theme, theme_id)
    uses = [u for u in project.theme_uses.values() if u.theme_id == theme_id]
    changes: list[Change] = [delete(u) for u in uses]
    return changes + [delete(theme)]


# -- insert --------------------------------------------------------------------------------------
def placed(snippet: Snippet, tm: TempoMap, origin: Fraction) -> list[tuple[int, int, int, int]]:
    """(start, duration, pitch, velocity) in flicks: the snippet's beats laid on the map from
    beat ``origin``, so a ramp or a tempo change in the cue bends it as it bends the bars."""
    out: list[tuple[int, int, int, int]] = []
    for n in snippet.sorted_notes():
        start = tm.beat_to_flicks(origin + n.start)
        end = tm.beat_to_flicks(origin + n.end)
        out.append((start, max(end - start, 1), n.pitch, n.velocity))
    return out


def insert_theme(project: Project, theme_id: int, track_id: int, at: int,
                 transform: Transform = Transform(), align_to_bar: bool = True) -> list[Change]:
    """The theme's notes, transformed, on a track from ``at`` (or the start of its bar), in
    the tempo map in force there; and the record of this use."""
    theme = project.get(Theme, theme_id)
    if track_id not in project.tracks:
        raise ModelError(f"no track with id {track_id}")
    if not theme.snippet.notes:
        raise ThemeError(f"the theme {theme.name} has no notes")
    snippet = apply(theme.snippet, transform)
    tm = map_at(project, at)
    origin = bar_start(tm, at) if align_to_bar else tm.flicks_to_beat(at)
    changes: list[Change] = []
    ids: list[int] = []
    for start, duration, pitch, velocity in placed(snippet, tm, origin):
        nid = project.new_id(Note)
        ids.append(nid)
        changes.append(insert(Note(nid, track_id, start, duration, pitch, velocity)))
    use = ThemeUse(project.new_id(ThemeUse), theme_id, track_id, tm.beat_to_flicks(origin),
                   transform, tuple(ids))
    return changes + [insert(use)]


def insert_theme_step(document: Document, theme_id: int, track_id: int, at: int,
                      transform: Transform = Transform(), align_to_bar: bool = True) -> ThemeUse:
    """Insert as one undo step; returns the use recorded."""
    project = document.project
    name = project.get(Theme, theme_id).name
    with document.transaction(f"Insert theme {name}"):
        changes = insert_theme(project, theme_id, track_id, at, transform, align_to_bar)
        document.execute_changes(changes)
    use = changes[-1].after
    assert isinstance(use, ThemeUse)
    return use


def use_span(project: Project, use: ThemeUse) -> tuple[int, int] | None:
    """From the first to the last end of a use's notes still in the score (None: all gone)."""
    notes = [project.notes[i] for i in use.note_ids if i in project.notes]
    if not notes:
        return None
    return min(n.start for n in notes), max(n.end for n in notes)


def theme_by_name(project: Project, name: str) -> Theme:
    for t in project.themes.values():
        if t.name.lower() == name.strip().lower():
            return t
    names = ", ".join(sorted(t.name for t in project.themes.values())) or "none"
    raise ThemeError(f"the project has no theme '{name}' (its themes: {names})")


def notes_of(project: Project, ids: Iterable[int]) -> list[Note]:
    return [project.notes[i] for i in ids if i in project.notes]
