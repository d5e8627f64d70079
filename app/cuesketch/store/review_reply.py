"""The director's reply (``NAME.cuereply``): notes, verdicts and replies to earlier notes.

While the director reviews, a reply file in the user's data folder is the **journal**: every
note, edit, deletion and verdict is committed to it as it happens (``ReplyJournal``; one
transaction each, synced), so a crash loses nothing and the received package is never written.
**Send Back** copies the journal to where the director chooses, whole or not at all
(``ReplyJournal.send_to``). The composer's side reads a reply with ``read_reply``, as a file from
outside: checked like a package (``review_schema.open_untrusted``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from cuesketch.files import commit_file, remove_quietly, temp_beside
from cuesketch.model.review import (MAX_NAME, MAX_REVIEW_NOTES, MAX_TEXT, DirectorNote, Reply,
                                    ReplyContent, Verdict, VersionVerdict)
from cuesketch.store.codec import FormatError
from cuesketch.store.review_package import text
from cuesketch.store.review_schema import (MAX_REPLY_BYTES, REPLY_APPLICATION_ID, REPLY_SCHEMA,
                                           REPLY_VERSION, ReviewFileError, create_schema,
                                           open_untrusted)
from cuesketch.store.sqlite_io import DB_ERRORS, connect, describe, printable, transaction

FORMAT = "cuesketch-reply"
_VERDICTS = {v.value: v for v in Verdict}
_FRAME_BOUND = 10**9


class ReplyJournal:
    """The director's reply being written: a SQLite file of our own, edited in place."""

    def __init__(self, path: Path, package_id: str, author: str, film_hash: str) -> None:
        self.path = Path(path)
        try:
            fresh = not self.path.exists()
            self.db = connect(self.path, read_only=False, create=True)
            self.db.execute("PRAGMA synchronous = FULL")
            if fresh:
                with transaction(self.db):
                    create_schema(self.db, REPLY_SCHEMA, REPLY_APPLICATION_ID, REPLY_VERSION)
                    self.db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                                        (("format", FORMAT), ("package_id", package_id),
                                         ("author", author), ("film_hash", film_hash)))
            if not fresh:  # ours, but check it as any other: it may have been damaged since
                content = read_reply(self.path)
                if content.package_id != package_id:
                    raise ReviewFileError(f"{self.path.name} answers another package")
        except BaseException as e:
            db = getattr(self, "db", None)
            if db is not None:  # a journal refused is never left open
                db.close()
            if isinstance(e, DB_ERRORS):
                raise ReviewFileError(f"the review journal {self.path} can't be written: "
                                      f"{describe(e)}") from None
            raise

    def close(self) -> None:
        self.db.close()

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        try:
            with transaction(self.db):
                self.db.execute(sql, params)
        except DB_ERRORS as e:
            raise ReviewFileError(f"the review could not be saved: {describe(e)}") from None

    def set_film_hash(self, film_hash: str) -> None:
        """The film the director watches (their copy's hash: another cut is flagged on import)."""
        self._write("INSERT OR REPLACE INTO meta (key, value) VALUES ('film_hash', ?)",
                    (film_hash,))

    def set_author(self, author: str) -> None:
        self._write("INSERT OR REPLACE INTO meta (key, value) VALUES ('author', ?)", (author,))

    def put_note(self, note: DirectorNote) -> None:
        self._write("INSERT OR REPLACE INTO notes (uuid, cue, version, author, created, edited, "
                    "text, frame, end_frame, film_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (note.uuid, note.cue, note.version, note.author, note.created, note.edited,
                     note.text, note.frame, note.end_frame, note.film_hash))

    def delete_note(self, uuid: str) -> None:
        self._write("DELETE FROM notes WHERE uuid = ?", (uuid,))

    def put_verdict(self, v: VersionVerdict) -> None:
        self._write("INSERT OR REPLACE INTO verdicts (cue, version, verdict, comment, author, "
                    "changed) VALUES (?, ?, ?, ?, ?, ?)",
                    (v.cue, v.version, v.verdict.value, v.comment, v.author, v.changed))

    def add_thread_reply(self, thread: str, reply: Reply) -> None:
        self._write("INSERT INTO thread_replies (thread, author, created, text) "
                    "VALUES (?, ?, ?, ?)", (thread, reply.author, reply.created, reply.text))

    def send_to(self, dest: Path) -> None:
        """Send Back: a copy of the reply at ``dest``, whole or not at all."""
        dest = Path(dest)
        tmp = temp_beside(dest)
        try:
            out = sqlite3.connect(tmp)
            try:
                self.db.backup(out)
            finally:
                out.close()
            commit_file(tmp, dest)
        except (sqlite3.Error, OSError) as e:
            remove_quietly(tmp)
            raise ReviewFileError(f"{dest} could not be written: {describe(e)}") from None


def read_reply(path: Path) -> ReplyContent:
    """A reply from outside, checked (ReviewFileError in plain words if it is not one)."""
    path = Path(path)
    with open_untrusted(path, what="review reply", application_id=REPLY_APPLICATION_ID,
                        script=REPLY_SCHEMA, version=REPLY_VERSION,
                        max_bytes=MAX_REPLY_BYTES) as db:
        try:
            return _content(db)
        except (FormatError, ValueError, TypeError) as e:
            raise ReviewFileError(f"{path.name} is damaged: {printable(str(e), 200)}") from None


def _content(db: sqlite3.Connection) -> ReplyContent:
    meta = {k: v for k, v in db.execute(
        "SELECT key, value FROM meta WHERE length(value) <= ? AND length(key) <= 64",
        (MAX_NAME,)) if isinstance(k, str) and isinstance(v, str)}
    if meta.get("format") != FORMAT:
        raise FormatError("it does not say it is a review reply")
    for table in ("notes", "verdicts", "thread_replies"):
        (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
        if count > MAX_REVIEW_NOTES:
            raise FormatError(f"it holds more than {MAX_REVIEW_NOTES} {table}")
    long = db.execute(
        "SELECT 1 FROM notes WHERE length(text) > ? OR length(cue) > ? OR length(version) > ? "
        "OR length(author) > ? OR length(created) > ? OR length(edited) > ? OR length(uuid) > ? "
        "OR length(film_hash) > ? UNION ALL SELECT 1 FROM verdicts WHERE length(comment) > ? OR length(cue) > ? "
        "OR length(version) > ? OR length(author) > ? OR length(changed) > ? "
        "UNION ALL SELECT 1 FROM thread_replies WHERE length(text) > ? OR length(thread) > ? "
        "OR length(author) > ? OR length(created) > ? LIMIT 1",
        (MAX_TEXT,) + (MAX_NAME,) * 7 + (MAX_TEXT,) + (MAX_NAME,) * 4 + (MAX_TEXT,)
        + (MAX_NAME,) * 3).fetchone()
    if long is not None:
        raise FormatError("a note or a verdict is too long")
    notes = []
    for row in db.execute("SELECT uuid, cue, version, author, created, edited, text, frame, "
                          "end_frame, film_hash FROM notes ORDER BY frame, created, uuid"):
        d = dict(zip(("uuid", "cue", "version", "author", "created", "edited", "text"), row))
        d["film_hash"] = row[9]
        frame, end = row[7], row[8]
        if type(frame) is not int or not -_FRAME_BOUND < frame < _FRAME_BOUND:
            raise FormatError("a note's frame is not a frame")
        if end is not None and (type(end) is not int or not frame <= end < _FRAME_BOUND):
            raise FormatError("a note's range ends before it starts")
        notes.append(DirectorNote(
            text(d, "uuid", MAX_NAME), text(d, "cue", MAX_NAME), text(d, "version", MAX_NAME),
            text(d, "author", MAX_NAME), text(d, "created", MAX_NAME), text(d, "text", MAX_TEXT),
            frame, end, text(d, "edited", MAX_NAME), text(d, "film_hash", MAX_NAME)))
    verdicts = []
    for row in db.execute("SELECT cue, version, verdict, comment, author, changed "
                          "FROM verdicts ORDER BY cue, version"):
        d = dict(zip(("cue", "version", "verdict", "comment", "author", "changed"), row))
        if d["verdict"] not in _VERDICTS:
            raise FormatError("a verdict is neither approved, changes nor pending")
        verdicts.append(VersionVerdict(text(d, "cue", MAX_NAME), text(d, "version", MAX_NAME),
                                       _VERDICTS[d["verdict"]], text(d, "comment", MAX_TEXT),
                                       text(d, "author", MAX_NAME), text(d, "changed", MAX_NAME)))
    replies: dict[str, list[Reply]] = {}
    for row in db.execute("SELECT thread, author, created, text FROM thread_replies ORDER BY id"):
        d = dict(zip(("thread", "author", "created", "text"), row))
        replies.setdefault(text(d, "thread", MAX_NAME), []).append(
            Reply(text(d, "author", MAX_NAME), text(d, "created", MAX_NAME),
                  text(d, "text", MAX_TEXT)))
    return ReplyContent(meta.get("package_id", ""), meta.get("author", ""),
                        meta.get("film_hash", ""), tuple(notes), tuple(verdicts),
                        {k: tuple(v) for k, v in replies.items()})
