"""The director's review controller and its A/B player, headless (a fake clock, no device)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from review_kit import make_package

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.review_audio import ReviewPlayer, decode_opus, encode_opus
from cuesketch.engine.review_session import ReviewError, ReviewSession
from cuesketch.engine.synth import SynthEngine
from cuesketch.engine.transport import Transport
from cuesketch.model.review import Verdict
from cuesketch.store.review_reply import read_reply
from cuesketch.timing.rates import STANDARD_RATES

BLOCK = 256


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    make_package(tmp_path / "p.cuereview", rate=STANDARD_RATES["29.97df"])
    s = ReviewSession.open(tmp_path / "p.cuereview", author="R. Smith",
                           journal_dir=tmp_path / "journal",
                           transport=Transport(FakeClock()))
    assert s.wait_decoded()
    yield s
    s.close()


def dominant_hz(block: np.ndarray, rate: int = 48_000) -> float:
    spectrum = np.abs(np.fft.rfft(block[:, 0] * np.hanning(len(block))))
    return float(np.argmax(spectrum) * rate / len(block))


def test_opus_round_trip_keeps_length_and_pitch() -> None:
    t = np.arange(48_000) / 48_000
    mono = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    audio = np.stack([mono, mono], axis=1)
    data = encode_opus(audio)
    assert len(data) < 48_000  # ~20 kB a second at 160 kb/s
    back = decode_opus(data, len(audio))
    assert back.shape == audio.shape
    assert abs(dominant_hz(back[10_000:14_096]) - 440) < 15


def test_ab_switch_takes_effect_at_the_next_block_without_a_gap(session: ReviewSession) -> None:
    cue = session.info.cues[0]
    v1, v2 = cue.versions
    session.select_version(cue.cue.id, v1.id)
    player = session.player
    player.play(session.rate.frame_to_flicks(cue.cue.start_frame))
    blocks = [player.process(BLOCK).copy() for _ in range(40)]
    assert abs(dominant_hz(np.concatenate(blocks[20:36])) - 220) < 20
    session.select_version(cue.cue.id, v2.id)  # B, while playing
    after = [player.process(BLOCK).copy() for _ in range(40)]
    assert abs(dominant_hz(np.concatenate(after[4:20])) - 440) < 20
    # Never silent across the switch: every block has sound in it.
    assert min(float(np.abs(b).max()) for b in blocks[2:] + after[:20]) > 0.1
    assert player.position == pytest.approx(
        session.rate.frame_to_flicks(cue.cue.start_frame) + 80 * BLOCK * 14_700, rel=0)


def test_film_only_silences_the_music(session: ReviewSession) -> None:
    cue = session.info.cues[0]
    session.player.play(session.rate.frame_to_flicks(cue.cue.start_frame))
    session.player.process(BLOCK)
    session.set_film_only(True)
    session.player.process(BLOCK)  # the fade-out block
    assert float(np.abs(session.player.process(BLOCK)).max()) == 0.0


def test_player_follows_the_transport_without_a_device(tmp_path: Path) -> None:
    clock = FakeClock()
    transport = Transport(clock)
    player = ReviewPlayer(transport)
    data = np.full((48_000, 2), 0.5, dtype=np.float32)
    player.place(1, 0, data)
    player.select(7, 1)
    transport.seek(0)
    transport.play()
    assert float(player.process(BLOCK).max()) == pytest.approx(0.5, abs=1e-4)  # 16-bit kept
    transport.stop()
    assert float(np.abs(player.process(BLOCK)).max()) == 0.0


def test_notes_at_frames_ranges_edits_and_deletes(session: ReviewSession) -> None:
    session.seek_timecode("01:00:01;02")  # 29.97 DF: frame 32 after the start
    note = session.add_note("Too busy here")
    assert note.frame == 32 and note.cue == "1M1" and note.version == "v2"
    session.seek_frame(40)
    session.set_in()
    session.seek_frame(50)
    session.set_out()
    ranged = session.add_note("Lose the flute")
    assert (ranged.frame, ranged.end_frame) == (40, 50)
    session.edit_note(note.uuid, "Too busy under the line")
    session.delete_note(ranged.uuid)
    assert [n.text for n in session.notes_sorted()] == ["Too busy under the line"]
    with pytest.raises(ReviewError, match="some words"):
        session.add_note("   ")
    # Saved as it happened: the journal holds it.
    assert [n.text for n in read_reply(session.journal.path).notes] == ["Too busy under the line"]


def test_only_your_own_notes_change(session: ReviewSession, tmp_path: Path) -> None:
    note = session.add_note("mine")
    session.author = "Someone Else"
    with pytest.raises(ReviewError, match="R. Smith's"):
        session.edit_note(note.uuid, "theirs now")
    with pytest.raises(ReviewError, match="R. Smith's"):
        session.delete_note(note.uuid)


def test_verdicts_and_send_back(session: ReviewSession, tmp_path: Path) -> None:
    v = session.info.cues[1].versions[0]
    assert session.verdict(v.id).verdict is Verdict.PENDING
    session.set_verdict(v.id, Verdict.APPROVED, "lovely")
    assert session.verdict(v.id).comment == "lovely"
    session.send_back(tmp_path / "back.cuereply")
    reply = read_reply(tmp_path / "back.cuereply")
    assert reply.verdicts[0].verdict is Verdict.APPROVED and reply.verdicts[0].cue == "1M2"


def test_a_reopened_review_goes_on_where_it_was(tmp_path: Path) -> None:
    make_package(tmp_path / "p.cuereview")
    s = ReviewSession.open(tmp_path / "p.cuereview", author="R. Smith",
                           journal_dir=tmp_path / "j")
    s.add_note("kept")
    s.close()
    again = ReviewSession.open(tmp_path / "p.cuereview", author="R. Smith",
                               journal_dir=tmp_path / "j")
    assert [n.text for n in again.notes_sorted()] == ["kept"]
    again.close()


def test_jump_loop_and_switch(session: ReviewSession) -> None:
    second = session.info.cues[1]
    session.jump_to_cue(second.cue.id)
    assert session.frame == second.cue.start_frame and session.current_cue == second.cue.id
    session.loop_cue(True)
    assert session.transport.loop == (session.rate.frame_to_flicks(second.cue.start_frame),
                                      session.rate.frame_to_flicks(second.cue.end_frame))
    first = session.selected_version(second.cue.id)
    switched = session.switch_version()
    assert switched is not None and switched != first
    assert session.player.selected(second.cue.id) == switched.id


def test_the_next_package_carries_the_composers_replies(tmp_path: Path) -> None:
    """Round two: a note imported, resolved and answered in the project travels with the next
    package; the director's answer to it comes back into the same note."""
    from cuesketch.demo import build_demo
    from cuesketch.engine.review_pack import plan_package, render_package, threads_of
    from cuesketch.model.document import Document
    from cuesketch.model.review import DirectorNote, ReplyContent
    from cuesketch.model.review_notes import add_reply, import_reply, set_resolved
    from cuesketch.store.review_package import write_package

    project = build_demo()
    doc = Document(project)
    cue = next(c for c in project.cues.values() if c.name == "1M3")
    import_reply(doc, ReplyContent("pkg-1", "R. Smith", "", (
        DirectorNote("n1", "1M3", "v1", "R. Smith", "t1", "Too loud", cue.start_frame + 5),)), "")
    nid = next(iter(project.review_notes))
    set_resolved(doc, nid, True)
    add_reply(doc, nid, "Composer", "t2", "Brass down 3 dB")
    threads = threads_of(project, [cue])
    assert threads[0].resolved and threads[0].replies[0].text == "Brass down 3 dB"

    plan = plan_package(None, project, ["1M3"], ["current"])
    info, audio = render_package(plan, project, made_for="R. Smith",
                                 synth=lambda p: _silent_synth())
    write_package(tmp_path / "round2.cuereview", info, audio)
    s = ReviewSession.open(tmp_path / "round2.cuereview", author="R. Smith",
                           journal_dir=tmp_path / "j")
    (thread,) = s.info.threads
    assert thread.text == "Too loud" and thread.replies[0].author == "Composer"
    s.reply_to(thread, "Much better")
    s.send_back(tmp_path / "round2.cuereply")
    s.close()
    import_reply(doc, read_reply(tmp_path / "round2.cuereply"), "")
    assert [r[2] for r in project.review_notes[nid].replies] == ["Brass down 3 dB",
                                                                 "Much better"]


def _silent_synth() -> SynthEngine:
    return SynthEngine(None)  # no SoundFont: the audio is silence, the package the same


@pytest.mark.jack
def test_the_review_player_on_jack_drives_the_transport_and_switches(jackd, tmp_path: Path) -> None:
    """The A/B player on a real device (JACK's dummy backend): the device's periods drive the
    transport, and a switch asked for while playing is heard within the next period."""
    import time
    from typing import cast

    from cuesketch.engine.audio_out import AudioOutput
    from cuesketch.engine.playback import Playback

    make_package(tmp_path / "p.cuereview", cues=1, versions=2, seconds=10.0)
    transport = Transport()
    player = ReviewPlayer(transport)
    s = ReviewSession.open(tmp_path / "p.cuereview", author="R. Smith",
                           journal_dir=tmp_path / "j", transport=transport, player=player)
    assert s.wait_decoded()
    out = AudioOutput(cast(Playback, player), drivers=["jack"], client_name="cuesketch-review")
    try:
        assert out.start(), out.failures
        s.play()
        assert out.wait_for_callbacks(40)
        p0, t0 = transport.position(), time.monotonic()
        assert out.wait_for_callbacks(60)
        moved = (transport.position() - p0) / 705_600_000
        assert abs(moved - (time.monotonic() - t0)) < 0.05 and player.playing
        before = len(player.switches)
        cue = s.info.cues[0]
        s.select_version(cue.cue.id, cue.versions[0].id)
        assert out.wait_for_callbacks(2)
        assert len(player.switches) == before + 1 and out.errors == 0
        s.stop()
        assert out.wait_for_callbacks(3) and not player.playing
    finally:
        out.stop()
        s.close()


def test_a_name_the_reply_cant_carry_is_refused_and_any_name_makes_a_file_name(
        tmp_path: Path) -> None:
    make_package(tmp_path / "p.cuereview")
    for bad in ("R" * 201, "R. Smith\x07", "   "):
        with pytest.raises(ReviewError, match="a name of 1 to 200 characters"):
            ReviewSession.open(tmp_path / "p.cuereview", author=bad,
                               journal_dir=tmp_path / "j", transport=Transport(FakeClock()))
    assert not (tmp_path / "j").exists() or list((tmp_path / "j").iterdir()) == []
    s = ReviewSession.open(tmp_path / "p.cuereview", author="R. Smith/J. Doe: \"notes\"",
                           journal_dir=tmp_path / "j", transport=Transport(FakeClock()))
    try:
        with pytest.raises(ReviewError):
            s.set_author("x" * 300)
        path = s.reply_path()
        assert path.parent == tmp_path
        assert path.name == 'p — R. Smith-J. Doe- -notes-.cuereply'
        s.send_back(path)
        assert read_reply(path).author == "R. Smith/J. Doe: \"notes\""
        s.set_author("Ö" * 200)
        assert len(s.reply_path().name.encode()) < 255
    finally:
        s.close()


def test_closing_ends_the_decodes_still_running(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """An ffmpeg that would decode for minutes: closing the review kills it, so the decode
    threads end at once (quitting never waits for them)."""
    import cuesketch.engine.review_audio as review_audio
    slow = tmp_path / "slow-ffmpeg"
    slow.write_text("#!/bin/sh\nexec sleep 300\n")
    slow.chmod(0o755)
    make_package(tmp_path / "p.cuereview")
    monkeypatch.setattr(review_audio, "_ffmpeg", lambda: str(slow))
    monkeypatch.setattr(review_audio, "DECODE_TIMEOUT_S", 300.0)  # not ended by its timeout
    s = ReviewSession.open(tmp_path / "p.cuereview", author="R. Smith",
                           journal_dir=tmp_path / "j", transport=Transport(FakeClock()))
    futures = list(s._decoding.values()) + list(s._heads.values())
    s.close()
    import time
    deadline = time.monotonic() + 30  # far less than the 5 minutes the decodes would take
    while not all(f.done() for f in futures) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(f.done() for f in futures)
    assert s.problems == []  # a decode stopped by closing is no problem to report


def test_a_decode_landing_after_the_device_changed_rate_is_resampled() -> None:
    """Decoded at 48 kHz, placed after the device moved to 44.1 kHz: it plays at its pitch
    and length, not 9 % slow."""
    player = ReviewPlayer(rate=48_000)
    t = np.arange(48_000) / 48_000
    mono = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    player.set_sample_rate(44_100)
    player.place(1, 0, np.stack([mono, mono], axis=1), rate=48_000)
    player.select(1, 1)
    player.play(0)
    blocks = np.concatenate([player.process(BLOCK).copy() for _ in range(100)])
    assert abs(dominant_hz(blocks[4_000:12_192], 44_100) - 440) < 10


def test_each_note_keeps_the_film_it_was_placed_on(session: ReviewSession,
                                                   tmp_path: Path) -> None:
    """Notes written over two sessions, the second on another cut: the reply says so per
    note, and the composer's import flags only the second."""
    from cuesketch.model.document import Document
    from cuesketch.model.entities import Cue
    from cuesketch.model.project import Project
    from cuesketch.model.review_notes import import_reply
    assert session.info.film is not None
    cut = session.info.film.content_hash
    first = session.add_note("On the cut", frame=session.info.cues[0].cue.start_frame + 1)
    session.watching("cs1:9:" + "cd" * 16)  # a copy found by name: another cut
    second = session.add_note("On another cut", frame=session.info.cues[0].cue.start_frame + 2)
    session.send_back(tmp_path / "back.cuereply")
    reply = read_reply(tmp_path / "back.cuereply")
    hashes = {n.text: n.film_hash for n in reply.notes}
    assert hashes == {"On the cut": cut, "On another cut": "cs1:9:" + "cd" * 16}
    assert first.film_hash == cut and second.film_hash != cut
    p = Project()
    p.load(p.settings, [Cue(pc.cue.id, pc.cue.name, pc.cue.start_frame, pc.cue.end_frame)
                        for pc in session.info.cues])
    doc = Document(p)
    report = import_reply(doc, reply, cut)
    flagged = {n.text: n.off_cut for n in doc.project.review_notes.values()}
    assert flagged == {"On the cut": False, "On another cut": True} and report.off_cut == 1
