from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.timing.units import FLICKS_PER_SECOND as S


def test_position_follows_the_injected_clock() -> None:
    clock = FakeClock()
    t = Transport(clock)
    assert t.position() == 0
    clock.advance_s(1)
    assert t.position() == 0  # stopped
    t.play()
    clock.advance_s(2.5)
    assert t.position() == int(2.5 * S)
    t.stop()
    clock.advance_s(10)
    assert t.position() == int(2.5 * S)


def test_seek_while_playing_and_midi_arrival_mapping() -> None:
    clock = FakeClock()
    t = Transport(clock)
    t.seek(10 * S)
    t.play()
    start_ns = clock.now_ns()
    clock.advance_s(1)
    # a message that arrived 0.25 s after play maps to 10.25 s
    assert t.position_at(start_ns + 250_000_000) == 10 * S + S // 4
    t.seek(0)
    clock.advance_s(0.5)
    assert t.position() == S // 2


def test_loop_wraps_the_position() -> None:
    clock = FakeClock()
    t = Transport(clock)
    t.set_loop((S, 3 * S))
    t.seek(S)
    t.play()
    clock.advance_s(2.5)
    assert t.position() == S + S // 2


def test_audio_sync_pulls_small_errors_and_jumps_large_ones() -> None:
    clock = FakeClock()
    t = Transport(clock)
    t.play()
    clock.advance_s(1)
    # audio says it is 1 ms behind: the transport moves a tenth of the way
    t.sync(S - S // 1000, clock.now_ns())
    assert S - S // 1000 < t.position() < S
    # a 100 ms disagreement (an xrun) is taken at once
    t.sync(S + S // 10, clock.now_ns())
    assert t.position() == S + S // 10


def test_observers_hear_state_changes() -> None:
    t = Transport(FakeClock())
    states = []
    t.observe(states.append)
    t.play()
    t.set_recording(True)
    t.stop()
    assert [s.playing for s in states] == [True, True, False]
    assert [s.recording for s in states] == [False, True, False]


def test_shuttle_speed() -> None:
    clock = FakeClock()
    t = Transport(clock)
    t.play(speed=-2.0)
    clock.advance_s(1)
    assert t.position() == -2 * S


def test_a_sync_that_has_not_seen_a_seek_cannot_undo_it() -> None:
    clock = FakeClock()
    t = Transport(clock)
    t.play()
    epoch = t.state().epoch
    clock.advance_s(1)
    t.seek(30 * S)  # the audio thread has not heard of this seek yet
    t.sync(S, clock.now_ns(), epoch)  # it reports where it was: stale, ignored
    assert t.position() == 30 * S
    t.sync(30 * S + S // 10, clock.now_ns(), t.state().epoch)  # once it has heard, it counts
    assert t.position() == 30 * S + S // 10
