"""A preview's plan and its filters, as plain values: which frames, which texts, which tags;
the streamers burned in where the window draws them."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from cuesketch.engine.preview_mix import last_error, meter_figures, second_pass_filter
from cuesketch.media.overlays import OverlayOptions, Streamer, mark_shape, marks_at, HitIndex
from cuesketch.media.preview_graph import (burn_in_filters, lane_enable, lane_x, lanes,
                                           mark_filters, mark_runs, trim_times, video_graph,
                                           write_texts)
from cuesketch.media.preview_plan import (FilmFacts, PreviewError, PreviewOptions,
                                          default_name, output_size, plan_preview)
from cuesketch.model.entities import Cue, Hit, HitKind, Settings
from cuesketch.model.project import Project
from cuesketch.timing.rates import STANDARD_RATES

R24 = STANDARD_RATES["24"]
DF = STANDARD_RATES["29.97df"]
DAY = dt.date(2026, 12, 6)


def project(rate=R24, start_frame=86400, hits=()) -> Project:  # type: ignore[no-untyped-def]
    p = Project()
    p.load(Settings(title="Reel 1", rate=rate, start_frame=start_frame), [
        Cue(1, "1M3", 240, 480, title="The Bunny"), Cue(2, "1M4", 600, 700), *hits])
    return p


FILM = FilmFacts(frame_count=1000, width=1920, height=1080, offset_frames=10)


def plan(p: Project | None = None, film: FilmFacts = FILM, snapshots=(), **options):  # type: ignore[no-untyped-def]
    return plan_preview(p or project(), film, PreviewOptions(**options), snapshots,
                        today=DAY)


def test_a_cue_with_its_handles_at_its_timecode() -> None:
    pl = plan(cue="1m3", handles=2.0)
    assert (pl.first_frame, pl.end_frame, pl.frame_count) == (192, 528, 336)
    assert pl.film_first == 182  # the film starts 10 frames after the project
    assert pl.start_timecode == "01:00:08:00" and pl.end_timecode == "01:00:21:23"
    assert pl.what == "cue 1M3 (The Bunny)" and pl.version == "v1"
    assert not pl.warnings


def test_handles_stop_at_the_films_ends_and_say_so() -> None:
    pl = plan(cue="1M3", handles=20.0)
    assert (pl.first_frame, pl.end_frame) == (10, 960)
    assert pl.warnings == ("the handles are cut short where the film starts or ends",)


def test_a_range_and_the_whole_film() -> None:
    pl = plan(range_tc=("01:00:10:00", "01:00:12:00"))
    assert (pl.first_frame, pl.frame_count) == (240, 48)
    assert pl.what == "01:00:10:00 to 01:00:12:00"
    whole = plan()
    assert (whole.first_frame, whole.end_frame, whole.what) == (10, 1010, "the whole film")


@pytest.mark.parametrize("options, words", [
    ({"range_tc": ("01:00:40:00", "01:00:50:00")},
     "the range (01:00:40:00 to 01:00:49:23) is not all in the film, which runs from "
     "01:00:00:10 to 01:00:42:01"),
    ({"range_tc": ("01:00:12:00", "01:00:10:00")}, "must come after its in point"),
    ({"range_tc": ("01:00:99:00", "01:00:10:00")}, "seconds go from 00 to 59"),
    ({"cue": "1M9"}, "the project has no cue '1M9' (its cues: 1M3, 1M4)"),
    ({"cue": "1M3", "range_tc": ("a", "b")}, "of a cue or of a range, not both"),
    ({"film_level": float("nan")}, "the film's level is -60 to 12 dB"),
    ({"loudness": -3.0}, "-23 for broadcast"),
    ({"handles": -1.0}, "handles are 0 to 60 seconds"),
    ({"height": 10}, "the picture's height is 64 to 4320"),
])
def test_what_cant_be_done_is_said_plainly(options: dict[str, object], words: str) -> None:
    with pytest.raises(PreviewError) as e:
        plan(**options)  # type: ignore[arg-type]
    assert words in str(e.value)


def test_a_cue_outside_the_film_is_refused() -> None:
    short = FilmFacts(frame_count=300, width=640, height=360, offset_frames=0)
    with pytest.raises(PreviewError, match=r"cue 1M3 \(01:00:10:00 to 01:00:19:23\) is not "
                                           r"all in the film"):
        plan(film=short, cue="1M3")


def test_drop_frame_timecode_and_the_version_from_a_snapshot() -> None:
    p = project(DF, start_frame=107892)
    pl = plan(p, snapshots=["1M3 v3 first pass", "1M3 v4, sent to the director", "1M4 v9"],
              cue="1M3", handles=0.0)
    assert pl.start_timecode == "01:00:08;00" and pl.version == "v4"
    assert plan(p, cue="1M3", version="7").version == "v7"
    assert default_name("1M3", "v4", "mp4") == "1M3_v4.mp4"


def test_tags_name_the_cue_version_timecode_and_soundfont() -> None:
    pl = plan_preview(project(), FILM, PreviewOptions(cue="1M3", version="v4",
                                                      film_level=None), (),
                      soundfont="FluidR3_GM.sf2", today=DAY)
    tags = pl.metadata
    assert tags["title"] == "Reel 1 1M3 v4"
    assert tags["cuesketch_cue"] == "1M3" and tags["cuesketch_version"] == "v4"
    assert tags["cuesketch_start_timecode"] == "01:00:08:00"
    assert tags["cuesketch_soundfont"] == "FluidR3_GM.sf2"
    assert tags["cuesketch_film_level"] == "off" and tags["date"] == "2026-12-06"


def test_the_cue_shown_follows_the_frame_over_the_whole_film() -> None:
    spans = plan().cue_spans
    assert [(s.first, s.last, s.text) for s in spans] == [
        (230, 469, "1M3 The Bunny"), (590, 689, "1M4")]


def test_a_smaller_picture_keeps_the_shape_in_even_numbers() -> None:
    assert output_size(1920, 1080, None) == (1920, 1080)
    assert output_size(1920, 1080, 720) == (1280, 720)
    assert output_size(1998, 1080, 541) == (1000, 540)
    assert output_size(640, 360, 1080) == (640, 360)  # never enlarged


def test_the_cut_is_made_between_frames() -> None:
    pl = plan(cue="1M3", handles=0.0)
    t0, t1 = trim_times(pl, Fraction(1, 10))
    assert t0 == Fraction(1, 10) + (Fraction(pl.film_first) - Fraction(1, 2)) / 24
    assert t1 - t0 == Fraction(pl.frame_count, 24)


def test_typed_texts_are_read_from_files_never_parsed_as_filters(tmp_path: Path) -> None:
    pl = plan(cue="1M3", watermark="For R. Smith: it's 50% done, [v1]; ok", version="v4")
    texts = write_texts(pl, tmp_path)
    filters = burn_in_filters(pl, texts)
    joined = ",".join(filters)
    assert "Smith" not in joined and "50%" not in joined
    assert texts.watermark is not None
    assert texts.watermark.read_text() == "For R. Smith: it's 50% done, [v1]; ok"
    assert "expansion=none" in joined
    assert "timecode='01\\:00\\:08\\:00':timecode_rate=24/1" in filters[0]
    df = plan(project(DF, start_frame=107892), cue="1M3")
    assert "timecode='01\\:00\\:06\\;00':timecode_rate=30000/1001" in \
        burn_in_filters(df, write_texts(df, tmp_path))[0]
    # without the burn-in the picture is only cut (and scaled)
    graph = video_graph(pl, Fraction(0), None, [], 1920, 1080)
    assert "drawtext" not in graph and graph.endswith("null[v]")


def test_streamers_are_burned_in_where_the_window_draws_them() -> None:
    """The movie's marks come from media.overlays (marks_at, mark_shape), as the window's:
    the streamer's place, evaluated as ffmpeg will, is the window's on every frame."""
    hits = (Hit(1, 300, "door", HitKind.HARD), Hit(2, 330, "cut", HitKind.CUT),
            Hit(3, 400, "line", HitKind.DIALOGUE))
    p = project(hits=hits)
    pl = plan(p, cue="1M3", handles=0.0)
    runs = mark_runs(p.hits.values(), R24, pl.first_frame, pl.frame_count, 1280, 720)
    streamers = [r for r in runs if r.start.kind == "box"]
    assert len(streamers) == 3  # every kind has a streamer
    index = HitIndex(hits)
    checked = 0
    for run in streamers:
        for n in range(run.first, run.last + 1):
            expr = run.x_expression().replace("n", str(n))
            shown = [mark_shape(m, 1280, 720) for m in
                     marks_at(pl.first_frame + n, index, R24, OverlayOptions())
                     if isinstance(m, Streamer)]
            assert any(abs(eval(expr) - s.x) < 0.01 for s in shown)  # noqa: S307 (numbers)
            checked += 1
    assert checked == 3 * 49  # 2 s at 24 fps: 48 frames before the hit and the hit's
    punches = [r for r in runs if r.start.kind == "disc"]
    assert sorted((r.first + pl.first_frame, round(r.start.alpha, 2)) for r in punches) == [
        (300, 0.7), (301, 0.35), (330, 0.7), (331, 0.35)]  # the dialogue hit has none
    flutters = [r.first + pl.first_frame for r in runs if r.start.kind == "ring"]
    assert flutters == [292, 294, 296, 298]  # the hard hit's warning, every other frame
    graph = video_graph(pl, Fraction(0), None, runs, 1920, 1080)
    # three streamers and four punch flashes of their own looks; the four flutters share one
    assert graph.count("overlay=") == 8 and len(runs) == 11


def _value(expression: str, n: int) -> float:
    def between(x: int, a: int, b: int) -> int:
        return int(a <= x <= b)
    return float(eval(expression, {"between": between, "n": n}))  # noqa: S307 (numbers)


def test_many_hits_share_a_few_overlays_and_still_draw_every_streamer() -> None:
    """A feature's hundreds of hits: the runs of one look share overlays (lanes); on every
    frame the lanes showing draw exactly the streamers the window draws."""
    hits = tuple(Hit(i + 1, 100 + 30 * i, f"h{i}", HitKind.SOFT) for i in range(60))
    p = project(hits=hits)
    first, count = 40, 1900
    runs = mark_runs(p.hits.values(), R24, first, count, 640, 360,
                     OverlayOptions(punches=False))
    assert len(runs) == 60
    shared = lanes(runs)
    # a streamer lasts 49 frames, the hits are 30 apart: two lanes would do; a lane holds
    # at most 40 runs (ffmpeg's expressions stop at 100 terms)
    assert len(shared) == 2 and max(len(lane) for lane in shared) <= 40
    index = HitIndex(hits)
    for n in range(count):
        drawn = sorted(round(_value(lane_x(lane), n), 2) for lane in shared
                       if _value(lane_enable(lane), n))
        window = sorted(round(mark_shape(m, 640, 360).x, 2)
                        for m in marks_at(first + n, index, R24, OverlayOptions(punches=False))
                        if isinstance(m, Streamer))
        assert drawn == window, n
    chains, last = mark_filters(runs, Fraction(24))
    assert sum("overlay=" in c for c in chains) == 2 and last == "o1"
    more = mark_runs([Hit(i + 1, 100 + 60 * i, f"h{i}", HitKind.SOFT) for i in range(100)],
                     R24, 0, 6200, 640, 360, OverlayOptions(punches=False))
    assert [len(lane) for lane in lanes(more)] == [40, 40, 20]


SUMMARY = """[Parsed_ebur128_4 @ 0x55] Summary:

  Integrated loudness:
    I:         -31.2 LUFS
    Threshold: -41.7 LUFS

  Loudness range:
    LRA:         4.2 LU
    Threshold: -51.4 LUFS
    LRA low:   -33.8 LUFS
    LRA high:  -29.6 LUFS

  True peak:
    Peak:      -9.1 dBFS
"""


def test_loudness_figures_and_ffmpegs_words() -> None:
    figures = meter_figures("[aac @ 0x1] Qavg: 3015\n" + SUMMARY)
    assert figures == {"input_i": -31.2, "input_thresh": -41.7, "input_lra": 4.2,
                       "input_tp": -9.1}
    assert meter_figures(SUMMARY.replace("-31.2", "-inf")) is None  # silence: as it is
    assert meter_figures(SUMMARY.replace("-31.2", "-70.0")) is None
    # one gain to the target; where a peak would pass -1 dBTP, a delay-compensated limiter
    assert second_pass_filter(figures, -24.0) == "volume=7.20dB"
    web = second_pass_filter(figures, -16.0)
    assert web.startswith("volume=15.20dB,alimiter=limit=0.7943:") and "latency=true" in web
    assert "level=false" in web
    assert second_pass_filter(figures, None) == second_pass_filter(None, -23.0) == "anull"
    assert last_error("[out @ 0x2] Error writing trailer: No space left on device\n"
                      "Conversion failed!\n") == "the disk is full"
    assert last_error("[x @ 1] Cannot select channel layout\nConversion failed!\n"
                      + SUMMARY) == "[x @ 1] Cannot select channel layout"


def test_the_title_between_many_cues_is_burned_in_within_ffmpegs_limits(tmp_path: Path) -> None:
    """A long preview with hundreds of gaps between cues: the project's title is drawn by a
    few filters whose expressions ffmpeg accepts, exactly on the frames no cue covers."""
    cues = [Cue(i + 1, f"1M{i + 1}", 20 + 12 * i, 26 + 12 * i) for i in range(150)]
    p = Project()
    p.load(Settings(title="Reel 1", rate=R24, start_frame=86400), cues)
    pl = plan(p, FilmFacts(frame_count=1900, width=320, height=180, offset_frames=0))
    texts = write_texts(pl, tmp_path)
    titles = [f for f in burn_in_filters(pl, texts) if str(texts.title.name) in f]
    enables = [f.split("enable='")[1].rstrip("'") for f in titles]
    assert len(enables) > 1 and all(e.count("between") <= 40 for e in enables)
    covered = {n for s in pl.cue_spans for n in range(s.first, s.last + 1)}
    for n in range(pl.frame_count):
        shown = sum(_value(e, n) for e in enables)
        assert shown == (0 if n in covered else 1), n
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is not None:  # ffmpeg takes the filters
        run = subprocess.run([ffmpeg, "-v", "error", "-f", "lavfi", "-i",
                              "color=size=320x180:rate=24:duration=0.5", "-vf",
                              ",".join(burn_in_filters(pl, texts)), "-f", "null", "-"],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-500:]


def test_the_loudness_trial_stops_on_cancel(tmp_path: Path) -> None:
    import threading

    from cuesketch.engine.preview_mix import MixCancelled, measure
    if shutil.which("ffmpeg") is None:
        pytest.skip("no ffmpeg")
    sound = tmp_path / "mix.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=2", str(sound)],
                   check=True)
    assert measure(sound) is not None
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(MixCancelled):
        measure(sound, "anull", cancel)
    # set while ffmpeg runs (a slow chain: a long sound read in real time)
    cancel.clear()
    threading.Timer(0.3, cancel.set).start()
    with pytest.raises(MixCancelled):
        measure(sound, "aloop=loop=-1:size=96000,arealtime", cancel)


def test_a_mix_that_cant_start_closes_the_synth_it_made(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    from cuesketch.engine import preview_mix

    closed: list[bool] = []

    class Synth:
        def __init__(self, *args: object, **kw: object) -> None:
            pass

        def close(self) -> None:
            closed.append(True)

    def no_ffmpeg(*args: object, **kw: object) -> None:
        raise FileNotFoundError("ffmpeg")

    monkeypatch.setattr(preview_mix, "SynthEngine", Synth)
    monkeypatch.setattr(preview_mix.subprocess, "Popen", no_ffmpeg)
    with pytest.raises(preview_mix.MixError, match="could not be started"):
        preview_mix.mix_sound(project(), 0, 1000, tmp_path / "m.wv", film=None,
                              soundfont="default", loudness=None)
    assert closed == [True]


def test_the_burn_in_follows_the_windows_overlay_options(tmp_path: Path) -> None:
    pl = plan(cue="1M3")
    texts = write_texts(pl, tmp_path)
    moved = OverlayOptions(timecode_x=0.3, timecode_y=0.1, timecode_size=0.1)
    graph = video_graph(pl, Fraction(0), texts, [], 1920, 1080, moved)
    assert "x=w*0.300-tw/2:y=h*0.100-th/2" in graph and "fontsize=108" in graph
    default = video_graph(pl, Fraction(0), texts, [], 1920, 1080)
    assert "x=w*0.500-tw/2:y=h*0.920-th/2" in default
