"""The transport clock against a real audio device (JACK's dummy backend, 48 kHz, 256 frames).

- ``transport_backsteps``: the transport started ``BENCH_TRANSPORT_STARTS`` times (1,000) with
  the audio device running, ``position()`` read every 0.5 ms for the first second of each; every
  ``BENCH_TRANSPORT_TAIL_EVERY``-th start (50th) is read on every 5 ms for 10 s more. Value:
  how many times the position decreased while playing (no loop set). Details: the reads, the
  largest step back (flicks), the largest speed seen between reads, the device's restarts
  and phase steps, and the re-cues of the audio.
- ``record_first_100ms_error_ms_max``: 500 takes; each starts with Record (no count-in) while
  another process plays 4 notes through a real JACK MIDI port at random moments of the first
  100 ms. Each note's recorded start against what was heard when it was sent: an offline
  least-squares fit of the device's samples against time over the callbacks of -0.5..+0.6 s
  around the take (non-causal, so it knows what the transport could not yet), from the sample
  the take started at. Takes where the device lost time (a step: no one line is true) are
  counted and left out, and so are notes whose sender was preempted between taking the time
  and sending (more than 0.5 ms: when it was sent is not known). JACK delivers MIDI at period starts and the input dates a message half
  a period back, so a note is placed within +-half a period (2.67 ms) of its truth plus the
  clock's error: the limit is the existing JACK figure's (period + 1 ms).
"""

from __future__ import annotations

import json
import os
import random
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "app"))

from cuesketch.engine.midi_input import JACK, MidiInputs  # noqa: E402
from cuesketch.engine.recorder import Recorder, RecordOptions  # noqa: E402
from cuesketch.timing.units import FLICKS_PER_SECOND  # noqa: E402

MS = FLICKS_PER_SECOND / 1000


def _server(prefix: str) -> Any:
    from jack_server import jack_server
    return jack_server(prefix)


def _read_for(transport: Any, seconds: float, every_s: float, stats: dict[str, Any]) -> None:
    end = time.monotonic() + seconds
    last_pos = transport.position()
    last_ns = time.monotonic_ns()
    last_at = transport.position_at(last_ns)
    while time.monotonic() < end:
        time.sleep(every_s)
        pos = transport.position()  # what the picture and the bar read
        stats["reads"] += 1
        if pos < last_pos:
            stats["backsteps"] += 1
            stats["largest_backstep_flicks"] = max(stats["largest_backstep_flicks"],
                                                   last_pos - pos)
        last_pos = pos
        # The speed from the mapping at known moments (position() reads its own clock).
        now = time.monotonic_ns()
        at = transport.position_at(now)
        if now > last_ns + 200_000:
            speed = (at - last_at) / ((now - last_ns) * FLICKS_PER_SECOND / 1e9)
            stats["max_speed"] = max(stats["max_speed"], round(speed, 3))
        last_at, last_ns = at, now


def figure_transport_backsteps() -> dict[str, Any]:
    from audio_rig import audio_rig
    starts = int(os.environ.get("BENCH_TRANSPORT_STARTS", "1000"))
    tail_every = int(os.environ.get("BENCH_TRANSPORT_TAIL_EVERY", "50"))
    rng = random.Random(11)
    stats: dict[str, Any] = {"reads": 0, "backsteps": 0, "largest_backstep_flicks": 0,
                             "max_speed": 0.0}
    with _server("cuesketch-bench-transport"), audio_rig() as rig:
        t = rig.transport
        t0 = time.monotonic()
        for i in range(starts):
            t.seek(rng.randrange(0, 600 * FLICKS_PER_SECOND))
            t.play()
            _read_for(t, 1.0, 0.0005, stats)
            if tail_every and i % tail_every == 0:
                _read_for(t, 10.0, 0.005, stats)
            t.stop()
            time.sleep(rng.uniform(0.0, 0.02))  # start at every phase of the period
        device = t.device
        return {"value": stats["backsteps"], "starts": starts, **stats,
                "device_restarts": device.restarts, "device_steps": device.steps,
                "audio_recues": t.recues, "device_ratio": round(device.ratio, 6),
                "callbacks": len(rig.output.log), "audio_errors": rig.output.errors,
                "seconds": round(time.monotonic() - t0, 1)}


# The keyboard: another process; told when a take starts, it plays 4 notes in its first 100 ms
# and says when it sent each.
SENDER = textwrap.dedent("""
    import json, random, sys, time
    import mido
    random.seed(int(sys.argv[2]))
    out = mido.Backend("mido.backends.rtmidi/UNIX_JACK").open_output("out", client_name=sys.argv[1])
    print("ready", flush=True)
    for line in sys.stdin:
        roll_ns, first_pitch = (int(x) for x in line.split())
        offsets = sorted(random.uniform(0.0, 0.1) for _ in range(4))
        sent = []
        for i, offset in enumerate(offsets):
            at = roll_ns + int(offset * 1e9)
            while time.monotonic_ns() < at - 1_000_000:
                time.sleep(0.0003)
            while time.monotonic_ns() < at:
                pass
            on = time.monotonic_ns()
            out.send(mido.Message("note_on", note=first_pitch + i, velocity=100))
            sent.append((on, time.monotonic_ns()))
        time.sleep(0.02)
        for i in range(4):
            out.send(mido.Message("note_off", note=first_pitch + i))
        print(json.dumps(sent), flush=True)
    out.close()
""")


def figure_record_first_100ms_error_ms_max() -> dict[str, Any]:
    from audio_rig import audio_rig
    from jack_keyboard import start_keyboard
    takes = int(os.environ.get("BENCH_FIRST_100MS_TAKES", "500"))
    errors: list[float] = []
    held = stepped = lost = unsure = 0
    worst: tuple[float, int, float] = (0.0, -1, 0.0)  # (signed ms, take, ms into the take)
    with _server("cuesketch-bench-first100"), audio_rig() as rig:
        transport, document = rig.transport, rig.document
        recorder = Recorder(document, transport)
        inputs = MidiInputs(api=JACK, client_name=f"CuesketchFirst{os.getpid()}")
        inputs.add_listener(recorder.on_event)
        client = f"cuesketch-first100-keys-{os.getpid()}"
        proc = start_keyboard(inputs, SENDER, client, "3")
        try:
            assert proc.stdout is not None and proc.stdin is not None
            time.sleep(0.3)
            runs = []
            for i in range(takes):
                start = (i + 1) * 2 * FLICKS_PER_SECOND
                transport.seek(start)
                pitch = 30 + (i % 16) * 4
                roll_ns = time.monotonic_ns() + 20_000_000
                proc.stdin.write(f"{roll_ns} {pitch}\n")
                proc.stdin.flush()
                while time.monotonic_ns() < roll_ns:
                    pass
                recorder.start(1, RecordOptions(early_grace=0))
                sent = json.loads(proc.stdout.readline())
                time.sleep(0.03)
                recorder.stop()
                cue = rig.transport.cues[-1] if rig.transport.cues else None
                runs.append((start, pitch, roll_ns, sent, cue))
                time.sleep(random.uniform(0.05, 0.15))  # takes start at every phase
            time.sleep(0.7)  # the last take's fit needs the callbacks after it
        finally:
            proc.stdin.close() if proc.stdin else None
            proc.wait(30)
            inputs.close()
        notes = list(document.project.notes.values())
        for take, (start, pitch, roll_ns, sent, cue) in enumerate(runs):
            fit = rig.heard_fit(roll_ns - 500_000_000, roll_ns + 600_000_000)
            if fit is None or cue is None or cue[1] != start:
                stepped += 1
                continue
            for i, (sent_ns, sent_after_ns) in enumerate(sent):
                if sent_after_ns - sent_ns > 500_000:
                    unsure += 1  # the keyboard was preempted while sending: when is unknown
                    continue
                placed = [n.start for n in notes if n.pitch == pitch + i
                          and start <= n.start < start + FLICKS_PER_SECOND]
                if len(placed) != 1:
                    lost += 1
                    continue
                truth = rig.truth(fit, cue, sent_ns)
                held += truth == start
                errors.append((placed[0] - truth) / MS)
                if abs(errors[-1]) > abs(worst[0]):
                    worst = (errors[-1], take, (sent_ns - roll_ns) / 1e6)
    period_ms = 256 / 48
    if not errors:
        raise RuntimeError(f"no note could be checked: {stepped} takes with a stepping device, "
                           f"{lost} notes lost")
    ordered = sorted(abs(e) for e in errors)
    return {"value": round(ordered[-1], 3), "notes": len(errors), "takes": takes,
            "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
            "mean_ms": round(sum(errors) / len(errors), 3),
            "beyond_half_period_plus_1ms": sum(abs(e) > period_ms / 2 + 1 for e in errors),
            "notes_before_first_sample_heard": held,
            "worst": {"error_ms": round(worst[0], 3), "take": worst[1],
                      "ms_after_record": round(worst[2], 1)},
            "notes_left_out_sender_preempted": unsure,
            "takes_left_out_device_stepped": stepped, "lost_notes": lost,
            "period_ms": round(period_ms, 3), "limit_ms": round(period_ms + 1, 3),
            "audio_recues": transport.recues, "device_steps": transport.device.steps}


if __name__ == "__main__":
    os.environ.setdefault("BENCH_TRANSPORT_STARTS", "20")
    os.environ.setdefault("BENCH_FIRST_100MS_TAKES", "20")
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "bench")]
    print(figure_record_first_100ms_error_ms_max())
    print(figure_transport_backsteps())
