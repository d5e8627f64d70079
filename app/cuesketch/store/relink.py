"""Finding the film again after it moved or was renamed: by its content hash, and a search.

The project keeps the film as a path relative to the project file plus its content hash
(``cuesketch.files.content_hash``: the size and a hash of both ends, read in milliseconds). A
film re-wrapped without change (same bytes) keeps its hash; a re-export with the same name does
not (``find_film`` offers it last, as a name match only).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from cuesketch.files import content_hash, hash_size
from cuesketch.model.entities import Media, Settings


def film_path(project_path: Path, media: Media) -> Path:
    """Where the project expects its film (a relative path is from the project's folder)."""
    p = Path(media.path)
    return p if p.is_absolute() else Path(
        os.path.normpath(Path(project_path).resolve().parent / p))


def media_for(project_path: Path, film: Path, offset_frames: int = 0) -> Media:
    """A media reference to ``film`` from ``project_path``: relative path and hash."""
    film = Path(film).resolve()
    try:
        rel = os.path.relpath(film, Path(project_path).resolve().parent)
    except ValueError:  # another drive (Windows): keep it absolute
        rel = str(film)
    return Media(rel, content_hash(film), offset_frames)


@dataclass(frozen=True)
class LinkState:
    path: Path
    found: bool  # a file is there
    same: bool  # and it is the film (by hash; True when no hash is kept)


def check_link(project_path: Path, media: Media) -> LinkState:
    path = film_path(project_path, media)
    if not path.is_file():
        return LinkState(path, False, False)
    if not media.content_hash:
        return LinkState(path, True, True)
    if hash_size(media.content_hash) not in (None, path.stat().st_size):
        return LinkState(path, True, False)
    try:
        return LinkState(path, True, content_hash(path) == media.content_hash)
    except OSError:
        return LinkState(path, True, False)


@dataclass(frozen=True)
class Candidate:
    path: Path
    same_content: bool  # the hash matches: it is the film
    same_name: bool


def find_film(media: Media, folder: Path, *, max_files: int = 200_000,
              time_limit: float = 30.0) -> list[Candidate]:
    """Files in ``folder`` (and below) that may be the film, best first: the same content
    under the same name, the same content renamed, then (weak) the same name only.

    Only files of the film's size are read (8 MiB each); hidden folders are skipped; the
    search stops after ``max_files`` files or ``time_limit`` seconds.
    """
    name = Path(media.path).name.casefold()
    size = hash_size(media.content_hash)
    end = time.monotonic() + time_limit
    seen = 0
    found: list[Candidate] = []
    for root, dirs, files in os.walk(folder, onerror=lambda e: None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for filename in sorted(files):
            seen += 1
            if seen > max_files or time.monotonic() > end:
                return _best_first(found)
            path = Path(root) / filename
            same_name = filename.casefold() == name
            try:
                same_size = size is not None and path.stat().st_size == size
            except OSError:
                continue
            if same_size:
                try:
                    same_content = content_hash(path) == media.content_hash
                except OSError:
                    same_content = False
                if same_content or same_name:
                    found.append(Candidate(path, same_content, same_name))
            elif same_name:
                found.append(Candidate(path, False, True))
    return _best_first(found)


def find_by_hash(media: Media, candidates: Iterable[Path]) -> Path | None:
    """The first of ``candidates`` that is the film ``media`` names, by its content hash
    (files of another size are not read); None when none is, or ``media`` keeps no hash."""
    size = hash_size(media.content_hash)
    if size is None:
        return None
    for path in candidates:
        try:
            if path.is_file() and path.stat().st_size == size and \
                    content_hash(path) == media.content_hash:
                return path
        except OSError:
            continue
    return None


def _best_first(found: list[Candidate]) -> list[Candidate]:
    return sorted(found, key=lambda c: (not c.same_content, not c.same_name, str(c.path)))


def relink(settings: Settings, project_path: Path, film: Path) -> Settings:
    """Settings pointing at ``film`` (path from the project, hash of the file); the offset stays.
    Apply with ``document.set_settings(..., "Relink film")`` so it is one undo step."""
    offset = settings.media.offset_frames if settings.media else 0
    return replace(settings, media=media_for(project_path, film, offset))
