"""Which ffmpeg makes proxies: the versions it reads and the ffmpegs it accepts."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from cuesketch.media import proxy_ffmpeg as module
from cuesketch.media.proxy_ffmpeg import ProxyFfmpeg, parse_version, thread_counts


@pytest.mark.parametrize("banner, version", [
    ("ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers", (5, 1)),
    ("ffmpeg version n9.0.2-17-g2a571b6068-20260930 Copyright (c) 2000-2026", (9, 0)),
    ("ffmpeg version 7.1.1-1ubuntu1 Copyright (c) 2000-2025 the FFmpeg developers", (7, 1)),
    ("ffmpeg version 6.1.1-3ubuntu5 Copyright (c) 2000-2023", (6, 1)),
    ("ffmpeg version N-118452-g1b8d95da3a-20250213 Copyright (c) 2000-2025", (106, 0)),
    ("ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright", (4, 4)),
    ("Usage: something else entirely", None),
    ("", None),
])
def test_versions_are_read_from_the_banner(banner, version):
    assert parse_version(banner) == version


def test_threads_give_the_decoder_the_larger_share_up_to_full_hd():
    hd = 1920 * 1080
    assert thread_counts(hd, 1) == (1, 1)
    assert thread_counts(hd, 2) == (1, 1)
    assert thread_counts(hd, 4) == (3, 1)
    assert thread_counts(hd, 8) == (6, 2)
    assert thread_counts(1280 * 720, 2) == (1, 1)
    for cores in range(2, 65):
        counts = thread_counts(hd, cores)
        assert counts is not None
        decoder, encoder = counts
        assert decoder + encoder == cores and decoder >= 2 * encoder - 1
    assert thread_counts(3840 * 2160, 2) is None  # ffmpeg's own frame threads
    assert thread_counts(2048 * 1152, 8) is None


def test_the_systems_ffmpeg_is_examined_for_what_it_is():
    found = module._examine(shutil.which("ffmpeg"))
    assert found is not None and found.path == shutil.which("ffmpeg")
    banner = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout
    assert found.version == parse_version(banner)
    assert found.threaded == (found.version[0] >= 7)


def test_a_missing_or_broken_ffmpeg_is_refused(tmp_path):
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho 'ffmpeg version 9.0 but no encoders'\n")
    fake.chmod(0o755)
    assert module._examine(str(fake)) is None  # no libx264 among its encoders
    assert module._examine(str(tmp_path / "absent")) is None
    assert module._examine(None) is None


def test_a_threaded_ffmpeg_is_chosen(monkeypatch):
    old = ProxyFfmpeg("/usr/bin/ffmpeg", (5, 1), False)
    new = ProxyFfmpeg("/bundled/ffmpeg", (9, 0), True)
    system_new = ProxyFfmpeg("/usr/bin/ffmpeg", (7, 1), True)
    cases = [({"/usr/bin/ffmpeg": old, "/bundled/ffmpeg": new}, new),
             ({"/usr/bin/ffmpeg": system_new, "/bundled/ffmpeg": new}, system_new),
             ({"/usr/bin/ffmpeg": old}, old),  # nothing better: the system's as it is
             ({"/bundled/ffmpeg": new}, new),
             ({}, None)]
    monkeypatch.setattr(module.shutil, "which", lambda name: "/usr/bin/ffmpeg")
    monkeypatch.setattr(module, "_bundled", lambda: "/bundled/ffmpeg")
    for tools, chosen in cases:
        monkeypatch.setattr(module, "_examine", lambda path, tools=tools: tools.get(path or ""))
        module.proxy_ffmpeg.cache_clear()
        assert module.proxy_ffmpeg() == chosen
    module.proxy_ffmpeg.cache_clear()


def test_the_bundled_ffmpeg_is_threaded_and_makes_h264():
    module.proxy_ffmpeg.cache_clear()
    chosen = module.proxy_ffmpeg()
    assert chosen is not None and chosen.threaded  # make setup installs imageio-ffmpeg
