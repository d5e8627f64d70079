"""Spotting edits: add a cue or hit at a frame, move by whole frames, resize, edit fields,
delete; no-music ranges and markers. Each returns the changes (as ``model.edits`` does), and
``SpottingEditor`` runs them through the Document, one undo step each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, cast

from cuesketch.model.changes import Change, delete, insert
from cuesketch.model.changes import replace as replace_change
from cuesketch.model.document import Document
from cuesketch.model.entities import (CUE_USAGES, Cue, CueKind, CueStatus, Hit, HitKind, Marker,
                                      NoMusic)
from cuesketch.model.project import Project
from cuesketch.model.spotting_numbers import name_for_new_cue, renumbered

Spotted = Cue | Hit | NoMusic | Marker
MAX_TEXT = 10_000  # a name, note or title longer than this is a paste gone wrong
MAX_TAGS = 64


class SpottingError(ValueError):
    """An edit that does not make sense (a cue that ends before it starts), in plain words."""


def _check_span(start: int, end: int, what: str) -> None:
    if end <= start:
        raise SpottingError(f"{what} must end after it starts (frames {start} to {end})")


def add_cue(project: Project, start: int, end: int, name: str | None = None,
            **fields: Any) -> list[Change]:
    """A cue over frames start..end; without a name it gets the next number (or an insert)."""
    _check_span(start, end, "a cue")
    kind = fields.get("kind", CueKind.SCORE)
    if name is None:
        name = name_for_new_cue(project.cues.values(), start, kind)
    cue = Cue(project.new_id(Cue), name, start, end)
    return [insert(_with_fields(cue, fields))]


def add_hit(project: Project, frame: int, kind: HitKind = HitKind.HARD, name: str = "",
            note: str = "") -> list[Change]:
    return [insert(Hit(project.new_id(Hit), frame, name, kind, note))]


def add_no_music(project: Project, start: int, end: int, note: str = "") -> list[Change]:
    _check_span(start, end, "a no-music range")
    return [insert(NoMusic(project.new_id(NoMusic), start, end, note))]


def add_marker(project: Project, frame: int, name: str = "", color: str = "", note: str = "",
               length: int = 0) -> list[Change]:
    if length < 0:
        raise SpottingError("a marker's length can't be negative")
    return [insert(Marker(project.new_id(Marker), frame, name, color, note, length))]


def moved(entity: Spotted, frames: int) -> Spotted:
    """The entity moved by whole frames (a cue keeps its length)."""
    if isinstance(entity, Hit | Marker):
        return replace(entity, frame=entity.frame + frames)
    return replace(entity, start_frame=entity.start_frame + frames,
                   end_frame=entity.end_frame + frames)


def move(project: Project, entities: Iterable[Spotted], frames: int) -> list[Change]:
    """Move cues, hits, ranges and markers by whole frames (``frames`` may be negative)."""
    if frames == 0:
        return []
    return [replace_change(_current(project, e), moved(_current(project, e), frames))
            for e in entities]


def resize(project: Project, entity: Cue | NoMusic, start: int | None = None,
           end: int | None = None) -> list[Change]:
    """Set a cue's or range's start or end frame (the other stays)."""
    now = _current(project, entity)
    assert isinstance(now, Cue | NoMusic)
    new_start = now.start_frame if start is None else start
    new_end = now.end_frame if end is None else end
    _check_span(new_start, new_end, "a cue" if isinstance(now, Cue) else "a no-music range")
    after = replace(now, start_frame=new_start, end_frame=new_end)
    return [] if after == now else [replace_change(now, after)]


def edit(project: Project, entity: Spotted, **fields: Any) -> list[Change]:
    """Change named fields (a cue's name, title, kind, usage, status, tags, palette, notes; a
    hit's name, kind, note; ...), checked."""
    now = _current(project, entity)
    after = _with_fields(now, fields)
    if isinstance(after, Cue | NoMusic):
        _check_span(after.start_frame, after.end_frame, "a cue")
    return [] if after == now else [replace_change(now, after)]


def remove(project: Project, entities: Iterable[Spotted]) -> list[Change]:
    return [delete(_current(project, e)) for e in entities]


def _current(project: Project, entity: Spotted) -> Spotted:
    now = project.table(type(entity)).get(entity.id)  # type: ignore[type-var]
    if now is None:
        raise SpottingError(f"that {type(entity).__name__.lower()} is gone (deleted or undone)")
    return cast(Spotted, now)


def _with_fields(entity: Spotted, fields: dict[str, Any]) -> Any:
    for key, value in fields.items():
        if not hasattr(entity, key) or key == "id":
            raise SpottingError(f"a {type(entity).__name__.lower()} has no field {key!r}")
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise SpottingError(f"the {key} is too long (at most {MAX_TEXT} characters)")
    if "tags" in fields:
        fields = {**fields, "tags": _tags(fields["tags"])}
    if "usage" in fields and fields["usage"] not in CUE_USAGES:
        raise SpottingError(f"usage must be one of {', '.join(u for u in CUE_USAGES if u)}, "
                            f"or empty; not {fields['usage']!r}")
    for key, enum_type in (("kind", CueKind if isinstance(entity, Cue) else HitKind),
                           ("status", CueStatus)):
        if key in fields and not isinstance(fields[key], enum_type):
            try:
                fields = {**fields, key: enum_type(str(fields[key]).lower())}
            except ValueError:
                names = ", ".join(k.value for k in enum_type)  # type: ignore[attr-defined]
                raise SpottingError(f"{key} must be one of {names}, "
                                    f"not {fields[key]!r}") from None
    return replace(entity, **fields)


def _tags(value: Any) -> tuple[str, ...]:
    words = value.split(",") if isinstance(value, str) else list(value)
    tags = tuple(dict.fromkeys(w.strip() for w in words if str(w).strip()))
    if len(tags) > MAX_TAGS:
        raise SpottingError(f"a cue takes at most {MAX_TAGS} tags")
    return tags


class SpottingEditor:
    """The spotting edits through the Document: each call is one undo step."""

    def __init__(self, document: Document) -> None:
        self.document = document

    @property
    def project(self) -> Project:
        return self.document.project

    def _run(self, label: str, changes: Sequence[Change]) -> list[Change]:
        if changes:
            with self.document.transaction(label):
                self.document.execute_changes(changes, label)
        return list(changes)

    def add_cue(self, start: int, end: int, name: str | None = None, **fields: Any) -> Cue:
        changes = self._run("Add cue", add_cue(self.project, start, end, name, **fields))
        after = changes[0].after  # type: ignore[union-attr]
        assert isinstance(after, Cue)
        return after

    def add_hit(self, frame: int, kind: HitKind = HitKind.HARD, name: str = "") -> Hit:
        changes = self._run(f"Add {kind.value} hit", add_hit(self.project, frame, kind, name))
        after = changes[0].after  # type: ignore[union-attr]
        assert isinstance(after, Hit)
        return after

    def add_no_music(self, start: int, end: int, note: str = "") -> None:
        self._run("Add no-music range", add_no_music(self.project, start, end, note))

    def add_marker(self, frame: int, name: str = "", color: str = "", note: str = "",
                   length: int = 0) -> None:
        self._run("Add marker", add_marker(self.project, frame, name, color, note, length))

    def move(self, entities: Iterable[Spotted], frames: int) -> None:
        self._run("Move", move(self.project, entities, frames))

    def resize(self, entity: Cue | NoMusic, start: int | None = None,
               end: int | None = None) -> None:
        self._run("Resize", resize(self.project, entity, start, end))

    def edit(self, entity: Spotted, **fields: Any) -> None:
        self._run(f"Edit {', '.join(fields)}", edit(self.project, entity, **fields))

    def delete(self, entities: Iterable[Spotted]) -> None:
        self._run("Delete", remove(self.project, entities))

    def renumber(self, running: bool = False) -> int:
        """Renumber every cue in time order (per reel, or running); how many changed name."""
        changes = renumbered(self.project.cues.values(), running)
        self._run("Renumber cues", changes)
        return len(changes)
