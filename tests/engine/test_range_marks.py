"""The in and out marks: set, replaced, dropped when they would cross; observers hear changes."""

import pytest
from cuesketch.engine.range_marks import RangeMarks


def test_marks_make_a_range_once_both_are_set_and_never_cross() -> None:
    heard: list[tuple[int, int] | None] = []
    marks = RangeMarks()
    marks.observe(lambda m: heard.append(m.range))
    marks.set_in(100)
    assert (marks.in_at, marks.out_at, marks.range) == (100, None, None)
    marks.set_out(400)
    assert marks.range == (100, 400)
    marks.set_in(500)  # past the out mark: the out mark goes
    assert (marks.in_at, marks.out_at) == (500, None)
    marks.set_out(200)  # before the in mark: the in mark goes
    assert (marks.in_at, marks.out_at) == (None, 200)
    marks.set(900, 300)
    assert marks.range == (300, 900)
    marks.set(300, 900)  # no change: nobody is told
    marks.clear()
    assert marks.range is None and marks.in_at is None
    assert heard == [None, (100, 400), None, None, (300, 900), None]


def test_an_empty_range_is_refused() -> None:
    with pytest.raises(ValueError):
        RangeMarks().set(5, 5)
