"""A fast fingerprint of a film's content, to find its proxy and to recognise it when moved.

Hashing a whole film (often 2-50 GB) would take minutes, so the fingerprint reads only the
file's size, its first MiB and its last MiB: SHA-256 over
``b"cuesketch-fast1" + size (8 bytes, big-endian) + head + tail``, shown as ``fast1-`` and
the first 32 hex digits. Renaming or moving the file keeps it; re-encoding, trimming or
re-exporting the film changes it (the size, the header and the index all change). Two
different films with the same size and the same first and last MiB would collide; an editor's
exports of different cuts differ in their headers and indexes, so in practice they do not.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PREFIX = "fast1-"
CHUNK = 1 << 20  # bytes read at each end


def content_hash(path: Path | str) -> str:
    path = Path(path)
    size = path.stat().st_size
    digest = hashlib.sha256(b"cuesketch-fast1")
    digest.update(size.to_bytes(8, "big"))
    with path.open("rb") as f:
        digest.update(f.read(CHUNK))
        if size > CHUNK:
            f.seek(max(CHUNK, size - CHUNK))
            digest.update(f.read(CHUNK))
    return PREFIX + digest.hexdigest()[:32]
