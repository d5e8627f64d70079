"""The primitive changes every edit is made of, each with an exact inverse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from cuesketch.model.entities import Entity, Settings


@dataclass(frozen=True)
class EntityChange:
    """Insert (``before`` None), delete (``after`` None) or replace one entity."""

    before: Entity | None
    after: Entity | None

    def __post_init__(self) -> None:
        if self.before is None and self.after is None:
            raise ValueError("a change needs a before or an after")
        if self.before is not None and self.after is not None:
            if type(self.before) is not type(self.after) or self.before.id != self.after.id:
                raise ValueError("a replacement keeps the kind and the id")

    @property
    def kind(self) -> type:
        return type(self.after if self.after is not None else self.before)

    @property
    def id(self) -> int:
        entity = self.after if self.after is not None else self.before
        assert entity is not None
        return entity.id

    def inverse(self) -> EntityChange:
        return EntityChange(self.after, self.before)


@dataclass(frozen=True)
class SettingsChange:
    before: Settings
    after: Settings

    def inverse(self) -> SettingsChange:
        return SettingsChange(self.after, self.before)


Change = Union[EntityChange, SettingsChange]


def insert(entity: Entity) -> EntityChange:
    return EntityChange(None, entity)


def delete(entity: Entity) -> EntityChange:
    return EntityChange(entity, None)


def replace(before: Entity, after: Entity) -> EntityChange:
    return EntityChange(before, after)
