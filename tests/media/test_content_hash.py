from __future__ import annotations

import os

from cuesketch.media.content_hash import CHUNK, content_hash


def test_same_content_same_hash_wherever_it_is(tmp_path):
    data = os.urandom(3 * CHUNK)
    a, b = tmp_path / "a.mp4", tmp_path / "moved" / "b.mov"
    b.parent.mkdir()
    a.write_bytes(data)
    b.write_bytes(data)
    assert content_hash(a) == content_hash(b)
    assert content_hash(a).startswith("fast1-") and len(content_hash(a)) == 6 + 32


def test_head_tail_and_size_change_it(tmp_path):
    data = bytearray(os.urandom(3 * CHUNK))
    path = tmp_path / "film.mp4"
    path.write_bytes(data)
    base = content_hash(path)
    for change in (lambda d: d.__setitem__(10, d[10] ^ 1),
                   lambda d: d.__setitem__(len(d) - 10, d[len(d) - 10] ^ 1),
                   lambda d: d.extend(b"\0")):
        changed = bytearray(data)
        change(changed)
        path.write_bytes(changed)
        assert content_hash(path) != base


def test_small_file(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"tiny")
    b.write_bytes(b"tinY")
    assert content_hash(a) != content_hash(b)
