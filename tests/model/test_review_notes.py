"""Importing a director's reply into a project: one undo step, twice changes nothing."""

from __future__ import annotations

from dataclasses import replace

from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, CueStatus
from cuesketch.model.project import Project
from cuesketch.model.review import DirectorNote, Reply, ReplyContent, Verdict, VersionVerdict
from cuesketch.model.review_notes import (add_reply, import_reply, notes_by_time, set_resolved,
                                          verdict_uuid)

FILM = "cs1:10:" + "aa" * 16


def project() -> Project:
    p = Project()
    p.load(p.settings, [Cue(1, "1M1", 0, 100), Cue(2, "1M2", 200, 300)])
    return p


def reply(**changes: object) -> ReplyContent:
    base = ReplyContent(
        "pkg", "R. Smith", FILM,
        (DirectorNote("u1", "1M1", "v2", "R. Smith", "t1", "Too loud", 40),
         DirectorNote("u2", "1M2", "v1", "R. Smith", "t2", "Lovely swell", 210, 250)),
        (VersionVerdict("1M1", "v2", Verdict.CHANGES, "darker", "R. Smith", "t3"),
         VersionVerdict("1M2", "v1", Verdict.APPROVED, "", "R. Smith", "t4")))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_import_lands_notes_on_their_frames_and_sets_status_in_one_step() -> None:
    doc = Document(project())
    report = import_reply(doc, reply(), FILM)
    notes = notes_by_time(doc.project)
    assert [(n.frame, n.end_frame, n.text) for n in notes] == [
        (0, None, "Changes requested: darker"), (40, None, "Too loud"),
        (210, 250, "Lovely swell")]
    assert not any(n.off_cut for n in notes)
    assert doc.project.cues[1].status is CueStatus.CHANGES
    assert doc.project.cues[2].status is CueStatus.APPROVED
    assert report.added == 3 and len(doc.history()) == 1
    doc.undo()
    assert not doc.project.review_notes and doc.project.cues[1].status is CueStatus.SPOTTED


def test_importing_twice_changes_nothing() -> None:
    doc = Document(project())
    import_reply(doc, reply(), FILM)
    before = dict(doc.project.review_notes), dict(doc.project.cues)
    report = import_reply(doc, reply(), FILM)
    assert (dict(doc.project.review_notes), dict(doc.project.cues)) == before
    assert report.added == 0 and report.unchanged == 3 and len(doc.history()) == 1


def test_an_edited_note_updates_and_keeps_what_the_composer_did() -> None:
    doc = Document(project())
    import_reply(doc, reply(), FILM)
    nid = next(n.id for n in doc.project.review_notes.values() if n.uuid == "u1")
    set_resolved(doc, nid, True)
    add_reply(doc, nid, "Composer", "t5", "Pulled the brass back")
    edited = reply(notes=(DirectorNote("u1", "1M1", "v2", "R. Smith", "t1", "Still loud", 40,
                                       None, "t6"),))
    report = import_reply(doc, edited, FILM)
    note = doc.project.review_notes[nid]
    assert report.updated == 1 and note.text == "Still loud"
    assert note.resolved and note.replies == (("Composer", "t5", "Pulled the brass back"),)


def test_notes_against_another_cut_are_flagged() -> None:
    doc = Document(project())
    report = import_reply(doc, reply(film_hash="cs1:11:" + "bb" * 16), FILM)
    assert report.off_cut == 3
    assert all(n.off_cut for n in doc.project.review_notes.values())


def test_director_replies_join_the_thread_once() -> None:
    doc = Document(project())
    import_reply(doc, reply(), FILM)
    answer = reply(thread_replies={"u1": (Reply("R. Smith", "t9", "Better now"),)})
    import_reply(doc, answer, FILM)
    import_reply(doc, answer, FILM)
    note = next(n for n in doc.project.review_notes.values() if n.uuid == "u1")
    assert note.replies == (("R. Smith", "t9", "Better now"),)


def test_verdict_notes_have_stable_ids() -> None:
    assert verdict_uuid("pkg", "1M1", "v2") == verdict_uuid("pkg", "1M1", "v2")
    assert verdict_uuid("pkg", "1M1", "v2") != verdict_uuid("pkg", "1M1", "v3")


def test_a_reply_to_another_package_never_overwrites_its_notes() -> None:
    doc = Document(project())
    import_reply(doc, reply(), FILM)
    theirs = {n.uuid: n for n in doc.project.review_notes.values()}
    other = reply(package_id="other", notes=(
        DirectorNote("u1", "1M1", "v9", "Someone", "t9", "Overwritten?", 90),), verdicts=())
    report = import_reply(doc, other, FILM)
    assert report.foreign == 1 and report.added == 1 and report.updated == 0
    assert "another package" in report.summary()
    notes = {n.uuid: n for n in doc.project.review_notes.values()}
    assert notes["u1"] == theirs["u1"]
    added = next(n for n in notes.values() if n.text == "Overwritten?")
    assert added.source == "other" and added.uuid != "u1"
    again = import_reply(doc, other, FILM)  # twice still changes nothing
    assert again.added == 0 and again.unchanged == 1 and len(doc.project.review_notes) == 4


def test_a_reply_that_names_none_of_the_projects_cues_is_said_to_be_unrelated() -> None:
    doc = Document(project())
    assert not import_reply(doc, reply(), FILM).unrelated
    elsewhere = reply(package_id="elsewhere", notes=(
        DirectorNote("x1", "4M2", "v1", "R. Smith", "t1", "Other film", 40),), verdicts=())
    report = import_reply(doc, elsewhere, FILM)
    assert report.unrelated and "none of this project's cues" in report.summary()
    # a reply that only answers this project's earlier notes is this project's
    answers = reply(package_id="next", notes=(), verdicts=(),
                    thread_replies={"u1": (Reply("R. Smith", "t9", "Better"),)})
    assert not import_reply(doc, answers, FILM).unrelated
