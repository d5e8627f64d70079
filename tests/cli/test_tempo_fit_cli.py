"""`cuesketch fit-tempo`: the demo's cues fitted, --apply as one change to the project file,
plain errors for bad input."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from cuesketch.cli import main
from cuesketch.demo import ensure_demo
from cuesketch.model.tempo_fit import cue_problem, find_cue
from cuesketch.store.project_file import ProjectFile
from cuesketch.timing.tempo_fit.report import measure


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    return ensure_demo(tmp_path / "demo.cuesketch")


def test_fit_1m4_prints_intervals_a_map_and_every_hit(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit-tempo", str(demo), "--cue", "1M4", "--range", "60-140"]) == 0
    out = capsys.readouterr().out
    assert "cue 1M4: 4 hits, 60-140 bpm at 24 fps" in out
    assert "steady tempo (best first):" in out and "click " in out
    assert "tempo map: 0 changes" in out
    assert out.count("✓") == 4 and "Cut: the pests" in out and "01:00:36:00" in out


def test_json_gives_the_same_answer(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit-tempo", str(demo), "--cue", "1m4", "--range", "60-140", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cue"] == "1M4" and report["hits"] == 4
    assert report["steady"][0]["caught"] == 7  # two cuts (weight 2), a soft hit and a cut
    hits = report["map"]["hits"]
    assert [h["status"] for h in hits] == ["caught"] * 4
    assert all(abs(h["frames_off"]) <= 1 for h in hits)


def test_apply_sets_the_cues_map_and_the_hits_measure_as_printed(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit-tempo", str(demo), "--cue", "1M4", "--range", "60-140", "--json",
                 "--apply"]) == 0
    report = json.loads(capsys.readouterr().out)
    with ProjectFile.open(demo, read_only=True) as pf:
        project = pf.load()
    cue = find_cue(project, "1M4")
    assert cue.tempo is not None
    assert float(cue.tempo.tempos[0].bpm) == pytest.approx(report["map"]["tempos"][0]["bpm"],
                                                          abs=1e-3)
    problem = cue_problem(project, cue, lo=Fraction(60), hi=Fraction(140))
    measured = measure(cue.tempo, problem, project.settings.start_frame)
    assert [r.off for r in measured] == [h["frames_off"] for h in report["map"]["hits"]]
    # the other cues and the notes are as they were
    assert find_cue(project, "1M3").tempo is None


def test_apply_keeping_bars_moves_the_notes_with_the_music(demo: Path) -> None:
    with ProjectFile.open(demo, read_only=True) as pf:
        before = pf.load()
    assert main(["fit-tempo", str(demo), "--cue", "1M1", "--range", "90-140", "--apply",
                 "--keep", "bars"]) == 0
    with ProjectFile.open(demo, read_only=True) as pf:
        after = pf.load()
    cue = find_cue(after, "1M1")
    assert cue.tempo is not None
    old_map, new_map = before.settings.tempo, cue.tempo
    moved = 0
    rate = after.settings.rate
    for note in before.notes.values():
        if rate.frame_to_flicks(cue.start_frame) <= note.start < rate.frame_to_flicks(
                cue.end_frame):
            new = after.notes[note.id]
            assert new_map.flicks_to_beat(new.start) - old_map.flicks_to_beat(note.start) \
                == pytest.approx(0, abs=1e-6)
            moved += new.start != note.start
    assert moved > 0


def test_a_beat_of_an_eighth_counts_the_tempo_in_eighths(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit-tempo", str(demo), "--cue", "1M4", "--range", "60-140", "--json"]) == 0
    quarters = json.loads(capsys.readouterr().out)["steady"][0]
    assert main(["fit-tempo", str(demo), "--cue", "1M4", "--range", "120-280", "--beat", "1/8",
                 "--json"]) == 0
    eighths = json.loads(capsys.readouterr().out)["steady"][0]
    assert eighths["caught"] >= quarters["caught"]
    assert 120 <= eighths["bpm"] <= 280


def test_among_equals_the_tempo_nearest_the_cues_own_comes_first(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 1M1 has one soft hit: many tempos catch it; the project runs at 80 bpm
    assert main(["fit-tempo", str(demo), "--cue", "1M1", "--range", "60-140", "--json"]) == 0
    best = json.loads(capsys.readouterr().out)["steady"][0]
    assert best["from_bpm"] <= 80 <= best["to_bpm"] and best["bpm"] == 80


@pytest.mark.parametrize("argv, words", [
    (["--cue", "9M9"], "there is no cue '9M9'"),
    (["--cue", "1M2"], "no hits"),
    (["--cue", "1M4", "--range", "140-60"], "must go up"),
    (["--cue", "1M4", "--range", "fast"], "not a tempo range"),
    (["--cue", "1M4", "--changes", "3..1"], "the least is more"),
    (["--cue", "1M4", "--grid", "1/5"], "not a grid"),
    (["--cue", "1M4", "--must", "loud"], "the kinds are"),
    (["--cue", "1M4", "--beat", "dotted"], "not a note value"),
])
def test_bad_input_is_a_plain_error(demo: Path, argv: list[str], words: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit-tempo", str(demo), *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("cuesketch: ") and words in err and "Traceback" not in err


def test_a_missing_project_is_a_plain_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit-tempo", str(tmp_path / "nothing.cuesketch"), "--cue", "1M1"]) == 1
    assert capsys.readouterr().err.startswith("cuesketch: ")


def test_meters_let_a_steady_tempo_catch_hits_after_a_bar_of_3_4(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cuesketch.demo import build_demo
    from cuesketch.model.entities import Hit, HitKind
    project = build_demo()
    project.hits.clear()  # 1M4 from frame 792: bars of 4/4, 3/4, 4/4 at 120 bpm
    for n, beat in enumerate((4, 7, 11, 15), 1):
        project.hits[n] = Hit(n, 792 + 12 * beat, f"bar {n + 1}", HitKind.HARD)
    path = tmp_path / "meters.cuesketch"
    ProjectFile.write_new(path, project)
    args = ["fit-tempo", str(path), "--cue", "1M4", "--range", "60-180", "--grid", "bar",
            "--changes", "0"]
    assert main(args) == 0
    assert "no tempo map within the changes allowed" in capsys.readouterr().out
    assert main(args + ["--meters", "4/4,3/4,5/4"]) == 0
    out = capsys.readouterr().out
    assert "tempo map: 0 changes" in out and "meters: 2 changes" in out
    assert "2|1|000  3/4" in out and out.count("✓") == 4
    assert main(args + ["--meters", "4/4 3/4", "--json", "--apply"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["map"]["meters"] == [{"bar": 1, "meter": "4/4"}, {"bar": 2, "meter": "3/4"},
                                       {"bar": 3, "meter": "4/4"}]
    with ProjectFile.open(path, read_only=True) as pf:
        tm = find_cue(pf.load(), "1M4").tempo
    assert tm is not None and [(m.bar, m.numerator) for m in tm.meters] == [
        (0, 4), (1, 3), (2, 4)]


@pytest.mark.parametrize("meters, words", [
    ("4/4,three", "--meters: 'three' is not a meter"),
    ("4/4,3/5", "--meters: 3/5 is not a meter"),
    ("4/4,7/8", "7/8 is 3½ beats"),
])
def test_meter_plans_that_cannot_be_used_say_why(
        demo: Path, capsys: pytest.CaptureFixture[str], meters: str, words: str) -> None:
    assert main(["fit-tempo", str(demo), "--cue", "1M4", "--meters", meters]) != 0
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
