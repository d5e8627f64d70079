"""Files: written whole or not at all, and a quick content hash. A leaf: no Cuesketch imports.

    with replacing(path, RenderError) as tmp, open(tmp, "wb") as f:
        f.write(...)                       # in place when the block ends; else no file at all

Used by every part that writes a file (the project store, the WAV render, the MIDI export)
and by every part that names a film by its content (the project's link to its film, the
proxy cache).

The content hash:

    cs1:<size in bytes>:<32 hex digits>

the first 128 bits of SHA-256 over the size (8 bytes, little-endian), the first 4 MiB and the
last 4 MiB of the file (all of it when it is 8 MiB or less). It reads at most 8 MiB whatever
the film's length, so it takes milliseconds, yet two different exports practically never agree:
a video file's two ends hold its header, index and first and last encoded frames, and a
different cut also changes the size, which is kept in clear so that a search skips every file
of another size without reading it. A film re-wrapped without change (same bytes) keeps its hash;
a re-export with the same name does not.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HASH_SCHEME = "cs1"
SPAN = 4 * 1024 * 1024  # bytes read from each end


# -- written whole or not at all -----------------------------------------------------------------
@contextmanager
def replacing(path: Path, error: type[Exception]) -> Iterator[Path]:
    """Write a file whole or not at all: yields a temp file beside ``path``, put in place when
    the block ends; on failure it is removed, and an OSError becomes ``error`` in plain words."""
    tmp = temp_beside(path)
    try:
        yield tmp
        commit_file(tmp, path)
    except OSError as e:
        remove_quietly(tmp)
        raise error(f"can't write {path}: {os_words(e)}") from None
    except BaseException:
        remove_quietly(tmp)
        raise


def temp_beside(path: Path) -> Path:
    """A hidden name in the same folder: renaming it over ``path`` is atomic."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def commit_file(tmp: Path, dest: Path) -> None:
    """Put a finished temp file in place: synced, renamed over ``dest``, folder synced."""
    fsync_path(tmp)
    os.replace(tmp, dest)
    fsync_path(dest.parent, directory=True)


def fsync_path(path: Path, directory: bool = False) -> None:
    try:
        fd = os.open(path, (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if directory
                     else os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems can't sync a folder; the rename is still atomic
    finally:
        os.close(fd)


def remove_quietly(*paths: Path) -> None:
    for p in paths:
        try:
            p.unlink()
        except OSError:
            pass


def os_words(e: OSError) -> str:
    """What a failed file operation means, in words a composer can act on."""
    if e.errno == errno.ENOSPC:
        return "the disk is full"
    if e.errno == errno.EROFS:
        return "the disk is read-only"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return e.strerror or str(e)


# -- content hash --------------------------------------------------------------------------------
def content_hash(path: Path) -> str:
    """A file's content hash (see the module doc). Raises OSError if it can't be read."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        h = hashlib.sha256(size.to_bytes(8, "little"))
        if size <= 2 * SPAN:
            h.update(f.read())
        else:
            h.update(f.read(SPAN))
            f.seek(size - SPAN)
            h.update(f.read(SPAN))
    return f"{HASH_SCHEME}:{size}:{h.hexdigest()[:32]}"


def hash_size(content_hash: str) -> int | None:
    """The size a hash names, or None for an empty or foreign hash."""
    parts = content_hash.split(":")
    if len(parts) == 3 and parts[0] == HASH_SCHEME and parts[1].isdigit():
        return int(parts[1])
    return None
