from __future__ import annotations

from cuesketch.media.frames import FrameExchange


def test_latest_and_held_buffers_are_never_written():
    ex = FrameExchange(4, 2)
    assert ex.latest() is None  # blank until the first picture
    i = ex.back()
    ex.buffers[i][:] = 7
    first = ex.publish(i, 10)
    held = ex.latest()
    assert held is first and held.number == 10 and held.width == 4 and held.height == 2
    for n in range(11, 40):  # libvlc writes on; the reader still holds frame 10
        j = ex.back()
        assert j != i
        ex.buffers[j][:] = n
        ex.publish(j, n)
        assert (held.pixels == 7).all()
    newest = ex.latest()
    assert newest is not None and newest.number == 39 and (newest.pixels == 39).all()


def test_serial_grows_and_blank_hides():
    ex = FrameExchange(2, 2)
    a = ex.publish(ex.back(), 1)
    b = ex.publish(ex.back(), 2)
    assert b.serial > a.serial
    ex.blank()
    assert ex.latest() is None and ex.latest_number is None and ex.serial > b.serial
    assert not ex.unblank(1)
    assert ex.unblank(2) and ex.latest() is b


def test_same_as_latest_and_relabel():
    ex = FrameExchange(2, 2)
    i = ex.back()
    ex.buffers[i][:] = 5
    ex.publish(i, 3)
    j = ex.back()
    ex.buffers[j][:] = 5
    assert ex.same_as_latest(j)
    ex.buffers[j][0, 0, 0] = 6
    assert not ex.same_as_latest(j)
    ex.release_back(j)
    frame = ex.relabel(4)
    assert frame is not None and frame.number == 4 and ex.latest_number == 4


def test_stash_waits_then_publishes():
    ex = FrameExchange(2, 2)
    ex.publish(ex.back(), 1)
    s = ex.back()
    ex.stash(s, 9)
    assert ex.stashed == 9 and ex.latest_number == 1
    assert all(ex.back() != s for _ in range(3))
    frame = ex.publish_stash()
    assert frame is not None and frame.number == 9 and ex.latest_number == 9
    assert ex.stashed is None and ex.publish_stash() is None
