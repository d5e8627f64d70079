"""The project's film on screen, as one service: which film, the player showing it, the
frame-accurate proxy being made, and what is wrong in plain words.

The composition root builds it once and ``load()``s the project's film; the picture view
listens (``observe``) and shows ``player``, or ``problem`` in its place, with ``status`` over
it. ``reload()`` follows the project's film again when it changed (a relink, or its undo);
``set_offset`` moves the picture in time, live. The players it makes are its own and end with
``close()`` (libvlc's threads must stop before Python's callbacks go away).

The film is on screen as soon as its facts are read (ffprobe, nothing decoded; read ahead
while the engine starts when the composition root hands over ``FilmFacts``). On a first start
the first frame comes from the film itself: its proxy waits for that first picture and then
runs at a low priority, and decoding the film's first and last second, which finds a film cut
short, runs beside the window; a film that fails it is taken away and said, as one that fails
at once. On later starts the proxy is opened from what its recipe says (``proxy_info``), and
the film, decoded to its end to make it, is not checked again.

Listeners are called on the thread that changed something: the proxy's progress and its
arrival come from the proxy's worker thread, a failed check from its own. Nothing here
knows Qt.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from cuesketch.engine.clock import MonotonicClock, SystemClock
from cuesketch.engine.transport import Transport
from cuesketch.media.picture import PicturePlayer
from cuesketch.media.probe import MediaError, MediaInfo, disagreements, probe
from cuesketch.media.proxy import ProxyJob, cached_proxy, needs_proxy, proxy_info
from cuesketch.model.document import Document
from cuesketch.store.relink import check_link, film_path
from cuesketch.timing.rates import FrameRate

NO_FILM = "This project has no film yet."


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class FilmFacts:
    """The project's film's facts (ffprobe, nothing decoded), read on a thread of their own
    from the moment this is made. The composition root makes it before it starts the engine,
    whose start hides the wait, and hands it to the picture service's first ``load()``."""

    def __init__(self, document: Document, project_path: Path | None) -> None:
        media = document.project.settings.media
        self.film = film_path(project_path, media) \
            if media is not None and project_path is not None else None
        self._result: MediaInfo | MediaError | None = None
        self._stamp: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None
        if self.film is not None:
            self._thread = threading.Thread(target=self._read, args=(self.film,),
                                            name="film-facts", daemon=True)
            self._thread.start()

    def _read(self, film: Path) -> None:
        self._stamp = _stamp(film)
        try:
            self._result = probe(film, check_decode=False)
        except MediaError as e:
            self._result = e

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def take(self, film: Path) -> MediaInfo | None:
        """The facts read of ``film`` if it is still the file they were read from (its
        MediaError raised), else None; given once."""
        if self._thread is None or film != self.film:
            return None
        self._thread.join()
        result, self._result = self._result, None
        if result is None or self._stamp is None or _stamp(film) != self._stamp:
            return None
        if isinstance(result, MediaError):
            raise result
        return result


class PictureService:
    FIRST_PICTURE_WAIT_S = 3.0  # the work in the background waits for the first picture

    def __init__(self, document: Document, transport: Transport, project_path: Path | None,
                 clock: MonotonicClock | None = None, *, volume: float = 0.8,
                 muted: bool = False, sound: bool = True,
                 post: Callable[[str], None] | None = None,
                 proxy_folder: Path | None = None, facts: FilmFacts | None = None) -> None:
        self.document = document
        self.transport = transport
        self.project_path = project_path
        self.clock = clock or SystemClock()
        self.sound = sound
        self.post = post or (lambda _text: None)
        self.proxy_folder = proxy_folder  # None: the user's proxy cache
        self.player: PicturePlayer | None = None
        self.problem: str | None = None  # why there is no picture, for the view
        self.status = ""  # a line over the picture while the proxy is made
        self.proxy_job: ProxyJob | None = None
        self.film_check: threading.Thread | None = None  # decoding the film's ends (a test waits)
        self.reloads = 0  # films loaded after the first (relinks, undo)
        self._volume, self._muted = volume, muted
        self._players: list[PicturePlayer] = []  # every player made here, closed with it
        self._listeners: tuple[Callable[[], None], ...] = ()
        self._lock = threading.RLock()
        self._generation = 0  # a proxy made for an earlier film is not opened
        self._loaded = False
        self._facts = facts  # read ahead, for the first load

    def observe(self, listener: Callable[[], None]) -> None:
        """Called when ``player``, ``problem`` or ``status`` changed (on the changing thread)."""
        self._listeners = (*self._listeners, listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    # -- the film ------------------------------------------------------------------------------
    def load(self) -> list[str]:
        """Show the project's film: its proxy when there is one, else the film itself while
        a frame-accurate proxy is made in the background. Returns what is wrong, for the
        status bar (the view shows ``problem``)."""
        with self._lock:
            if self._loaded:
                self.reloads += 1
            self._loaded = True
            self._generation += 1
            self._stop_proxy()
            problems = self._load()
        self._changed()
        return problems

    def reload(self) -> list[str]:
        """The project's film changed (relinked, or undone): show the one it links now."""
        problems = self.load()
        for problem in problems:
            self.post(problem)
        return problems

    def _load(self) -> list[str]:
        settings = self.document.project.settings
        media = settings.media
        self.status = ""
        if media is None:
            return self._fail(NO_FILM, None)
        if self.project_path is None:
            return self._fail(None, None)
        link = check_link(self.project_path, media)
        if not link.found or not link.same:
            what = "is missing" if not link.found else "is not the same film any more"
            return self._fail(f"The film {what}: {link.path}\nRelink it (File › Relink Film…):"
                              " point to the folder it is in now and Cuesketch finds it there, "
                              "even renamed, by what is in the file.",
                              f"the film {what}: {link.path}")
        try:
            # what the picture needs, at once; decoding the film's first and last second (a
            # film cut short, a codec this system lacks) runs beside the window: _check_film
            info = self._read_facts(link.path)
        except MediaError as e:
            return self._fail(f"The film can't be played: {e}", f"the film can't be played: {e}")
        problems = disagreements(info, settings)
        try:
            player = self._player(settings.rate)
            player.set_offset(media.offset_frames)
            proxy = cached_proxy(link.path, folder=self.proxy_folder,
                                 fingerprint=media.content_hash or None)  # checked just now
            if proxy is not None:
                player.open(proxy, info, proxy_info(info, proxy))
            else:
                player.open(link.path, info)
        except (MediaError, RuntimeError, OSError) as e:
            return problems + self._fail(f"The picture can't be shown: {e}", f"no picture: {e}")
        self.problem = None
        # the film itself is on screen now; what is done beside it waits for its first picture
        # (the window and libvlc get the processor first; the proxy then yields to playback)
        def shown() -> bool:
            return player.shown is not None

        if proxy is None:  # (a film with a proxy was decoded to its end to make it)
            self._check_film(link.path, shown)
        if proxy is None and needs_proxy(info):
            self._start_proxy(link.path, info, shown)
        return problems

    def _read_facts(self, film: Path) -> MediaInfo:
        ahead, self._facts = self._facts, None
        info = ahead.take(film) if ahead is not None else None
        return info or probe(film, check_decode=False)

    def _check_film(self, film: Path, shown: Callable[[], bool]) -> None:
        """Decode a frame at the film's start and near its end in the background, once the
        first picture is shown; a film that fails it is taken off the screen and said in plain
        words, as when it fails at once."""
        generation = self._generation

        def check() -> None:
            deadline = time.monotonic() + self.FIRST_PICTURE_WAIT_S
            while not shown() and time.monotonic() < deadline:
                if generation != self._generation:
                    return
                time.sleep(0.02)
            try:
                probe(film)
            except MediaError as e:
                with self._lock:
                    if generation != self._generation:
                        return  # another film is shown by now
                    self._stop_proxy()
                    said = self._fail(f"The film can't be played: {e}",
                                      f"the film can't be played: {e}")
                for text in said:
                    self.post(text)
                self._changed()

        self.film_check = threading.Thread(target=check, name="film-check", daemon=True)
        self.film_check.start()

    def _fail(self, problem: str | None, said: str | None) -> list[str]:
        if self.player is not None:
            self.player.unload()
        self.problem = problem
        return [said] if said else []

    def _player(self, rate: FrameRate) -> PicturePlayer:
        player = self.player
        if player is None:
            player = PicturePlayer(self.transport, rate, sound=self.sound, clock=self.clock)
            player.set_volume(self._volume)
            player.set_muted(self._muted)
            self._players.append(player)
            self.player = player
        player.project_rate = rate
        return player

    @property
    def showing(self) -> bool:
        """Whether a film is on screen (loaded in the player)."""
        return self.player is not None and self.player.path is not None

    def set_offset(self, offset_frames: int) -> bool:
        """The film's first frame moved in the project; False when no film is shown."""
        if self.player is None or not self.showing:
            return False
        self.player.set_offset(offset_frames)
        return True

    # -- its sound -----------------------------------------------------------------------------
    def set_volume(self, volume: float) -> None:
        self._volume = volume
        if self.player is not None:
            self.player.set_volume(volume)

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        if self.player is not None:
            self.player.set_muted(muted)

    # -- the proxy -----------------------------------------------------------------------------
    def _start_proxy(self, film: Path, info: MediaInfo, shown: Callable[[], bool]) -> None:
        generation = self._generation

        def progress(fraction: float) -> None:
            if generation == self._generation:
                self.status = f"Making a frame-accurate copy of the film: {fraction * 100:.0f} %"
                self._changed()

        def done(path: Path | None, error: str | None) -> None:
            with self._lock:
                if generation != self._generation:
                    return  # made for a film no longer shown
                self.status = ""
                if path is not None and self.player is not None:
                    try:
                        self.player.open(path, info, proxy_info(info, path))
                        self.post("The film is now frame-accurate (proxy ready)")
                    except MediaError as e:
                        error = str(e)
                if error is not None:
                    self.post(f"No frame-accurate proxy ({error}); seeks may land a frame or "
                              "two early")
            self._changed()

        self.proxy_job = ProxyJob(film, info=info, on_progress=progress, on_done=done,
                                  folder=self.proxy_folder, start_when=shown,
                                  start_within=self.FIRST_PICTURE_WAIT_S)

    def _stop_proxy(self) -> None:
        job, self.proxy_job = self.proxy_job, None
        if job is not None:
            job.cancel()  # its file is taken away by its own thread

    def close(self) -> None:
        """Stop the proxy being made, then every player (the app is quitting)."""
        with self._lock:
            self._generation += 1
            job, self.proxy_job = self.proxy_job, None
        if job is not None:
            job.close()
        for player in self._players:
            player.close()
        self._players.clear()
        self.player = None
