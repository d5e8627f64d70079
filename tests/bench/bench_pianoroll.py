"""Piano roll figures: a full repaint of a 1920x1080 roll over a 100,000-note, two-hour project
(zoomed out to ten minutes of its densest part, and zoomed in), and the frame rate while it
follows playback with the view scrolling under the playhead."""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from cuesketch.engine.clock import FakeClock  # noqa: E402
from cuesketch.engine.transport import Transport  # noqa: E402
from cuesketch.model.document import Document  # noqa: E402
from cuesketch.model.entities import Cue, Hit, HitKind, Note, Track  # noqa: E402
from cuesketch.model.project import Project  # noqa: E402
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC  # noqa: E402

NOTES = 100_000
HOURS = 2
DENSE = (60 * 60 * SEC, 70 * 60 * SEC)  # minutes 60-70 hold three times the density
TRACKS = [("Strings", "#4f9dde", 48, 84), ("Brass", "#e0a040", 40, 72),
          ("Woodwinds", "#a0d060", 60, 96), ("Perc", "#d06060", 36, 52),
          ("Piano", "#c080e0", 28, 100), ("Choir", "#60c0c0", 52, 80),
          ("Synth", "#e0e060", 36, 90), ("Bass", "#f08080", 24, 48)]


def big_project(seed: int = 1) -> Project:
    """100,000 notes over two hours in eight tracks, 500 hits, 60 cues."""
    rng = np.random.default_rng(seed)
    span = HOURS * 3600 * SEC
    weights_dense = 3.0
    dense_len = DENSE[1] - DENSE[0]
    # pick starts: a share in the dense part so its density is three times the rest
    share = weights_dense * dense_len / (span - dense_len + weights_dense * dense_len)
    n_dense = int(NOTES * share)
    starts = np.concatenate([rng.integers(DENSE[0], DENSE[1], n_dense),
                             rng.integers(0, span - dense_len, NOTES - n_dense)])
    starts = np.where((starts >= DENSE[0]) & (np.arange(NOTES) >= n_dense), starts + dense_len, starts)
    durations = rng.integers(SEC // 10, 2 * SEC, NOTES)
    track_of = rng.integers(0, len(TRACKS), NOTES)
    entities: list[object] = [Track(i + 1, name, color=color, order=i)
                              for i, (name, color, _, _) in enumerate(TRACKS)]
    lows = np.array([t[2] for t in TRACKS])
    highs = np.array([t[3] for t in TRACKS])
    pitches = lows[track_of] + (rng.random(NOTES) * (highs - lows)[track_of]).astype(int)
    velocities = rng.integers(30, 127, NOTES)
    for i in range(NOTES):
        entities.append(Note(i + 1, int(track_of[i]) + 1, int(starts[i]), int(durations[i]),
                             int(pitches[i]), int(velocities[i])))
    project = Project()
    rate = project.settings.rate
    frames = HOURS * 3600 * 24
    for k, f in enumerate(sorted(rng.integers(0, frames, 500).tolist())):
        entities.append(Hit(k + 1, int(f), f"hit {k + 1}", list(HitKind)[k % 4]))
    for k in range(60):
        start = k * frames // 60
        entities.append(Cue(k + 1, f"{k // 10 + 1}M{k % 10 + 1}", start + 24 * 10,
                            start + frames // 60 - 24 * 20))
    project.load(project.settings, entities)  # type: ignore[arg-type]
    assert rate.fps == 24
    return project


class _PaintCounter:
    """Counts the paint events the note area receives (so a figure can't time a no-op)."""

    def __init__(self, widget) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import QEvent, QObject

        class Filter(QObject):
            count = 0

            def eventFilter(self, obj, event):  # type: ignore[no-untyped-def] # noqa: N802
                if event.type() == QEvent.Type.Paint:
                    Filter.count += 1
                return False
        self.filter = Filter()
        widget.installEventFilter(self.filter)

    @property
    def count(self) -> int:
        return self.filter.count


def _roll(project: Project):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from cuesketch.ui.piano_roll import PianoRoll
    app = QApplication.instance() or QApplication([])
    transport = Transport(FakeClock())
    roll = PianoRoll(Document(project), transport)
    roll.resize(1920, 1080)
    roll.show()
    app.processEvents()
    return app, roll, transport


def _full_repaint_ms(app, roll, repeats: int = 41) -> float:  # type: ignore[no-untyped-def]
    """Everything made dirty (ruler, keys, notes, lanes, toolbar, scroll bars), then painted
    and flushed the way the event loop does it; the median of ``repeats``."""
    from PySide6.QtWidgets import QWidget
    counter = _PaintCounter(roll.canvas)
    times = []
    for _ in range(repeats):
        before = counter.count
        t0 = time.perf_counter()
        for w in roll.findChildren(QWidget):
            w.update()
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
        assert counter.count == before + 1, "the note area was not repainted"
    return statistics.median(times)


DENSE_VIEW = (DENSE[0], DENSE[0] + 10 * 60 * SEC)
ZOOMED_IN_VIEW = (DENSE[0] + 5 * 60 * SEC, DENSE[0] + 5 * 60 * SEC + 20 * SEC)


def figure_pianoroll_repaint_ms_median() -> dict[str, float]:
    """Median full repaint of the whole 1920x1080 roll; ``worst`` is the slower view."""
    app, roll, _ = _roll(big_project())
    roll.geo.key_h = 9
    roll.geo.top = 104
    out: dict[str, float] = {}
    for name, (start, end) in (("zoomed_out_10min", DENSE_VIEW), ("zoomed_in_20s", ZOOMED_IN_VIEW)):
        roll.show_range(start, end)
        app.processEvents()
        out[name] = _full_repaint_ms(app, roll)
        out[f"{name}_notes_visible"] = sum(len(tn.window(roll.geo.t0, roll.geo.t1))
                                           for tn in roll.index.notes.values())
    out["worst"] = max(out["zoomed_out_10min"], out["zoomed_in_20s"])
    roll.close()
    return {k: round(v, 2) for k, v in out.items()}


def figure_pianoroll_scroll_fps() -> dict[str, float]:
    """Frames per second while playing with the view scrolling under the playhead. Each frame:
    the transport advances 1/60 s, the roll follows (whole pixels), and the event loop paints
    and flushes what changed. Frames per second = frames / the time they took, at both zooms;
    also the slowest frame."""
    from cuesketch.ui.roll_view_model import Follow
    app, roll, transport = _roll(big_project())
    roll.geo.key_h = 9
    roll.geo.top = 104
    roll.set_follow(Follow.CONTINUOUS)
    counter = _PaintCounter(roll.canvas)
    clock = transport.clock
    assert isinstance(clock, FakeClock)
    out: dict[str, float] = {}
    for name, (start, end) in (("zoomed_out_10min", DENSE_VIEW), ("zoomed_in_20s", ZOOMED_IN_VIEW)):
        roll.show_range(start, end)
        transport.seek((start + end) // 2)
        app.processEvents()
        transport.play()
        t_view = roll.geo.t0
        frames = []
        painted = counter.count
        for _ in range(240):
            clock.advance(1_000_000_000 // 60)
            t0 = time.perf_counter()
            roll.tick()
            app.processEvents()
            frames.append(time.perf_counter() - t0)
        transport.stop()
        assert roll.geo.t0 > t_view and counter.count > painted, "the view did not scroll"
        out[name] = len(frames) / sum(frames)
        out[f"{name}_slowest_frame_ms"] = max(frames) * 1000
    out["worst"] = min(out["zoomed_out_10min"], out["zoomed_in_20s"])
    roll.close()
    return {k: round(v, 1) for k, v in out.items()}
