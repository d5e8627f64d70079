"""Review notes in the project: importing a reply, resolving, replying.

``import_reply`` turns a director's reply into project changes, as one undo step:

* each note becomes a ``ReviewNote`` at the frame it was written at; its ``uuid`` finds it
  again, so importing the same reply twice changes nothing, and a later reply with an edited
  note updates it (its resolved state and the composer's replies stay); only a note of the
  same package is updated: a reply's note whose id is another package's note's is added
  beside it under an id of its own (``foreign_uuid``), never overwriting it;
* a note written against another film than the project's now (its content hash differs: an
  older cut) is kept but flagged ``off_cut``, never silently placed as if it fit;
* a verdict sets the cue's status: approved if a version was approved, changes if changes
  were asked for (a cue not yet judged keeps its status); a verdict's comment becomes a note
  at the cue's start (its uuid made from the package, cue and version: stable too);
* the director's replies to earlier notes are added to those notes.
"""

from __future__ import annotations

import uuid as _uuid
from dataclasses import dataclass, field, replace

from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Command, Document
from cuesketch.model.entities import Cue, CueStatus, ReviewNote
from cuesketch.model.project import Project
from cuesketch.model.review import ReplyContent, Verdict

_VERDICT_WORDS = {Verdict.APPROVED: "Approved", Verdict.CHANGES: "Changes requested"}


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    off_cut: int = 0  # notes flagged: written against another cut
    statuses: list[tuple[str, CueStatus]] = field(default_factory=list)
    unknown_cues: list[str] = field(default_factory=list)
    foreign: int = 0  # notes whose id is another package's note's: added, that one untouched
    unrelated: bool = False  # names none of the project's cues, answers none of its notes

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.statuses)

    def summary(self) -> str:
        parts = [f"{self.added} new note{'s' * (self.added != 1)}"]
        if self.unrelated:
            parts.insert(0, "a reply that names none of this project's cues (is it another "
                            "project's?)")
        if self.updated:
            parts.append(f"{self.updated} updated")
        if self.unchanged:
            parts.append(f"{self.unchanged} already there")
        if self.foreign:
            parts.append(f"{self.foreign} with the id of a note from another package (kept "
                         f"as new notes; the earlier ones untouched)")
        if self.off_cut:
            parts.append(f"{self.off_cut} written against another cut of the film (flagged)")
        for cue, status in self.statuses:
            parts.append(f"{cue}: {status.value}")
        return ", ".join(parts)


def foreign_uuid(package_id: str, note_uuid: str) -> str:
    """A stable id for a reply's note whose own id is taken by another package's note."""
    return str(_uuid.uuid5(_uuid.NAMESPACE_URL, f"cuesketch-note:{package_id}:{note_uuid}"))


def verdict_uuid(package_id: str, cue: str, version: str) -> str:
    return str(_uuid.uuid5(_uuid.NAMESPACE_URL, f"cuesketch-verdict:{package_id}:{cue}:{version}"))


def import_reply(document: Document, reply: ReplyContent, film_hash: str,
                 label: str | None = None) -> ImportReport:
    """Bring a reply into the project as one undo step (none if nothing changes)."""
    project = document.project
    report = ImportReport()
    changes = reply_changes(project, reply, film_hash, report)
    if changes:
        document.execute(Command(label or f"Import review from {reply.author or 'the director'}",
                                 changes))
    return report


def reply_changes(project: Project, reply: ReplyContent, film_hash: str,
                  report: ImportReport) -> list[Change]:
    by_uuid = {n.uuid: n for n in project.review_notes.values()}
    cues = {c.name.lower(): c for c in project.cues.values()}
    report.unrelated = is_unrelated(project, reply, set(cues))
    def against_another_cut(watched: str) -> bool:
        return bool(watched and film_hash and watched != film_hash)
    off_cut = against_another_cut(reply.film_hash)
    changes: list[Change] = []
    next_id = max(project.review_notes, default=0) + 1
    wanted: list[ReviewNote] = []
    for n in reply.notes:
        watched = n.film_hash or reply.film_hash  # the note's own, when the reply says it
        wanted.append(ReviewNote(0, n.uuid, n.frame, n.end_frame, n.text, n.author, n.created,
                                 n.cue, n.version, False, (), watched,
                                 against_another_cut(watched), reply.package_id))
    for v in reply.verdicts:
        if v.verdict is Verdict.PENDING or not v.comment.strip():
            continue
        cue = cues.get(v.cue.lower())
        frame = cue.start_frame if cue is not None else 0
        wanted.append(ReviewNote(0, verdict_uuid(reply.package_id, v.cue, v.version), frame,
                                 None, f"{_VERDICT_WORDS[v.verdict]}: {v.comment.strip()}",
                                 v.author, v.changed, v.cue, v.version, False, (),
                                 reply.film_hash, off_cut, reply.package_id))
    for note in wanted:
        old = by_uuid.get(note.uuid)
        if old is not None and old.source != reply.package_id:
            # a note of another package has this id (a reply made by hand, or altered): it
            # is never overwritten; this one is kept beside it under an id of its package's
            note = replace(note, uuid=foreign_uuid(reply.package_id, note.uuid))
            old = by_uuid.get(note.uuid)
            report.foreign += 1
        if old is None:
            new = replace(note, id=next_id)
            next_id += 1
            changes.append(EntityChange(None, new))
            by_uuid[new.uuid] = new
            report.added += 1
            report.off_cut += new.off_cut
            continue
        kept = replace(note, id=old.id, resolved=old.resolved, replies=old.replies)
        if kept == old:
            report.unchanged += 1
        else:
            changes.append(EntityChange(old, kept))
            by_uuid[kept.uuid] = kept
            report.updated += 1
    for thread, replies in reply.thread_replies.items():
        old = by_uuid.get(thread)
        if old is None:
            continue
        extra = tuple((r.author, r.created, r.text) for r in replies
                      if (r.author, r.created, r.text) not in old.replies)
        if extra:
            new = replace(old, replies=old.replies + extra)
            changes.append(EntityChange(old, new))
            by_uuid[thread] = new
    changes += _status_changes(cues, reply, report)
    return changes


def is_unrelated(project: Project, reply: ReplyContent, cue_names: set[str]) -> bool:
    """A reply that may be to another project's package: it names none of the project's
    cues, no note of the project came from its package and it answers none of them."""
    named = ({n.cue.lower() for n in reply.notes} | {v.cue.lower() for v in reply.verdicts}) - {""}
    if not named and not reply.thread_replies:
        return False  # nothing to go by
    if named & cue_names:
        return False
    uuids = {n.uuid for n in project.review_notes.values()}
    return not (any(n.source == reply.package_id for n in project.review_notes.values())
                or uuids & set(reply.thread_replies))


def _status_changes(cues: dict[str, Cue], reply: ReplyContent,
                    report: ImportReport) -> list[Change]:
    verdicts: dict[str, set[Verdict]] = {}
    for v in reply.verdicts:
        verdicts.setdefault(v.cue.lower(), set()).add(v.verdict)
    out: list[Change] = []
    for name, found in sorted(verdicts.items()):
        cue = cues.get(name)
        if cue is None:
            report.unknown_cues.append(name)
            continue
        status = (CueStatus.APPROVED if Verdict.APPROVED in found else
                  CueStatus.CHANGES if Verdict.CHANGES in found else None)
        if status is not None and cue.status is not status:
            out.append(EntityChange(cue, replace(cue, status=status)))
            report.statuses.append((cue.name, status))
    return out


# -- the composer's side of a note ---------------------------------------------------------------
def set_resolved(document: Document, note_id: int, resolved: bool) -> None:
    old = document.project.review_notes[note_id]
    if old.resolved != resolved:
        document.execute(Command("Resolve review note" if resolved else "Reopen review note",
                                 [EntityChange(old, replace(old, resolved=resolved))]))


def add_reply(document: Document, note_id: int, author: str, created: str, text: str) -> None:
    text = text.strip()
    if not text:
        return
    old = document.project.review_notes[note_id]
    new = replace(old, replies=old.replies + ((author, created, text),))
    document.execute(Command("Reply to review note", [EntityChange(old, new)]))


def notes_by_time(project: Project) -> list[ReviewNote]:
    """The Review dock's order: by frame, then when written."""
    return sorted(project.review_notes.values(), key=lambda n: (n.frame, n.created, n.id))
