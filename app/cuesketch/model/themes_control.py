"""What the Themes panel does, without a window: capture, insert, edit, the personal library,
and the theme map kept current.

The map takes a second on a film-length score, so it is computed off the GUI thread on a
*copy* of what it reads (``map_input``, cheap: the same frozen entities in a new project), and
the result is only kept if nothing changed meanwhile (``generation``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cuesketch.model import theme_map, theme_match, themes
from cuesketch.model.changes import Change
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Theme, ThemeUse, Track
from cuesketch.model.project import Project
from cuesketch.model.theme_values import ThemeError, ThemeRole, Transform


class ThemesControl:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.threshold = theme_match.THRESHOLD
        self.generation = 0  # bumped by every change: a map computed before one is stale
        self.entries: list[theme_map.MapEntry] = []
        self.map_generation = -1  # the generation ``entries`` were computed for
        self._listeners: list[Callable[[], None]] = []
        self._subscription = document.observe(self._changed)

    # -- observing -----------------------------------------------------------------------------
    def observe(self, listener: Callable[[], None]) -> None:
        """Hear that the project changed (the map is stale) or a new map is in."""
        self._listeners.append(listener)

    def _tell(self) -> None:
        for listener in list(self._listeners):
            listener()

    def _changed(self, changes: Sequence[Change]) -> None:
        self.generation += 1
        self._tell()

    def close(self) -> None:
        self._subscription.close()

    @property
    def themes(self) -> list[Theme]:
        return sorted(self.document.project.themes.values(), key=lambda t: t.name.lower())

    # -- editing -------------------------------------------------------------------------------
    def capture(self, note_ids: Sequence[int], name: str, stands_for: str = "",
                role: ThemeRole = ThemeRole.CHARACTER) -> Theme:
        """A theme from the selected notes, added as one undo step."""
        project = self.document.project
        notes = themes.notes_of(project, note_ids)
        theme = themes.capture(project, notes, name, stands_for=stands_for, role=role)
        with self.document.transaction(f"Capture theme {theme.name}"):
            changes = themes.add_theme(project, theme)
            self.document.execute_changes(changes)
        added = changes[0].after
        assert isinstance(added, Theme)
        return added

    def add(self, theme: Theme, label: str = "Add theme") -> Theme:
        project = self.document.project
        with self.document.transaction(label):
            changes = themes.add_theme(project, theme)
            self.document.execute_changes(changes)
        added = changes[0].after
        assert isinstance(added, Theme)
        return added

    def update(self, theme: Theme) -> None:
        with self.document.transaction(f"Edit theme {theme.name}"):
            self.document.execute_changes(themes.update_theme(self.document.project, theme))

    def delete(self, theme_id: int) -> None:
        name = self.document.project.get(Theme, theme_id).name
        with self.document.transaction(f"Delete theme {name}"):
            self.document.execute_changes(themes.delete_theme(self.document.project, theme_id))

    def insert(self, theme_id: int, track_id: int | None, at: int,
               transform: Transform = Transform(), align_to_bar: bool = True) -> ThemeUse:
        if track_id is None:
            raise ThemeError("choose a track to insert the theme on (arm it in the roll)")
        return themes.insert_theme_step(self.document, theme_id, track_id, at, transform,
                                        align_to_bar)

    def cue_at(self, at: int) -> Cue | None:
        from cuesketch.timing.cues import cue_at
        project = self.document.project
        return cue_at(list(project.cues.values()), project.settings.rate.flicks_to_frame(at))

    def origin_of(self, note_ids: Sequence[int]) -> str:
        """Where selected notes came from, in words ("" when from no theme)."""
        chosen = set(note_ids)
        project = self.document.project
        said = []
        for use in sorted(project.theme_uses.values(), key=lambda u: u.start):
            shared = chosen.intersection(use.note_ids)
            theme = project.themes.get(use.theme_id)
            if shared and theme is not None:
                cue = self.cue_at(use.start)
                said.append(f"{len(shared)} from {theme.name} ({use.transform.describe()})"
                            + (f" in {cue.name}" if cue else ""))
        return "; ".join(said[:3]) + (" …" if len(said) > 3 else "")

    def set_threshold(self, threshold: float) -> None:
        """The score a found statement must reach (the map is made again)."""
        if not 0 < threshold <= 1:
            raise ThemeError(f"a threshold is a score above 0 and at most 1, not {threshold}")
        if threshold != self.threshold:
            self.threshold = threshold
            self.generation += 1
            self._tell()

    # -- the map -------------------------------------------------------------------------------
    def map_input(self) -> tuple[int, Project]:
        """(generation, a copy of what the map reads): taken on the GUI thread, read anywhere."""
        project = self.document.project
        copy = Project()
        copy.load(project.settings, [*project.tracks.values(), *project.cues.values(),
                                     *project.themes.values(), *project.theme_uses.values(),
                                     *project.notes.values()])
        return self.generation, copy

    def compute(self, copy: Project, threshold: float | None = None) -> list[theme_map.MapEntry]:
        """The map of a copy (any thread)."""
        return theme_map.build(copy, self.threshold if threshold is None else threshold)

    def offer(self, generation: int, entries: list[theme_map.MapEntry]) -> bool:
        """A map computed for ``generation``: kept (and told) unless the project moved on."""
        if generation != self.generation:
            return False
        self.entries, self.map_generation = entries, generation
        self._tell()
        return True

    @property
    def stale(self) -> bool:
        return self.map_generation != self.generation

    def entries_of(self, theme_id: int) -> list[theme_map.MapEntry]:
        return [e for e in self.entries if e.theme_id == theme_id]

    def track_name(self, track_id: int) -> str:
        track = self.document.project.tracks.get(track_id)
        return track.name if isinstance(track, Track) else "?"
