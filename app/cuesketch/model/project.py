"""The project in memory: entities by kind and id, and the settings. Knows no view, no store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar, cast

from cuesketch.model.changes import Change, SettingsChange
from cuesketch.model.entities import (ENTITY_KINDS, ControlPoint, Cue, Entity, Hit, Marker,
                                      NoMusic, Note, ReviewNote, RightsShare, Settings, Theme,
                                      ThemeUse, Track, SpeechRegion)

E = TypeVar("E", Note, ControlPoint, Track, Hit, Cue, Marker, NoMusic, RightsShare, Theme,
            ThemeUse, ReviewNote, SpeechRegion)


class ModelError(ValueError):
    """A change that does not fit the project (unknown id, duplicate id)."""


@dataclass
class Project:
    settings: Settings = field(default_factory=Settings)
    _tables: dict[type, dict[int, Entity]] = field(
        default_factory=lambda: {kind: {} for kind in ENTITY_KINDS})
    _next_ids: dict[type, int] = field(default_factory=lambda: {kind: 1 for kind in ENTITY_KINDS})

    # -- reading -----------------------------------------------------------------------------
    def table(self, kind: type[E]) -> dict[int, E]:
        return cast("dict[int, E]", self._tables[kind])

    def get(self, kind: type[E], id: int) -> E:
        try:
            return cast(E, self._tables[kind][id])
        except KeyError:
            raise ModelError(f"no {kind.__name__.lower()} with id {id}") from None

    @property
    def notes(self) -> dict[int, Note]:
        return self.table(Note)

    @property
    def tracks(self) -> dict[int, Track]:
        return self.table(Track)

    @property
    def hits(self) -> dict[int, Hit]:
        return self.table(Hit)

    @property
    def cues(self) -> dict[int, Cue]:
        return self.table(Cue)

    @property
    def controls(self) -> dict[int, ControlPoint]:
        return self.table(ControlPoint)

    @property
    def speech_regions(self) -> dict[int, SpeechRegion]:
        return self.table(SpeechRegion)

    @property
    def themes(self) -> dict[int, Theme]:
        return self.table(Theme)

    @property
    def theme_uses(self) -> dict[int, ThemeUse]:
        return self.table(ThemeUse)

    @property
    def review_notes(self) -> dict[int, ReviewNote]:
        return self.table(ReviewNote)

    def sorted_tracks(self) -> list[Track]:
        return sorted(self.tracks.values(), key=lambda t: (t.order, t.id))

    def heard_tracks(self) -> list[int]:
        """The tracks that sound, in order: not muted, and soloed when any track is."""
        tracks = self.sorted_tracks()
        soloed = any(t.solo for t in tracks)
        return [t.id for t in tracks if not t.mute and (t.solo or not soloed)]

    def notes_of(self, track_id: int) -> Iterator[Note]:
        return (n for n in self.notes.values() if n.track_id == track_id)

    def new_id(self, kind: type) -> int:
        """Reserve an id for an entity about to be inserted."""
        nid = self._next_ids[kind]
        self._next_ids[kind] = nid + 1
        return nid

    # -- changing (only through Document, which records the inverse) -----------------------
    def apply(self, changes: Iterable[Change]) -> None:
        """Apply the changes in order, all or none: if one does not fit, those before it are
        taken back and the ModelError raised."""
        done: list[Change] = []
        try:
            for change in changes:
                self._apply_one(change)
                done.append(change)
        except ModelError:
            for change in reversed(done):
                self._apply_one(change.inverse())
            raise

    def _apply_one(self, change: Change) -> None:
        if isinstance(change, SettingsChange):
            self.settings = change.after
            return
        table = self._tables[change.kind]
        if change.before is not None and table.get(change.id) != change.before:
            raise ModelError(f"{change.kind.__name__} {change.id} is not as the change expects")
        if change.after is None:
            del table[change.id]
        else:
            if change.before is None and change.id in table:
                raise ModelError(f"{change.kind.__name__} {change.id} exists already")
            table[change.id] = change.after
            if change.id >= self._next_ids[change.kind]:
                self._next_ids[change.kind] = change.id + 1

    def load(self, settings: Settings, entities: Iterable[Entity]) -> None:
        """Fill an empty project (from a store or a file) without recording anything."""
        # Straight into the tables (no change objects): opening 100,000 notes stays fast.
        self.settings = settings
        tables = self._tables
        for e in entities:
            table = tables[type(e)]
            if e.id in table:
                raise ModelError(f"two {type(e).__name__.lower()}s have the id {e.id}")
            table[e.id] = e
        for kind, table in tables.items():
            if table:
                self._next_ids[kind] = max(self._next_ids[kind], max(table) + 1)
