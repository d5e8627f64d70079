"""One crash trial: the app records through a real JACK MIDI port and is SIGKILLed mid-take.

Shared by tests/test_crash_recording.py (a few trials) and tests/bench/bench_crash.py (the
``kill_trials_ok_ratio`` figure). Needs a JACK server (JACK_DEFAULT_SERVER chooses it; the
child inherits the environment).

The child (tests/crash_child.py) is the app: the demo project opened for writing, the engine
the composition root builds, a take started with the record key. This process is the player:
a virtual JACK MIDI keyboard playing random notes, telling the monotonic time it sent each
message; after a random 0.7-3 s it kills the child. Then, as the next start would, it opens
the project (writable: the killed instance's lock is stale) and recovers the take. Every note
whose note-on and note-off were both sent more than 0.5 s before the kill must be there, at
the transport position it was played at (within ``TOLERANCE``), with its pitch, velocity and
end; and nothing that was not played may appear. The child tells its transport's position
every 20 ms (``at T_NS POSITION``), so "the position it was played at" is the app's own clock,
which follows the audio device's samples, not an ideal one.

A failed trial leaves ``failure.json`` in its directory: what was sent, the child's clock, the
journal as the kill left it and what was recovered.
"""

from __future__ import annotations

import bisect
import json
import os
import queue
import shutil
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import mido

from cuesketch.app import open_document
from cuesketch.demo import ensure_demo
from cuesketch.model.entities import Note
from cuesketch.store.journal import journal_path, pending_takes, recover
from cuesketch.store.project_file import ProjectFile
from cuesketch.timing.units import FLICKS_PER_SECOND

CHILD = Path(__file__).resolve().with_name("crash_child.py")
KEYBOARD_BACKEND = "mido.backends.rtmidi/UNIX_JACK"
DUE_NS = 500_000_000  # notes ended this long before the kill must survive it
TOLERANCE = FLICKS_PER_SECOND // 50  # 20 ms: JACK dating (~1 period) and scheduling
READY_TIMEOUT_S = 60.0  # the child loads FluidR3 and joins JACK; slow on a busy machine
KILL_AFTER_S = (0.7, 3.0)
SETTLE_TIMEOUT_S = 15.0
START_ATTEMPTS = 3


@dataclass(frozen=True)
class Sent:
    """One note the player sent: monotonic ns of its note-on and note-off (None: still held
    when the player stopped)."""

    pitch: int
    velocity: int
    on_ns: int
    off_ns: int | None


@dataclass
class TrialResult:
    ok: bool
    played: int = 0  # notes sent before the kill
    due: int = 0  # of them, those ended more than 0.5 s before it: the ones checked
    recovered: int = 0  # notes the recovery landed
    kill_after_s: float = 0.0
    start_retries: int = 0  # starts JACK refused before the take began (not the app's doing)
    failure: str | None = None  # why not ok, in short
    problems: list[str] = field(default_factory=list)  # every finding


def _player(out: mido.ports.BaseOutput, rng: random.Random, stop: threading.Event,
            sent: list[Sent]) -> None:
    """A note every 40-80 ms, random pitch and velocity, held 20-50 ms, until ``stop``."""
    while not stop.is_set():
        pitch, velocity = rng.randrange(36, 97), rng.randrange(1, 128)
        interval = rng.uniform(0.04, 0.08)
        hold = rng.uniform(0.02, min(0.05, interval - 0.01))
        on_ns = time.monotonic_ns()
        out.send(mido.Message("note_on", note=pitch, velocity=velocity))
        if stop.wait(hold):
            sent.append(Sent(pitch, velocity, on_ns, None))
            out.send(mido.Message("note_off", note=pitch))  # after the kill: not checked
            return
        off_ns = time.monotonic_ns()
        out.send(mido.Message("note_off", note=pitch))
        sent.append(Sent(pitch, velocity, on_ns, off_ns))
        stop.wait(interval - hold)


def _lines(stream: Iterable[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line.strip())
    into.put(None)


def jack_ports() -> set[str]:
    """The JACK server's ports (``jack_lsp``; JACK_DEFAULT_SERVER chooses the server)."""
    try:
        listed = subprocess.run(["jack_lsp"], capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return set()
    return set(listed.stdout.split("\n")) - {""}


def _settle(before: set[str]) -> None:
    """Wait until the server has dropped the killed app's clients. Until it has, jackd
    stalls its graph and may refuse the next client ("Cannot open shm segment"): the next
    trial would be testing JACK's clean-up, not Cuesketch's."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while not jack_ports() <= before and time.monotonic() < deadline:
        time.sleep(0.05)


def _close(out: mido.ports.BaseOutput) -> None:
    """Close the keyboard, not waiting more than a few seconds on a stalled JACK server."""
    closer = threading.Thread(target=out.close, daemon=True)
    closer.start()
    closer.join(5)


Clock = list[tuple[int, int]]  # (monotonic ns, the child's transport position then), sorted


@dataclass
class _App:
    proc: subprocess.Popen[str]
    clock: Clock  # from its ``ready`` line on
    lines: queue.Queue[str | None]

    def read_clock(self) -> Clock:
        """Everything the (dead) child said about its clock."""
        while True:
            try:
                line = self.lines.get(timeout=2)
            except queue.Empty:
                break
            if line is None:
                break
            parts = line.split()
            if len(parts) == 3 and parts[0] == "at":
                self.clock.append((int(parts[1]), int(parts[2])))
        self.clock.sort()
        return self.clock


def position_on(clock: Clock, t_ns: int) -> int:
    """The child's transport position at ``t_ns``: between the two things it said around it
    (the transport holds a take's start until the device's first period is heard, and slews
    after a lost period: a straight line from the last report alone would miss both)."""
    i = max(bisect.bisect_right(clock, (t_ns, 1 << 62)) - 1, 0)
    at_ns, at_pos = clock[i]
    if i + 1 < len(clock) and at_ns <= t_ns:
        next_ns, next_pos = clock[i + 1]
        if next_ns > at_ns:
            return at_pos + (next_pos - at_pos) * (t_ns - at_ns) // (next_ns - at_ns)
    return at_pos + (t_ns - at_ns) * FLICKS_PER_SECOND // 1_000_000_000


def _start_app(path: Path, port: str, record_at: int, err_path: Path,
               before: set[str]) -> tuple[_App | None, str, int]:
    """The app, recording: (the app, its ``ready T_NS POSITION`` line, the starts it
    took), or (None, why not, ...). A start JACK refuses (it shares its shared-memory registry with every other JACK
    server of the machine, and loses segments when they come and go) is tried again: the
    trial is about what a kill does to a take, and no take has begun yet."""
    why = ""
    for attempt in range(1, START_ATTEMPTS + 1):
        with open(err_path, "w") as err:
            proc = subprocess.Popen([sys.executable, str(CHILD), str(path), port, str(record_at)],
                                    stdout=subprocess.PIPE, stderr=err, text=True)
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
        try:
            first = lines.get(timeout=READY_TIMEOUT_S)
        except queue.Empty:
            first = "not ready in time"
        if first is not None and first.startswith("ready "):
            _, t0, pos0 = first.split()
            return _App(proc, [(int(t0), int(pos0))], lines), first, attempt
        proc.kill()
        proc.wait(10)
        _settle(before)
        tail = err_path.read_text(errors="replace")[-300:].strip()
        why = f"the app did not start a take: {first}; {tail}"
    return None, why, START_ATTEMPTS


def run_trial(workdir: Path, seed: int) -> TrialResult:
    """One trial in ``workdir`` (made if missing); never raises for a failed trial."""
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    path = ensure_demo(workdir / "crash.cuesketch")
    record_at = rng.randrange(0, 50 * FLICKS_PER_SECOND)
    kill_after = rng.uniform(*KILL_AFTER_S)
    client = f"cuesketch-crash-keys-{os.getpid()}-{seed}"
    before = jack_ports()
    out = mido.Backend(KEYBOARD_BACKEND).open_output("out", client_name=client)
    before.add(f"{client}:out")
    proc: subprocess.Popen[str] | None = None
    closed = False
    sent: list[Sent] = []
    try:
        app, ready, starts = _start_app(path, f"{client}:out", record_at,
                                        workdir / "child.err", before)
        if app is None:
            return TrialResult(False, start_retries=starts - 1, failure=ready)
        proc = app.proc
        stop = threading.Event()
        player = threading.Thread(target=_player, args=(out, random.Random(seed + 1), stop, sent))
        player.start()
        time.sleep(kill_after)
        # The keyboard stops and leaves JACK just before the kill: closing a JACK client while
        # the server is still reaping a killed one can block inside rtmidi with the GIL held.
        stop.set()
        player.join()
        _close(out)
        closed = True
        killed_ns = time.monotonic_ns()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    except Exception as e:  # the rig itself failed: a failed trial, said in short
        return TrialResult(False, failure=f"the trial could not run: {type(e).__name__}: {e}")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if not closed:
            _close(out)
        _settle(before - {f"{client}:out"})
    played = [s for s in sent if s.on_ns < killed_ns]
    clock = app.read_clock()
    result = TrialResult(True, played=len(played), kill_after_s=round(kill_after, 3),
                         start_retries=starts - 1)
    journal = journal_path(path)
    if journal.exists():
        shutil.copyfile(journal, workdir / "journal.at-kill")
    recovered: list[Note] = []
    try:
        recovered = check(path, played, killed_ns, clock, result)
    except Exception as e:  # opening or recovering raised: that is a failure of the app
        result.problems.append(f"raised {type(e).__name__}: {e}")
    result.ok = not result.problems
    result.failure = "; ".join(result.problems[:3]) or None
    if not result.ok:
        (workdir / "failure.json").write_text(json.dumps({
            "seed": seed, "killed_ns": killed_ns, "problems": result.problems,
            "sent": [[s.pitch, s.velocity, s.on_ns, s.off_ns, position_on(clock, s.on_ns)]
                     for s in played],
            "clock": clock,
            "recovered": [[n.pitch, n.velocity, n.start, n.end] for n in recovered],
        }, indent=1))
    return result


def check(path: Path, played: list[Sent], killed_ns: int, clock: Clock,
          result: TrialResult) -> list[Note]:
    """Open the project as the next start would, recover, and compare with what was played;
    findings go to ``result.problems``. Returns the notes recovered."""

    def position(t_ns: int) -> int:
        return position_on(clock, t_ns)

    document, pf, reason = open_document(path)
    try:
        if document.read_only:
            result.problems.append(f"the project opened read-only: {reason}")
            return []
        added = recover(pf, document)
    finally:
        pf.close()
    result.recovered = len(added)
    if pending_takes(path):
        result.problems.append("the journal still holds a take after recovery")
    with ProjectFile.open(path, read_only=True) as again:  # the restart after that one
        stored = again.load().notes
    if any(n.id not in stored for n in added):
        result.problems.append("recovered notes are not in the project file")

    free: dict[int, list[Note]] = {}
    for n in added:
        free.setdefault(n.pitch, []).append(n)
    due = [s for s in played if s.off_ns is not None and s.off_ns < killed_ns - DUE_NS]
    result.due = len(due)
    checked = set(due)
    for s in played:
        at = position(s.on_ns)
        candidates = [n for n in free.get(s.pitch, []) if abs(n.start - at) <= TOLERANCE]
        note = min(candidates, key=lambda n: abs(n.start - at), default=None)
        if note is not None:
            free[s.pitch].remove(note)
        if s not in checked:
            continue  # played within the last 0.5 s: may be lost, must not be invented
        before = (killed_ns - s.on_ns) / 1e9
        if note is None:
            result.problems.append(f"lost pitch {s.pitch} played {before:.2f} s before the kill")
            continue
        assert s.off_ns is not None
        end_error = (note.end - position(s.off_ns)) / FLICKS_PER_SECOND * 1000
        if abs(end_error) > TOLERANCE / FLICKS_PER_SECOND * 1000:
            result.problems.append(f"pitch {s.pitch} played {before:.2f} s before the kill "
                                   f"ends {end_error:+.0f} ms off")
        if note.velocity != s.velocity:
            result.problems.append(f"pitch {s.pitch} has velocity {note.velocity}, "
                                   f"played {s.velocity}")
    invented = [n for notes in free.values() for n in notes]
    if invented:
        result.problems.append(f"{len(invented)} recovered notes were never played "
                               f"(first: pitch {invented[0].pitch})")
    return added
