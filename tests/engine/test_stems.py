"""Stems as a music editor gets them: they sum to the mix, sit at their timecode (bext, iXML),
are named and listed, carry the cue's MIDI file; bad input and a cancel are said plainly."""

from __future__ import annotations

import csv
import errno
import json
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import mido
import numpy as np
import pytest

from cuesketch.cli import main
from cuesketch.engine import soundfonts, stems
from cuesketch.engine.render import read_wav
from cuesketch.engine.stems import (Cancelled, StemError, StemOptions, cue_version,
                                    export_stems, plan_stems)
from cuesketch.formats.bwf import BwfWriter, chunks, read_bext, read_format
from cuesketch.model.entities import Cue, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.store import snapshots
from cuesketch.store.project_file import ProjectFile
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC

pytestmark = pytest.mark.skipif(soundfonts.find_default() is None,
                                reason="no General MIDI SoundFont installed")
needs_ffprobe = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="no ffprobe")
Q = SEC // 4


def project(rate: str = "24", cue_frame: int = 48) -> Project:
    """Strings, brass and an unused choir track; notes early (their voices finish) and again
    in the cue, where a brass note lands in a voice slot the strings used."""
    p = Project()
    fps = STANDARD_RATES[rate]  # type: ignore[index]
    start = fps.frame_to_flicks(cue_frame)
    notes = []
    nid = 1
    for track, pitch, at in ((1, 60, 0), (1, 64, 0), (2, 48, Q), (1, 67, start),
                             (2, 43, start + Q), (2, 50, start + 2 * Q), (1, 72, start + Q)):
        notes.append(Note(nid, track, at, 3 * Q, pitch, 100))
        nid += 1
    p.load(Settings(title="Reel 1", rate=fps, start_frame=86400 if rate != "29.97df"
                    else 107892), [
        Track(1, "Violins", 0, 48, order=0, channel=0),
        Track(2, "Horns", 0, 60, order=1, channel=1, pan=0.3),
        Track(3, "Choir", 0, 52, order=2, channel=2),
        Cue(1, "1M3", cue_frame, cue_frame + 2 * int(fps.nominal)), *notes])
    return p


def export(p: Project, out: Path, **kw: object) -> tuple[list[stems.CuePlan], stems.StemReport]:
    options = StemOptions(**{"handles": 0.5, "jobs": 1, "bits": 32, **kw})  # type: ignore[arg-type]
    plans = plan_stems(p, out, None, options)
    return plans, export_stems(p, out, plans, options)


def test_the_stems_sum_to_the_mix_rendered_alone(tmp_path: Path) -> None:
    plans, report = export(project(), tmp_path, mix=True)
    (plan,) = plans
    assert [j.stem for j in plan.jobs] == ["STR", "BRS", "CHOIR", "MIX"]
    audio = {j.stem: read_wav(j.path)[0] for j in plan.jobs}
    assert len({len(a) for a in audio.values()}) == 1  # sample-aligned, the same length
    total = audio["STR"] + audio["BRS"] + audio["CHOIR"]
    worst = float(np.abs(total - audio["MIX"]).max())
    assert np.abs(audio["MIX"]).max() > 0.01
    assert worst == 0 or 20 * np.log10(worst) <= -90
    row = {r.stem: r for r in report.rows}
    assert row["CHOIR"].note.startswith("silent") and row["STR"].note == ""


@needs_ffprobe
def test_bext_and_ixml_place_each_file_at_its_timecode(tmp_path: Path) -> None:
    p = project("23.976", cue_frame=1237)
    plans, _ = export(p, tmp_path, bits=24, handles=2.0)
    job = plans[0].jobs[0]
    # the cue starts at frame 86400 + 1237 of 1001/24000 s (2002 samples); 2 s of handles
    expected = (86400 + 1237) * 2002 - 2 * 48000
    tags = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json",
         str(job.path)], capture_output=True, text=True, check=True).stdout)["format"]["tags"]
    assert tags["time_reference"] == str(expected)
    assert tags["comment"] == "Reel 1: cue 1M3 v1, Strings"
    bext = read_bext(job.path)
    assert bext is not None and bext.originator_reference == "1M3_v1_STR"
    with open(job.path, "rb") as f:
        found = {c.id: c for c in chunks(f)}
        f.seek(found[b"iXML"].offset)
        xml = ET.fromstring(f.read(found[b"iXML"].size))
    assert xml.findtext("PROJECT") == "Reel 1" and xml.findtext("SCENE") == "1M3"
    assert xml.findtext("TAKE") == "v1" and xml.findtext("TAPE") == "STR"
    assert xml.findtext("SPEED/TIMECODE_RATE") == "24000/1001"
    assert xml.findtext("SPEED/TIMECODE_FLAG") == "NDF"
    assert int(xml.findtext("SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO") or 0) == expected
    assert [t.findtext("NAME") for t in xml.iter("TRACK")] == ["STR L", "STR R"]


def test_the_command_names_the_files_by_cue_version_and_stem_with_a_manifest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reel1.cuesketch"
    ProjectFile.write_new(path, project())
    with ProjectFile.open(path) as pf:
        snapshots.take_snapshot(pf, "1M3 v3 first pass")
        snapshots.take_snapshot(pf, "1M3 v4, sent to the director")
        snapshots.take_snapshot(pf, "2M1 v9")
    out = tmp_path / "delivery"
    assert main(["stems", str(path), "--out", str(out), "--cue", "1m3", "--handles", "12f",
                 "--mix", "--click", "--jobs", "1"]) == 0
    names = sorted(p.name for p in (out / "1M3").iterdir())
    assert names == ["1M3_v4.mid", "1M3_v4_BRS.wav", "1M3_v4_CHOIR.wav", "1M3_v4_CLICK.wav",
                     "1M3_v4_MIX.wav", "1M3_v4_STR.wav"]
    rows = list(csv.DictReader(open(out / "manifest.csv", encoding="utf-8")))
    assert [r["stem"] for r in rows] == ["STR", "BRS", "CHOIR", "MIX", "CLICK", "MIDI"]
    strings = rows[0]
    assert strings["file"] == "1M3/1M3_v4_STR.wav" and strings["cue"] == "1M3"
    assert strings["version"] == "v4" and strings["start_tc"] == "01:00:01:12"
    assert (strings["sample_rate"], strings["bits"]) == ("48000", "24")
    assert int(strings["length_samples"]) == 3 * 48000  # 2 s of cue and 0.5 s each side
    assert float(strings["peak_dbfs"]) < 0 and float(strings["loudness_lufs"]) < -10
    assert rows[2]["note"].startswith("silent")
    bext = read_bext(out / strings["file"])
    assert bext is not None and bext.loudness_value == round(float(strings["loudness_lufs"])
                                                             * 100)
    doc = json.loads((out / "manifest.json").read_text())
    assert doc["timecode_rate"] == "24" and "sum to the mix" in doc["effects"]
    assert [f["stem"] for f in doc["files"]] == [r["stem"] for r in rows]
    assert "silent" in capsys.readouterr().err
    assert main(["stems", str(path), "--out", str(out), "--cue", "1M3", "--version", "7",
                 "--jobs", "1", "--cue", "1m3"]) == 0  # a cue named twice: made once
    assert (out / "1M3" / "1M3_v7_STR.wav").is_file()


def test_the_cues_midi_file_has_its_tempo_and_an_smpte_offset_at_its_start(
        tmp_path: Path) -> None:
    plans, _ = export(project(cue_frame=60), tmp_path)
    assert plans[0].midi is not None
    mid = mido.MidiFile(plans[0].midi)
    meta = [m for m in mid.tracks[0] if m.is_meta]
    smpte = next(m for m in meta if m.type == "smpte_offset")
    assert (smpte.hours, smpte.minutes, smpte.seconds, smpte.frames) == (1, 0, 2, 12)
    assert smpte.frame_rate == 24
    assert any(m.type == "set_tempo" and m.tempo == 500_000 for m in meta)
    ons = [m for t in mid.tracks for m in t if m.type == "note_on"]
    assert sorted(m.note for m in ons) == [43, 50, 67, 72]  # the cue's notes only


def test_the_version_comes_from_the_cues_latest_snapshot() -> None:
    names = ["1M3 v2", "1M31 v8", "1M3 v4, sent", "4M1 v6"]
    assert cue_version("1M3", names) == "v4"
    assert cue_version("4M1", names) == "v6"
    assert cue_version("2M2", names) == "v1"
    assert cue_version("1M3", names, "5") == "v5"


def test_a_cancel_leaves_no_file_of_the_cue_in_progress(tmp_path: Path) -> None:
    p = project()
    options = StemOptions(handles=0.5, jobs=1, mix=True)
    plans = plan_stems(p, tmp_path, None, options)
    cancel = threading.Event()

    def progress(cue: str, fraction: float) -> None:
        if fraction > 0:
            cancel.set()

    with pytest.raises(Cancelled, match="1M3 not written; nothing was written"):
        export_stems(p, tmp_path, plans, options, progress, cancel)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_keeps_the_finished_cues_and_says_which(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = project()
    p = Project()
    p.load(one.settings, list(one.tracks.values()) + list(one.notes.values())
           + list(one.cues.values()) + [Cue(2, "1M4", 200, 230)])
    options = StemOptions(handles=0.0, jobs=1)
    plans = plan_stems(p, tmp_path, None, options)
    real = stems.render_job

    def job(j: stems.StemJob) -> stems.JobResult:
        if j.cue == "1M4" and j.stem == "BRS":
            j.tmp.write_bytes(b"half a file")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(j)

    monkeypatch.setattr(stems, "render_job", job)
    with pytest.raises(StemError) as e:
        export_stems(p, tmp_path, plans, options)
    words = str(e.value)
    assert "can't write 1M4_v1_BRS.wav" in words and "the disk is full" in words
    assert "1M4 not written" in words and "finished are kept (1M3)" in words
    assert not (tmp_path / "1M4").exists()
    assert sorted(x.name for x in (tmp_path / "1M3").iterdir()) == [
        "1M3_v1.mid", "1M3_v1_BRS.wav", "1M3_v1_CHOIR.wav", "1M3_v1_STR.wav"]
    rows = list(csv.DictReader(open(tmp_path / "manifest.csv", encoding="utf-8")))
    assert {r["cue"] for r in rows} == {"1M3"}


def test_bad_input_is_said_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reel1.cuesketch"
    ProjectFile.write_new(path, project())
    assert main(["stems", str(path), "--out", str(tmp_path / "o"), "--cue", "9M9"]) == 1
    assert "the project has no cue '9M9' (its cues: 1M3)" in capsys.readouterr().err
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    assert main(["stems", str(path), "--out", str(a_file), "--all", "--jobs", "1"]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
    assert main(["stems", str(path), "--out", str(a_file / "sub"), "--all"]) == 1
    assert "can't make the folder" in capsys.readouterr().err
    assert main(["stems", str(path), "--out", str(tmp_path / "o"), "--all",
                 "--handles", "soon"]) == 1
    assert "--handles takes seconds (2s) or frames (48f)" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    empty = tmp_path / "empty.cuesketch"
    ProjectFile.write_new(empty, Project())
    assert main(["stems", str(empty), "--out", str(tmp_path / "o"), "--all"]) == 1
    assert "the project has no cues" in capsys.readouterr().err


def test_a_folder_that_refuses_files_is_said_plainly(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.write_bytes

    def refuse(self: Path, data: bytes) -> int:
        if self.parent == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", refuse)
    with pytest.raises(StemError, match=f"can't write in the folder {tmp_path}: permission "
                                        "denied"):
        export_stems(project(), tmp_path, [], StemOptions(jobs=1))
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_is_said_plainly(tmp_path: Path) -> None:
    import os
    if os.geteuid() == 0:
        pytest.skip("root writes in any folder")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StemError, match="can't write in the folder"):
            stems.check_folder(folder)
    finally:
        folder.chmod(0o700)


@needs_ffprobe
def test_past_4_gib_the_file_is_rf64_and_readers_follow(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BwfWriter, "riff_limit", 10_000)  # 4 GiB stands for 10 kB here
    path = tmp_path / "long.wav"
    with BwfWriter(path, 48000, 2, "pcm24") as w:
        w.write(bytes(6 * 5000))
    assert w.rf64 and path.read_bytes()[:4] == b"RF64"
    fmt, data = read_format(path)
    assert data.size == 30_000 and fmt.bits == 24
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=duration_ts", "-of", "json",
         str(path)], capture_output=True, text=True, check=True).stdout)
    assert probe["streams"][0]["duration_ts"] == 5000
    with BwfWriter(tmp_path / "short.wav", 48000, 2, "pcm24") as w:
        w.write(bytes(6 * 100))
    assert not w.rf64 and (tmp_path / "short.wav").read_bytes()[:4] == b"RIFF"


def test_parallel_processes_write_the_same_samples(tmp_path: Path) -> None:
    p = project()
    _, one = export(p, tmp_path / "one", jobs=1)
    _, two = export(p, tmp_path / "two", jobs=2)
    for row in one.rows:
        if row.stem != "MIDI":
            a, _ = read_wav(tmp_path / "one" / row.file)
            b, _ = read_wav(tmp_path / "two" / row.file)
            assert np.array_equal(a, b), row.file


def test_settings_out_of_range_are_refused() -> None:
    with pytest.raises(StemError, match="44100, 48000 or 96000"):
        StemOptions(sample_rate=22050).check()
    with pytest.raises(StemError, match="handles are 0 to 60"):
        StemOptions(handles=-1).check()
    assert replace(StemOptions(), bits=16).bits == 16


@pytest.mark.parametrize("rate, start_tc, cue_frame, expected", [
    # 01:00:00;00 at 29.97 DF is frame 107892 of 1001/30000 s: 1601.6 samples each; the cue
    # 1000 frames later, less 2 s of handles, rounded to the nearest sample
    ("29.97df", 107892, 1000, round((107892 + 1000) * 1601.6 - 96000)),
    ("59.94df", 215784, 777, round((215784 + 777) * 800.8 - 96000)),
    ("23.976", 86400, 1237, (86400 + 1237) * 2002 - 96000),
])
def test_the_time_reference_is_the_sample_nearest_the_cue_less_handles(
        tmp_path: Path, rate: str, start_tc: int, cue_frame: int, expected: int) -> None:
    fps = STANDARD_RATES[rate]  # type: ignore[index]
    p = Project()
    p.load(Settings(rate=fps, start_frame=start_tc), [
        Track(1, "Violins", 0, 48), Cue(1, "1M1", cue_frame, cue_frame + 50)])
    (plan,) = plan_stems(p, tmp_path, None, StemOptions(handles=2.0))
    assert plan.jobs[0].time_reference == expected
