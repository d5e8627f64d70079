"""`cuesketch themes PROJECT`: the theme map printed; plain words for a project without."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from cuesketch.cli import main
from cuesketch.model import themes
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.model.theme_values import Transform
from cuesketch.store.project_file import ProjectFile
from cuesketch.timing.units import FLICKS_PER_SECOND as F

TUNE = [(0, 1, 62), (1, 1, 65), (2, 2, 69), (4, 1, 67), (5, 1, 65), (6, 1, 64), (7, 2, 62)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(path: Path, with_theme: bool = True) -> Path:
    project = Project()
    beat = F // 2
    notes = [Note(i + 1, 1, (4 + b) * beat, d * beat, p) for i, (b, d, p) in enumerate(TUNE)]
    # The tune again, a fourth higher and played (not inserted), at 60 s.
    notes += [Note(100 + i, 1, 60 * F + b * beat, d * beat, p + 5)
              for i, (b, d, p) in enumerate(TUNE)]
    project.load(Settings(title="Film"), [Track(1, "Flute"), Track(2, "Horn"),
                                          Cue(1, "1M4", 24 * 100, 24 * 200), *notes])
    if with_theme:
        doc = Document(project)
        with doc.transaction("Add"):
            doc.execute_changes(themes.add_theme(project, themes.capture(
                project, [project.notes[i + 1] for i in range(len(TUNE))], "Anna",
                stands_for="the heroine")))
        themes.insert_theme_step(doc, 1, 2, 120 * F, Transform(invert_around=62,
                                                               ratio=Fraction(2)))
    ProjectFile.write_new(path, project)
    return path


def test_the_map_is_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "film.cuesketch")
    code, out, _ = run(capsys, "themes", str(path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "theme Anna (the heroine): character, D minor, 3 statements"
    assert "Anna on Flute: found, prime, +5 semitones (score 1.00)" in lines[2]
    assert "1M4 Anna on Horn: inserted, inverted around D4, x2" in lines[3]
    code, out, _ = run(capsys, "themes", str(path), "--json")
    assert [r["source"] for r in json.loads(out)["map"]] == ["found", "found", "inserted"]


def test_mistakes_are_plain_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = _write(tmp_path / "bare.cuesketch", with_theme=False)
    code, _, err = run(capsys, "themes", str(bare))
    assert code == 1 and "has no themes yet" in err and "Traceback" not in err
    path = _write(tmp_path / "film.cuesketch")
    code, _, err = run(capsys, "themes", str(path), "--theme", "Bob")
    assert code == 1 and "no theme 'Bob'" in err
    code, _, err = run(capsys, "themes", str(path), "--threshold", "3")
    assert code == 1 and "threshold" in err
