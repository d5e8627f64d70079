"""Gestures (a drag) as transactions, undo that keeps its step when the write fails, and
observers that can stop hearing."""

from collections.abc import Sequence

import pytest

from cuesketch.model.changes import Change, insert, replace
from cuesketch.model.document import Command, Document
from cuesketch.model.entities import Hit, Note, Settings, Track
from cuesketch.model.project import ModelError


class Sink:
    def __init__(self) -> None:
        self.writes: list[list[Change]] = []
        self.fail = False

    def write(self, changes: Sequence[Change], settings: Settings) -> None:
        if self.fail:
            raise OSError("disk full")
        self.writes.append(list(changes))


def make_doc() -> tuple[Document, Sink, Note]:
    sink = Sink()
    doc = Document(sink=sink)
    note = Note(1, 1, 0, 100, 60)
    doc.execute(Command("Add track", [insert(Track(1, "Strings"))]))
    doc.execute(Command("Add note", [insert(note)]))
    sink.writes.clear()
    return doc, sink, note


def drag(doc: Document, note: Note, steps: int = 5) -> Note:
    cur = note
    for dx in range(1, steps + 1):
        new = Note(cur.id, 1, dx * 10, 100, 60)
        doc.execute_changes([replace(cur, new)], "Move note")
        cur = new
    return cur


def test_a_gesture_is_seen_live_and_kept_as_one_step_in_one_write() -> None:
    doc, sink, note = make_doc()
    heard: list[Sequence[Change]] = []
    doc.observe(heard.append)
    gesture = doc.begin("Move note")
    assert doc.gesture is gesture and gesture.is_open
    last = drag(doc, note)
    assert len(heard) == 5 and doc.project.notes[1] == last  # every move is seen at once
    assert sink.writes == [] and doc.history() == ["Add track", "Add note"]
    assert gesture.commit()
    assert len(sink.writes) == 1 and len(sink.writes[0]) == 5  # one disk commit
    assert doc.history() == ["Add track", "Add note", "Move note"]
    assert doc.gesture is None and not gesture.is_open
    assert not gesture.commit()  # closed: nothing more
    assert doc.undo() == "Move note"
    assert doc.project.notes[1] == note


def test_rollback_takes_the_gesture_back_and_writes_nothing() -> None:
    doc, sink, note = make_doc()
    heard: list[Sequence[Change]] = []
    doc.observe(heard.append)
    doc.begin("Move note")
    drag(doc, note)
    doc.rollback()
    assert doc.project.notes[1] == note
    assert heard[-1][-1].after == note  # the views hear the way back
    assert sink.writes == [] and doc.history() == ["Add track", "Add note"]
    assert doc.gesture is None


def test_a_gesture_the_sink_refuses_is_taken_back_whole() -> None:
    doc, sink, note = make_doc()
    gesture = doc.begin("Move note")
    drag(doc, note)
    sink.fail = True
    with pytest.raises(OSError):
        gesture.commit()
    assert doc.project.notes[1] == note
    assert doc.history() == ["Add track", "Add note"] and doc.gesture is None


def test_gesture_as_a_block_commits_or_rolls_back() -> None:
    doc, sink, note = make_doc()
    with doc.begin("Move note"):
        last = drag(doc, note)
    assert doc.project.notes[1] == last and len(sink.writes) == 1
    with pytest.raises(RuntimeError):
        with doc.begin("Move note"):
            drag(doc, last)
            raise RuntimeError("boom")
    assert doc.project.notes[1] == last and len(sink.writes) == 1


def test_an_empty_gesture_leaves_no_step() -> None:
    doc, sink, _ = make_doc()
    assert not doc.begin("Move note").commit()
    assert doc.history() == ["Add track", "Add note"] and sink.writes == []
    assert not doc.commit()  # nothing open


def test_undo_during_a_gesture_cancels_it_and_redo_waits() -> None:
    doc, sink, note = make_doc()
    doc.execute(Command("Add hit", [insert(Hit(1, 24))]))
    doc.undo()
    doc.begin("Move note")
    drag(doc, note)
    assert doc.redo() is None  # not in the middle of a drag
    assert doc.undo() == "Move note"
    assert doc.project.notes[1] == note and doc.gesture is None
    assert doc.history() == ["Add track", "Add note"] and doc.can_redo


def test_a_new_gesture_commits_one_left_open() -> None:
    doc, sink, note = make_doc()
    doc.begin("Move note")
    last = drag(doc, note)
    doc.begin("Move note")  # the release never came
    drag(doc, last, 2)
    doc.commit()
    assert doc.history()[-2:] == ["Move note", "Move note"] and len(sink.writes) == 2


def test_a_transaction_inside_a_gesture_joins_it() -> None:
    doc, sink, note = make_doc()
    gesture = doc.begin("Move note")
    last = drag(doc, note, 2)
    with doc.transaction("Helper"):
        doc.execute_changes([insert(Hit(1, 24))])
    assert sink.writes == [] and gesture.is_open
    gesture.commit()
    assert doc.history()[-1] == "Move note" and len(sink.writes[0]) == 3
    doc.undo()
    assert doc.project.notes[1] == note and not doc.project.hits
    assert last != note


def test_a_gesture_inside_a_transaction_joins_it() -> None:
    doc, sink, note = make_doc()
    with doc.transaction("Outer"):
        inner = doc.begin("Inner")
        assert inner.joined and not inner.is_open
        drag(doc, note, 2)
        assert not inner.commit()
        assert doc.undo() is None  # not in the middle of a block
    assert doc.history()[-1] == "Outer" and len(sink.writes) == 1


def test_a_failed_write_on_undo_or_redo_keeps_the_step() -> None:
    doc, sink, note = make_doc()
    moved = Note(1, 1, 50, 100, 60)
    doc.execute_changes([replace(note, moved)], "Move note")
    history_heard: list[None] = []
    doc.observe_history(lambda: history_heard.append(None))
    sink.fail = True
    with pytest.raises(OSError):
        doc.undo()
    assert doc.history()[-1] == "Move note" and not doc.can_redo
    assert doc.project.notes[1] == moved and history_heard == []
    sink.fail = False
    assert doc.undo() == "Move note"
    assert doc.project.notes[1] == note
    sink.fail = True
    with pytest.raises(OSError):
        doc.redo()
    assert doc.redo_labels() == ["Move note"] and doc.project.notes[1] == note
    sink.fail = False
    assert doc.redo() == "Move note" and doc.project.notes[1] == moved


def test_observers_can_stop_hearing() -> None:
    doc, _, _ = make_doc()
    heard: list[int] = []
    history: list[int] = []
    sub = doc.observe(lambda changes: heard.append(len(changes)))
    hsub = doc.observe_history(lambda: history.append(1))
    doc.execute_changes([insert(Hit(1, 24))])
    assert heard == [1] and history == [1]
    sub()
    hsub.close()
    hsub.close()  # twice is fine
    assert sub.closed and hsub.closed
    doc.execute_changes([insert(Hit(2, 48))])
    assert heard == [1] and history == [1]


def test_closing_one_of_two_equal_observers_keeps_the_other() -> None:
    doc, _, _ = make_doc()
    heard: list[int] = []

    def hear(changes: Sequence[Change]) -> None:
        heard.append(len(changes))
    first = doc.observe(hear)
    doc.observe(hear)
    first.close()
    doc.execute_changes([insert(Hit(1, 24))])
    assert heard == [1]


def test_a_change_list_that_does_not_fit_changes_nothing() -> None:
    doc, sink, note = make_doc()
    before = dict(doc.project.notes), dict(doc.project.hits)
    with pytest.raises(ModelError):
        doc.execute_changes([insert(Hit(1, 24)), insert(Note(1, 1, 0, 5, 60))])
    assert (dict(doc.project.notes), dict(doc.project.hits)) == before
    assert sink.writes == []
