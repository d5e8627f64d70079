"""The player on real libvlc, on numbered films: what is on screen is read from its pixels.

The player reads "now" from the transport's clock, injected. Paused, scrubbing and shuttling
run on a FakeClock the test steps (a seek libvlc lost is sent again only when the test moves
the clock on); playing at normal speed runs on the system clock, because libvlc plays in real
time."""

from __future__ import annotations

import random
import threading
import time

import pytest

from cuesketch.engine.clock import FakeClock, MonotonicClock, SystemClock
from cuesketch.engine.transport import Transport
from cuesketch.media.frames import Frame
from cuesketch.media.picture import PicturePlayer
from cuesketch.media.probe import MediaError
from cuesketch.media.testfilm import read_frame_number
from cuesketch.media.vlc_setup import audio_output


class Seen:
    """Every delivered picture: (believed number, number in its pixels, clock's film frame)."""

    def __init__(self, transport: Transport, film) -> None:
        self.transport, self.film = transport, film
        self.entries: list[tuple[int, int, int, bool]] = []
        self.lock = threading.Lock()
        self.player: PicturePlayer | None = None

    def __call__(self, frame: Frame | None) -> None:
        if frame is None or self.player is None or self.player.film is None:
            return
        clock = self.player.film.film_frame(self.transport.position())
        with self.lock:
            self.entries.append((frame.number, read_frame_number(frame.pixels), clock,
                                 self.transport.playing))

    def playing(self):
        with self.lock:
            return [e for e in self.entries if e[3]]


@pytest.fixture
def open_player(films):
    players = []

    def make(name, *, offset=0, proxy=True, sound=False, clock: MonotonicClock | None = None):
        film = films[name]
        clock = clock or FakeClock()
        transport = Transport(clock)
        seen = Seen(transport, film)
        player = PicturePlayer(transport, film.rate, offset_frames=offset, sound=sound,
                               on_frame=seen, clock=clock)
        seen.player = player
        player.open(film.proxy if proxy else film.path, film.info)
        players.append(player)
        return transport, player, seen

    yield make
    for p in players:
        p.close()


def wait_shown(player, frame, timeout=3.0, patience=0.25):
    """Wait for ``frame``. On a FakeClock, each ``patience`` of real time without it moves the
    clock on past the player's seek retry time: a seek libvlc lost is sent again."""
    clock = player.clock
    for _ in range(max(1, round(timeout / patience))):
        if player.wait_shown(frame, patience):
            return True
        if isinstance(clock, FakeClock):
            clock.advance_s(player.SEEK_RETRY_MIN_S)
    return False


def wait_until(predicate, timeout=2.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.005)
    return predicate()


def show(transport, player, frame, offset=0):
    """Go to a film frame; the number read from the picture on screen."""
    rate = player.project_rate
    transport.seek(rate.frame_to_flicks(frame + offset))
    assert wait_shown(player, frame), f"frame {frame} not shown ({player.shown})"
    latest = player.latest()
    assert latest is not None and latest.number == frame
    return read_frame_number(latest.pixels)


@pytest.mark.parametrize("name", ["24", "23.976", "29.97df"])
def test_paused_seeks_land_exactly_on_the_proxy(open_player, films, name):
    transport, player, _ = open_player(name)
    count = films[name].info.frame_count
    rng = random.Random(name)
    frames = [0, count - 1, count - 2, 1] + rng.sample(range(count), 12)
    assert [show(transport, player, f) for f in frames] == frames
    assert player.frame_accurate


def test_stepping_frame_by_frame(open_player):
    transport, player, _ = open_player("29.97df")
    assert [show(transport, player, f) for f in range(40, 52)] == list(range(40, 52))
    assert [show(transport, player, f) for f in range(51, 44, -1)] == list(range(51, 44, -1))


def test_original_with_b_frames_is_shown_near_the_frame_until_the_proxy_is_made(open_player):
    transport, player, _ = open_player("24", proxy=False)
    assert not player.frame_accurate
    for frame in (10, 50, 30, 70):
        assert abs(show(transport, player, frame) - frame) <= 4


def test_picture_offset_places_the_first_frame(open_player):
    transport, player, _ = open_player("24", offset=12)
    assert show(transport, player, 0, offset=12) == 0
    assert show(transport, player, 30, offset=12) == 30
    transport.seek(player.project_rate.frame_to_flicks(11))  # before the film: no picture
    assert wait_until(lambda: player.latest() is None)
    assert player.shown is None
    player.set_offset(0)
    assert show(transport, player, 11) == 11


@pytest.mark.parametrize("name", ["24", "29.97df"])
def test_playing_follows_the_clock(open_player, name):
    transport, player, seen = open_player(name, clock=SystemClock())
    show(transport, player, 5)
    transport.play()
    time.sleep(1.5)
    transport.stop()
    pictures = seen.playing()
    assert len(pictures) > 25
    assert all(believed == read for believed, read, _, _ in pictures)  # counting is right
    match = sum(read == clock for _, read, clock, _ in pictures) / len(pictures)
    assert match >= 0.9, pictures  # the benchmark holds the strict figure
    stop = player.film.film_frame(transport.position())
    assert player.wait_shown(stop, 3.0)
    assert read_frame_number(player.latest().pixels) == stop  # lands on the stop frame


def test_shuttle_backwards_follows_the_clock(open_player):
    transport, player, seen = open_player("24")
    clock = player.clock
    show(transport, player, 80)
    transport.play(-2.0)
    film = player.film
    for _ in range(12):  # a 24th of a second at -2: two frames back each step
        clock.advance_s(1 / 24)
        frame = film.film_frame(transport.position())
        assert wait_shown(player, frame), f"frame {frame} not shown ({player.shown})"
        assert read_frame_number(player.latest().pixels) == frame
    assert wait_until(lambda: seen.playing()[-1][1] == frame)  # on_frame runs after it shows
    transport.stop()
    pictures = seen.playing()
    assert pictures and all(b == r for b, r, _, _ in pictures)
    numbers = [r for _, r, _, _ in pictures]
    assert numbers == sorted(numbers, reverse=True) and numbers[-1] == frame < 60


def test_playing_off_the_end_blanks(open_player, films):
    transport, player, seen = open_player("24", clock=SystemClock())
    last = films["24"].info.frame_count - 1
    show(transport, player, last - 6)
    transport.play()
    time.sleep(0.7)
    assert player.latest() is None  # past the end: no picture
    assert max(r for _, r, _, _ in seen.playing()) == last
    transport.stop()


def test_bad_film_is_a_plain_error_and_the_player_stays_usable(open_player, films, tmp_path):
    transport, player, _ = open_player("24")
    bad = tmp_path / "bad.mp4"
    bad.write_text("not a film")
    with pytest.raises(MediaError, match="not a film"):
        player.open(bad)
    assert player.error and player.latest() is None and player.path is None
    player.open(films["24"].proxy, films["24"].info)
    assert show(transport, player, 20) == 20


def test_film_sound_volume_and_mute(open_player, monkeypatch):
    monkeypatch.setenv("CUESKETCH_FILM_AOUT", "adummy")
    transport, player, _ = open_player("24", sound=True, clock=SystemClock())
    player.set_volume(0.4)
    player.set_muted(True)
    show(transport, player, 3)
    transport.play()
    time.sleep(0.3)
    transport.stop()
    assert (player.volume, player.muted) == (0.4, True)  # the dummy output keeps no level
    assert player.latest() is not None


def test_audio_output_choice(monkeypatch):
    monkeypatch.setenv("CUESKETCH_FILM_AOUT", "afile")
    assert audio_output() == "afile"
    monkeypatch.delenv("CUESKETCH_FILM_AOUT")
    assert audio_output() in (None, "pulse", "alsa", "adummy")
