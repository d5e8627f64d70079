"""The theme map: where each theme sounds in the film, from its insertions and from played
material that matches it (``model.theme_match``), with the cue each statement falls in.

An insertion is certain (score 1.0) and says how it was transformed; a match found over the
notes an insertion made, of the same theme, is the insertion again and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cuesketch.model import theme_match
from cuesketch.model.project import Project
from cuesketch.model.themes import use_span
from cuesketch.timing.cues import cue_at


@dataclass(frozen=True)
class MapEntry:
    theme_id: int
    theme_name: str
    color: str
    track_id: int
    start: int  # flicks
    end: int
    score: float  # 1.0 for an insertion
    source: str  # "inserted" or "found"
    how: str  # the transform ("inverted around D4, x2") or the variant found ("inverted")
    cue: str = ""  # the cue it sounds in, by name
    use_id: int = 0  # the insertion's record, for an inserted entry
    note_ids: tuple[int, ...] = ()  # its notes (those still in the score, for an insertion)


def build(project: Project, threshold: float = theme_match.THRESHOLD) -> list[MapEntry]:
    """Every statement of every theme, in order of start."""
    themes = project.themes
    entries: list[MapEntry] = []
    inserted: dict[int, set[int]] = {}  # theme id -> ids of notes its insertions made
    for use in project.theme_uses.values():
        theme = themes.get(use.theme_id)
        span = use_span(project, use)
        if theme is None or span is None:
            continue
        inserted.setdefault(theme.id, set()).update(use.note_ids)
        entries.append(MapEntry(theme.id, theme.name, theme.color, use.track_id, span[0],
                                span[1], 1.0, "inserted", use.transform.describe(),
                                use_id=use.id, note_ids=tuple(
                                    i for i in use.note_ids if i in project.notes)))
    for m in theme_match.find(project, threshold=threshold):
        mine = inserted.get(m.theme_id, set())
        if sum(1 for i in m.note_ids if i in mine) * 2 >= len(m.note_ids):
            continue
        theme = themes[m.theme_id]
        how = m.variant + (f", {m.shift:+d} semitones" if m.shift and not m.inverted else "")
        entries.append(MapEntry(theme.id, theme.name, theme.color, m.track_id, m.start, m.end,
                                m.score, "found", how, note_ids=m.note_ids))
    rate = project.settings.rate
    cues = list(project.cues.values())
    out = []
    for e in entries:
        cue = cue_at(cues, rate.flicks_to_frame(e.start))
        out.append(replace(e, cue=cue.name) if cue is not None else e)
    out.sort(key=lambda e: (e.start, e.track_id, e.theme_name))
    return out
