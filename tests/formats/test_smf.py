"""Standard MIDI Files: import, export, round trips, SMPTE time division, bad files."""

from __future__ import annotations

import io
import random
from fractions import Fraction
from pathlib import Path

import mido
import pytest

import midi_songs
from cuesketch.formats import smf
from cuesketch.model.document import Document
from cuesketch.model.entities import (ControlPoint, Controller, Cue, Hit, HitKind, Note, Settings,
                                      Track)
from cuesketch.model.project import Project
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND

F = FLICKS_PER_SECOND


def to_bytes(mid: mido.MidiFile) -> bytes:
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


def sketch(rate: str = "29.97df", start: int = 107892) -> Project:
    """A project using everything a MIDI file can carry."""
    tempo = TempoMap(0, (TempoChange(Fraction(0), Fraction(96)),
                         TempoChange(Fraction(8), Fraction(132))),
                     (MeterChange(0, 4, 4), MeterChange(2, 7, 8), MeterChange(4, 3, 4)))
    p = Project()
    rng = random.Random(2)
    entities: list = [
        Track(1, "Strings", bank=0, program=48, volume=0.7, pan=-0.5, channel=0, order=0),
        Track(2, "Brass", bank=8, program=61, volume=1.0, pan=0.5, channel=3, order=1),
        Track(3, "Perc", program=0, volume=100 / 127, channel=9, order=2),
        Hit(1, 240, "door slam", HitKind.HARD), Hit(2, 480, "cut to night", HitKind.CUT),
        Cue(1, "1M1", 0, 900, title="Main Title"), Cue(2, "1M2", 1000, 1600),
    ]
    nid = 1
    for track in (1, 2, 3):
        for _ in range(40):
            # positions on the tempo map's 1/480-beat grid: a MIDI file holds them exactly
            beat = Fraction(rng.randrange(0, 40 * 480), 480)
            length = Fraction(rng.randrange(1, 4 * 480), 480)
            start_f = tempo.beat_to_flicks(beat)
            entities.append(Note(nid, track, start_f, tempo.beat_to_flicks(beat + length) - start_f,
                                 rng.randrange(30, 90), rng.randrange(1, 128)))
            nid += 1
    entities += [ControlPoint(1, 1, tempo.beat_to_flicks(2), Controller.SUSTAIN, 127),
                 ControlPoint(2, 1, tempo.beat_to_flicks(6), Controller.SUSTAIN, 0),
                 ControlPoint(3, 2, tempo.beat_to_flicks(Fraction(9, 2)), Controller.PITCH_BEND,
                              -8192),
                 ControlPoint(4, 2, tempo.beat_to_flicks(5), Controller.MODULATION, 64),
                 ControlPoint(5, 2, tempo.beat_to_flicks(7), Controller.EXPRESSION, 100)]
    p.load(Settings(title="Reel 1", rate=STANDARD_RATES[rate], start_frame=start, tempo=tempo),
           entities)
    return p


def content(p: Project, tolerance: int = 0) -> dict:
    """What a round trip must keep, by track name (ids are renumbered)."""
    names = {t.id: t.name for t in p.tracks.values()}
    q = (lambda x: round(x / tolerance)) if tolerance else (lambda x: x)
    return {
        "tracks": sorted((t.name, t.bank, t.program, round(t.volume * 127), round(t.pan * 63.5),
                          t.channel, t.order) for t in p.tracks.values()),
        "notes": sorted((names[n.track_id], q(n.start), q(n.end), n.pitch, n.velocity)
                        for n in p.notes.values()),
        "controls": sorted((names[c.track_id], q(c.time), c.controller.value, c.value)
                           for c in p.controls.values()),
        "hits": sorted((h.frame, h.name, h.kind) for h in p.hits.values()),
        "cues": sorted((c.name, c.start_frame, c.end_frame, c.title) for c in p.cues.values()),
        "settings": p.settings,
    }


@pytest.mark.parametrize("rate,start", [("29.97df", 107892), ("24", 86400), ("25", 90000),
                                        ("30", 108000 + 17)])
def test_project_to_midi_and_back_keeps_everything(rate: str, start: int):
    original = sketch(rate, start)
    back = smf.new_project(smf.read(to_bytes(smf.to_midifile(original))))
    assert content(back) == content(original)


def test_rates_a_midi_offset_cannot_name_keep_their_start():
    # 23.976 is labelled as 24 and 50 as 25 with sub-frames: the start time survives
    for rate, start in (("50", 180001), ("59.94df", 215785)):
        original = sketch(rate, start)
        imp = smf.read(to_bytes(smf.to_midifile(original)))
        assert smf.offset_position(imp, original.settings) == 0


def test_midi_to_project_and_back_keeps_every_event():
    first = midi_songs.song(bars=8)
    project = smf.new_project(smf.read(to_bytes(first)))
    again = mido.MidiFile(file=io.BytesIO(to_bytes(smf.to_midifile(project, ticks_per_beat=480))))

    def events(mid: mido.MidiFile, kinds: set[str]) -> list:
        out = []
        for track in mid.tracks:
            tick = 0
            for msg in track:
                tick += msg.time
                if msg.type in kinds:
                    d = msg.dict()
                    d.pop("time")
                    if d["type"] == "note_on" and d["velocity"] == 0:
                        d = {"type": "note_off", "channel": d["channel"], "note": d["note"]}
                    d.pop("velocity", None) if d["type"] == "note_off" else None
                    out.append((tick, tuple(sorted(d.items()))))
        return sorted(out)

    kinds = {"note_on", "note_off", "control_change", "pitchwheel", "set_tempo",
             "time_signature", "smpte_offset", "program_change"}
    # The drum track had no program change; the export names its kit (program 0). General
    # MIDI's default volume (100) and pan (64) are not written.
    added = (0, (("channel", 9), ("program", 0), ("type", "program_change")))
    defaults = {(("control", 7), ("value", 100)), (("control", 10), ("value", 64))}

    def meaningful(e: tuple) -> bool:
        return not (e[0] == 0 and tuple(x for x in e[1] if x[0] in ("control", "value"))
                    in defaults)

    assert [e for e in events(again, kinds) if e != added] == \
        [e for e in events(first, kinds) if meaningful(e)]
    names = [m.name for t in again.tracks for m in t if m.type == "track_name"]
    assert names == ["Test Song", "Piano", "Strings", "Bass", "Drums"]


def test_a_type_0_file_splits_by_channel():
    mid = mido.MidiFile(type=0, ticks_per_beat=96)
    track = mido.MidiTrack([
        mido.MetaMessage("track_name", name="Band"),
        mido.Message("program_change", channel=0, program=40),
        mido.Message("program_change", channel=9, program=0),
        mido.Message("note_on", channel=0, note=60, velocity=90),
        mido.Message("note_on", channel=9, note=36, velocity=100),
        mido.Message("note_off", channel=0, note=60, time=96),
        mido.Message("note_on", channel=9, note=36, velocity=0),
    ])
    mid.tracks.append(track)
    imp = smf.read(to_bytes(mid))
    assert [(t.name, t.channel, t.program, len(t.notes)) for t in imp.tracks] == [
        ("Band (channel 1)", 0, 40, 1), ("Band (channel 10)", 9, 0, 1)]
    assert imp.tracks[0].notes == [(0, F // 2, 60, 90)]  # 96 ticks at 120 bpm


@pytest.mark.parametrize("fps,rate", [(24, Fraction(24)), (25, Fraction(25)),
                                      (29, Fraction(30000, 1001)), (30, Fraction(30))])
def test_smpte_time_division(fps: int, rate: Fraction):
    """A negative division: ticks per frame, not per beat, whatever the tempo says."""
    division = ((256 - fps) << 8 | 40) - 65536  # as mido reads it: a signed 16-bit number
    mid = mido.MidiFile(type=1, ticks_per_beat=division)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=1_000_000)]))
    ticks = 40 * fps * 3  # three seconds of nominal frames
    mid.tracks.append(mido.MidiTrack([
        mido.Message("note_on", note=60, velocity=100, time=ticks),
        mido.Message("note_off", note=60, time=40)]))
    data = to_bytes(mid)
    assert data[12:14] == bytes([256 - fps, 40])  # the header holds -fps, ticks per frame
    imp = smf.read(data)
    start, duration, _key, _vel = imp.tracks[0].notes[0]
    assert start == round(Fraction(ticks, 40) / rate * F)  # frames at the true rate
    assert duration == round(Fraction(1) / rate * F)  # one frame
    assert imp.rate is not None and imp.rate.nominal == (30 if fps == 29 else fps)
    assert imp.rate.drop == (fps == 29)
    assert imp.tempo.tempos[0].bpm == 60  # the tempo event makes the tempo map


def test_an_smpte_file_with_tempo_changes_places_them_in_time():
    mid = mido.MidiFile(type=1, ticks_per_beat=((256 - 25) << 8 | 4) - 65536)  # 100 ticks/s
    mid.tracks.append(mido.MidiTrack([
        mido.MetaMessage("set_tempo", tempo=500_000),
        mido.MetaMessage("set_tempo", tempo=1_000_000, time=200),  # at 2 s: beat 4
        mido.MetaMessage("time_signature", numerator=3, denominator=4, time=400)]))  # 6 s: beat 8
    imp = smf.read(to_bytes(mid))
    assert [(t.beat, t.bpm) for t in imp.tempo.tempos] == [(0, 120), (4, 60)]
    assert imp.tempo.meters == (MeterChange(0, 4, 4), MeterChange(2, 3, 4))


def test_running_status_and_markers_from_another_tool():
    # Hand-written bytes: running status, a marker, a cue point, note-on velocity 0 as off.
    track = bytes([0x00, 0xFF, 0x06, 0x05]) + b"Verse" + bytes([
        0x00, 0x90, 0x3C, 0x40,  # note on C4
        0x00, 0x40, 0x40,  # running status: note on E4
        0x60, 0x3C, 0x00,  # 96 ticks later: C4 off (velocity 0, running status)
        0x00, 0x40, 0x00,  # E4 off
        0x00, 0xFF, 0x07, 0x03]) + b"Hit" + bytes([0x00, 0xFF, 0x2F, 0x00])
    data = (b"MThd" + bytes([0, 0, 0, 6, 0, 0, 0, 1, 0, 96]) + b"MTrk"
            + len(track).to_bytes(4, "big") + track)
    imp = smf.read(data)
    assert [n[2] for n in imp.tracks[0].notes] == [60, 64]
    assert [text for _t, text in imp.markers] == ["Verse", "Hit"]
    project = smf.new_project(imp)
    assert sorted((h.name, h.kind) for h in project.hits.values()) == [
        ("Hit", HitKind.SOFT), ("Verse", HitKind.SOFT)]


def test_import_into_an_open_project_at_the_playhead_is_one_undo_step():
    doc = Document(sketch())
    before = content(doc.project)
    imp = smf.read(to_bytes(midi_songs.song(bars=2)))
    at = 10 * F
    tracks = smf.import_into(doc, imp, at)
    assert [t.name for t in tracks] == ["Piano", "Strings", "Bass", "Drums"]
    new_notes = [n for n in doc.project.notes.values() if n.track_id in {t.id for t in tracks}]
    assert min(n.start for n in new_notes) == at
    assert doc.history()[-1] == "Import MIDI file"
    doc.undo()
    assert content(doc.project) == before


def test_import_at_the_smpte_offset_of_the_file():
    p = Project()
    p.load(Settings(rate=STANDARD_RATES["25"], start_frame=90000), [])  # 01:00:00:00
    imp = smf.read(to_bytes(midi_songs.song(bars=1)))  # offset 01:00:10:05 at 25 fps
    doc = Document(p)
    smf.import_into(doc, imp)
    assert min(n.start for n in doc.project.notes.values()) == (10 * 25 + 5) * F // 25


def test_export_writes_a_file_whole(tmp_path: Path):
    out = smf.write(sketch(), tmp_path / "sketch.mid")
    assert mido.MidiFile(str(out)).type == 1
    assert [p.name for p in tmp_path.iterdir()] == ["sketch.mid"]
    with pytest.raises(smf.MidiFileError):
        smf.write(sketch(), tmp_path / "missing" / "sketch.mid")


@pytest.mark.parametrize("data,words", [
    (b"", "not a Standard MIDI File"),
    (b"RIFF....WAVE", "not a Standard MIDI File"),
    (b"MThd\0\0\0\x06\0\x01\0\x02\x01\xe0MTrk\0\0\0\x10\0\x90", "damaged"),
    (b"MThd\0\0\0\x06\0\x02\0\0\x01\xe0", "type 2"),
    (b"MThd\0\0\0\x06\0\x00\0\0\0\0", "division is 0"),
])
def test_bad_files_are_plain_errors(data: bytes, words: str):
    with pytest.raises(smf.MidiFileError, match=words):
        smf.read(data)


def test_a_missing_file_is_a_plain_error(tmp_path: Path):
    with pytest.raises(smf.MidiFileError, match="no file"):
        smf.read(tmp_path / "gone.mid")


def test_mutated_files_raise_only_midi_file_errors():
    """A quick fuzz (the benchmark runs 10,000): flipped, cut and inserted bytes."""
    seeds = [to_bytes(midi_songs.song(bars=2)), to_bytes(smf.to_midifile(sketch()))]
    rng = random.Random(7)
    for i in range(300):
        data = bytearray(seeds[i % 2])
        for _ in range(rng.randrange(1, 8)):
            pos = rng.randrange(len(data))
            kind = rng.randrange(3)
            if kind == 0:
                data[pos] = rng.randrange(256)
            elif kind == 1:
                del data[pos:pos + rng.randrange(1, 16)]
            else:
                data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))
        try:
            imp = smf.read(bytes(data))
            smf.new_project(imp)
        except smf.MidiFileError:
            pass


def test_a_tempo_ramp_is_written_as_steps_and_notes_keep_their_beats():
    tempo = TempoMap(0, (TempoChange(Fraction(0), Fraction(60), ramp=True),
                         TempoChange(Fraction(8), Fraction(120))))
    p = Project()
    p.load(Settings(tempo=tempo), [Track(1, "Pad"), Note(1, 1, tempo.beat_to_flicks(6),
                                                         tempo.beat_to_flicks(10)
                                                         - tempo.beat_to_flicks(6), 60, 90)])
    mid = smf.to_midifile(p)
    tempos = [(sum(m.time for m in mid.tracks[0][:i + 1]), m.tempo)
              for i, m in enumerate(mid.tracks[0]) if m.type == "set_tempo"]
    assert len(tempos) == 8 * 4 + 1  # quarter-beat steps through the ramp, then 120
    assert tempos[0][1] > tempos[16][1] > tempos[-2][1] > tempos[-1][1] == 500_000
    note_ticks = [sum(m.time for m in mid.tracks[1][:i + 1])
                  for i, m in enumerate(mid.tracks[1]) if m.type.startswith("note")]
    assert note_ticks == [6 * 960, 10 * 960]
    back = smf.new_project(smf.read(to_bytes(mid)))
    note = next(iter(back.notes.values()))
    # the steps approximate the ramp: the note starts within a millisecond of its time
    assert abs(note.start - tempo.beat_to_flicks(6)) < F // 1000


def test_file_tempos_read_back_as_written():
    assert smf.file_bpm(454545) == 132
    assert smf.file_bpm(500000) == 120
    assert smf.file_bpm(600000) == 100
    assert round(60_000_000 / smf.file_bpm(123457)) == 123457


def test_import_can_take_the_file_tempo_map():
    doc = Document(sketch())
    imp = smf.read(to_bytes(midi_songs.song(bars=2)))
    smf.import_into(doc, imp, at=5 * F, use_tempo=True)
    tempo = doc.project.settings.tempo
    assert tempo.origin == 5 * F and tempo.tempos[0].bpm == 120
    doc.undo()
    assert doc.project.settings.tempo.tempos[0].bpm == 96
