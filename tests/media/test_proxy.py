from __future__ import annotations

import subprocess
import threading

import numpy as np
import pytest

from cuesketch.store.relink import content_hash
from cuesketch.media.probe import MediaError, probe
from cuesketch.media.proxy import (ProxyCancelled, ProxyJob, cached_proxy, make_proxy,
                                   needs_proxy, proxy_size)
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
