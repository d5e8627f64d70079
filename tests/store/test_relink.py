"""Relinking: a quick content hash, and the film found again after a move or a rename."""

from __future__ import annotations

import os
from pathlib import Path

from cuesketch.model.entities import Media, Settings
from cuesketch.files import SPAN, content_hash, hash_size
from cuesketch.store.relink import check_link, film_path, find_film, media_for, relink


def _film(path: Path, size: int, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    block = bytes((i * 31 + seed) % 256 for i in range(4096))
    path.write_bytes((block * (size // 4096 + 1))[:size])
    return path


def test_the_hash_names_the_size_and_reads_only_the_ends(tmp_path: Path) -> None:
    big = _film(tmp_path / "a.mov", 3 * SPAN + 123)
    h = content_hash(big)
    assert h.startswith(f"cs1:{3 * SPAN + 123}:") and len(h.split(":")[2]) == 32
    assert hash_size(h) == 3 * SPAN + 123 and hash_size("") is None
    with open(big, "r+b") as f:  # the middle is not read (documented)
        f.seek(SPAN + 10)
        f.write(b"x")
    assert content_hash(big) == h
    with open(big, "r+b") as f:  # either end is
        f.seek(3 * SPAN + 100)
        f.write(b"x")
    assert content_hash(big) != h
    small = _film(tmp_path / "s.mov", 5000)
    small_hash = content_hash(small)
    with open(small, "r+b") as f:  # a small file is read whole
        f.seek(2500)
        f.write(b"x")
    assert content_hash(small) != small_hash


def test_a_moved_and_renamed_film_is_found_by_its_hash(tmp_path: Path) -> None:
    project = tmp_path / "music" / "Chase.cuesketch"
    film = _film(tmp_path / "picture" / "Chase v12.mov", 2 * SPAN + 77)
    media = media_for(project, film, offset_frames=24)
    assert media.path == os.path.join("..", "picture", "Chase v12.mov")
    assert film_path(project, media) == film.resolve()
    assert check_link(project, media).same
    moved = tmp_path / "drive" / "Reel 1" / "chase_v12_final.mov"
    moved.parent.mkdir(parents=True)
    film.rename(moved)
    _film(tmp_path / "drive" / "Chase v12.mov", 2 * SPAN + 76, seed=5)  # same name, other cut
    _film(tmp_path / "drive" / "other.mov", 2 * SPAN + 77, seed=9)  # same size, other film
    _film(tmp_path / "drive" / ".cache" / "Chase v12.mov", 2 * SPAN + 77)  # hidden: skipped
    state = check_link(project, media)
    assert not state.found
    found = find_film(media, tmp_path / "drive")
    assert [(c.path.name, c.same_content, c.same_name) for c in found] == [
        ("chase_v12_final.mov", True, False), ("Chase v12.mov", False, True)]
    settings = relink(Settings(media=media), project, found[0].path)
    assert settings.media is not None and settings.media.offset_frames == 24
    assert settings.media.content_hash == media.content_hash
    assert check_link(project, settings.media).same


def test_a_changed_film_at_the_same_path_is_not_the_same(tmp_path: Path) -> None:
    project = tmp_path / "Chase.cuesketch"
    film = _film(tmp_path / "cut.mov", 100_000)
    media = media_for(project, film)
    _film(film, 100_000, seed=3)
    state = check_link(project, media)
    assert state.found and not state.same
    assert check_link(project, Media("cut.mov")).same  # no hash kept: the path is enough


def test_the_search_stops_at_its_limit(tmp_path: Path) -> None:
    for i in range(30):
        _film(tmp_path / f"d{i}" / f"f{i}.mov", 10)
    media = Media("f29.mov", "cs1:10:" + "0" * 32)
    assert find_film(media, tmp_path, max_files=5) == []
    assert [c.path.name for c in find_film(media, tmp_path)] == ["f29.mov"]


def test_find_by_hash_picks_the_same_film_only(tmp_path: Path) -> None:
    from cuesketch.model.entities import Media
    from cuesketch.store.relink import find_by_hash
    film = tmp_path / "a" / "film.mp4"
    film.parent.mkdir()
    film.write_bytes(b"x" * 5000)
    other = tmp_path / "b.mp4"
    other.write_bytes(b"y" * 5000)  # same size, other content
    media = Media("film.mp4", content_hash(film))
    assert find_by_hash(media, [tmp_path / "gone.mp4", other, film]) == film
    assert find_by_hash(media, [other]) is None
    assert find_by_hash(Media("film.mp4"), [film]) is None  # no hash kept: nothing to go by
