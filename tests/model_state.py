"""Test helpers for checking the model: its whole state, and a sink that hears every change."""

from __future__ import annotations

from collections.abc import Sequence

from cuesketch.model.changes import Change
from cuesketch.model.entities import ControlPoint, Cue, Hit, Note, Settings, Track
from cuesketch.model.project import Project


class RecordingSink:
    """A Document sink keeping every change it is given (to replay them on a copy)."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def write(self, changes: Sequence[Change], settings: Settings) -> None:
        self.changes.extend(changes)


def state(project: Project) -> dict[type, dict[int, object]]:
    """Every entity of the project by kind and id: equal states are equal projects."""
    return {k: dict(project.table(k)) for k in (Note, ControlPoint, Track, Hit, Cue)}
