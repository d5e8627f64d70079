"""Faults mid-take: what the app watches for while it runs, and what it does so nothing is lost.

    faults = FaultWatch(document, transport, recorder, audio=audio, journal=journal,
                        project_file=pf, post=status.post)
    faults.start()            # two watcher threads; they never touch the model
    ...                       # the GUI thread calls faults.service() about every 0.2 s
    faults.save_as(dest)      # Save As from memory: edits and takes, whatever the disk did

What it sees, and what follows (each said at once, in plain words, through ``post``):

- **A pause** (the computer slept, SIGSTOP): a stopped process gets SIGCONT when it runs
  again, and a computer that slept finds its boot-time clock ahead of the monotonic one (which
  stands still in sleep). A long gap between two of the watcher's 50 ms ticks alone is no
  proof: a thread holding the GIL (a JACK client opening) delays the tick as much. The pause
  is the longest gap between ticks just before. The recorder ends the notes held then where
  the pause began and places nothing inside it (``Recorder.on_gap``); the transport goes on
  forward (the audio re-cues to it), and stale note-ons are not sounded (the scheduler and
  the monitor drop them).
- **The audio device or server goes** (jackd killed): ``AudioOutput.watch`` (its own thread,
  since opening a driver may wait) lets it go, hands the transport to the monotonic clock from
  where the audio left it, falls back to the next driver or to silence, and re-attaches when
  the server answers again.
- **The disk fills**: the journal reserved its room when the take began, so the take goes on;
  the user is told when the free space runs low or a write fails. A take the project file
  refuses stays in memory (``Recorder.unlanded``) and ``service`` lands it once there is room
  again; ``save_as`` lands it in a copy on another disk.
- **The project's folder goes away** (the drive unplugged, the folder removed): everything is
  written from memory to a rescue copy in the user's data folder (``paths.data_dir()``), and
  the edits, the take and its journal go on there; the user is told where, and Save As takes
  it all wherever they like.

A MIDI keyboard that goes and comes back is ``MidiInputs``' own watcher's (every 0.5 s).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from cuesketch import paths
from cuesketch.engine.audio_out import AudioOutput
from cuesketch.engine.clock import MonotonicClock, SystemClock
from cuesketch.engine.recorder import Recorder, TakeResult
from cuesketch.engine.transport import NS_PER_SECOND, Transport
from cuesketch.model.document import Document
from cuesketch.store.journal import Journal
from cuesketch.store.project_file import ProjectFile, ProjectFileError

RESCUE_FOLDER = "rescued"


def rescue_path(project_path: Path, when: float | None = None) -> Path:
    """Where a project whose folder went away is kept: the user's data folder, ``rescued/``."""
    stamp = time.strftime("%Y-%m-%d %H.%M.%S", time.localtime(when))
    folder = paths.data_dir() / RESCUE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{Path(project_path).stem} (rescued {stamp}){Path(project_path).suffix}"


def on_stop_signals(stop: Callable[[], object]) -> None:
    """SIGTERM (the system, a logout) and SIGHUP (the terminal or session went) call ``stop``
    on the main thread, which must land the take before the process ends. Qt's loop hides
    Python's signals: the window keeps a timer ticking so that the handler runs."""
    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop()
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, handler)
            signal.siginterrupt(sig, False)  # libjack must not see its reads interrupted


def _asleep_ns() -> int:
    """How long the computer has slept since it started: the boot-time clock runs in sleep,
    the monotonic one does not (0 where there is no boot-time clock)."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is None:
        return 0
    return time.clock_gettime_ns(boottime) - time.monotonic_ns()


# A failed look at the project file that says it is not there (a network share adds its own)
GONE_ERRORS = frozenset(getattr(errno, name) for name in (
    "ENOENT", "ENOTDIR", "ENODEV", "ENXIO", "EIO", "ESTALE", "ENOTCONN", "EHOSTDOWN", "ENOMEDIUM",
    "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN")
    if hasattr(errno, name))  # (ENOMEDIUM is Linux's)


def _low(free: int) -> bool:
    return free < FaultWatch.LOW_SPACE


class FaultWatch:
    TICK_S = 0.05  # the pause detector's tick
    GAP_S = 1.0  # a pause shorter than this is not one (a tick late for the GIL)
    GAP_WINDOW_S = 3.0  # ticks kept to find where a pause began once it is known to be one
    LOOK_EVERY_S = 0.25  # the disk's free space, the project's folder, the journal
    GONE_AFTER_LOOKS = 2  # looks in a row that find the folder gone (one failed look, a
    # network share's hiccup, is not the drive unplugged; a file another program put in the
    # project's place is seen again on the next look, and then it is the same as gone: the
    # project goes on in a rescue copy rather than into a file nobody can see)
    AUDIO_EVERY_S = 0.1
    RETRY_EVERY_S = 1.0  # landing a take the file refused
    LOW_SPACE = 512 * 1024  # bytes: below this, the disk counts as full

    def __init__(self, document: Document, transport: Transport, recorder: Recorder | None,
                 *, audio: AudioOutput | None = None, journal: Journal | None = None,
                 project_file: ProjectFile | None = None, post: Callable[[str], None] | None = None,
                 clock: MonotonicClock | None = None,
                 moved: Callable[[ProjectFile, Journal], None] | None = None) -> None:
        """``moved``: told when the project goes on in another file (rescue, Save As)."""
        self.document = document
        self.transport = transport
        self.recorder = recorder
        self.audio = audio
        self.journal = journal
        self.project_file = project_file
        self.post = post or (lambda _text: None)
        self.clock = clock or transport.clock
        self.moved = moved
        self.gaps: list[tuple[int, int]] = []  # (from, to) monotonic ns: pauses seen
        self.disk_full = False
        self.folder_gone = False
        self.rescued: Path | None = None  # where the project went on after its folder went
        self._identity = self._stat()
        self._gone_looks = 0  # looks in a row that found the project's file gone
        self._rescue_wanted = threading.Event()
        self._last_retry = 0.0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._continued = threading.Event()  # SIGCONT came: the process was stopped

    @property
    def standing(self) -> str | None:
        """The fault that lasts, in a few words for the status bar; None when all is well."""
        audio = self.audio
        if self.folder_gone:
            return "Project folder gone: keeping everything"
        if self.disk_full:
            return ("Disk full: the take is kept in memory" if self._taking()
                    else "Disk full: free some space, or use Save As")
        if self.recorder is not None and self.recorder.unlanded:
            return "A take waits to be saved"
        if self.rescued is not None and self.project_path == self.rescued:
            return "Working in a rescue copy: use Save As"
        if audio is not None and audio.lost is not None:
            return (f"Audio server ({audio.lost}) gone: "
                    + (f"sound through {audio.driver}" if audio.driver else "playing silently"))
        return None

    def _taking(self) -> bool:
        recorder = self.recorder
        return recorder is not None and (recorder.active or bool(recorder.unlanded))

    @property
    def needs_save_as(self) -> bool:
        """Save As must write from memory: the file on disk is not all there is."""
        return (self.disk_full or self.folder_gone or self.rescued is not None
                or bool(self.recorder is not None and self.recorder.unlanded))

    @property
    def only_in_memory(self) -> bool:
        """Closing now would lose something: a take the file refused, or a project whose
        folder went and no rescue copy could be made. (An edit the disk refuses is taken back
        at once, so a full disk alone loses nothing; a rescue copy is on disk.)"""
        return bool(self.recorder is not None and self.recorder.unlanded) or self.folder_gone

    def rescue_now(self) -> Path | None:
        """Before a close nobody can be asked about (the system ending the session): what is
        only in memory is written to a rescue copy in Cuesketch's folder. GUI thread; where
        it went, or None when nothing needed it or it could not be written."""
        path = self.project_path
        if path is None or not self.only_in_memory:
            return None
        try:
            return self.save_as(rescue_path(path))
        except (ProjectFileError, OSError):
            return None

    @property
    def project_path(self) -> Path | None:
        return self.project_file.path if self.project_file is not None else None

    # -- lifetime ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGCONT"):
            signal.signal(signal.SIGCONT, lambda _s, _f: self._continued.set())
            # Restart the system calls it lands in: libjack takes an interrupted read of its
            # server's socket for the server gone, and drops every JACK client of the app.
            signal.siginterrupt(signal.SIGCONT, False)
        self._threads = [threading.Thread(target=self._watch, name="fault watch", daemon=True)]
        if self.audio is not None:
            self._threads.append(threading.Thread(target=self._watch_audio, name="audio watch",
                                                  daemon=True))
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(5)
        self._threads = []

    # -- the watcher threads (no model) ------------------------------------------------------
    def _watch(self) -> None:
        ticks: deque[int] = deque(maxlen=int(self.GAP_WINDOW_S / self.TICK_S))
        slept = _asleep_ns()
        next_look = 0
        while not self._stop.wait(self.TICK_S):
            now = self.clock.now_ns()
            ticks.append(now)
            asleep = _asleep_ns()
            gap = self.pause_in(ticks, asleep - slept, self._continued.is_set())
            if gap is not None:
                self._paused(*gap, asleep - slept)
            if gap is not None or self._continued.is_set():
                self._continued.clear()
                ticks.clear()
                ticks.append(now)
            slept = asleep
            if now >= next_look:
                next_look = now + int(self.LOOK_EVERY_S * NS_PER_SECOND)
                try:
                    self._look_at_disk()
                except Exception as e:  # the watcher outlives a surprise
                    print(f"cuesketch: fault watch: {e!r}", file=sys.stderr)

    @classmethod
    def pause_in(cls, ticks: Sequence[int], slept_ns: int,
                 continued: bool) -> tuple[int, int] | None:
        """Where a pause lay (monotonic start, end), from the watch's latest ``ticks`` (the
        last is now): a sleep stops the monotonic clock, so it fell between the last two ticks;
        after SIGCONT it is the longest gap between ticks, if that is long enough to be one."""
        if len(ticks) < 2:
            return None
        if slept_ns > cls.GAP_S * NS_PER_SECOND:
            return ticks[-2], ticks[-1]
        if continued:
            gap = max(zip(ticks, list(ticks)[1:]), key=lambda g: g[1] - g[0])
            if gap[1] - gap[0] > cls.GAP_S * NS_PER_SECOND:
                return gap
        return None

    def _watch_audio(self) -> None:
        while not self._stop.wait(self.AUDIO_EVERY_S):
            audio = self.audio  # Preferences may put another output in its place
            if audio is None:
                continue
            try:
                said = audio.watch()
            except Exception as e:
                said = None
                print(f"cuesketch: audio watch: {e!r}", file=sys.stderr)
            if said:
                self.post(said)

    def _paused(self, start_ns: int, end_ns: int, asleep_ns: int = 0) -> None:
        self.gaps.append((start_ns, end_ns))
        recording = self.recorder is not None and self.recorder.active
        if self.recorder is not None:
            self.recorder.on_gap(start_ns, end_ns)
        seconds = (end_ns - start_ns + max(asleep_ns, 0)) / NS_PER_SECOND
        self.post(f"Cuesketch was paused for {seconds:.1f} s (the computer slept, or the "
                  "system stopped it): play goes on from here"
                  + ("; the take goes on, nothing was recorded during the pause"
                     if recording else ""))

    def _stat(self) -> tuple[int, int] | None:
        found = self._look_for_file()
        return found if isinstance(found, tuple) else None

    def _look_for_file(self) -> tuple[int, int] | int | None:
        """The project file's identity (device, inode), or the error number of a failed
        look; None without a file."""
        path = self.project_path
        if path is None:
            return None
        try:
            st = os.stat(path)
        except OSError as e:
            return e.errno or errno.EIO
        return st.st_dev, st.st_ino

    def _look_at_disk(self) -> None:
        path = self.project_path
        if path is None or self.folder_gone:
            return  # gone: the rescue (``service``) brings the watch to the copy
        if self._identity is not None:
            found = self._look_for_file()
            if isinstance(found, tuple) and found == self._identity:
                self._gone_looks = 0
            elif isinstance(found, tuple) or found in GONE_ERRORS:
                self._gone_looks += 1  # another file in its place, or no file at all
            # else (no permission, the system busy): this look can't tell
            if self._gone_looks >= self.GONE_AFTER_LOOKS:
                self.folder_gone = True
                self._rescue_wanted.set()
                self.post(f"The folder of {path.name} is gone (was its drive unplugged?). "
                          "Nothing is lost: your edits and the take are kept, and go on in a "
                          "copy in Cuesketch's own folder; use Save As to put it where you want")
                return
        try:
            free = shutil.disk_usage(path.parent).free
        except OSError:
            return
        journal_error = self.journal.error if self.journal is not None else None
        full = _low(free) or bool(journal_error and "No space" in journal_error)
        if full and not self.disk_full:
            self.disk_full = True
            self.post(f"The disk holding {path.name} is full: " + (
                "the take goes on in memory and nothing is lost. Free some space and it is "
                "saved by itself" if self._taking() else
                "edits may not be saved until there is room. Free some space")
                + ", or use Save As to put the project on another disk")
        elif not full and self.disk_full and free >= 2 * self.LOW_SPACE:
            self.disk_full = False
            self.post(f"There is room on the disk again: {path.name} is saved as before")

    # -- the GUI thread ----------------------------------------------------------------------
    def service(self) -> None:
        """What must happen on the thread that owns the model: the rescue copy once the
        project's folder went, and landing takes the file refused. Not in the middle of a
        gesture (a drag): what it holds is not decided yet."""
        if self.document.gesture is not None:
            return
        if self._rescue_wanted.is_set():
            self._rescue_wanted.clear()
            path = self.project_path
            if path is not None:
                try:
                    dest = self.save_as(rescue_path(path))
                except (ProjectFileError, OSError) as e:
                    self.post(f"The project's folder is gone and no copy could be made in "
                              f"Cuesketch's folder ({e}): keep this window open and use "
                              "Save As onto another disk")
                else:
                    self.rescued = dest
                    self.post(f"{path.name} goes on in {dest}: use Save As to keep it where "
                              "you want")
        recorder = self.recorder
        now = time.monotonic()
        if recorder is not None and recorder.unlanded and (
                now - self._last_retry >= self.RETRY_EVERY_S):
            self._last_retry = now
            self._retry(recorder)

    def _retry(self, recorder: Recorder) -> list[TakeResult | None]:
        try:
            landed = recorder.retry_landing()
        except Exception:
            return []  # still no room: said already; tried again in a second
        notes = sum(r.notes for r in landed if r is not None)
        self.post(f"the take is saved now ({notes} note{'' if notes == 1 else 's'}; "
                  "one undo step)")
        return landed

    def save_as(self, dest: Path) -> Path:
        """Write the project as it is in memory (every edit, and takes the disk refused) to
        ``dest`` and go on there: the file, the journal, the takes. GUI thread."""
        dest = Path(dest)
        recorder = self.recorder
        ProjectFile.write_new(dest, self.document.project, overwrite=True)
        pf = ProjectFile.open(dest)
        old_pf, old_journal = self.project_file, self.journal
        self.document.sink = pf
        self.project_file = pf
        self._identity = self._stat()
        self._gone_looks = 0
        journal = Journal(dest)
        self.journal = journal
        if recorder is not None:
            recorder.move_journal(journal)
        for closing in (old_journal, old_pf):
            try:
                if closing is not None:
                    closing.close()
            except Exception:
                pass  # its disk is full or gone: nothing more to keep from it
        self.folder_gone = self.disk_full = False
        if recorder is not None and recorder.unlanded:
            self._retry(recorder)
        if self.moved is not None:
            self.moved(pf, journal)
        return dest
