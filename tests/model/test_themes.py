"""The theme library: capture from notes, insert transformed and fitted to the tempo map in
force (one undo step), notes that remember their theme, and the file keeping it all."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from cuesketch.model import themes
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Note, Settings, Theme, ThemeUse, Track
from cuesketch.model.project import Project
from cuesketch.model.theme_values import Key, Mode, ThemeError, ThemeRole, Transform
from cuesketch.store import json_file
from cuesketch.store.codec import FormatError, entity_from_dict, entity_to_dict
from cuesketch.store.project_file import ProjectFile
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND as F

BEAT = F // 2  # at the default 120 bpm
RATE_FPS = 24


def _project() -> Project:
    project = Project()
    tune = [(0, 1, 62), (1, 1, 65), (2, 2, 69), (4, 1, 67), (5, 1, 65), (6, 2, 62)]
    notes = [Note(i + 1, 1, (4 + b) * BEAT, d * BEAT, p, 90) for i, (b, d, p) in enumerate(tune)]
    project.load(Settings(), [Track(1, "Flute"), Track(2, "Horn"), *notes])
    return project


def test_capture_counts_beats_from_the_bar_and_guesses_the_key() -> None:
    project = _project()
    theme = themes.capture(project, list(project.notes.values()), "Anna",
                           stands_for="the heroine", role=ThemeRole.CHARACTER)
    s = theme.snippet
    assert [(n.start, n.duration, n.pitch) for n in s.notes][:3] == [
        (0, 1, 62), (1, 1, 65), (2, 2, 69)]  # bar 2 starts at beat 4: the notes from there
    assert s.length == 8 and (s.numerator, s.denominator) == (4, 4) and s.bpm == 120
    assert theme.key == Key(2, Mode.MINOR)
    with pytest.raises(ThemeError, match="select"):
        themes.capture(project, [], "Empty")


def test_insert_is_one_undo_step_and_the_notes_remember_their_theme() -> None:
    project = _project()
    doc = Document(project)
    with doc.transaction("Add theme"):
        doc.execute_changes(themes.add_theme(project, themes.capture(
            project, list(project.notes.values()), "Anna")))
    theme = next(iter(project.themes.values()))
    before = dict(project.notes)
    at = 16 * BEAT + BEAT // 3  # inside bar 5: laid from its first beat
    t = Transform(invert_around=62, ratio=Fraction(2))
    use = themes.insert_theme_step(doc, theme.id, 2, at, t)
    added = [project.notes[i] for i in use.note_ids]
    assert [n.pitch for n in added] == [62, 59, 55, 57, 59, 62]
    assert added[0].start == 16 * BEAT and added[1].start == 18 * BEAT  # twice as slow
    assert all(n.track_id == 2 for n in added)
    assert use.theme_id == theme.id and use.transform == t
    assert doc.history()[-1] == "Insert theme Anna"
    doc.undo()
    assert project.notes == before and not project.theme_uses
    doc.redo()
    assert len(project.notes) == len(before) + 6


def test_insert_follows_a_cue_s_own_tempo() -> None:
    project = _project()
    rate = project.settings.rate
    cue_start = 240  # frames: 10 s
    origin = rate.frame_to_flicks(cue_start)
    project.load(project.settings, [Cue(1, "1M2", cue_start, 2400, TempoMap.constant(60, origin=origin))])
    doc = Document(project)
    with doc.transaction("Add"):
        doc.execute_changes(themes.add_theme(project, themes.capture(
            project, list(project.notes.values()), "Anna")))
    theme = next(iter(project.themes.values()))
    use = themes.insert_theme_step(doc, theme.id, 1, origin + F // 10)
    added = [project.notes[i] for i in use.note_ids]
    assert added[0].start == origin and added[1].start == origin + F  # one beat a second


def test_delete_a_theme_keeps_its_notes() -> None:
    project = _project()
    doc = Document(project)
    with doc.transaction("Add"):
        doc.execute_changes(themes.add_theme(project, themes.capture(
            project, list(project.notes.values()), "Anna")))
    theme = next(iter(project.themes.values()))
    use = themes.insert_theme_step(doc, theme.id, 1, 40 * BEAT)
    with doc.transaction("Delete theme"):
        doc.execute_changes(themes.delete_theme(project, theme.id))
    assert not project.themes and not project.theme_uses
    assert all(i in project.notes for i in use.note_ids)


def test_themes_and_uses_come_back_from_the_file_and_json(tmp_path: Path) -> None:
    project = _project()
    theme = themes.capture(project, list(project.notes.values()), "Anna", stands_for="her")
    project.load(project.settings, [
        Theme(3, theme.name, theme.stands_for, ThemeRole.PLACE, theme.snippet, theme.key,
              "#ff0000", "free words"),
        ThemeUse(1, 3, 1, 99, Transform(shift=2, diatonic=True, key=Key(2, Mode.DORIAN),
                                        ratio=Fraction(3, 2), quantize=Fraction(1, 4)),
                 (1, 2, 3)),
        Track(5, "Synth", soundfont="/fonts/pads.sf2")])
    path = tmp_path / "t.cuesketch"
    ProjectFile.write_new(path, project)
    with ProjectFile.open(path) as pf:
        back = pf.load()
    assert back.themes == project.themes and back.theme_uses == project.theme_uses
    assert back.tracks[5].soundfont == "/fonts/pads.sf2"
    assert json_file.loads(json_file.dumps(project)).themes == project.themes


def test_a_damaged_theme_is_named_in_words() -> None:
    project = _project()
    theme = themes.capture(project, list(project.notes.values()), "Anna")
    d = entity_to_dict(Theme(1, "A", snippet=theme.snippet))
    d["snippet"]["notes"][0][2] = 300
    with pytest.raises(FormatError, match="pitch"):
        entity_from_dict(Theme, d)
    d = entity_to_dict(Theme(1, "A", snippet=theme.snippet))
    d["snippet"]["notes"] = [["0", "1", 60, 90]] * 5000
    with pytest.raises(FormatError, match="at most"):
        entity_from_dict(Theme, d)
    with pytest.raises(FormatError, match="ratio"):
        entity_from_dict(ThemeUse, {"id": 1, "theme_id": 1, "track_id": 1, "start": 0,
                                    "transform": {"ratio": "1e9999"}, "note_ids": []})


def test_in_the_demo_capture_1m1_insert_it_inverted_and_slower_in_1m4_then_apply_hybrid() -> None:
    from cuesketch.demo import build_demo
    from cuesketch.model import palette_templates as pt
    from cuesketch.model import theme_map
    project = build_demo(Path("/nonexistent/film.mp4"))
    doc = Document(project)
    rate = project.settings.rate
    cues = {c.name: c for c in project.cues.values()}
    a, b = (rate.frame_to_flicks(cues["1M1"].start_frame),
            rate.frame_to_flicks(cues["1M1"].end_frame))
    notes = [n for n in project.notes.values() if a <= n.start < b]
    with doc.transaction("Capture"):
        doc.execute_changes(themes.add_theme(project, themes.capture(project, notes, "Peach")))
    theme = next(iter(project.themes.values()))
    at = rate.frame_to_flicks(cues["1M4"].start_frame) + F // 3
    use = themes.insert_theme_step(doc, theme.id, 1, at,
                                   Transform(invert_around=72, ratio=Fraction(2)))
    entries = theme_map.build(project)
    assert [(e.cue, e.source, e.how) for e in entries] == [
        ("1M4", "inserted", "inverted around C5, x2")]
    inserted = [project.notes[i] for i in use.note_ids]
    first = min(n.start for n in inserted)
    assert project.settings.tempo.flicks_to_bbt(first).beat == 1  # on the bar's first beat
    steps = len(doc.history())
    pt.apply_step(doc, pt.BUILTIN["hybrid"])
    assert len(doc.history()) == steps + 1
    assert {"Synth Pad", "Taiko", "Strings"} <= {t.name for t in project.tracks.values()}
    assert use.note_ids[0] in project.notes  # the theme's notes stay where they were
