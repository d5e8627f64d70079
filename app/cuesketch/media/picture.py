"""The picture: libvlc decodes the film into buffers; the transport says which frame to show.

libvlc's video callbacks give pictures without timestamps and its ``get_time()`` is coarse
(STACK.md), so the player never asks libvlc where it is. It knows:

* **Paused**, it seeks to the middle of the clock's frame (exact on a proxy); the picture
  that arrives after the seek is that frame. libvlc redisplays the paused picture every
  ~60 ms; a redisplay is recognised by its pixels (unchanged) and not shown again.
* **Playing**, it starts libvlc from a paused, exactly known frame ``n`` at the moment that
  makes frame ``n + 1`` appear as the clock reaches it, then counts: each new picture is the
  next frame (libvlc is told never to drop or skip one). Every picture is checked against
  the clock; when they disagree by more than one frame, or the transport jumps (a seek, a
  loop), the player cues up again: pause, seek ahead of the clock, start on time.
* **Shuttling** (J/K/L speeds other than 1, backwards included) and scrubbing, libvlc stays
  paused and the player seeks to the clock's frame as fast as seeks land. libvlc's own rate
  changes are not used: they make it jump and repeat pictures, which breaks counting.

The film's first frame sits ``offset_frames`` project frames after the project start
(``FilmTime``); outside the film the picture is blank. The film's own sound plays through
libvlc while playing at normal speed, at its own volume and mute.

Threads: libvlc calls ``_lock``/``_display`` on its video thread; a control thread follows the
transport and is the only one that commands libvlc. Readers take frames with ``latest()``
(any thread) or get ``on_frame(frame)`` calls on libvlc's thread (keep them short; do not
call the player from them). Nothing here knows Qt. The libvlc thread's half (buffers, which
frame a picture is) is ``PictureFrames``, in ``media.picture_frames``.

"Now" is the injected clock's (``MonotonicClock``: the transport's, one for the whole app), so
a test can step it; only waits on libvlc itself (its state, a picture, the last milliseconds
before a start) are real time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from cuesketch.engine.clock import MonotonicClock
from cuesketch.engine.transport import NS_PER_SECOND, Transport
from cuesketch.media.filmtime import FilmTime
from cuesketch.media.frames import FrameExchange
from cuesketch.media.picture_frames import (FrameCallback, Mode, PictureFrames, PictureStats,
                                            ns_of_flicks)
from cuesketch.media.probe import MediaError, MediaInfo, probe
from cuesketch.media.vlc_setup import import_vlc, make_instance
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.units import FLICKS_PER_SECOND

__all__ = ["FrameCallback", "Mode", "PicturePlayer", "PictureStats"]


class PicturePlayer(PictureFrames):
    POLL_S = 0.004  # how often the control thread looks at the transport
    # libvlc sometimes shows nothing after a paused seek (more often right after a pause): a
    # seek with no new picture after max(SEEK_RETRY_MIN_S, 3 x the usual seek time) is sent
    # again; after SEEK_TRIES the picture is taken as landed (the frame looks like the last).
    SEEK_RETRY_MIN_S = 0.05
    SEEK_TRIES = 3
    CUE_LEAD_S = 0.05  # cue-up seeks this far ahead of the clock (seek time + margin)
    PHASE = 0.1  # frames: a new picture is due this far into its clock frame
    LATE_START = 0.3  # frames: starting later than this cues up again
    RESYNC_GRACE_S = 0.15  # after a start, disagreement this young is still settling
    CATCH_UP_S = 0.4  # a picture late by more than a frame may catch up for this long
    CATCH_UP_FRAMES = 12  # ... unless it is this late
    PAUSE_SETTLE_S = 0.06  # libvlc loses seeks sent sooner than this after a pause
    PRECISE_WAIT_S = 0.012  # the last stretch before starting libvlc is waited for exactly

    def __init__(self, transport: Transport, project_rate: FrameRate, *,
                 offset_frames: int = 0, sound: bool = True, max_width: int = 1280,
                 on_frame: FrameCallback | None = None, instance: Any = None,
                 clock: MonotonicClock | None = None) -> None:
        super().__init__(transport, project_rate, offset_frames=offset_frames,
                         on_frame=on_frame, clock=clock)
        self.max_width = max_width
        self.info: MediaInfo | None = None  # the film's facts (of the original)
        self.path: Path | None = None  # what libvlc plays (the proxy, or the film itself)
        self.error: str | None = None  # why there is no picture, in plain words
        self._vlc = import_vlc()
        self._instance = instance or make_instance(sound)
        self._mp: Any = None
        self._volume = 1.0
        self._accurate = False
        self._muted = False
        # the control thread
        self._vlc_lock = threading.RLock()  # libvlc commands come from one thread at a time
        self._wake = threading.Event()
        self._closing = False
        self._thread: threading.Thread | None = None
        self._callbacks = (self._vlc.CallbackDecorators.VideoLockCb(self._lock_cb),
                           self._vlc.CallbackDecorators.VideoUnlockCb(self._unlock_cb),
                           self._vlc.CallbackDecorators.VideoDisplayCb(self._display_cb))
        self._jumped = False  # the transport changed (seek, play, stop) since the last start
        transport.observe(self._on_transport)
    # -- the film ------------------------------------------------------------------------------
    def open(self, path: Path | str, film: MediaInfo | None = None,
             playing: MediaInfo | None = None) -> None:
        """Play ``path`` (a proxy or the film); ``film`` is the original's facts (rate, frame
        count), probed from ``path`` when not given; ``playing``, the facts of ``path`` when
        the caller knows them (a proxy it made). Raises MediaError in plain words."""
        path = Path(path)
        self.unload()
        try:
            if playing is None:  # the film itself was probed by the caller already
                playing = film if film is not None and film.path == path else \
                    probe(path, check_decode=False)
        except MediaError as e:
            self.error = str(e)
            raise
        film = film or playing
        w = min(self.max_width, playing.width) // 2 * 2
        h = max(2, round(playing.height * w / playing.width / 2) * 2)
        exchange = FrameExchange(w, h)
        with self._vlc_lock:
            mp = self._instance.media_player_new()
            mp.video_set_callbacks(*self._callbacks, None)
            mp.video_set_format("RV32", w, h, exchange.pitch)
            media = self._instance.media_new(str(path))
            media.add_option(":start-paused")
            mp.set_media(media)
            with self._lock:
                self._exchange, self._mp = exchange, mp
                self._film = FilmTime(self.project_rate, film.rate, film.frame_count,
                                      self.offset_frames)
                self._mode, self._shown, self._requested, self._pending = Mode.HOLD, -1, None, None
                self._blank = True
            if mp.play() != 0 or not self._wait_state(mp, ("Paused", "Playing"), 10.0):
                self.unload()
                self.error = f"libvlc could not open {path.name}"
                raise MediaError(f"{path.name} could not be played (libvlc refused it); "
                                 "try preparing the film again")
            self._apply_sound()
        self.info, self.path, self.error = film, path, None
        self._accurate = playing.intra_only
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="picture", daemon=True)
            self._thread.start()
        self._wake.set()

    def unload(self) -> None:
        """Stop showing the film (the player stays usable for another)."""
        with self._vlc_lock:
            mp = self._mp
            with self._lock:
                self._mode, self._mp = Mode.CLOSED, None
            if mp is not None:
                mp.stop()  # waits for libvlc's video thread: no callback runs after this
                mp.release()
            with self._lock:
                self._film, self._shown, self._requested, self._pending = None, -1, None, None
                if self._exchange is not None:
                    self._exchange.blank()
        self.info = self.path = None

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self.unload()

    def _on_transport(self, _state: object) -> None:
        self._jumped = True
        self._wake.set()

    # -- settings ------------------------------------------------------------------------------
    def set_offset(self, offset_frames: int) -> None:
        """The film's first frame sits this many project frames after the project start."""
        self.offset_frames = offset_frames
        self._refilm(offset_frames=offset_frames)

    def _refilm(self, **changes: Any) -> None:
        with self._lock:
            if self._film is not None:
                self._film = replace(self._film, **changes)
                self._requested = None  # the same position may now be another frame
        self._wake.set()

    @property
    def volume(self) -> float:
        return self._volume

    @property
    def muted(self) -> bool:
        return self._muted

    def set_volume(self, volume: float) -> None:
        """The film's own sound, 0..1 (beside the music's level)."""
        self._volume = min(1.0, max(0.0, volume))
        self._apply_sound()

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        self._apply_sound()

    def _apply_sound(self) -> None:
        with self._vlc_lock:
            if self._mp is not None:
                self._mp.audio_set_volume(round(self._volume * 100))
                self._mp.audio_set_mute(self._muted)

    @property
    def frame_accurate(self) -> bool:
        """Whether seeks land exactly on what libvlc plays (a proxy, or an intra-only film);
        on a film with B-frames they may land a few frames off until its proxy is ready."""
        return self._accurate and self.path is not None

    # -- the control thread --------------------------------------------------------------------
    def _run(self) -> None:
        while not self._closing:
            self._wake.wait(self.POLL_S)
            self._wake.clear()
            try:
                with self._vlc_lock:
                    if self._mp is not None and not self._closing:
                        self._follow()
            except Exception as e:  # the picture must never take the app down
                self.error = f"the picture stopped: {e}"
                time.sleep(0.1)

    def _follow(self) -> None:
        film = self._film
        if film is None:
            return
        if self._mode is Mode.PAUSING:
            if self._now() - self._paused_ns < self.PAUSE_SETTLE_S * NS_PER_SECOND:
                return
            with self._lock:
                self._mode = Mode.HOLD
        state = self.transport.state()
        target = film.film_frame(state.position)
        if state.playing and state.speed == 1.0:
            self._follow_playing(film, target)
        else:
            self._follow_paused(film, target)

    def _set_blank(self) -> None:
        """Nothing to show: the clock is outside the film."""
        if not self._blank and self._exchange is not None:
            self._blank = True
            self._exchange.blank()

    def _seek_toward(self, target: int) -> None:
        """Seek to ``target``, one seek at a time; send a seek again when its picture is lost.

        While a seek is landing the next waits (scrubbing shows the clock's frame whenever a
        seek lands); a lost one is sent again, to wherever the clock is by then."""
        pending = self._pending
        if pending is not None:
            waited = self._now() - pending[1]
            if waited < max(self.SEEK_RETRY_MIN_S * NS_PER_SECOND, 3 * self._seek_ns):
                return
            if target == pending[0] and self._tries >= self.SEEK_TRIES:
                self._land_unchanged(target)  # no new picture: it looks like the last one
                return
            self.stats.seek_retries += 1
            self._seek(target, retry=target == pending[0])
        elif target != self._requested:
            self._rechecks = 0  # seeks sent again to check a picture that came unasked
            self._seek(target)

    def _land_unchanged(self, target: int) -> None:
        exchange = self._exchange
        with self._lock:
            self._pending = None
            self._shown = target
            hidden = self._hide_ahead and self._film is not None and \
                target > self._film.film_frame(self.transport.position())
        if exchange is not None and not hidden:
            frame = exchange.relabel(target)
            if frame is not None and self.on_frame is not None:
                self.on_frame(frame)
        self._landed.set()

    def _follow_paused(self, film: FilmTime, target: int) -> None:
        """Paused, shuttling or scrubbing: seek to the clock's frame, one seek at a time."""
        if self._mode is Mode.PLAY:
            self._pause()
        if self._hide_ahead:
            self._hide_ahead = False
            if self._exchange is not None:
                self._exchange.drop_stash()
        if not film.inside(target):
            self._set_blank()
            return
        if self._blank and self._pending is None and self._exchange is not None:
            if self._exchange.unblank(target):
                self._blank = False  # back in the film, on the frame held
            elif target == self._requested:
                self._requested = None  # the picture held is another frame: seek
        if self._unasked and self._pending is None:
            with self._lock:
                self._unasked = 0
            if self._rechecks < self.SEEK_TRIES:  # see it with our own eyes: seek again
                self._rechecks += 1
                self.stats.seek_retries += 1
                self._requested = None
        self._seek_toward(target)

    def _follow_playing(self, film: FilmTime, target: int) -> None:
        if self._mode is Mode.PLAY:
            shown = self._shown
            if shown >= film.frame_count - 1 or target >= film.frame_count:
                self._pause()  # the film ended: hold its last frame, blank past it
                if target >= film.frame_count:
                    self._set_blank()
                return
            if self._slipped(target, shown):
                self.stats.resyncs += 1
                self._pause()  # the transport jumped, or the picture slipped: cue up again
            return
        self._cue_and_start(film, target)

    def _slipped(self, target: int, shown: int) -> bool:
        """Whether the running picture has left the clock for good.

        Ahead of the clock (a loop went round) it cannot come back by itself. Behind it, a
        transport seek needs a new start, but a picture late after a stall (the machine was
        busy) catches up on its own: libvlc shows late pictures at once and drops none."""
        now = self._now()
        if now - self._resumed_ns < self.RESYNC_GRACE_S * NS_PER_SECOND:
            return False
        offset = max(shown - target, self._last_offset, key=abs)
        if offset > 1 or offset < -self.CATCH_UP_FRAMES or (offset < -1 and self._jumped):
            return True
        if offset < -1:
            if not self._behind_ns:
                self._behind_ns = now
            return now - self._behind_ns > self.CATCH_UP_S * NS_PER_SECOND
        self._behind_ns = 0
        return False

    def _cue_and_start(self, film: FilmTime, target: int) -> None:
        """Held: cue a frame at or ahead of the clock, start libvlc when the clock reaches it.

        libvlc holds a cued frame ``n`` at its middle; once running, frame ``n + 1`` appears
        after half a frame plus libvlc's start delay, so "play" is sent that long before the
        clock reaches ``n + 1`` (plus ``PHASE``, so that a picture never arrives a hair
        before its frame on the clock)."""
        exchange = self._exchange
        if exchange is None:
            return
        if not film.inside(target):
            self._set_blank()  # before the film (pre-roll) or after it
            if target >= film.frame_count:
                return
        if self._pending is not None:
            self._seek_toward(self._pending[0])  # a cue-up seek is landing
            return
        fpf = film.film_rate.flicks_per_frame
        now = self._now()
        position = self.transport.position_at(now)
        lead = max(0, film.film_frame(position + int(self.CUE_LEAD_S * FLICKS_PER_SECOND)))
        cued = self._requested
        if cued is None or self._shown != cued or not max(target, 0) <= cued <= lead + 1:
            self._hide_ahead = True
            self._seek(lead)
            return
        if exchange.stashed == cued and position >= film.frame_start(cued) + self.PHASE * fpf:
            frame = exchange.publish_stash()  # the cued frame's time has come
            if frame is not None:
                self._blank = False
                if self.on_frame is not None:
                    self.on_frame(frame)
        due = film.frame_start(cued + 1) + int(self.PHASE * fpf)  # when cued + 1 should show
        start_at = now + ns_of_flicks(due - position - fpf / 2) \
            - int(self.stats.resume_latency_ms * 1e6)
        if start_at < now - ns_of_flicks(self.LATE_START * fpf):
            self._requested = None  # too late for this frame: cue a later one
            return
        if start_at - now > self.PRECISE_WAIT_S * NS_PER_SECOND:
            return  # not yet: look again at the next poll
        wait_until = time.perf_counter_ns() + start_at - now  # a real wait: libvlc runs on it
        while (left := wait_until - time.perf_counter_ns()) > 0:
            time.sleep(min(left / 1e9, 0.001))
        state = self.transport.state()
        if state.playing and state.speed == 1.0 and film.film_frame(state.position) <= cued:
            self._resume()

    def _seek(self, frame: int, retry: bool = False) -> None:
        film = self._film
        mp = self._mp
        if film is None or mp is None:
            return
        if mp.get_state() in (self._vlc.State.Ended, self._vlc.State.Stopped,
                              self._vlc.State.Error):
            self._reload()  # libvlc seeks nothing after the end
        with self._lock:
            self._tries = self._tries + 1 if retry else 1
            self._pending = (frame, self._now())
            self._requested = frame
        self.stats.seeks += 1
        mp.set_time(film.seek_ms(frame))

    def _reload(self) -> None:
        """Open the film again, paused (its media option says so)."""
        mp = self._mp
        if mp is None:
            return
        with self._lock:
            self._mode = Mode.HOLD
        mp.stop()
        mp.play()
        self._wait_state(mp, ("Paused", "Playing"), 5.0)
        mp.set_pause(1)
        self._apply_sound()

    def _pause(self) -> None:
        mp = self._mp
        with self._lock:
            self._mode = Mode.PAUSING
            self._paused_ns = self._now()
            self._requested = None  # where libvlc stops is not known: seek again
        if mp is not None:
            mp.set_pause(1)
        self._wake.set()

    def _resume(self) -> None:
        mp = self._mp
        film = self._film
        if mp is None or film is None:
            return
        half = ns_of_flicks(film.film_rate.flicks_per_frame / 2)
        with self._lock:
            now = self._now()
            self._mode = Mode.PLAY
            self._resumed_ns = now
            self._guard_ns = now + half * 3 // 4
            self._first_new = True
            self._jumped = False
            self._behind_ns = 0
            self._hide_ahead = False
            self._requested = None
        if self._exchange is not None:
            self._exchange.drop_stash()
        self.stats.cue_ups += 1
        mp.set_pause(0)
        self._apply_sound()

    def _wait_state(self, mp: Any, names: tuple[str, ...], timeout: float) -> bool:
        wanted = {getattr(self._vlc.State, n) for n in names}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = mp.get_state()
            if state in wanted:
                return True
            if state == self._vlc.State.Error:
                return False
            time.sleep(0.005)
        return False

