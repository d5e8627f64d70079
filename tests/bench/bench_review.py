"""Director review figures: notes landing on their frames, the A/B gap, package size, opening,
and the untrusted reader fuzzed."""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from review_fuzz import cases
from review_kit import make_package

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.review_session import ReviewSession
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.model.review_notes import import_reply
from cuesketch.store.review_package import PackageReader
from cuesketch.store.review_reply import read_reply
from cuesketch.store.review_schema import ReviewFileError
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap
from cuesketch.timing.timecode import format_timecode
from cuesketch.timing.units import FLICKS_PER_SECOND

FUZZ_COUNT = int(os.environ.get("CUESKETCH_REVIEW_FUZZ", "10000"))
HANG_S = 5.0
BLOCK = 512  # the app's default audio period (prefs.audio_buffer)


# -- review_note_frame_errors ----------------------------------------------------------------------
def figure_review_note_frame_errors() -> dict[str, Any]:
    """1,000 notes at random frames (500 at 23.976, 500 at 29.97 DF), made through the review
    controller by going to each frame's timecode, sent back and imported: how many land on
    another frame (or timecode) in the project than the one they were written at."""
    errors = 0
    checked = 0
    with tempfile.TemporaryDirectory() as d:
        for rate_name in ("23.976", "29.97df"):
            rate = STANDARD_RATES[rate_name]  # type: ignore[index]
            folder = Path(d) / rate_name
            folder.mkdir()
            info = make_package(folder / "p.cuereview", rate=rate, cues=3, versions=1,
                                seconds=600.0 / 3, cue_gap_s=0)
            s = ReviewSession.open(folder / "p.cuereview", author="R. Smith",
                                   journal_dir=folder / "j", transport=Transport(FakeClock()))
            rng = random.Random(rate_name)
            last = info.cues[-1].cue.end_frame
            wanted: dict[str, tuple[int, str]] = {}
            for i in range(500):
                frame = rng.randrange(0, last)
                tc = format_timecode(info.start_frame + frame, rate)
                s.seek_timecode(tc)
                note = s.add_note(f"note {i}")
                wanted[note.uuid] = (frame, tc)
            s.send_back(folder / "back.cuereply")
            s.close()
            project = Project()
            project.load(Settings(rate=rate, start_frame=info.start_frame),
                         [pc.cue for pc in info.cues])
            doc = Document(project)
            import_reply(doc, read_reply(folder / "back.cuereply"), "")
            for n in project.review_notes.values():
                frame, tc = wanted.pop(n.uuid)
                checked += 1
                if n.frame != frame or format_timecode(info.start_frame + n.frame, rate) != tc:
                    errors += 1
            errors += len(wanted)  # a note that never arrived
    return {"value": errors, "notes": checked + 0, "rates": "23.976, 29.97 DF"}


# -- review_ab_switch_gap_ms -----------------------------------------------------------------------
def figure_review_ab_switch_gap_ms() -> dict[str, Any]:
    """Versions switched 60 times while playing, by another thread at random moments, with the
    player driven in real time by an audio thread (512-sample blocks at 48 kHz): the longest
    time from the switch to the new version's first sample on the device's timeline (ms; at
    most one block), and the longest silence around a switch (samples; the music runs on,
    crossfaded from the old version into the new inside the block)."""
    with tempfile.TemporaryDirectory() as d:
        make_package(Path(d) / "p.cuereview", cues=1, versions=2, seconds=30.0)
        s = ReviewSession.open(Path(d) / "p.cuereview", author="R. Smith",
                               journal_dir=Path(d) / "j", transport=Transport(FakeClock()))
        s.wait_decoded()
        cue = s.info.cues[0]
        player = s.player
        player.play(0)
        out: list[np.ndarray] = []
        stamps: list[tuple[int, float]] = []  # (output sample, when that block was made)
        running = threading.Event()
        running.set()

        late = [0]

        def audio_thread() -> None:
            # A device asks for block k at t0 + k * period; a late wake-up is an underrun a
            # device would have had anyway (counted), not part of the switch.
            period = BLOCK / player.rate
            t0 = time.perf_counter()
            k = 0
            while running.is_set():
                slot = t0 + k * period
                if time.perf_counter() - slot > period:
                    late[0] += 1
                stamps.append((player.samples_written, slot))
                out.append(player.process(BLOCK).copy())
                k += 1
                time.sleep(max(0.0, t0 + k * period - time.perf_counter()))

        t = threading.Thread(target=audio_thread)
        t.start()
        rng = random.Random(15)
        requests: list[tuple[float, int]] = []
        ids = [v.id for v in cue.versions]
        for i in range(60):
            time.sleep(rng.uniform(0.1, 0.25))
            vid = ids[i % 2]
            requests.append((time.perf_counter(), vid))
            s.select_version(cue.cue.id, vid)
        time.sleep(0.05)
        running.clear()
        t.join()
        s.close()
    audio = np.concatenate(out)
    block_time = dict(stamps)
    gaps = []
    for (asked, vid), (sample, heard) in zip(requests, player.switches[1:]):
        assert heard == vid
        gaps.append(max(0.0, block_time[sample] - asked) * 1000)
    loud = np.abs(audio).max(axis=1) > 1e-4
    silent = _longest_run(~loud[4 * BLOCK:])
    return {"value": round(max(gaps), 2), "median_ms": round(float(np.median(gaps)), 2),
            "switches": len(gaps), "block_ms": round(BLOCK / 48, 2), "late_blocks": late[0],
            "longest_silence_samples": silent,
            "note": "2 shared cores: the audio thread's wake-ups jitter"}


def _longest_run(mask: np.ndarray) -> int:
    best = run = 0
    for v in mask.tolist():
        run = run + 1 if v else 0
        best = max(best, run)
    return best


# -- review_pack_mb_per_cue_minute -----------------------------------------------------------------
def _dense_project(seconds: int = 60) -> Project:
    """A busy minute: strings chords, a 16th-note ostinato, brass, timpani and percussion."""
    rate = STANDARD_RATES["24"]
    beat = FLICKS_PER_SECOND * 60 // 120
    tracks = [Track(1, "Strings", program=48, order=0, channel=0),
              Track(2, "Ostinato", program=45, order=1, channel=1),
              Track(3, "Brass", program=61, order=2, channel=2),
              Track(4, "Timpani", program=47, order=3, channel=3),
              Track(5, "Drums", program=0, order=4, channel=9)]
    rng = random.Random(3)
    notes: list[Note] = []
    nid = 1
    beats = seconds * 2
    for b in range(0, beats, 4):
        for p in (48, 55, 60, 64, 67, 72):
            notes.append(Note(nid, 1, b * beat, 4 * beat, p + rng.choice((0, 2, -1)), 90))
            nid += 1
    for q in range(beats * 4):
        notes.append(Note(nid, 2, q * beat // 4, beat // 4, rng.choice((60, 62, 63, 65, 67, 68, 70, 72)), 100))
        nid += 1
    for b in range(0, beats, 2):
        notes.append(Note(nid, 3, b * beat, 2 * beat, rng.choice((43, 46, 48)), 115))
        notes.append(Note(nid + 1, 4, b * beat, beat, 41, 120))
        nid += 2
    for e in range(beats * 2):
        notes.append(Note(nid, 5, e * beat // 2, beat // 4, (36, 42, 38, 42)[e % 4], 110))
        nid += 1
    project = Project()
    project.load(Settings(rate=rate, tempo=TempoMap(0, (TempoChange(Fraction(0), Fraction(120)),),
                                                    (MeterChange(0, 4, 4),))),
                 [*tracks, *notes, Cue(1, "1M1", 0, seconds * 24, None, "Busy")])
    return project


def figure_review_pack_mb_per_cue_minute() -> dict[str, Any]:
    """A busy one-minute cue (five tracks: chords, a 16th-note ostinato, brass, timpani, drums)
    rendered and packed without a movie: MB (10^6 bytes) per minute of cue audio."""
    from cuesketch.media.review_send import send_for_review

    with tempfile.TemporaryDirectory() as d:
        project = _dense_project()
        out = Path(d) / "busy.cuereview"
        result = send_for_review(None, project, None, out, cues=["1M1"], versions=["current"],
                                 made_for="R. Smith")
        with PackageReader.open(out) as p:
            audio = sum(v.audio_bytes for pc in p.info.cues for v in pc.versions)
    return {"value": round(result.size / 1e6 / result.minutes, 3),
            "audio_only": round(audio / 1e6 / result.minutes, 3),
            "minutes": round(result.minutes, 3), "codec": "Opus 160 kb/s VBR, 48 kHz stereo"}


# -- review_open_s -----------------------------------------------------------------------------
def figure_review_open_s() -> dict[str, Any]:
    """A package of 10 cues x 3 versions (one minute each: 30 minutes of audio, and a preview
    movie) opened by the review's composition root (``app_review.compose_review``, no window,
    no audio device) to the first frame: the package read and checked, the journal opened,
    the first cue playable (its versions' opening seconds decoded; the rest decode behind), the
    movie checked by ffprobe and its first frame decoded by libvlc. Median of 3, in seconds."""
    from cuesketch.app_review import compose_review
    from cuesketch.media.review_film import make_preview_movie
    from cuesketch.model.entities import Media
    from cuesketch.prefs import Preferences

    film = Path(__file__).resolve().parents[2] / "resources" / "trailer_bbb.mp4"
    with tempfile.TemporaryDirectory() as d:
        rate = STANDARD_RATES["24"]
        mp4 = Path(d) / "movie.mp4"
        start = make_preview_movie(film, Settings(rate=rate, media=Media(str(film))), 0, 480,
                                   mp4)
        make_package(Path(d) / "p.cuereview", cues=10, versions=3, seconds=60.0,
                     movie=mp4.read_bytes(), movie_start_frame=start)
        size = (Path(d) / "p.cuereview").stat().st_size
        times, shown = [], []
        for i in range(3):
            t0 = time.perf_counter()
            parts = compose_review(Path(d) / "p.cuereview", "R. Smith", Preferences(),
                                   journal_dir=Path(d) / f"j{i}", sound=False)
            s = parts.session
            assert s.wait_playable(s.info.cues[0].cue.id)
            picture = parts.picture
            ok = picture is not None and picture.wait_shown(0, timeout=10.0)  # type: ignore[attr-defined]
            times.append(time.perf_counter() - t0)
            shown.append(bool(ok))
            parts.close()
    return {"value": round(sorted(times)[1], 3), "max_s": round(max(times), 3),
            "first_frame_shown": all(shown), "package_mb": round(size / 1e6, 1),
            "note": "to the first frame decoded (libvlc), not painted: no window"}


# -- review_fuzz_failures ------------------------------------------------------------------------
def figure_review_fuzz_failures() -> dict[str, Any]:
    """Mutated and hostile packages (CUESKETCH_REVIEW_FUZZ of them, 10,000 by default) opened
    and read whole (every version's audio fetched, the movie too); every 100th also opened as
    a review session (a note written to its journal, closed). Failures: crashes (any exception
    but the reader's plain ReviewFileError), hangs (the caller blocked over 5 s) and files
    written outside the review's own folders. The sessions' audio decodes by ffmpeg in the
    background, each bounded by its own timeout: their longest is reported beside, as is how
    many a damaged stream made fail in plain words."""
    crashes: list[str] = []
    hangs: list[str] = []
    refused = opened = 0
    slowest = 0.0
    decode_s: list[float] = []
    decode_refused = 0
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        inbox = root / "mail" / "from" / "director"
        inbox.mkdir(parents=True)
        journal = root / "journal"
        home, cwd = root / "home", root / "cwd"
        home.mkdir()
        cwd.mkdir()
        base = root / "base.cuereview"
        make_package(base, cues=2, versions=2, seconds=1.0)
        watched = _listing(root, skip={journal, inbox})
        old_home, old_cwd = os.environ.get("HOME"), os.getcwd()
        os.environ["HOME"] = str(home)
        os.chdir(cwd)
        try:
            for i, (what, make) in enumerate(cases(base, inbox, FUZZ_COUNT)):
                path = inbox / "pkg.cuereview"
                make(path)
                t0 = time.perf_counter()
                blocked = 0.0
                try:
                    with PackageReader.open(path) as p:
                        for pc in p.info.cues:
                            for v in pc.versions:
                                p.audio(v.id)
                        p.movie()
                    blocked = time.perf_counter() - t0
                    if i % 100 == 0:
                        t1 = time.perf_counter()
                        s = ReviewSession.open(path, author="x", journal_dir=journal)
                        s.add_note("n")
                        blocked += time.perf_counter() - t1
                        t2 = time.perf_counter()
                        s.wait_decoded(timeout=120)
                        decode_s.append(time.perf_counter() - t2)
                        decode_refused += len(s.problems)
                        t3 = time.perf_counter()
                        s.close()
                        blocked += time.perf_counter() - t3
                    opened += 1
                except ReviewFileError:
                    refused += 1
                    blocked = time.perf_counter() - t0
                except Exception as e:  # noqa: BLE001 - a crash is what this counts
                    crashes.append(f"{what}: {type(e).__name__}: {e}"[:200])
                slowest = max(slowest, blocked)
                if blocked > HANG_S:
                    hangs.append(f"{what}: {blocked:.1f} s")
        finally:
            os.chdir(old_cwd)
            if old_home is not None:
                os.environ["HOME"] = old_home
        written = sorted(set(_listing(root, skip={journal, inbox})) - set(watched))
        strays = [str(p) for p in inbox.iterdir() if p.name != "pkg.cuereview"]
    failures = len(crashes) + len(hangs) + len(written) + len(strays)
    return {"value": failures, "packages": FUZZ_COUNT, "crashes": crashes[:5],
            "hangs": hangs[:5], "written_outside": (written + strays)[:5], "refused": refused,
            "read_whole": opened, "slowest_blocking_s": round(slowest, 3),
            "sessions": len(decode_s), "slowest_background_decode_s": round(max(decode_s,
                                                                                default=0), 2),
            "decodes_failed_plainly": decode_refused}


def _listing(root: Path, skip: set[Path]) -> list[tuple[str, int]]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if Path(folder) / x not in skip]
        for f in files:
            p = Path(folder) / f
            try:
                out.append((str(p), p.stat().st_mtime_ns))
            except OSError:
                pass
    return out
