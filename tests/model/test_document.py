from collections.abc import Sequence

import pytest

from cuesketch.model.changes import Change, delete, insert, replace
from cuesketch.model.document import Command, Document
from cuesketch.model.entities import Hit, Note, Settings, Track
from cuesketch.model.project import ModelError, Project


def make_doc() -> Document:
    doc = Document()
    doc.execute(Command("Add track", [insert(Track(1, "Strings"))]))
    return doc


def snapshot(doc: Document) -> tuple:
    p = doc.project
    return (p.settings, dict(p.notes), dict(p.tracks), dict(p.hits), dict(p.cues))


def test_undo_redo_restore_exact_states() -> None:
    doc = make_doc()
    s0 = snapshot(doc)
    n = Note(doc.project.new_id(Note), 1, 0, 1000, 60)
    doc.execute(Command("Add note", [insert(n)]))
    s1 = snapshot(doc)
    doc.execute(Command("Move note", [replace(n, Note(n.id, 1, 500, 1000, 62))]))
    s2 = snapshot(doc)
    assert doc.undo() == "Move note"
    assert snapshot(doc) == s1
    assert doc.undo() == "Add note"
    assert snapshot(doc) == s0
    assert doc.redo() == "Add note"
    assert doc.redo() == "Move note"
    assert snapshot(doc) == s2
    assert doc.redo() is None


def test_a_new_command_clears_redo() -> None:
    doc = make_doc()
    doc.execute(Command("Add hit", [insert(Hit(1, 24))]))
    doc.undo()
    assert doc.can_redo
    doc.execute(Command("Add hit", [insert(Hit(2, 48))]))
    assert not doc.can_redo


def test_transaction_is_one_step_and_rolls_back_on_error() -> None:
    doc = make_doc()
    before = snapshot(doc)
    with doc.transaction("Record take"):
        for i in range(5):
            doc.execute_changes([insert(Note(doc.project.new_id(Note), 1, i * 100, 50, 60 + i))])
    assert len(doc.project.notes) == 5
    assert doc.history()[-1] == "Record take"
    doc.undo()
    assert snapshot(doc) == before

    with pytest.raises(RuntimeError):
        with doc.transaction("Broken"):
            doc.execute_changes([insert(Note(doc.project.new_id(Note), 1, 0, 50, 60))])
            raise RuntimeError("boom")
    assert snapshot(doc) == before
    assert doc.history() == ["Add track"]


def test_a_drag_is_one_step() -> None:
    doc = make_doc()
    n = Note(1, 1, 0, 100, 60)
    doc.execute(Command("Add note", [insert(n)]))
    cur = n
    gesture = doc.begin("Move note")
    for dx in range(1, 6):
        new = Note(1, 1, dx * 10, 100, 60)
        doc.execute(Command("Move note", [replace(cur, new)]))
        cur = new
    gesture.commit()
    assert doc.history() == ["Add track", "Add note", "Move note"]
    doc.undo()
    assert doc.project.notes[1] == n


def test_changes_that_do_not_fit_are_refused() -> None:
    doc = make_doc()
    with pytest.raises(ModelError):
        doc.execute(Command("Delete", [delete(Note(99, 1, 0, 1, 60))]))
    with pytest.raises(ModelError):
        doc.execute(Command("Dup", [insert(Track(1, "Again"))]))


class FailingSink:
    def write(self, changes: Sequence[Change], settings: Settings) -> None:
        raise OSError("disk full")


def test_a_failing_sink_leaves_memory_as_it_was() -> None:
    doc = make_doc()
    before = snapshot(doc)
    doc.sink = FailingSink()
    with pytest.raises(OSError):
        doc.execute(Command("Add note", [insert(Note(1, 1, 0, 10, 60))]))
    assert snapshot(doc) == before
    assert doc.history() == ["Add track"]


def test_observers_hear_every_change_including_undo() -> None:
    doc = make_doc()
    heard: list[list[Change]] = []
    doc.observe(lambda changes: heard.append(list(changes)))
    doc.execute(Command("Add hit", [insert(Hit(1, 24))]))
    doc.undo()
    assert heard[0][0].after == Hit(1, 24)
    assert heard[1][0].after is None


def test_read_only_document_refuses_edits() -> None:
    doc = make_doc()
    doc.read_only = True
    with pytest.raises(PermissionError):
        doc.execute(Command("Add hit", [insert(Hit(1, 24))]))


def test_new_ids_never_collide_with_loaded_ones() -> None:
    p = Project()
    p.load(Settings(), [Note(41, 1, 0, 10, 60)])
    assert p.new_id(Note) == 42


class CountingSink:
    def __init__(self, fail: bool = False) -> None:
        self.writes: list[int] = []
        self.fail = fail

    def write(self, changes: Sequence[Change], settings: Settings) -> None:
        if self.fail:
            raise OSError("disk full")
        self.writes.append(len(changes))


def test_a_transaction_reaches_the_sink_in_one_write() -> None:
    doc = make_doc()
    doc.sink = sink = CountingSink()
    with doc.transaction("Record take"):
        for i in range(4):
            doc.execute_changes([insert(Note(doc.project.new_id(Note), 1, i, 5, 60))])
    assert sink.writes == [4]
    doc.undo()
    assert sink.writes == [4, 4]


def test_a_transaction_the_sink_refuses_leaves_nothing() -> None:
    doc = make_doc()
    before = snapshot(doc)
    doc.sink = CountingSink(fail=True)
    with pytest.raises(OSError):
        with doc.transaction("Record take"):
            doc.execute_changes([insert(Note(doc.project.new_id(Note), 1, 0, 5, 60))])
    assert snapshot(doc) == before
    assert doc.history() == ["Add track"]
