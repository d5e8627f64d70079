"""The director's copy of the film, found by content (or, flagged, by name); the preview movie."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cuesketch.files import content_hash
from cuesketch.media.review_film import (find_directors_copy, make_preview_movie,
                                         write_movie_beside)
from cuesketch.model.entities import Media, Settings
from cuesketch.model.review import FilmIdentity
from cuesketch.timing.rates import STANDARD_RATES

FILM = Path(__file__).resolve().parents[2] / "resources" / "trailer_bbb.mp4"
RATE = STANDARD_RATES["24"]


def identity(name: str = "trailer_bbb.mp4") -> FilmIdentity:
    return FilmIdentity(content_hash(FILM), name, 1000, RATE)


def test_found_by_content_under_another_name(tmp_path: Path) -> None:
    shutil.copy(FILM, tmp_path / "renamed.mp4")
    found = find_directors_copy(identity(), tmp_path / "x.cuereview")
    assert found is not None and found.same_content and found.path.name == "renamed.mp4"


def test_a_name_alone_is_flagged_as_another_cut(tmp_path: Path) -> None:
    (tmp_path / "trailer_bbb.mp4").write_bytes(b"another cut" * 100)
    found = find_directors_copy(identity(), tmp_path / "x.cuereview")
    assert found is not None and not found.same_content
    assert found.content_hash != identity().content_hash


def test_a_path_in_the_package_is_only_a_name(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    found = find_directors_copy(identity("../../etc/passwd"), tmp_path / "inbox" / "x.cuereview")
    assert found is None


def test_preview_movie_starts_where_it_says(tmp_path: Path) -> None:
    settings = Settings(rate=RATE, media=Media(str(FILM), content_hash(FILM)))
    out = tmp_path / "preview.mp4"
    start = make_preview_movie(FILM, settings, 360, 420, out)
    assert start == 360 - 48
    path, info = write_movie_beside(out.read_bytes(), "pkg")
    assert info.width == 640 and abs(info.frame_count - (420 + 48 - start)) <= 2
    assert path.read_bytes() == out.read_bytes()


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_the_cut_in_any_folder_wins_over_a_name_alone_beside_the_package(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "trailer_bbb.mp4").write_bytes(b"another cut" * 100)  # beside: the name only
    videos = tmp_path / "home" / "Videos"
    videos.mkdir(parents=True)
    shutil.copy(FILM, videos / "bbb.mp4")  # in Videos: the cut itself, renamed
    found = find_directors_copy(identity(), inbox / "x.cuereview")
    assert found is not None and found.same_content and found.path == videos / "bbb.mp4"
    assert found.content_hash == identity().content_hash


def test_no_room_for_the_movie_is_said_plainly(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from cuesketch.media.probe import MediaError
    (tmp_path / "not-a-folder").write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    with pytest.raises(MediaError, match="no room for the package's movie"):
        write_movie_beside(b"\0" * 100, "pkg")
