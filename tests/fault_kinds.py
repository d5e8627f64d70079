"""Running fault trials of one kind (see tests/fault_trial.py for what each kind is and checks).

``run_kind(kind, workdir, trials, seed)`` runs ``trials`` trials; every kind but ``sigterm``
runs them all in one app process, a take each (the app must survive its faults and go on
recording); ``sigterm`` starts the app anew for each. Never raises for a failed trial.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

from crash_trial import TOLERANCE, _settle, jack_ports, position_on
from cuesketch.demo import ensure_demo
from cuesketch.store.journal import pending_takes
from cuesketch.timing.units import FLICKS_PER_SECOND
from fault_trial import (AFTER_S, BEFORE_S, BURST, DOWN_S, READY_TIMEOUT_S, SUSPEND_S, TOLD,
                         AudioServer, Child, FaultResult, Keyboard, check_notes, forward_only,
                         read_notes)

STOP_TIMEOUT_S = 15.0


def _project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return ensure_demo(folder / "fault.cuesketch")


def _begin(child: Child, rng: random.Random) -> tuple[int, int, int] | str:
    """Start a take at a random place: (monotonic ns, position, track id), or why not."""
    mark = len(child.other)
    child.send(f"take {rng.randrange(0, 50 * FLICKS_PER_SECOND)}")
    line = child.wait_line("rec ", 15, mark)
    if line is None:
        return f"the take did not start: {child.other[mark:][-1:]}"
    _, t, pos, track = line.split()
    with child.lock:
        child.clock[:] = [c for c in child.clock if c[0] >= int(t)]
    return int(t), int(pos), int(track)


def _stop(child: Child, result: FaultResult) -> str | None:
    mark = len(child.other)
    child.stop_ns = time.monotonic_ns()
    child.send("stop")
    line = child.wait_line("stopped ", STOP_TIMEOUT_S, mark)
    if line is None:
        result.problems.append("the app did not stop the take (is it still running?)")
    return line


def _first_heard(child: Child, since_ns: int, timeout: float) -> int | None:
    """When the first note-on after ``since_ns`` reached the recorder (None: none did)."""
    deadline = time.monotonic() + timeout
    with child.lock:
        while True:
            first = next((t for t, _ in child.heard if t >= since_ns), None)
            left = deadline - time.monotonic()
            if first is not None or left <= 0:
                return first
            child.lock.wait(left)


def _told(child: Child, kind: str, since: int, result: FaultResult) -> None:
    if child.told(TOLD[kind], since) is None:
        result.problems.append(f"the user was not told (no '{TOLD[kind]}')")


def _check_file(result: FaultResult, child: Child, path: Path, track: int, keys: Keyboard,
                fault_ns: int, start_pos: int) -> None:
    with child.lock:
        clock = list(child.clock)
    end = position_on(clock, child.stop_ns) if clock else start_pos
    try:
        notes, _ = read_notes(path, track)
    except Exception as e:
        result.problems.append(f"the project could not be read: {type(e).__name__}: {e}")
        return
    check_notes(result, notes, keys.sent, fault_ns, clock, start_pos, end)
    if result.problems or result.timing:  # what was sent and heard, for the failure's file
        with child.lock:
            result.detail = {
                "fault_ns": fault_ns, "start_pos": start_pos, "end": end,
                "sent": [[s.pitch, s.on_ns, s.off_ns, position_on(clock, s.on_ns)]
                         for s in keys.sent],
                "notes": [[n.pitch, n.start, n.end] for n in notes if n.start >= start_pos],
                "status": child.status[-8:], "heard": child.heard[-80:]}


def _trial(kind: str, child: Child, keys: Keyboard, rng: random.Random, workdir: Path,
           audio: AudioServer | None, index: int) -> FaultResult:
    result = FaultResult(kind)
    keys.sent.clear()
    begun = _begin(child, rng)
    if isinstance(begun, str):
        result.problems.append(begun)
        return result
    _, start_pos, track = begun
    keys.play()
    time.sleep(rng.uniform(*BEFORE_S))
    fault_ns = time.monotonic_ns()
    project = child.path
    if kind == "midi":
        keys.unplug()
        fault_ns = time.monotonic_ns()
        _told(child, kind, fault_ns - 10**9, result)
        time.sleep(rng.uniform(*DOWN_S))
        keys.plug()
        back = time.monotonic_ns()
        keys.play()
        first = _first_heard(child, back, 5.0)
        time.sleep(AFTER_S)
        if first is None:
            result.problems.append("nothing was recorded through the keyboard after it came back")
        else:
            result.recovery_s = (first - back) / 1e9
    elif kind == "audio":
        assert audio is not None
        audio.kill()
        fault_ns = time.monotonic_ns()
        keys.unplug()  # its client died with the server
        _told(child, kind, fault_ns, result)
        time.sleep(rng.uniform(*DOWN_S))
        mark = len(child.other)
        back = audio.start()
        back_ns = int(back * 1e9)
        keys.plug()
        keys.play()
        line = child.wait_line("reattached ", 5, mark)
        first = _first_heard(child, back_ns, 5.0)
        time.sleep(AFTER_S)
        with child.lock:  # from just before the fault (a take's start holds for the device)
            forward_only(result, [c for c in child.clock if c[0] >= fault_ns - 200_000_000],
                         smooth=True)
        if line is None:
            result.problems.append("the app did not go back to the audio server")
        elif first is None:
            result.problems.append("nothing was recorded through the server after it came back")
        else:
            result.recovery_s = (max(first, int(line.split()[1])) - back_ns) / 1e9
    elif kind == "disk":
        filler = child.disk_root() / str(project.parent).lstrip("/") / "filler"
        try:
            with open(filler, "wb") as f:
                while True:
                    f.write(bytes(64 * 1024))
                    f.flush()
        except OSError:
            pass
        fault_ns = time.monotonic_ns()
        _told(child, kind, fault_ns - 10**9, result)
        time.sleep(AFTER_S)
        keys.stop()
        line = _stop(child, result)
        filler.unlink()
        freed = time.monotonic()
        if line is not None and line.startswith("stopped ERROR"):
            saved = child.told("the take is saved now", time.monotonic_ns() - 10**9, 5)
            if saved is None:
                result.problems.append("the take did not land once there was room again")
            else:
                result.recovery_s = max(0.0, saved / 1e9 - freed)
        elif line is not None:
            result.problems.append(f"the take landed on a full disk? {line}")
        _check_file(result, child, child.disk_root() / str(project).lstrip("/"), track, keys,
                    fault_ns, start_pos)
        return result
    elif kind == "gone":
        shutil.rmtree(project.parent)
        fault_ns = time.monotonic_ns()
        _told(child, kind, fault_ns, result)
        time.sleep(AFTER_S)
        child.send("edit")
    elif kind == "suspend":
        os.kill(child.proc.pid, signal.SIGSTOP)
        fault_ns = time.monotonic_ns()
        time.sleep(SUSPEND_S)
        os.kill(child.proc.pid, signal.SIGCONT)
        resumed = time.monotonic_ns()
        _told(child, kind, fault_ns, result)
        time.sleep(AFTER_S)
    keys.stop()
    line = _stop(child, result)
    if line is not None and not line.startswith("stopped OK"):
        result.problems.append(f"the take did not land: {line}")
    if kind == "suspend":
        _check_pause(result, child, fault_ns, resumed, track, start_pos)
    if kind == "gone":
        rescue = child.path
        if rescue == project:
            result.problems.append("no rescue copy was made")
        _check_file(result, child, rescue, track, keys, fault_ns, start_pos)
        dest = workdir / f"drive{index + 1}" / "fault.cuesketch"
        dest.parent.mkdir(parents=True, exist_ok=True)
        mark = len(child.other)
        child.send(f"saveas {dest}")
        if child.wait_line("saved ", 15, mark) is None:
            result.problems.append("Save As elsewhere failed")
        else:
            child.path = dest
            _, names = read_notes(dest, track)
            if "Edited after" not in names:
                result.problems.append("the edit made after the folder went is not in Save As")
            _check_file(result, child, dest, track, keys, fault_ns, start_pos)
        return result
    _check_file(result, child, project, track, keys, fault_ns, start_pos)
    return result


def _check_pause(result: FaultResult, child: Child, stopped: int, resumed: int, track: int,
                 start_pos: int) -> None:
    with child.lock:
        clock = list(child.clock)
        sounded = [t for t in child.sounded if resumed <= t < resumed + 300_000_000]
    forward_only(result, clock, smooth=False)
    if len(sounded) > BURST:
        result.problems.append(f"{len(sounded)} notes sounded at once after the pause")
    g0, g1 = position_on(clock, stopped), position_on(clock, resumed)
    notes, _ = read_notes(child.path, track)
    taken = [n for n in notes if n.start >= start_pos]
    inside = [n for n in taken if g0 + TOLERANCE < n.start < g1 - TOLERANCE]
    across = [n for n in taken if n.start < g0 and n.end > g1 - TOLERANCE]
    if inside:
        result.problems.append(f"{len(inside)} notes placed into the pause")
    if across:
        result.problems.append(f"{len(across)} notes held across the pause")


def _sigterm_trial(workdir: Path, keys: Keyboard, rng: random.Random) -> FaultResult:
    result = FaultResult("sigterm")
    project = _project(workdir / "project")
    child = Child(project, keys.port, workdir / "child.err")
    try:
        if child.wait_line("ready", READY_TIMEOUT_S) is None:
            result.problems.append(f"the app did not start: {child.other[-1:]}")
            return result
        keys.sent.clear()
        begun = _begin(child, rng)
        if isinstance(begun, str):
            result.problems.append(begun)
            return result
        _, start_pos, track = begun
        keys.play()
        time.sleep(rng.uniform(*BEFORE_S))
        fault_ns = time.monotonic_ns()
        os.kill(child.proc.pid, signal.SIGTERM)
        time.sleep(0.1)
        keys.stop()
        try:
            code = child.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            result.problems.append("the app did not exit after SIGTERM")
            return result
        child.stop_ns = time.monotonic_ns()  # the take ended as the process did
        if code != 0 or child.wait_line("closed", 2) is None:
            result.problems.append(f"the app did not close cleanly (exit {code})")
        if pending_takes(project):
            result.problems.append("the take was left in the journal, not landed")
        _check_file(result, child, project, track, keys, fault_ns, start_pos)
        return result
    finally:
        child.close()


def run_kind(kind: str, workdir: Path, trials: int, seed: int = 0) -> list[FaultResult]:
    """``trials`` trials of ``kind`` in ``workdir``; a failed trial leaves ``failures.json``."""
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    audio: AudioServer | None = None
    saved_server = os.environ.get("JACK_DEFAULT_SERVER")
    if kind == "audio":  # a JACK server of its own, for everything: the trial kills it
        audio = AudioServer(f"cuesketch-fault-jack-{os.getpid()}-{seed}")
        audio.start()
        os.environ["JACK_DEFAULT_SERVER"] = audio.name
    before = jack_ports()
    keys = Keyboard(f"cuesketch-fault-keys-{kind}-{os.getpid()}-{seed}", seed)
    child: Child | None = None
    results: list[FaultResult] = []
    try:
        if kind == "sigterm":
            for i in range(trials):
                results.append(_sigterm_trial(workdir / f"trial{i}", keys, rng))
                _settle(before | {keys.port})
            return _finish(results, workdir)
        env = dict(os.environ)
        env["XDG_DATA_HOME"] = str(workdir / "data")
        source = None
        if kind == "disk":
            source = _project(workdir / "source")
            project = workdir / "disk" / "fault.cuesketch"
            project.parent.mkdir(parents=True, exist_ok=True)
        elif kind == "gone":
            project = _project(workdir / "drive0")
        else:
            project = _project(workdir / "project")
        child = Child(project, keys.port, workdir / "child.err", source, env)
        if child.wait_line("ready", READY_TIMEOUT_S) is None:
            err = (workdir / "child.err").read_text(errors="replace")[-300:]
            return [FaultResult(kind, problems=[f"the app did not start: {child.other[-1:]} "
                                                f"{err}"])] * trials
        for i in range(trials):
            if child.proc.poll() is not None:
                results.append(FaultResult(kind, problems=["the app is not running any more"]))
                continue
            try:
                result = _trial(kind, child, keys, rng, workdir, audio, i)
            except Exception as e:  # the rig failed: a failed trial, said in short
                result = FaultResult(kind, problems=[f"the trial could not run: "
                                                     f"{type(e).__name__}: {e}"])
            if child.proc.poll() is not None:
                result.problems.append("the app died")
            results.append(result)
        return _finish(results, workdir)
    finally:
        keys.unplug()
        if child is not None:
            child.close()
        if audio is not None:
            audio.stop()
            if saved_server is None:
                os.environ.pop("JACK_DEFAULT_SERVER", None)
            else:
                os.environ["JACK_DEFAULT_SERVER"] = saved_server
        else:
            _settle(before)


def _finish(results: list[FaultResult], workdir: Path) -> list[FaultResult]:
    for r in results:
        r.ok = not r.problems and not r.timing
        r.failure = "; ".join([*r.problems, *r.timing][:3]) or None
    failed = [{"kind": r.kind, "problems": r.problems, "timing": r.timing, **r.detail}
              for r in results if not r.ok]
    if failed:
        (workdir / "failures.json").write_text(json.dumps(failed, indent=1))
    return results
