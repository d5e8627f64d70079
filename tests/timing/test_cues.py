from cuesketch.model.entities import Cue, Settings
from cuesketch.timing.cues import cue_at
from cuesketch.timing.position import tempo_at
from cuesketch.timing.tempo import TempoMap


def test_the_cue_at_a_frame() -> None:
    a = Cue(1, "1M1", 100, 200)
    assert cue_at([a], 99) is None
    assert cue_at([a], 100) is a and cue_at([a], 199) is a
    assert cue_at([a], 200) is None  # the end frame is the first frame after
    assert cue_at([], 150) is None


def test_overlapping_cues_the_earliest_start_then_the_lower_id() -> None:
    long = Cue(5, "1M1", 100, 400)
    inner = Cue(2, "1M2", 150, 200)
    same_start = Cue(3, "1M3", 100, 300)
    assert cue_at([inner, long], 160) is long
    assert cue_at([long, same_start, inner], 160) is same_start
    assert cue_at([same_start, long], 160) is same_start  # in any order
    assert cue_at([inner, long, same_start], 350) is long


def test_the_tempo_in_force_follows_the_same_rule_among_cues_with_a_tempo() -> None:
    settings = Settings()
    fpf = settings.rate.flicks_per_frame
    slow, fast = TempoMap.constant(60), TempoMap.constant(180)
    a = Cue(7, "1M1", 100, 400, tempo=slow)
    b = Cue(3, "1M2", 100, 400, tempo=fast)
    plain = Cue(1, "1M0", 0, 400)  # no tempo of its own: passed over
    assert tempo_at(150 * fpf, settings, [a, b, plain]) is fast
    assert tempo_at(150 * fpf, settings, [plain]) is settings.tempo
    assert tempo_at(50 * fpf, settings, [a, b, plain]) is settings.tempo
