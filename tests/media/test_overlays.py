from __future__ import annotations

from cuesketch.demo import build_demo
from cuesketch.media.overlays import (KIND_STYLES, Flutter, HitIndex, OverlayOptions, Punch,
                                      Streamer, marks_at, streamer_frames, streamer_x, texts_at)
from cuesketch.model.entities import Hit, HitKind
from cuesketch.timing.position import position_texts
from cuesketch.timing.rates import STANDARD_RATES

R24 = STANDARD_RATES["24"]


def test_streamer_wipes_left_to_right_and_arrives_on_the_hit():
    length = streamer_frames(R24, 2.0)
    assert length == 48 and streamer_frames(STANDARD_RATES["29.97df"], 2.0) == 60
    assert streamer_x(99, 148, length) is None  # not yet
    assert streamer_x(100, 148, length) == 0.0  # enters at the left edge 2 s before
    assert streamer_x(124, 148, length) == 0.5
    assert streamer_x(148, 148, length) == 1.0  # at the right edge on the hit frame
    assert streamer_x(149, 148, length) is None
    xs = [streamer_x(f, 148, length) for f in range(100, 149)]
    assert xs == sorted(xs)


def _marks(frame, hits, **options):
    return marks_at(frame, HitIndex(hits), R24, OverlayOptions(**options))


def test_punch_on_the_hit_frame_held_and_fading():
    hit = Hit(1, 200, "door", HitKind.HARD)
    assert not [m for m in _marks(199, [hit]) if isinstance(m, Punch)]
    [p0] = [m for m in _marks(200, [hit]) if isinstance(m, Punch)]
    [p1] = [m for m in _marks(201, [hit]) if isinstance(m, Punch)]
    assert p0.strength == 1.0 and 0 < p1.strength < 1
    assert p0.color == KIND_STYLES[HitKind.HARD].color
    assert not [m for m in _marks(202, [hit]) if isinstance(m, Punch)]
    assert not [m for m in _marks(200, [hit], punches=False) if isinstance(m, Punch)]


def test_flutter_flickers_before_hard_hits_only():
    hard, soft = Hit(1, 200, kind=HitKind.HARD), Hit(2, 400, kind=HitKind.SOFT)
    flutters = [f for f in range(150, 201)
                if any(isinstance(m, Flutter) for m in _marks(f, [hard]))]
    assert flutters == [192, 194, 196, 198]
    assert not any(isinstance(m, Flutter) for f in range(350, 401) for m in _marks(f, [soft]))
    assert not _marks(196, [hard], flutters=False, streamers=False)


def test_colours_and_marks_by_kind():
    hits = [Hit(i, 100, kind=k) for i, k in enumerate(HitKind, 1)]
    marks = _marks(100, hits)
    streamers = {m.hit.kind: m.color for m in marks if isinstance(m, Streamer)}
    assert streamers == {k: KIND_STYLES[k].color for k in HitKind}
    assert len(set(streamers.values())) == 4
    punched = {m.hit.kind for m in marks if isinstance(m, Punch)}
    assert punched == {HitKind.HARD, HitKind.SOFT, HitKind.CUT}  # dialogue: no flash
    assert marks.index(next(m for m in marks if isinstance(m, Punch))) > max(
        i for i, m in enumerate(marks) if isinstance(m, Streamer))  # punches drawn on top


def test_streamer_length_follows_the_option():
    hit = Hit(1, 100)
    assert not any(isinstance(m, Streamer) for m in _marks(75, [hit], streamer_seconds=1.0))
    [s] = [m for m in _marks(88, [hit], streamer_seconds=1.0) if isinstance(m, Streamer)]
    assert s.x == 0.5


def test_hit_index_finds_a_range():
    idx = HitIndex([Hit(3, 30), Hit(1, 10), Hit(2, 20), Hit(4, 20)])
    assert [h.id for h in idx.between(15, 25)] == [2, 4]
    assert [h.id for h in idx.between(10, 10)] == [1]
    assert idx.between(31, 99) == []


def test_texts_match_the_transport_bar():
    project = build_demo()
    s = project.settings
    for frame in (0, 143, 400, 1151, 1152, 5000):
        texts = texts_at(frame, s, project.cues.values())
        tc, bbt = position_texts(s.rate.frame_to_flicks(frame), s, project.cues.values())
        assert texts.timecode == tc
        assert bbt.startswith(texts.bar_beat + "|")
    assert texts_at(400, s, project.cues.values()).cue == "1M3 The Bunny"
    assert texts_at(5000, s, project.cues.values()).cue == ""
