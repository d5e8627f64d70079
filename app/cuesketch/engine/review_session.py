"""The director's side of a review, as a plain controller: what the review window drives.

    session = ReviewSession.open(package_path, author="R. Smith", transport=transport)
    session.jump_to_cue(cue_id); session.play()
    session.select_version(cue_id, version_id)        # A/B, while playing, gapless
    session.add_note("Too busy under the dialogue")   # at the current frame
    session.set_verdict(version_id, Verdict.APPROVED, "lovely")
    session.send_back(Path("1M3-1M5.cuereply"))

The package is read once, checked (``store.review_package``), and closed; its audio is decoded
ahead in the background (the cue in view first) and placed on the ``ReviewPlayer``. Every note,
edit, deletion, verdict and reply goes to the reply journal in the user's data folder at once
(``store.review_reply.ReplyJournal``): nothing is lost to a crash, and the received package is
never written. Positions are the transport's flicks from the project start; a note's frame is
the frame showing at the position (``FrameRate.flicks_to_frame``), as the project counts it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from cuesketch import paths
from cuesketch.engine.review_audio import (Decodes, ReviewAudioError, ReviewPlayer,
                                           decode_opus)
from cuesketch.engine.transport import Transport
from cuesketch.model.review import (MAX_NAME, MAX_TEXT, DirectorNote, PackageCue, PackageInfo,
                                    PackageVersion, Reply, Thread, Verdict, VersionVerdict,
                                    new_uuid, now_text)
from cuesketch.store.review_package import PackageReader
from cuesketch.store.review_reply import ReplyJournal, read_reply
from cuesketch.store.review_schema import REPLY_SUFFIX, ReviewFileError
from cuesketch.timing.cues import cue_at
from cuesketch.timing.timecode import format_timecode, parse_timecode

Listener = Callable[[], None]
HEAD_S = 5  # seconds of the first cue decoded first, so that it plays at once


class ReviewError(RuntimeError):
    """What the director asked for that can't be done, in plain words."""


def journal_folder() -> Path:
    return paths.data_dir() / "reviews"




def check_author(author: str) -> str:
    """The name that signs notes and verdicts, as the reply's reader takes it: 1 to 200
    characters of text (ReviewError in plain words otherwise)."""
    name = author.strip()
    if not name or len(name) > MAX_NAME or not all(c.isprintable() for c in name):
        raise ReviewError(f"a name of 1 to {MAX_NAME} characters of plain text, please")
    return name


def reply_file_name(stem: str, author: str) -> str:
    """``STEM — AUTHOR.cuereply``, the name made safe for a file name on any system (the
    '/' of "R. Smith/J. Doe" is no folder) and short enough for one."""
    safe = "".join("-" if c in '/\\:*?"<>|' or not c.isprintable() else c for c in author)
    safe, stem = safe.strip(" .")[:60].strip(" ."), stem[:120]
    return f"{stem} — {safe}{REPLY_SUFFIX}" if safe else f"{stem}{REPLY_SUFFIX}"


class ReviewSession:
    def __init__(self, info: PackageInfo, audio: dict[int, bytes], journal: ReplyJournal, *,
                 author: str, transport: Transport | None = None,
                 player: ReviewPlayer | None = None, package_path: Path | None = None,
                 now: Callable[[], str] = now_text, decode_workers: int = 2) -> None:
        self.info = info
        self.package_path = package_path
        self.journal = journal
        self.author = check_author(author)
        self.transport = transport if transport is not None else Transport()
        self.player = player if player is not None else ReviewPlayer(self.transport)
        self.now = now
        self.rate = info.rate
        self._audio = audio
        self._listeners: list[Listener] = []
        self.problems: list[str] = []  # versions whose audio could not be decoded, said plainly
        self.film_only = False
        # the film on screen (``watching``); until told, the one the package was made with
        self.film_hash = info.film.content_hash if info.film else ""
        self.movie: bytes | None = None  # the package's preview movie (checked in size only)
        self.mark_in: int | None = None  # frames: an in-out range for the next note
        self.mark_out: int | None = None
        self.current_cue: int | None = info.cues[0].cue.id if info.cues else None
        self._selected: dict[int, int] = {}
        for pc in info.cues:
            if pc.versions:
                self._selected[pc.cue.id] = pc.versions[-1].id  # the newest: listed last
                self.player.select(pc.cue.id, pc.versions[-1].id)
        content = read_reply(journal.path)
        self.notes: dict[str, DirectorNote] = {n.uuid: n for n in content.notes}
        self.verdicts: dict[tuple[str, str], VersionVerdict] = {
            (v.cue, v.version): v for v in content.verdicts}
        self.thread_replies: dict[str, tuple[Reply, ...]] = dict(content.thread_replies)
        self._running = Decodes()
        self._pool = ThreadPoolExecutor(max_workers=decode_workers,
                                        thread_name_prefix="review-decode")
        self._decoding: dict[int, Future[None]] = {}
        self._heads: dict[int, Future[None]] = {}  # the first seconds of the cue in view
        self._lock = threading.Lock()
        self._closed = False
        first = self.cue(self.current_cue).versions if self.current_cue is not None else ()
        for v in first:  # its opening seconds first: playable at once, the rest follows
            self._heads[v.id] = self._pool.submit(self._decode_head, v)
        if info.cues:  # the review starts where the first cue does
            self.transport.seek(self.rate.frame_to_flicks(info.cues[0].cue.start_frame))
        order = sorted(info.cues, key=lambda c: c.cue.id != self.current_cue)
        for pc in order:
            for v in pc.versions:
                self._decode(v)

    @classmethod
    def open(cls, package: Path, *, author: str, journal_dir: Path | None = None,
             transport: Transport | None = None, player: ReviewPlayer | None = None,
             film_hash: str | None = None, now: Callable[[], str] = now_text) -> ReviewSession:
        """Open a package from outside (ReviewFileError in plain words if it is not one;
        ReviewError for a name the reply can't carry)."""
        author = check_author(author)
        with PackageReader.open(package) as reader:
            info = reader.info
            audio = {v.id: reader.audio(v.id) for pc in info.cues for v in pc.versions}
            movie = reader.movie()
        folder = journal_dir or journal_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ReviewFileError(f"the review can't be saved in {folder}: {e.strerror}") from None
        # The journal's name is ours (the package's id is checked text, but never a path).
        name = "".join(c for c in info.package_id if c.isalnum() or c == "-")[:64] or "review"
        watched = film_hash if film_hash is not None else (
            info.film.content_hash if info.film else "")
        journal = ReplyJournal(folder / f"{name}.cuereply", info.package_id, author, watched)
        try:
            session = cls(info, audio, journal, author=author, transport=transport,
                          player=player, package_path=Path(package), now=now)
        except BaseException:
            journal.close()
            raise
        session.movie = movie
        session.film_hash = watched
        return session

    def close(self) -> None:
        self._closed = True
        # Decodes still running are killed (their threads then end at once: the app's exit
        # joins them); those not started never start.
        self._running.kill_all()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.journal.close()

    def observe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- audio ---------------------------------------------------------------------------------
    def _decode_head(self, v: PackageVersion) -> None:
        rate = self.player.rate  # the device's may change while decoding: place() follows
        frames = min(round(v.audio_frames * rate / v.sample_rate), HEAD_S * rate)
        try:
            data = decode_opus(self._audio[v.id], frames, rate, running=self._running)
        except ReviewAudioError:
            return  # the whole decode says what is wrong
        if not self.player.placed(v.id):  # the whole one may have landed first
            self.player.place(v.id, v.audio_start, data, rate)

    def _decode(self, v: PackageVersion) -> None:
        def work() -> None:
            if self._closed:
                return
            rate = self.player.rate
            try:
                data = decode_opus(self._audio[v.id],
                                   max(1, round(v.audio_frames * rate / v.sample_rate)), rate,
                                   low_priority=True, running=self._running)
            except ReviewAudioError as e:
                if self._closed:
                    return  # stopped by close()
                cue = self.info.cue_of(v.id).cue.name
                self.problems.append(f"{cue} {v.name}: {e}")
                return
            head = self._heads.get(v.id)
            if head is not None:
                head.result()  # never replaced by its own opening seconds afterwards
            self.player.place(v.id, v.audio_start, data, rate)
        self._decoding[v.id] = self._pool.submit(work)

    def wait_playable(self, cue_id: int, timeout: float = 60.0) -> bool:
        """Block until the cue can start playing from its beginning (its versions' opening
        seconds decoded, or all of them)."""
        end = time.monotonic() + timeout
        for v in self.cue(cue_id).versions:
            future = self._heads.get(v.id) or self._decoding[v.id]
            try:
                future.result(max(0.0, end - time.monotonic()))
            except Exception:
                return False
        return True

    def wait_decoded(self, cue_id: int | None = None, timeout: float = 60.0) -> bool:
        """Block until a cue's versions (or all) are decoded (tests, the open figure)."""
        ids = [v.id for pc in self.info.cues for v in pc.versions
               if cue_id is None or pc.cue.id == cue_id]
        end = time.monotonic() + timeout
        for vid in ids:
            try:
                self._decoding[vid].result(max(0.0, end - time.monotonic()))
            except Exception:
                return False
        return True

    # -- the cues ------------------------------------------------------------------------------
    def cue(self, cue_id: int) -> PackageCue:
        for pc in self.info.cues:
            if pc.cue.id == cue_id:
                return pc
        raise ReviewError(f"there is no cue {cue_id} in this package")

    def selected_version(self, cue_id: int) -> PackageVersion | None:
        vid = self._selected.get(cue_id)
        return None if vid is None else self.info.version(vid)

    def select_version(self, cue_id: int, version_id: int) -> None:
        """A/B: hear ``version_id`` of the cue from the next audio block on, where it is."""
        if self.info.cue_of(version_id).cue.id != cue_id:
            raise ReviewError("that version belongs to another cue")
        self._selected[cue_id] = version_id
        self.player.select(cue_id, version_id)
        self._changed()

    def switch_version(self, step: int = 1) -> PackageVersion | None:
        """The A/B button: the next (or previous) version of the cue in view."""
        if self.current_cue is None:
            return None
        versions = self.cue(self.current_cue).versions
        current = self._selected.get(self.current_cue)
        ids = [v.id for v in versions]
        if not ids:
            return None
        i = (ids.index(current) + step) % len(ids) if current in ids else 0
        self.select_version(self.current_cue, ids[i])
        return versions[i]

    def set_film_only(self, on: bool) -> None:
        self.film_only = on
        self.player.set_muted(on)
        self._changed()

    # -- the transport -------------------------------------------------------------------------
    @property
    def position(self) -> int:
        return self.transport.position()

    @property
    def frame(self) -> int:
        """The frame showing (from the project start)."""
        return self.rate.flicks_to_frame(self.transport.position())

    def timecode(self, frame: int | None = None) -> str:
        return format_timecode(self.info.start_frame + (self.frame if frame is None else frame),
                               self.rate)

    def play(self) -> None:
        self.transport.play()
        self._changed()

    def stop(self) -> None:
        self.transport.stop()
        self._changed()

    def toggle(self) -> None:
        self.stop() if self.transport.playing else self.play()

    def seek(self, flicks: int) -> None:
        self.transport.seek(flicks)
        self._follow_cue(self.rate.flicks_to_frame(flicks))
        self._changed()

    def seek_frame(self, frame: int) -> None:
        self.seek(self.rate.frame_to_flicks(frame))

    def seek_timecode(self, text: str) -> None:
        """Go to a timecode as the project counts it (``01:00:12;04`` at 29.97 DF)."""
        from cuesketch.timing.timecode import TimecodeError
        try:
            frame = parse_timecode(text, self.rate) - self.info.start_frame
        except TimecodeError as e:
            raise ReviewError(str(e)) from None
        self.seek_frame(frame)

    def jump_to_cue(self, cue_id: int) -> None:
        pc = self.cue(cue_id)
        self.current_cue = cue_id
        self.seek_frame(pc.cue.start_frame)

    def loop_cue(self, on: bool) -> None:
        if not on or self.current_cue is None:
            self.transport.set_loop(None)
        else:
            c = self.cue(self.current_cue).cue
            self.transport.set_loop((self.rate.frame_to_flicks(c.start_frame),
                                     self.rate.frame_to_flicks(max(c.end_frame, c.start_frame + 1))))
        self._changed()

    @property
    def looping(self) -> bool:
        return self.transport.loop is not None

    def _follow_cue(self, frame: int) -> None:
        pc = self.cue_at(frame)
        if pc is not None:
            self.current_cue = pc.cue.id

    def cue_at(self, frame: int) -> PackageCue | None:
        """The cue at a frame by the app's one rule (``timing.cues``: the end is exclusive)."""
        found = cue_at([pc.cue for pc in self.info.cues], frame)
        return self.cue(found.id) if found is not None else None

    # -- notes ---------------------------------------------------------------------------------
    def set_in(self) -> None:
        self.mark_in = self.frame
        if self.mark_out is not None and self.mark_out < self.mark_in:
            self.mark_out = None
        self._changed()

    def set_out(self) -> None:
        self.mark_out = self.frame
        if self.mark_in is not None and self.mark_in > self.mark_out:
            self.mark_in = None
        self._changed()

    def clear_range(self) -> None:
        self.mark_in = self.mark_out = None
        self._changed()

    def _context(self, frame: int) -> tuple[str, str]:
        """The cue and version a note at ``frame`` is about: the cue there, or in view."""
        pc = self.cue_at(frame) or (self.cue(self.current_cue) if self.current_cue else None)
        if pc is None:
            return "", ""
        v = self.selected_version(pc.cue.id)
        return pc.cue.name, "" if v is None or self.film_only else v.name

    def add_note(self, text: str, *, frame: int | None = None,
                 end_frame: int | None = None) -> DirectorNote:
        """A note at ``frame`` (default: the frame showing, or the marked in-out range)."""
        text = _checked_text(text)
        if not self.author:
            raise ReviewError("say who you are first (your name goes with your notes)")
        if frame is None:
            if self.mark_in is not None and self.mark_out is not None:
                frame, end_frame = self.mark_in, self.mark_out
                self.mark_in = self.mark_out = None
            else:
                frame = self.frame
        if end_frame is not None and end_frame < frame:
            raise ReviewError("a range ends after it starts")
        cue, version = self._context(frame)
        note = DirectorNote(new_uuid(), cue, version, self.author, self.now(), text, frame,
                            end_frame, film_hash=self.film_hash)
        self.journal.put_note(note)
        self.notes[note.uuid] = note
        self._changed()
        return note

    def _own(self, uuid: str) -> DirectorNote:
        note = self.notes.get(uuid)
        if note is None:
            raise ReviewError("that note is gone")
        if note.author != self.author:
            raise ReviewError(f"that note is {note.author}'s: only they can change it")
        return note

    def edit_note(self, uuid: str, text: str | None = None, *, frame: int | None = None,
                  end_frame: int | None | bool = False) -> DirectorNote:
        """Change one of your notes (``end_frame=False``: keep its range as it is)."""
        note = self._own(uuid)
        new = replace(note, text=_checked_text(text) if text is not None else note.text,
                      frame=note.frame if frame is None else frame,
                      end_frame=note.end_frame if end_frame is False else end_frame,  # type: ignore[arg-type]
                      edited=self.now())
        if (new.frame, new.end_frame) != (note.frame, note.end_frame):
            new = replace(new, film_hash=self.film_hash)  # placed again, on this film
        if new.end_frame is not None and new.end_frame < new.frame:
            raise ReviewError("a range ends after it starts")
        self.journal.put_note(new)
        self.notes[uuid] = new
        self._changed()
        return new

    def delete_note(self, uuid: str) -> None:
        self._own(uuid)
        self.journal.delete_note(uuid)
        del self.notes[uuid]
        self._changed()

    def notes_sorted(self) -> list[DirectorNote]:
        return sorted(self.notes.values(), key=lambda n: (n.frame, n.created, n.uuid))

    # -- verdicts, replies ---------------------------------------------------------------------
    def verdict(self, version_id: int) -> VersionVerdict:
        v = self.info.version(version_id)
        cue = self.info.cue_of(version_id).cue.name
        return self.verdicts.get((cue, v.name), VersionVerdict(cue, v.name, Verdict.PENDING))

    def set_verdict(self, version_id: int, verdict: Verdict, comment: str = "") -> None:
        if not self.author:
            raise ReviewError("say who you are first (your name goes with your verdict)")
        v = self.info.version(version_id)
        cue = self.info.cue_of(version_id).cue.name
        if len(comment) > MAX_TEXT:
            raise ReviewError(f"a comment holds at most {MAX_TEXT} characters")
        judged = VersionVerdict(cue, v.name, verdict, comment.strip(), self.author, self.now())
        self.journal.put_verdict(judged)
        self.verdicts[(cue, v.name)] = judged
        self._changed()

    def reply_to(self, thread: Thread, text: str) -> None:
        reply = Reply(self.author, self.now(), _checked_text(text))
        self.journal.add_thread_reply(thread.uuid, reply)
        self.thread_replies[thread.uuid] = self.thread_replies.get(thread.uuid, ()) + (reply,)
        self._changed()

    def set_author(self, author: str) -> None:
        self.author = author = check_author(author)
        self.journal.set_author(author)
        self._changed()

    def watching(self, film_hash: str) -> None:
        """The film on screen is this one (the director's copy, found by name: maybe another
        cut); the reply says so, and each note placed from now on: the composer's import
        flags those written against another film than the project's."""
        self.film_hash = film_hash
        self.journal.set_film_hash(film_hash)

    def reply_path(self) -> Path:
        """Where the reply is offered to be written: beside the package, with your name."""
        base = self.package_path or Path.home() / "review.cuereview"
        return base.with_name(reply_file_name(base.stem, self.author))

    def send_back(self, dest: Path) -> None:
        """Write the reply to give the composer, whole or not at all."""
        self.journal.send_to(dest)


def _checked_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ReviewError("a note needs some words")
    if len(text) > MAX_TEXT:
        raise ReviewError(f"a note holds at most {MAX_TEXT} characters")
    return text
