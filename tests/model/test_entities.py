from cuesketch.media.overlays import KIND_STYLES
from cuesketch.model.entities import CC_CONTROLLERS, HIT_COLORS, Controller, HitKind
from cuesketch.model.take import TakeEvent


def test_one_map_between_cc_numbers_and_controllers() -> None:
    assert {c: c.cc for c in Controller} == {
        Controller.MODULATION: 1, Controller.EXPRESSION: 11, Controller.SUSTAIN: 64,
        Controller.PITCH_BEND: None}
    assert all(CC_CONTROLLERS[c.cc] is c for c in Controller if c.cc is not None)
    assert TakeEvent(0, 0, "port", (0xB0, 64, 127)).recordable
    assert not TakeEvent(0, 0, "port", (0xB0, 7, 100)).recordable  # volume is the track's


def test_every_hit_kind_has_one_colour_everywhere() -> None:
    assert set(HIT_COLORS) == set(HitKind)
    assert all(KIND_STYLES[k].color == k.color == HIT_COLORS[k] for k in HitKind)
    assert HitKind.HARD.color == "#ff5c5c"  # the roll's, as it was
