"""The roll's editor without a window (no Qt at all): selection and the active track, the
tool, the grid arithmetic of duplicate and nudge, the key commands, each edit one undo step
through the Document."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

from cuesketch.model.changes import delete, insert
from cuesketch.model.document import Document
from cuesketch.model.entities import Hit, Note, Settings, Track
from cuesketch.model.grid import Grid
from cuesketch.model.project import Project
from cuesketch.model.snap import SnapMode
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC
from cuesketch.ui.roll_editor import Aspect, Command, RollEditor, Tool

BEAT = SEC // 2  # 120 bpm
S16 = BEAT // 4
FPF = SEC // 24


def editor_on(notes: list[tuple[int, int, int, int]]) -> tuple[RollEditor, Document,
                                                               list[str], list[Aspect]]:
    project = Project()
    entities: list[object] = [Track(1, "Strings"), Track(2, "Brass", order=1),
                              Hit(1, 48, "door")]
    entities += [Note(i, t, s, d, p, 90) for i, (t, s, d, p) in enumerate(notes, start=1)]
    project.load(Settings(), entities)  # type: ignore[arg-type]
    document = Document(project)
    said: list[str] = []
    playhead = [12 * BEAT]
    editor = RollEditor(document, lambda: playhead[0], said.append)
    document.observe(editor.apply)
    heard: list[Aspect] = []
    editor.observe(heard.append)
    return editor, document, said, heard


def notes_of(document: Document) -> list[tuple[int, int, int]]:
    return sorted((n.start, n.duration, n.pitch) for n in document.project.notes.values())


def test_the_editor_imports_no_qt() -> None:
    code = ("import sys, cuesketch.ui.roll_editor; "
            "sys.exit(any(m.startswith('PySide6') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_selection_and_active_track() -> None:
    editor, document, _said, heard = editor_on([(1, 2 * BEAT, BEAT, 60), (1, 4 * BEAT, BEAT, 64),
                                                (2, 2 * BEAT, BEAT, 48)])
    assert editor.active_track == 1 and editor.tool is Tool.DRAW
    editor.perform(Command.SELECT_ALL)
    assert editor.selection == {1, 2} and heard == [Aspect.SELECTION]
    assert sorted(editor.selection_array().tolist()) == [1, 2]
    editor.select_range(3 * BEAT, 5 * BEAT)
    assert editor.selection == {2}
    editor.set_active_track(2)  # another track: the selection goes
    assert editor.selection == set() and heard[-1] is Aspect.TRACK
    editor.set_selection({3})
    document.execute_changes([delete(document.project.notes[3])], "Delete")
    assert editor.selection == set()  # a deleted note leaves the selection
    document.execute_changes([delete(document.project.tracks[2])], "Delete track")
    assert editor.active_track == 1  # a deleted active track gives way to the first
    editor.set_tool(Tool.SELECT)
    assert editor.tool is Tool.SELECT and heard[-1] is Aspect.SETTINGS


def test_duplicate_lands_on_the_next_grid_line_and_nudge_steps_the_grid() -> None:
    editor, document, _said, _heard = editor_on([(1, 2 * BEAT + 100, BEAT - 300, 60)])
    editor.set_selection({1})
    editor.perform(Command.DUPLICATE)
    # from the grid line before its start to the line after its end: it keeps its place
    assert (3 * BEAT + 100, BEAT - 300, 60) in notes_of(document)
    (copy,) = editor.selection
    assert copy != 1
    editor.set_selection({1})
    editor.perform(Command.LATER)  # onto the next grid line
    assert document.project.notes[1].start == 2 * BEAT + S16
    editor.perform(Command.FRAME_LATER)
    assert document.project.notes[1].start == 2 * BEAT + S16 + FPF
    editor.perform(Command.EARLIER)  # back to the grid line at or before
    assert document.project.notes[1].start == 2 * BEAT + S16
    editor.set_grid(Grid.parse("1/8"))
    editor.perform(Command.LATER)
    assert document.project.notes[1].start == 2 * BEAT + 2 * S16
    editor.perform(Command.OCTAVE_DOWN)
    editor.perform(Command.UP)
    assert document.project.notes[1].pitch == 49
    assert document.history() == ["Duplicate notes", "Nudge notes by a grid step",
                                  "Nudge notes by a frame", "Nudge notes by a grid step",
                                  "Nudge notes by a grid step", "Transpose", "Transpose"]


def test_keys_need_a_selection_where_they_act_on_it() -> None:
    editor, _document, _said, _heard = editor_on([(1, 2 * BEAT, BEAT, 60)])
    assert editor.command_for("Right") is None  # left to the window (frame steps)
    assert editor.command_for("Del") is None and editor.command_for("Esc") is None
    assert editor.command_for("Ctrl+A") is Command.SELECT_ALL
    assert editor.command_for("Ctrl+Shift+A") is None
    editor.set_selection({1})
    assert editor.command_for("Alt+Right") is Command.FRAME_LATER
    assert editor.command_for("Ctrl+Alt+Left") is Command.TICK_EARLIER
    assert editor.command_for("Shift+Right") is None  # the window's one-second step
    assert editor.command_for("Backspace") is Command.DELETE
    assert editor.command_for("Z") is Command.ZOOM_SELECTION
    assert editor.perform(Command.ZOOM_SELECTION) is False  # the view's: the roll zooms


def test_copy_paste_at_the_playhead_cut_delete_and_quantize() -> None:
    editor, document, said, _heard = editor_on([(1, 2 * BEAT, BEAT, 60), (1, 4 * BEAT, BEAT, 64)])
    editor.perform(Command.SELECT_ALL)
    editor.perform(Command.COPY)
    assert said[-1] == "Copied 2 notes"
    editor.perform(Command.PASTE)  # at the playhead, 12 beats
    assert (12 * BEAT, BEAT, 60) in notes_of(document) and len(editor.selection) == 2
    editor.perform(Command.CUT)
    assert len(document.project.notes) == 2
    editor.set_selection({1})
    editor.perform(Command.DELETE)
    assert list(document.project.notes) == [2]
    document.execute_changes([insert(Note(9, 1, S16 + 1000, BEAT, 62, 90))], "Add")
    editor.perform(Command.CLEAR_SELECTION)
    editor.perform(Command.QUANTIZE)  # nothing selected: the whole track
    assert document.project.notes[9].start == S16 and said[-1] == "Quantized 1 note to 1/16"


def test_draw_length_and_snapping() -> None:
    editor, document, said, _heard = editor_on([])
    assert editor.draw_length(0) == S16
    editor.remember_length(BEAT)
    assert editor.draw_length(0) == BEAT
    editor.set_grid(Grid.parse("1/8"))  # a new grid forgets the last length
    assert editor.draw_length(0) == 2 * S16
    editor.set_snap(SnapMode.FRAMES)
    assert editor.min_length(0) == FPF
    editor.set_snap(SnapMode.HITS)
    assert editor.snapper(SEC / 100).nearest(48 * FPF + 3 * SEC // 100) == 48 * FPF
    document.read_only = True
    assert editor.execute([insert(Note(5, 1, 0, BEAT, 60, 90))], "Draw note") is False
    assert "read-only" in said[-1]


def test_nudge_by_a_frame_and_by_a_tick_one_undo_step_each() -> None:
    editor, document, _said, _heard = editor_on([(1, 2 * BEAT + 100, BEAT, 60),
                                                 (1, 3 * BEAT, BEAT, 64)])
    editor.set_selection({1, 2})
    editor.perform(Command.FRAME_LATER)
    editor.perform(Command.FRAME_LATER)
    assert [n.start for n in document.project.notes.values()] == [2 * BEAT + 100 + 2 * FPF,
                                                                  3 * BEAT + 2 * FPF]
    editor.perform(Command.FRAME_EARLIER)
    tick = BEAT // 960  # 120 bpm: a quarter note is half a second
    editor.perform(Command.TICK_LATER)
    assert document.project.notes[1].start == 2 * BEAT + 100 + FPF + tick
    editor.perform(Command.TICK_EARLIER)
    editor.perform(Command.TICK_EARLIER)
    assert document.project.notes[2].start == 3 * BEAT + FPF - tick  # the chord moves whole
    assert document.history()[-6:] == ["Nudge notes by a frame"] * 3 + ["Nudge notes by a tick"] * 3
    for _ in range(6):
        document.undo()
    assert document.project.notes[1].start == 2 * BEAT + 100


def test_a_tick_follows_the_tempo_where_the_selection_starts() -> None:
    from fractions import Fraction

    from cuesketch.timing.tempo import TempoChange, TempoMap
    editor, document, _said, _heard = editor_on([(1, 4 * SEC, BEAT, 60)])
    tempo = TempoMap(0, (TempoChange(Fraction(0), Fraction(120)),
                         TempoChange(Fraction(4), Fraction(60))))  # 60 bpm from 2 s
    document.project.settings = replace(document.project.settings, tempo=tempo)
    editor.set_selection({1})
    editor.perform(Command.TICK_LATER)
    assert document.project.notes[1].start == 4 * SEC + SEC // 960


def test_available_commands_follow_the_selection_and_the_track() -> None:
    editor, _document, _said, _heard = editor_on([(1, 2 * BEAT, BEAT, 60)])
    assert not editor.available(Command.COPY) and not editor.available(Command.FRAME_LATER)
    assert editor.available(Command.SELECT_ALL) and editor.available(Command.QUANTIZE)
    assert editor.available(Command.PASTE)  # a track to paste on
    editor.set_active_track(2)  # a track without notes
    assert not editor.available(Command.SELECT_ALL) and not editor.available(Command.QUANTIZE)
    editor.set_active_track(1)
    editor.perform(Command.SELECT_ALL)
    assert all(editor.available(c) for c in (Command.COPY, Command.CUT, Command.DELETE,
                                             Command.UP, Command.TICK_EARLIER))


def test_paste_says_why_it_did_nothing_and_is_one_step() -> None:
    editor, document, said, heard = editor_on([(1, 2 * BEAT, BEAT, 60), (1, 3 * BEAT, BEAT, 67)])
    editor.perform(Command.PASTE)
    assert said[-1] == "Nothing to paste: copy some notes first" and not document.can_undo
    editor.perform(Command.SELECT_ALL)
    editor.perform(Command.COPY)
    assert heard[-1] is Aspect.CLIPBOARD
    assert editor.clipboard.notes[1].offset == BEAT  # times relative to the first note
    editor.set_active_track(2)
    editor.perform(Command.PASTE)  # at the playhead (12 beats), on the active track
    assert document.history() == ["Paste notes"] and said[-1] == "Pasted 2 notes at the playhead"
    pasted = sorted((n.track_id, n.start, n.pitch) for n in
                    (document.project.notes[i] for i in editor.selection))
    assert pasted == [(2, 12 * BEAT, 60), (2, 13 * BEAT, 67)]
    document.undo()
    assert len(document.project.notes) == 2


def test_transpose_at_the_edge_says_so() -> None:
    editor, document, said, _heard = editor_on([(1, 0, BEAT, 125)])
    editor.set_selection({1})
    editor.transpose(7)  # stops at the top whole
    assert document.project.notes[1].pitch == 127
    editor.transpose(1)
    assert said[-1] == "The notes are at the top of the keyboard already"
    assert document.history() == ["Transpose"]


def test_the_window_actions_are_roll_commands_with_the_roll_keys() -> None:
    """Every Edit action that is a roll command shows the keys the roll runs it by."""
    from cuesketch.ui.actions import SPECS
    from cuesketch.ui.roll_editor import ACTION_COMMANDS, KEYS
    for name, command in ACTION_COMMANDS.items():
        assert SPECS[name].shortcuts, name
        for key in SPECS[name].shortcuts:
            assert KEYS[key] is command, (name, key)


def test_inside_a_cue_with_its_own_map_nudges_and_quantize_count_by_it() -> None:
    from cuesketch.model.entities import Cue
    from cuesketch.timing.tempo import TempoMap
    editor, document, _said, _heard = editor_on([(1, 48 * FPF + 1000, BEAT, 60),
                                                 (1, S16 + 1000, BEAT, 62)])
    own = TempoMap.constant(60, origin=48 * FPF)  # a quarter is a second inside the cue
    document.execute_changes([insert(Cue(1, "1M1", 48, 480, own))], "Add cue")
    assert editor.tempo_at(48 * FPF) is own
    assert editor.tempo_at(0) == document.project.settings.tempo
    editor.set_selection({1})
    editor.perform(Command.TICK_LATER)  # a tick at 60 bpm
    assert document.project.notes[1].start == 48 * FPF + 1000 + SEC // 960
    editor.perform(Command.LATER)  # onto the cue's next sixteenth (a quarter second)
    assert document.project.notes[1].start == 48 * FPF + SEC // 4
    editor.set_selection(())
    editor.perform(Command.QUANTIZE)  # outside the cue: the project's sixteenths
    assert document.project.notes[2].start == S16
