"""What the film's lanes show, made in the background: no Qt, driven by tests as by the window.

    jobs = FilmLaneJobs(document, project_path, on_change)
    jobs.load()            # the project's film: its facts, then the strip and the summaries

Everything slow runs on threads of its own (ffprobe, the picture strip's ffmpeg passes, the
sound's summaries, the speech detector); ``on_change`` is called from those threads when there
is something new to draw (the window turns it into a queued signal). ``sound_state`` says in
words what the waveform lane has to say when it has no waveform to show: still reading, no
sound at all, only silence, or why it failed. A detection's regions wait in ``detection``
until the window (on its own thread) lands them as one undo step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from cuesketch.media.filmtime import FilmTime
from cuesketch.media.peaks import Peaks, PeaksCancelled, make_peaks
from cuesketch.files import content_hash
from cuesketch.media.probe import AudioStream, MediaError, MediaInfo, probe
from cuesketch.media.proxy import cached_proxy, needs_proxy, proxy_info
from cuesketch.media.speech import SpeechCancelled, SpeechSettings, detect_speech
from cuesketch.media.thumbnails import ThumbnailJob
from cuesketch.model.document import Document
from cuesketch.model.entities import Media
from cuesketch.store.relink import film_path

NO_FILM = "No film"
NO_SOUND = "This film has no sound"
SILENT = "The film's sound is silent"


@dataclass(frozen=True)
class Detection:
    spans: list[tuple[int, int]]  # transport flicks
    silent: bool
    film_spans: list[tuple[int, int]]  # the same, flicks into the film (placed when taken)


class FilmLaneJobs:
    def __init__(self, document: Document, project_path: Path | None,
                 on_change: Callable[[], None] | None = None, *, cache: Path | None = None,
                 refine: bool = True) -> None:
        self.document = document
        self.project_path = project_path
        self.on_change = on_change or (lambda: None)
        self.cache = cache  # None: the user's cache folders
        self.refine = refine
        self.info: MediaInfo | None = None
        self.film_time: FilmTime | None = None
        self.thumbs: ThumbnailJob | None = None
        self.peaks: Peaks | None = None
        self.stream: int | None = None  # the sound stream shown and listened to
        self.sound_state = NO_FILM  # what the waveform lane says ("" when it draws)
        self.picture_state = NO_FILM
        self.speech_state = ""  # "Finding speech… 40 %" while the detector runs
        self.detection: Detection | None = None  # regions found, not yet landed
        self.detection_error: str | None = None
        self._media: Media | None = None
        self._generation = 0
        self._cancel = threading.Event()
        # A reading thread publishes its film under this lock, and only if no load or close
        # came since; close takes it too, so a strip is either published and then closed, or
        # closed by the thread that made it (never left running after close).
        self._publish = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._speech_cancel: threading.Event | None = None
        # the film's proxy once made (None: none yet), for single frames seeked to
        self.seekable: Callable[[], MediaInfo | None] = lambda: None

    # -- the film ------------------------------------------------------------------------------
    @property
    def has_film(self) -> bool:
        """Whether the project has a film to show (found or not: a missing one says so)."""
        return self._media is not None and self.project_path is not None

    @property
    def streams(self) -> tuple[AudioStream, ...]:
        return self.info.audio if self.info is not None else ()

    def _spawn(self, target: Callable[[], None], name: str) -> threading.Thread:
        t = threading.Thread(target=target, name=name, daemon=True)
        self._threads = [x for x in self._threads if x.is_alive()] + [t]
        t.start()
        return t

    def load(self) -> None:
        """Show the project's film (again, when it was relinked or its offset moved)."""
        settings = self.document.project.settings
        media = settings.media
        if media == self._media and self.info is not None:
            return
        if self.info is not None and media is not None and self._media is not None \
                and media.path == self._media.path and media.content_hash == \
                self._media.content_hash:
            self._media = media  # only the offset moved: the same film, placed elsewhere
            self.film_time = FilmTime(settings.rate, self.info.rate, self.info.frame_count,
                                      media.offset_frames)
            self.on_change()
            return
        self.close_jobs()
        self._media = media
        self.info, self.film_time, self.peaks, self.thumbs = None, None, None, None
        if media is None or self.project_path is None:
            self.sound_state = self.picture_state = NO_FILM
            self.on_change()
            return
        self.sound_state = self.picture_state = "Reading the film…"
        with self._publish:
            self._generation += 1
            generation, cancel = self._generation, self._cancel
        path = film_path(self.project_path, media)

        def read() -> None:
            try:
                info = probe(path, check_decode=False)
            except MediaError as e:
                if generation == self._generation:
                    self.sound_state = self.picture_state = str(e)
                    self.on_change()
                return
            if generation != self._generation or cancel.is_set():
                return
            try:
                fingerprint = media.content_hash or content_hash(path)  # a while: a big file
            except OSError:
                fingerprint = ""
            if generation != self._generation or cancel.is_set():
                return
            job = ThumbnailJob(info, folder=self._folder("thumbnails"),
                               fingerprint=fingerprint or None,
                               on_update=self._thumbs_changed, refine=self.refine,
                               exact_source=self._proxy_of(info, fingerprint))
            with self._publish:
                current = generation == self._generation and not cancel.is_set()
                if current:
                    self.info = info
                    self.film_time = FilmTime(self.document.project.settings.rate, info.rate,
                                              info.frame_count, media.offset_frames)
                    self.picture_state = "Making the picture strip…"
                    self.thumbs = job
                    self.seekable = self._proxy_of(info, fingerprint)
                    self.stream = info.audio[0].index if info.audio else None
            if not current:
                job.close()  # another film was asked for, or the lanes closed, meanwhile
                return
            self._read_sound(generation)
            self.on_change()

        self._spawn(read, "film-lanes")

    def _proxy_of(self, info: MediaInfo, fingerprint: str,
                  ) -> Callable[[], MediaInfo | None]:
        """The film's frame-accurate proxy once made (the picture makes it): exact frames for
        the strip come from it, seeking to the frame instead of decoding from a key frame."""
        def find() -> MediaInfo | None:
            if not fingerprint or not needs_proxy(info):
                return None
            path = cached_proxy(info.path, folder=self._folder("proxies"),
                                fingerprint=fingerprint)
            return proxy_info(info, path) if path is not None else None
        return find

    def _folder(self, kind: str) -> Path | None:
        if self.cache is None:
            return None
        folder = self.cache / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _thumbs_changed(self) -> None:
        job = self.thumbs
        if job is not None:
            self.picture_state = job.error or ("" if len(job.strip) else
                                               "Making the picture strip…")
        self.on_change()

    def select_stream(self, index: int) -> None:
        """Show (and listen to) another of the film's sound streams: the dialogue stem."""
        if index == self.stream or not any(a.index == index for a in self.streams):
            return
        self.stream, self.peaks = index, None
        self._read_sound(self._generation)
        self.on_change()

    def _read_sound(self, generation: int) -> None:
        info, stream = self.info, self.stream
        if info is None:
            return
        if stream is None:
            self.sound_state = NO_SOUND
            return
        chosen = next(a for a in info.audio if a.index == stream)
        self.sound_state = "Reading the film's sound…"
        cancel = self._cancel
        media = self._media

        def progress(fraction: float) -> None:
            if generation == self._generation and stream == self.stream:
                self.sound_state = f"Reading the film's sound… {fraction * 100:.0f} %"
                self.on_change()

        def run() -> None:
            try:
                peaks = make_peaks(info.path, stream, sample_rate=chosen.sample_rate or 48000,
                                   channels=max(1, min(64, chosen.channels or 2)),
                                   duration_s=info.duration_s, on_progress=progress,
                                   cancel=cancel, folder=self._folder("peaks"),
                                   fingerprint=(media.content_hash or None) if media
                                   else None, lead=chosen.lead)
            except PeaksCancelled:
                return
            except (MediaError, OSError) as e:
                if generation == self._generation:
                    self.sound_state = str(e)
                    self.on_change()
                return
            if generation != self._generation or stream != self.stream:
                return
            self.peaks = peaks
            self.sound_state = SILENT if peaks.silent() else ""
            self.on_change()

        self._spawn(run, "film-sound")

    # -- speech --------------------------------------------------------------------------------
    def detect_speech(self, settings: SpeechSettings = SpeechSettings()) -> bool:
        """Find speech in the chosen sound stream, in the background; the regions land in
        ``detection`` (or ``detection_error`` says why not). False when there is no sound."""
        info, stream, film_time = self.info, self.stream, self.film_time
        if info is None or film_time is None:
            self.detection_error = "No film to listen to"
            return False
        if stream is None:
            self.detection_error = NO_SOUND
            return False
        self.cancel_speech()
        cancel = threading.Event()
        self._speech_cancel = cancel
        self.speech_state = "Finding speech…"
        self.on_change()

        def progress(fraction: float) -> None:
            self.speech_state = f"Finding speech… {fraction * 100:.0f} %"
            self.on_change()

        def run() -> None:
            try:
                chosen = next((a for a in info.audio if a.index == stream), None)
                result = detect_speech(info.path, stream, settings, cancel=cancel,
                                       on_progress=progress,
                                       lead=chosen.lead if chosen is not None else None,
                                       duration_s=info.duration_s)
            except SpeechCancelled:
                self.speech_state = ""
                self.on_change()
                return
            except (MediaError, OSError) as e:
                self.detection_error, self.speech_state = str(e), ""
                self.on_change()
                return
            origin = film_time.origin  # placed again when taken: the offset may move
            self.detection = Detection([(a + origin, b + origin) for a, b in result.regions],
                                       result.silent, list(result.regions))
            self.speech_state = ""
            self.on_change()

        self._spawn(run, "speech")
        return True

    def take_detection(self) -> Detection | None:
        found, self.detection = self.detection, None
        film_time = self.film_time
        if found is not None and film_time is not None:  # at the film's place now
            origin = film_time.origin
            found = replace(found, spans=[(a + origin, b + origin) for a, b in found.film_spans])
        return found

    def take_error(self) -> str | None:
        error, self.detection_error = self.detection_error, None
        return error

    def cancel_speech(self) -> None:
        if self._speech_cancel is not None:
            self._speech_cancel.set()
            self._speech_cancel = None

    # -- ending --------------------------------------------------------------------------------
    def close_jobs(self) -> None:
        with self._publish:
            self._cancel.set()
            self._cancel = threading.Event()
            thumbs = self.thumbs
        self.cancel_speech()
        if thumbs is not None:
            thumbs.close()

    def close(self) -> None:
        with self._publish:
            self._generation += 1
        self.close_jobs()

    def wait(self, timeout: float = 60) -> bool:
        """Until the work started so far has ended (tests): the facts, the sound, the strip's
        passes."""
        import time
        deadline = time.monotonic() + timeout
        for t in list(self._threads):
            t.join(max(0.0, deadline - time.monotonic()))
        thumbs = self.thumbs
        if thumbs is not None:
            thumbs.wait(max(0.0, deadline - time.monotonic()))
        for t in list(self._threads):
            t.join(max(0.0, deadline - time.monotonic()))
        return all(not t.is_alive() for t in self._threads) and (
            thumbs is None or not thumbs.running)
