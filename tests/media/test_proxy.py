from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from cuesketch.store.relink import content_hash
from cuesketch.media.probe import MediaError, probe
from cuesketch.media.proxy import (VERSION, ProxyCancelled, ProxyJob, cached_proxy, make_proxy,
                                   needs_proxy, pad_frames, proxy_info, proxy_path, proxy_size)
from cuesketch.media.testfilm import make_numbered_film, read_frame_number


def _numbers(path, size):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "bgra", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, size[1], size[0], 4)
    return [read_frame_number(f) for f in frames]


def test_proxy_keeps_every_frame_in_place(films):
    film = films["24"]
    numbers = _numbers(film.proxy, (320, 180))
    count = film.info.frame_count
    assert numbers[:count] == list(range(count))
    assert set(numbers[count:]) == {count - 1}  # the padding repeats the last frame


def test_made_once_then_found_in_the_cache(tmp_path):
    film = make_numbered_film(tmp_path / "film.mp4", seconds=2)
    before = (film.stat().st_mtime_ns, content_hash(film), film.read_bytes())
    progress: list[float] = []
    proxy = make_proxy(film, folder=tmp_path / "cache", on_progress=progress.append)
    assert proxy.parent == tmp_path / "cache"
    assert proxy.name.startswith(content_hash(film).replace(":", "-")) and ":" not in proxy.name
    assert progress[-1] == 1.0 and progress == sorted(progress)
    assert [p.name for p in proxy.parent.iterdir()] == [proxy.name]  # no temporary left
    assert (film.stat().st_mtime_ns, content_hash(film), film.read_bytes()) == before
    info = probe(proxy)
    assert info.intra_only and info.frame_accurate and info.audio
    assert cached_proxy(film, folder=tmp_path / "cache") == proxy
    again: list[float] = []
    assert make_proxy(film, folder=tmp_path / "cache", on_progress=again.append) == proxy
    assert again == [1.0]


def test_size_is_capped_and_even(films):
    info = films["24"].info
    assert proxy_size(info) == (320, 180)
    assert proxy_size(info, width=250) == (250, 140)


def test_cancelled_leaves_nothing(tmp_path):
    film = make_numbered_film(tmp_path / "film.mp4", seconds=2)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ProxyCancelled):
        make_proxy(film, folder=tmp_path / "cache", cancel=cancel)
    assert list((tmp_path / "cache").iterdir()) == []


def test_job_in_the_background_reports_and_can_be_cancelled(tmp_path):
    film = make_numbered_film(tmp_path / "film.mp4", seconds=2)
    done = threading.Event()
    results = []
    job = ProxyJob(film, folder=tmp_path / "cache",
                   on_done=lambda path, error: (results.append((path, error)), done.set()))
    assert done.wait(60) and job.wait(5)
    assert results == [(job.result, None)] and job.result is not None and job.progress == 1.0
    job2 = ProxyJob(tmp_path / "missing.mp4", folder=tmp_path / "cache")
    job2.wait(10)
    assert job2.result is None and "not there" in (job2.error or "")


def test_bad_film_is_a_plain_error(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_text("no film here")
    with pytest.raises(MediaError):
        make_proxy(bad, folder=tmp_path / "cache")


def test_which_films_need_a_proxy(films):
    assert needs_proxy(films["24"].info) and needs_proxy(films["29.97df"].info)
    assert not needs_proxy(probe(films["24"].proxy))


def test_half_made_proxies_left_by_a_killed_process_are_removed(tmp_path: Path) -> None:
    import os
    import time as _time

    from cuesketch.media import proxy as proxy_module

    final = tmp_path / "cs1-abc-w960-v1.mp4"
    old = tmp_path / "cs1-abc-w960-v1.dead.part"
    fresh = tmp_path / "cs1-abc-w960-v1.live.part"
    other = tmp_path / "cs1-xyz-w960-v1.dead.part"
    for p in (old, fresh, other):
        p.write_bytes(b"x")
    stale = _time.time() - proxy_module.ABANDONED_S - 5
    os.utime(old, (stale, stale))
    os.utime(other, (stale, stale))
    proxy_module._remove_abandoned(final)
    assert not old.exists() and fresh.exists() and other.exists()


# -- the recipe: one pass, the film's frames at the film's times, its sound as it is ----------

def _ffprobe(path, stream, entries):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
                          entries, "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return [line.strip().rstrip(",") for line in out.splitlines() if line.strip()]


def _pts(path):
    return sorted(Fraction(t) for t in _ffprobe(path, "v:0", "packet=pts_time"))


@pytest.mark.parametrize("name", ["24", "23.976", "29.97df"])
def test_the_proxy_has_the_films_frames_at_the_films_times(films, name):
    film = films[name]
    count, pad = film.info.frame_count, pad_frames(film.info)
    film_pts, proxy_pts = _pts(film.path), _pts(film.proxy)
    assert len(film_pts) == count and len(proxy_pts) == count + pad
    assert proxy_pts[:count] == film_pts  # frame n of the proxy is frame n of the film
    step = 1 / film.info.file_fps
    assert all(abs(b - a - step) < Fraction(1, 1000)
               for a, b in zip(proxy_pts[count - 1:], proxy_pts[count:]))
    flags = _ffprobe(film.proxy, "v:0", "packet=flags")
    assert len(flags) == count + pad and all(f.startswith("K") for f in flags)  # all intra


def _packet_md5s(path):
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0",
                          "-c:a", "copy", "-f", "framemd5", "-"], capture_output=True, text=True,
                         check=True).stdout
    return [line.split(",")[-1].strip() for line in out.splitlines()
            if line.strip() and not line.startswith("#")]


def test_aac_sound_is_copied_as_it_is(films):
    film = films["24"]
    assert probe(film.proxy).audio[0].codec == "aac"
    packets = _packet_md5s(film.path)
    assert packets and _packet_md5s(film.proxy) == packets  # the same packets, not re-encoded


def test_sound_mp4_cannot_hold_is_made_lossless(films, tmp_path):
    pcm = tmp_path / "pcm.mov"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(films["24"].path), "-c:v", "copy",
                    "-c:a", "pcm_s24le", str(pcm)], check=True)
    proxy = make_proxy(pcm, folder=tmp_path / "cache")
    assert probe(proxy).audio[0].codec == "alac"
    # decoded, the same samples (an AAC made from it would not be)
    decoded = ["-c:a", "pcm_s32le", "-f", "md5"]
    same = [subprocess.run(["ffmpeg", "-v", "error", "-i", str(f), "-map", "0:a:0", *decoded,
                            "-"], capture_output=True, text=True, check=True).stdout
            for f in (pcm, proxy)]
    assert same[0].startswith("MD5=") and same[0] == same[1]


def test_a_full_hd_film_is_made_768_wide_and_seeks_exactly(tmp_path):
    from cuesketch.engine.clock import FakeClock
    from cuesketch.engine.transport import Transport
    from cuesketch.media.picture import PicturePlayer
    from cuesketch.timing.rates import STANDARD_RATES

    film = make_numbered_film(tmp_path / "hd.mp4", seconds=2, size=(1920, 1080), audio=False)
    info = probe(film)
    proxy = make_proxy(film, info=info, folder=tmp_path / "cache")
    made = probe(proxy)
    assert (made.width, made.height) == (768, 432) and made.intra_only
    assert _pts(proxy)[:info.frame_count] == _pts(film)
    assert _numbers(proxy, (768, 432))[:info.frame_count] == list(range(info.frame_count))
    rate, clock = STANDARD_RATES["24"], FakeClock()
    transport = Transport(clock)
    player = PicturePlayer(transport, rate, sound=False, clock=clock)
    try:
        player.open(proxy, info)
        for n in (0, 47, 13, 31, 30, 1):
            transport.seek(rate.frame_to_flicks(n))
            for _ in range(12):  # a seek libvlc lost is sent again once the clock moves on
                if player.wait_shown(n, 0.25):
                    break
                clock.advance_s(player.SEEK_RETRY_MIN_S)
            latest = player.latest()
            assert latest is not None and read_frame_number(latest.pixels) == n
    finally:
        player.close()


def test_a_proxy_short_of_the_films_frames_is_an_error(films, tmp_path):
    film = films["24"]
    claimed = replace(film.info, frame_count=film.info.frame_count + 5)  # frames it lacks
    with pytest.raises(MediaError, match="came out short"):
        make_proxy(film.path, info=claimed, folder=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_proxy_of_an_older_recipe_is_replaced(tmp_path):
    film = make_numbered_film(tmp_path / "film.mp4", seconds=1, audio=False)
    fingerprint = content_hash(film)
    old = proxy_path(fingerprint, folder=tmp_path / "cache", version=VERSION - 1)
    old.parent.mkdir()
    old.write_bytes(b"an old proxy")
    assert cached_proxy(film, folder=tmp_path / "cache") is None  # not used: made again
    made = make_proxy(film, folder=tmp_path / "cache")
    assert made.name.endswith(f"-v{VERSION}.mp4") and not old.exists()


def test_proxies_of_an_older_recipe_go_but_newer_ones_and_other_films_stay(tmp_path):
    film = make_numbered_film(tmp_path / "film.mp4", seconds=1, audio=False)
    cache = tmp_path / "cache"
    cache.mkdir()
    mine = content_hash(film).replace(":", "-")
    older = [cache / f"{mine}-w960-v{VERSION - 1}.mp4", cache / f"{mine}-w960-v1.mp4",
             cache / f"{mine}-w1280-v{VERSION}.mp4"]  # this recipe at another size
    kept = [cache / "cs1-other-film-w960-v2.mp4", cache / f"{mine}-w960-v2.mp4.txt",
            cache / f"{mine}-notes.mp4", cache / f"{mine}-w768-v{VERSION + 1}.mp4"]
    for path in older + kept:
        path.write_bytes(b"x")
    made = make_proxy(film, folder=cache)
    assert sorted(p.name for p in cache.iterdir()) == sorted([made.name] + [p.name for p in kept])


def test_the_recipe_follows_the_ffmpeg_at_hand(monkeypatch, films, tmp_path):
    from cuesketch.media import proxy as proxy_module
    from cuesketch.media.proxy_ffmpeg import ProxyFfmpeg

    info = films["24"].info
    out = tmp_path / "p.mp4"
    threaded = ProxyFfmpeg("/opt/ffmpeg9", (9, 0), True)
    monkeypatch.setattr(proxy_module, "proxy_ffmpeg", lambda: threaded)
    monkeypatch.setattr(proxy_module, "thread_counts",
                        lambda pixels: (3, 1) if pixels <= 1920 * 1088 else None)
    cmd = proxy_module.ffmpeg_command(info, out)
    assert cmd[0] == "/opt/ffmpeg9"
    before_input = cmd[:cmd.index("-i")]
    assert before_input[-4:] == ["-skip_loop_filter", "all", "-threads", "3"]
    after_codec = cmd[cmd.index("libx264"):]
    assert after_codec[after_codec.index("-threads") + 1] == "1"
    cmd = proxy_module.ffmpeg_command(replace(info, width=3840, height=2160), out)
    assert "-threads" not in cmd and "-skip_loop_filter" in cmd  # 4K: ffmpeg's own threads
    older = ProxyFfmpeg("/usr/bin/ffmpeg", (5, 1), False)
    monkeypatch.setattr(proxy_module, "proxy_ffmpeg", lambda: older)
    cmd = proxy_module.ffmpeg_command(info, out)
    assert cmd[0] == "/usr/bin/ffmpeg" and "-threads" not in cmd  # its own threading is best
    assert "-skip_loop_filter" in cmd  # the same picture from either
    monkeypatch.setattr(proxy_module, "proxy_ffmpeg", lambda: None)
    with pytest.raises(MediaError, match="ffmpeg is not installed"):
        proxy_module.ffmpeg_command(info, out)


# -- in the background: after the first picture, below the window's priority ------------------

def test_the_job_waits_for_its_gate(tmp_path):
    film = make_numbered_film(tmp_path / "film.mp4", seconds=1, audio=False)
    gate = threading.Event()
    job = ProxyJob(film, folder=tmp_path / "cache", start_when=gate.is_set, start_within=30)
    time.sleep(0.3)
    assert job.running and job.encoding_since is None
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())
    opened = time.monotonic()
    gate.set()
    assert job.wait(60) and job.result is not None and job.error is None
    assert job.encoding_since is not None and job.encoding_since >= opened


def test_a_gate_that_never_opens_delays_the_job_only_so_long(tmp_path):
    film = make_numbered_film(tmp_path / "film.mp4", seconds=1, audio=False)
    job = ProxyJob(film, folder=tmp_path / "cache", start_when=lambda: False, start_within=0.4)
    assert job.wait(60) and job.result is not None
    assert job.encoding_since is not None and job.encoding_since - job.started >= 0.4


def test_a_job_cancelled_at_its_gate_makes_nothing(tmp_path):
    film = make_numbered_film(tmp_path / "film.mp4", seconds=1, audio=False)
    done = []
    job = ProxyJob(film, folder=tmp_path / "cache", start_when=lambda: False, start_within=30,
                   on_done=lambda path, error: done.append((path, error)))
    job.cancel()
    assert job.wait(5) and job.cancelled and done == [(None, None)]
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def _sleeping_children() -> list[int]:
    """This process's children that run ``sleep`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        if fields[0].endswith("(sleep") and int(fields[1].split()[1]) == os.getpid():
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_job_runs_ffmpeg_below_the_apps_priority(tmp_path, monkeypatch):
    from cuesketch.media import proxy as proxy_module

    film = make_numbered_film(tmp_path / "film.mp4", seconds=1, audio=False)
    info = probe(film)
    # a long "ffmpeg": there is time to look at its priority
    monkeypatch.setattr(proxy_module, "ffmpeg_command", lambda *_args: ["sleep", "30"])

    def priority_becomes(value: int) -> bool:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            children = _sleeping_children()
            if children and all(os.getpriority(os.PRIO_PROCESS, c) == value for c in children):
                return True
            time.sleep(0.01)
        return False

    own = os.getpriority(os.PRIO_PROCESS, 0)
    job = ProxyJob(film, info=info, folder=tmp_path / "cache")
    try:
        assert priority_becomes(min(19, own + proxy_module.NICENESS))
    finally:
        job.cancel()
        assert job.wait(10) and job.cancelled
    cancel = threading.Event()
    raised: list[type] = []

    def direct() -> None:  # make_proxy itself, as the benchmark calls it
        try:
            make_proxy(film, info=info, folder=tmp_path / "cache", cancel=cancel)
        except ProxyCancelled as e:
            raised.append(type(e))

    thread = threading.Thread(target=direct)
    thread.start()
    try:
        assert priority_becomes(own)  # the app's own priority
    finally:
        cancel.set()
        thread.join(10)
    assert raised == [ProxyCancelled]


@pytest.mark.parametrize("name", ["24", "23.976", "29.97df"])
def test_the_proxys_facts_are_known_from_the_recipe(films, name):
    film = films[name]
    known, read = proxy_info(film.info, film.proxy), probe(film.proxy)

    def facts(i):
        return (i.path, i.width, i.height, i.codec, i.b_frames, i.intra_only, i.frame_count,
                i.file_fps, [(a.index, a.codec, a.channels, a.sample_rate) for a in i.audio])

    assert facts(known) == facts(read)
    assert known.rate == film.info.rate  # the film's (the proxy drops its timecode track)
