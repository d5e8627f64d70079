"""A project as JSON: readable, diffable, and exact both ways (project -> JSON -> project).

Layout, always the same for the same project so that two exports diff line by line:

    {
      "format": "cuesketch-project",
      "version": 1,
      "settings": { ...indented, keys sorted... },
      "tracks": [
        {"bank": 0, "channel": 0, "color": "#4f9dde", "id": 1, ...},
        ...
      ],
      "cues": [...], "hits": [...], "notes": [...], "controls": [...]
    }

One entity a line, sorted by id, keys sorted: moving a note changes one line. Exact numbers
(frame rates, tempos) are strings such as "30000/1001"; times are integer flicks. Reading checks
every value and says where the first wrong one is ("notes[12]: pitch must be 0..127, not 130").
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cuesketch.files import commit_file, remove_quietly, temp_beside
from cuesketch.model.entities import Entity
from cuesketch.model.project import ModelError, Project
from cuesketch.store.codec import (KINDS, FormatError, entity_from_dict, entity_to_dict,
                                   settings_from_dict, settings_to_dict)
from cuesketch.store.sqlite_io import describe

FORMAT = "cuesketch-project"
VERSION = 1


def dumps(project: Project) -> str:
    settings = json.dumps(settings_to_dict(project.settings), indent=2, sort_keys=True,
                          ensure_ascii=False).replace("\n", "\n  ")
    parts = [f'  "format": "{FORMAT}"', f'  "version": {VERSION}', f'  "settings": {settings}']
    for cls, kind in KINDS.items():
        entities = sorted(project.table(cls).values(), key=lambda e: e.id)
        if not entities:
            parts.append(f'  "{kind.table}": []')
            continue
        lines = ",\n".join("    " + json.dumps(entity_to_dict(e), sort_keys=True,
                                                 ensure_ascii=False) for e in entities)
        parts.append(f'  "{kind.table}": [\n{lines}\n  ]')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def loads(text: str) -> Project:
    """A project from JSON text; FormatError says what is wrong and where."""
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise FormatError(f"this is not valid JSON (line {e.lineno}, column {e.colno}: "
                          f"{e.msg})") from None
    except (ValueError, RecursionError) as e:
        raise FormatError(f"this is not valid JSON ({e})") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise FormatError(f'this is not a Cuesketch project export (no "format": "{FORMAT}")')
    version = d.get("version")
    if type(version) is not int or version < 1:
        raise FormatError('"version" must be a whole number from 1')
    if version > VERSION:
        raise FormatError(f"this export was made by a newer Cuesketch (JSON version {version}, "
                          f"this one reads up to {VERSION}); update Cuesketch to import it")
    known = {"format", "version", "settings"} | {k.table for k in KINDS.values()}
    unknown = sorted(set(d) - known)
    if unknown:
        raise FormatError(f"unknown section {unknown[0]!r}")
    try:
        settings = settings_from_dict(d.get("settings"))  # type: ignore[arg-type]
    except FormatError as e:
        raise FormatError(f"settings: {e}") from None
    entities: list[Entity] = []
    for cls, kind in KINDS.items():
        items = d.get(kind.table, [])
        if not isinstance(items, list):
            raise FormatError(f'"{kind.table}" must be a list')
        for i, item in enumerate(items):
            entities.append(_entity(cls, kind.table, kind.fields, i, item))
    project = Project()
    try:
        project.load(settings, entities)
    except ModelError as e:
        raise FormatError(str(e)) from None
    return project


def _entity(cls: type, table: str, fields: tuple[str, ...], i: int, item: Any) -> Entity:
    try:
        if isinstance(item, dict):
            extra = sorted(set(item) - set(fields))
            if extra:
                raise FormatError(f"unknown field {extra[0]!r}")
        return entity_from_dict(cls, item)
    except FormatError as e:
        raise FormatError(f"{table}[{i}]: {e}") from None


def write_json(project: Project, path: Path) -> None:
    """Write the export whole or not at all (temp file, then rename)."""
    path = Path(path)
    tmp = temp_beside(path)
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(dumps(project))
            f.flush()
            os.fsync(f.fileno())
        commit_file(tmp, path)
    except OSError as e:
        remove_quietly(tmp)
        raise FormatError(f"{path} could not be written: {describe(e)}") from None


def read_json(path: Path) -> Project:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormatError(f"there is no file at {path}") from None
    except IsADirectoryError:
        raise FormatError(f"{path} is a folder, not a JSON export") from None
    except UnicodeDecodeError:
        raise FormatError(f"{path} is not a JSON export (it is not UTF-8 text)") from None
    except OSError as e:
        raise FormatError(f"{path} can't be read: {describe(e)}") from None
    try:
        return loads(text)
    except FormatError as e:
        raise FormatError(f"{path.name}: {e}") from None
