"""The review window's composition root: ``cuesketch PACKAGE.cuereview`` (or a double-click).

Builds, once, over one clock: the transport, the review session over the package (checked as a
file from outside), the A/B player on the audio device (silent when there is none), and the
picture: the director's own copy of the film, found by its content hash (else by its name,
then the reply says which film it was), or the package's preview movie. Then hands them to
``ui.review_window``. The author is asked once and kept in the preferences.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from cuesketch.engine.clock import SystemClock
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.model.entities import Settings
from cuesketch.model.project import Project
from cuesketch.prefs import Preferences

if TYPE_CHECKING:
    from cuesketch.ui.review_window import ReviewParts


def run_review(path: Path, preferences: Preferences) -> int:
    from cuesketch.engine.review_session import ReviewError, check_author
    from cuesketch.prefs import save
    from cuesketch.store.review_schema import ReviewFileError
    from cuesketch.ui import review_window as ui
    from cuesketch.ui.qsettings_store import QSettingsMapping
    from cuesketch.ui.window_root import show_startup_error

    ui.application()
    try:  # a name kept from before that the reply could not carry is asked again
        author: str | None = check_author(preferences.review_author)
    except ReviewError:
        author = None
    author = author or ui.ask_author()
    if not author:
        return 1
    if author != preferences.review_author:
        preferences.review_author = author
        save(preferences, QSettingsMapping())
    try:
        parts = compose_review(path, author, preferences)
    except (ReviewFileError, ReviewError, OSError) as e:
        print(f"cuesketch: {e}", file=sys.stderr)
        show_startup_error(f"{path.name} can't be opened", str(e))
        return 1
    try:
        return ui.run_review_window(parts)
    finally:
        parts.close()


def compose_review(path: Path, author: str, preferences: Preferences,
                   journal_dir: Path | None = None, sound: bool = True) -> ReviewParts:
    """The review's parts (``ui.review_window.ReviewParts``); ReviewFileError if the package
    can't be read."""
    from cuesketch.engine.audio_out import AudioOutput
    from cuesketch.engine.playback import Playback
    from cuesketch.engine.review_audio import ReviewPlayer
    from cuesketch.engine.review_session import ReviewSession
    from cuesketch.ui.review_window import ReviewParts

    clock = SystemClock()
    transport = Transport(clock)
    player = ReviewPlayer(transport)
    session = ReviewSession.open(path, author=author, transport=transport, player=player,
                                 journal_dir=journal_dir)
    audio: AudioOutput | None = None
    parts: ReviewParts | None = None

    def close() -> None:
        if audio is not None:
            audio.stop()
        if parts is not None and parts.picture is not None:
            parts.picture.close()  # type: ignore[attr-defined]
        session.close()
    try:  # from here on, whatever fails closes what was opened, the session too
        info = session.info
        project = Project()
        # Each cue counts bars by the tempo map of the version heard first (the newest).
        cues = [replace(pc.cue, tempo=pc.versions[-1].tempo) if pc.versions else pc.cue
                for pc in info.cues]
        project.load(Settings(title=info.title, rate=info.rate, start_frame=info.start_frame),
                     cues + [h for pc in info.cues for h in pc.hits])
        parts = ReviewParts(session, transport, Document(project))
        if sound:
            # The review player stands in for the synth's Playback: AudioOutput only calls
            # process(), reads rate and synth.sample_rate, and may set_sample_rate().
            audio = AudioOutput(cast(Playback, player),
                                drivers=(preferences.audio_driver,) if preferences.audio_driver
                                else None, period_size=preferences.audio_buffer)
            if not audio.start():
                parts.problems.append("No audio device: playing silently (choose a driver in "
                                      "Cuesketch's Preferences)")
        _picture(parts, path, clock)
    except BaseException:
        close()
        raise
    parts.close = close
    return parts


def _picture(parts: ReviewParts, path: Path, clock: SystemClock) -> None:
    """The director's copy of the film, else the embedded movie, else why there is none."""
    from cuesketch.media.picture import PicturePlayer
    from cuesketch.media.probe import MediaError
    from cuesketch.media.review_film import find_directors_copy, write_movie_beside
    session = parts.session
    info = session.info
    film = info.film
    target: tuple[Path, int] | None = None
    if film is not None and film.content_hash:
        copy = find_directors_copy(film, path)
        if copy is not None:
            target = (copy.path, film.offset_frames)
            # the reply says which film this session shows, every time (the journal was
            # made in an earlier session, maybe with another copy)
            session.watching(copy.content_hash)
            if copy.same_content:
                parts.film_label = f"Film: your copy of {film.file_name} (the same cut)"
            else:
                parts.film_label = (f"Film: {copy.path.name}, found by its name; it is not "
                                    f"the cut the music was written to")
    facts = None
    if target is None and session.movie is not None and info.movie_start_frame is not None:
        try:
            movie_path, facts = write_movie_beside(session.movie, info.package_id)
            target = (movie_path, info.movie_start_frame)
            parts.film_label = "Film: the preview movie in the package"
            # cut from the composer's film: the cut the music was written to
            session.watching(film.content_hash if film is not None else "")
        except MediaError as e:
            parts.problems.append(f"The package's movie can't be shown: {e}")
    if target is None:
        name = film.file_name if film is not None else "the film"
        parts.picture_problem = (f"The film is not here. Put your copy of {name} beside the "
                                 f"package (it is found by its content), or ask for a package "
                                 f"with a preview movie. The music plays without it.")
        parts.film_label = "No picture"
        session.watching("")  # notes written without a picture: no cut to flag them against
        return
    try:
        player = PicturePlayer(parts.transport, info.rate, offset_frames=target[1], clock=clock)
    except (MediaError, OSError, ImportError) as e:
        parts.picture_problem = f"The film can't be shown: {e}"
        return
    try:
        player.open(target[0], film=facts)  # the movie's facts, read once
    except (MediaError, OSError, ImportError) as e:
        player.close()  # made, then refused the film: nothing of it stays open
        parts.picture_problem = f"The film can't be shown: {e}"
        return
    parts.picture = player
