"""The film in a review: its identity in the package, the director's copy, the preview movie.

* ``film_identity``: what the package says of the composer's film (content hash, name, length,
  rate, offset), read from the project and ffprobe.
* ``find_directors_copy``: the director's own copy, found by content hash first (the same cut,
  whatever it is called), else by name (flagged: it may be another cut). Only the basename the
  package gives is compared, never used as a path, and only the folders chosen here are
  searched: the package's own folder and the usual movie folders.
* ``make_preview_movie``: a small H.264 MP4 of the film from the first cue's start to the last
  cue's end (a continuous stretch, so movie frame n is project frame ``start + n``), for a
  director who does not have the film; ``write_movie_beside``: an embedded movie from a
  package, written to the user's cache under a name of ours, checked by ffprobe, for libvlc.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cuesketch import paths
from cuesketch.files import replacing
from cuesketch.media.probe import MediaError, MediaInfo, probe
from cuesketch.model.entities import Media, Settings
from cuesketch.model.review import FilmIdentity
from cuesketch.store.relink import check_link, film_path, find_film

PREVIEW_WIDTH = 640
PREVIEW_CRF = "30"
HANDLE_S = 2.0  # film kept before the first cue and after the last


class ReviewFilmError(RuntimeError):
    """A preview movie that can't be made, in plain words."""


def film_identity(settings: Settings, project_path: Path | None) -> FilmIdentity | None:
    """The project's film as a package names it; None when it has none (or it is missing:
    then only its hash and name go, and the length is 0)."""
    media = settings.media
    if media is None:
        return None
    name = Path(media.path).name
    frames = 0
    rate = settings.rate
    if project_path is not None:
        link = check_link(project_path, media)
        if link.found and link.same:
            try:
                info = probe(link.path, check_decode=False)
                frames, rate = info.frame_count, info.rate
            except MediaError:
                pass
    return FilmIdentity(media.content_hash, name, frames, rate, media.offset_frames)


@dataclass(frozen=True)
class DirectorsCopy:
    path: Path
    same_content: bool  # found by its hash: the cut the music was written to
    content_hash: str


def find_directors_copy(film: FilmIdentity, package: Path,
                        extra: list[Path] | None = None) -> DirectorsCopy | None:
    media = Media(Path(film.file_name).name, film.content_hash)
    folders = [Path(package).resolve().parent] + (extra or []) + [
        Path.home() / "Videos", Path.home() / "Movies"]
    seen: set[Path] = set()
    by_name: Path | None = None  # the first found by its name only: used if no folder has the cut
    for folder in folders:
        if folder in seen or not folder.is_dir():
            continue
        seen.add(folder)
        found = find_film(media, folder, max_files=20_000, time_limit=3.0)
        if found and found[0].same_content:
            return DirectorsCopy(found[0].path, True, film.content_hash)
        if found and by_name is None:
            by_name = found[0].path
    if by_name is None:
        return None
    from cuesketch.files import content_hash
    try:
        return DirectorsCopy(by_name, False, content_hash(by_name))
    except OSError:
        return None


def project_film(settings: Settings, project_path: Path) -> Path | None:
    media = settings.media
    if media is None:
        return None
    link = check_link(project_path, media)
    return link.path if link.found and link.same else None


def make_preview_movie(film: Path, settings: Settings, first_frame: int, last_frame: int,
                       out: Path) -> int:
    """Write a small MP4 of the film around project frames ``first_frame``..``last_frame``;
    returns the project frame of the movie's first frame."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise ReviewFilmError("ffmpeg is not installed (it makes the preview movie)")
    rate = settings.rate
    offset = settings.media.offset_frames if settings.media else 0
    handle = round(HANDLE_S * rate.fps)
    start = max(offset, first_frame - handle)  # project frames; the film starts at ``offset``
    end = last_frame + handle
    film_start = start - offset
    seconds = float((end - start) / rate.fps)
    cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
           "-ss", f"{float(film_start / rate.fps):.6f}", "-i", str(film), "-t", f"{seconds:.6f}",
           "-map", "0:v:0", "-map", "0:a:0?", "-vf", f"scale={PREVIEW_WIDTH}:-2",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", PREVIEW_CRF, "-g", "12",
           "-bf", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k",
           "-movflags", "+faststart", "-f", "mp4"]
    try:
        with replacing(out, ReviewFilmError) as tmp:
            done = subprocess.run(cmd + [str(tmp)], capture_output=True, text=True,
                                  timeout=1800, check=False)
            if done.returncode != 0:
                why = (done.stderr.strip().splitlines() or ["no output"])[-1]
                raise ReviewFilmError(f"the preview movie could not be made ({why})")
    except subprocess.TimeoutExpired:
        raise ReviewFilmError("making the preview movie took too long") from None
    return start


def write_movie_beside(data: bytes, package_id: str) -> tuple[Path, MediaInfo]:
    """An embedded movie as a file of ours in the cache (its name from its content), checked
    by ffprobe before anything plays it. Raises MediaError in plain words."""
    try:
        folder = paths.cache_dir() / "review-movies"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise MediaError(f"there is no room for the package's movie in "
                         f"{e.filename or 'the cache folder'} ({e.strerror or e})") from None
    digest = hashlib.sha256(data).hexdigest()[:24]
    path = folder / f"{digest}.mp4"
    if not path.exists():
        with replacing(path, MediaError) as tmp:
            tmp.write_bytes(data)
    info = probe(path, check_decode=False)
    if info.width > 8192 or info.height > 8192 or info.frame_count > 10_000_000:
        raise MediaError("the embedded movie is larger than a preview can be")
    return path, info


__all__ = ["film_identity", "find_directors_copy", "make_preview_movie", "write_movie_beside",
           "project_film", "film_path", "DirectorsCopy", "ReviewFilmError"]
