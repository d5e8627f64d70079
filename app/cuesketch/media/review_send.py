"""Send for Review: the one path from a project to a package, for the menu and the command line.

Plans the versions (``engine.review_pack``), renders and encodes them, names the film
(``review_film.film_identity``), optionally cuts the preview movie, and writes the package
whole or not at all (``store.review_package``). The project is only read.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cuesketch.engine.review_pack import (PackError, PackPlan, check_plan, plan_package,
                                          render_package)
from cuesketch.media.review_film import (ReviewFilmError, film_identity, make_preview_movie,
                                         project_film)
from cuesketch.model.project import Project
from cuesketch.store.project_file import ProjectFile
from cuesketch.store.review_package import write_package


@dataclass(frozen=True)
class SendResult:
    path: Path
    cues: int
    versions: int
    minutes: float  # of cue audio, all versions
    size: int  # bytes
    skipped: tuple[str, ...]
    with_movie: bool


def send_for_review(pf: ProjectFile | None, project: Project, project_path: Path | None,
                    out: Path, *, cues: Sequence[str], versions: Sequence[str], made_for: str,
                    made_by: str = "", with_movie: bool = False,
                    progress: Callable[[str], None] | None = None) -> SendResult:
    """Write the package ``out``. Raises PackError, ReviewFilmError or ReviewFileError."""
    plan = plan_package(pf, project, cues, versions)
    return send_plan(plan, project, project_path, out, made_for=made_for, made_by=made_by,
                     with_movie=with_movie, progress=progress)


def send_plan(plan: PackPlan, project: Project, project_path: Path | None, out: Path, *,
              made_for: str, made_by: str = "", with_movie: bool = False,
              progress: Callable[[str], None] | None = None) -> SendResult:
    """Render, encode and write a planned package (the slow part: a worker thread may run it
    on a copy of the project; the plan's snapshots are already read)."""
    check_plan(plan, project, made_for=made_for, made_by=made_by)  # before the slow part
    film = film_identity(project.settings, project_path)
    movie: bytes | None = None
    movie_start: int | None = None
    if with_movie:
        source = project_film(project.settings, project_path) if project_path else None
        if source is None:
            raise ReviewFilmError("the project's film is missing, so no preview movie can be "
                                  "made; relink it, or send the package without a movie")
        if progress is not None:
            progress("the preview movie")
        with tempfile.TemporaryDirectory(prefix="cuesketch-review-") as folder:
            mp4 = Path(folder) / "preview.mp4"
            movie_start = make_preview_movie(source, project.settings,
                                             min(c.start_frame for c in plan.cues),
                                             max(c.end_frame for c in plan.cues), mp4)
            check_plan(plan, project, made_for=made_for, made_by=made_by,
                       movie_bytes=mp4.stat().st_size)
            movie = mp4.read_bytes()
    info, audio = render_package(plan, project, made_for=made_for, made_by=made_by, film=film,
                                 progress=progress, movie_start_frame=movie_start)
    write_package(out, info, audio, movie)
    frames = sum(v.audio_frames for pc in info.cues for v in pc.versions)
    rate = info.cues[0].versions[0].sample_rate if info.cues and info.cues[0].versions else 48000
    return SendResult(out, len(info.cues), sum(len(pc.versions) for pc in info.cues),
                      frames / rate / 60, out.stat().st_size, plan.skipped, movie is not None)


__all__ = ["send_for_review", "send_plan", "PackPlan", "SendResult", "PackError", "ReviewFilmError"]
