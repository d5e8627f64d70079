"""Scene cuts: a generated film with hard cuts among pans, dissolves, fades and flashes; every
cut found on its exact frame, nothing else proposed; progress, cancel, and the cuts as hits."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from cuesketch.media.cut_detect import (BACK, CutDetectCancelled, CutDetectError,
                                        FrameDifferences, cut_hit_changes, detect_cuts, find_cuts,
                                        measure)
from cuesketch.model.document import Document
from cuesketch.model.entities import Hit, HitKind

from spotting_film import make_cut_film


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_cut_film(tmp_path_factory.mktemp("cuts") / "cuts.mp4", cuts=24, dissolves=6,
                         seed=3)


def test_every_hard_cut_on_its_frame_and_nothing_else(film) -> None:  # type: ignore[no-untyped-def]
    seen: list[float] = []
    found = detect_cuts(film.path, frames_expected=film.frames, progress=seen.append)
    assert [c.frame for c in found] == film.cuts
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_sensitivity_trades_cuts_for_quiet(film) -> None:  # type: ignore[no-untyped-def]
    diffs = measure(film.path)
    assert diffs.frames == film.frames
    few = find_cuts(diffs, 1)
    many = find_cuts(diffs, 100)
    assert len(few) <= len(film.cuts) <= len(many)


def test_a_flash_is_not_a_cut_but_a_cut_is() -> None:
    frames = np.zeros((40, 10), np.int16)
    frames[20:] = 200  # a cut at 20
    frames[8] = 250  # a one-frame flash at 8
    frames[30:32] = 0  # a two-frame flash (dark) at 30
    near = np.full((40, BACK), np.nan, np.float32)
    for k in range(1, BACK + 1):
        near[k:, k - 1] = np.abs(frames[k:] - frames[:-k]).mean(axis=1)
    assert [c.frame for c in find_cuts(FrameDifferences(near))] == [20]


def test_cancel_and_a_film_that_is_not_one(tmp_path: Path, film) -> None:  # type: ignore[no-untyped-def]
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CutDetectCancelled):
        measure(film.path, cancel=cancel)
    bad = tmp_path / "not.mp4"
    bad.write_bytes(b"nothing here")
    with pytest.raises(CutDetectError, match="could not read not.mp4"):
        measure(bad)


def test_accepted_cuts_become_cut_hits_once() -> None:
    doc = Document()
    doc.execute_changes(cut_hit_changes(doc.project, [10, 30], offset_frames=24))
    assert sorted(h.frame for h in doc.project.hits.values()) == [34, 54]
    again = cut_hit_changes(doc.project, [10, 30, 50], offset_frames=24)
    assert [c.after.frame for c in again] == [74]  # type: ignore[union-attr]
    assert all(isinstance(h, Hit) and h.kind is HitKind.CUT for h in doc.project.hits.values())


def test_the_proxy_is_read_when_there_is_one_and_gives_the_same_cuts(film, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                     monkeypatch) -> None:
    from cuesketch import paths
    from cuesketch.media import cut_detect
    from cuesketch.media.probe import probe
    from cuesketch.media.proxy import make_proxy
    monkeypatch.setattr(paths, "cache_dir", lambda: tmp_path)
    assert cut_detect.picture_to_read(film.path) == film.path
    info = probe(film.path)
    proxy = make_proxy(film.path, info=info)
    assert cut_detect.picture_to_read(film.path) == proxy
    found = detect_cuts(film.path, frames_expected=info.frame_count)
    assert [c.frame for c in found] == film.cuts


def _fake_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """An 'ffmpeg' on PATH running ``body`` (sh), so a damaged film's behaviour is exact."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "ffmpeg"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return script


def _run_bounded(fn, seconds: float = 60):  # type: ignore[no-untyped-def]
    """fn() in a thread; what it returned or raised, or AssertionError if it hangs."""
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "measure() hung"
    return out


def test_a_film_that_floods_ffmpeg_s_complaints_neither_hangs_nor_loses_the_last_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cuesketch.media.cut_detect import SIZE
    frame = SIZE[0] * SIZE[1] * 3
    _fake_ffmpeg(tmp_path, monkeypatch,
                 "head -c 4000000 /dev/zero | tr '\\0' 'x' | fold -w 200 >&2\n"
                 f"head -c {frame * 10} /dev/zero\n"
                 "echo 'Invalid NAL unit 7, skipping.' >&2\nexit 1\n")
    out = _run_bounded(lambda: measure(tmp_path / "damaged.mp4"))
    assert isinstance(out.get("error"), CutDetectError)
    assert "Invalid NAL unit 7" in str(out["error"])


def test_cancel_stops_ffmpeg_even_while_a_read_waits_on_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_ffmpeg(tmp_path, monkeypatch, "exec sleep 300\n")
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    out = _run_bounded(lambda: measure(tmp_path / "slow.mp4", cancel=cancel))
    assert isinstance(out.get("error"), CutDetectCancelled)


def test_ffmpeg_is_started_without_preexec_fn_and_made_nicer_by_pid(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from cuesketch.media import cut_detect
    _fake_ffmpeg(tmp_path, monkeypatch, "exit 0\n")
    seen: dict[str, object] = {}
    real = subprocess.Popen

    def popen(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["preexec_fn"] = kwargs.get("preexec_fn")
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen)
    niced: list[int] = []
    monkeypatch.setattr(cut_detect, "lower_priority", niced.append, raising=False)
    measure(tmp_path / "empty.mp4")
    assert seen["preexec_fn"] is None and len(niced) == 1
