"""What goes beside the stems: the iXML text of each file, the manifest (CSV and JSON), the
cue's Standard MIDI File for the orchestrator, and a file's loudness (ffmpeg's EBU R 128
meter, BS.1770 integrated loudness).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape

from cuesketch.files import replacing
from cuesketch.formats import smf
from cuesketch.model.entities import Cue, Hit, Note, ControlPoint, Track
from cuesketch.model.project import Project
from cuesketch.timing.rates import FrameRate

FX_POLICY = ("wet stems: each stem carries its own share of the reverb and chorus, so the "
             "stems sum to the mix")


class StemFileError(RuntimeError):
    """A file beside the stems that could not be written, in plain words."""


# -- iXML ------------------------------------------------------------------------------------------

def timecode_rate_text(rate: FrameRate) -> tuple[str, str]:
    """iXML's TIMECODE_RATE ("24000/1001") and TIMECODE_FLAG ("DF" or "NDF")."""
    fps = rate.fps
    return f"{fps.numerator}/{fps.denominator}", "DF" if rate.drop else "NDF"


def ixml_text(*, project: str, cue: str, version: str, stem: str, rate: FrameRate,
              sample_rate: int, bits: int, time_reference: int, note: str = "") -> str:
    """The iXML chunk (iXML 2.10): PROJECT, SCENE (the cue), TAKE (the version), the file's
    timecode rate and time stamp, and the stem's name on both channels."""
    tc_rate, flag = timecode_rate_text(rate)
    hi, lo = divmod(time_reference, 1 << 32)

    def tag(name: str, value: object) -> str:
        return f"<{name}>{escape(str(value))}</{name}>"

    tracks = "".join(
        f"<TRACK>{tag('CHANNEL_INDEX', i)}{tag('INTERLEAVE_INDEX', i)}"
        f"{tag('NAME', f'{stem} {side}')}</TRACK>" for i, side in ((1, "L"), (2, "R")))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<BWFXML>'
            + tag("IXML_VERSION", "2.10") + tag("PROJECT", project) + tag("SCENE", cue)
            + tag("TAKE", version) + tag("TAPE", stem) + tag("NOTE", note)
            + "<SPEED>" + tag("NOTE", f"timecode {rate.name} fps")
            + tag("MASTER_SPEED", tc_rate) + tag("CURRENT_SPEED", tc_rate)
            + tag("TIMECODE_RATE", tc_rate) + tag("TIMECODE_FLAG", flag)
            + tag("FILE_SAMPLE_RATE", sample_rate) + tag("AUDIO_BIT_DEPTH", bits)
            + tag("TIMESTAMP_SAMPLE_RATE", sample_rate)
            + tag("TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI", hi)
            + tag("TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO", lo) + "</SPEED>"
            + "<TRACK_LIST>" + tag("TRACK_COUNT", 2) + tracks + "</TRACK_LIST>"
            + "<USER>" + tag("CUE", cue) + tag("VERSION", version) + tag("STEM", stem)
            + "</USER></BWFXML>\n")


# -- loudness --------------------------------------------------------------------------------------

_INTEGRATED = re.compile(r"Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+|-inf)\s*LUFS")


def loudness_lufs(path: Path) -> float | None:
    """Integrated loudness (EBU R 128 / BS.1770) by ffmpeg's ebur128 meter; None when ffmpeg
    is missing, the file is silent or below the meter's gate."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    try:
        run = subprocess.run([ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
                              "-af", "ebur128", "-f", "null", "-"],
                             capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = _INTEGRATED.findall(run.stderr)
    if not found or found[-1] == "-inf":
        return None
    value = float(found[-1])
    return None if value <= -70.0 else value


def peak_dbfs(peak: float) -> float | None:
    return round(20 * math.log10(peak), 2) if peak > 0 else None


# -- the manifest ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ManifestRow:
    file: str  # relative to the export folder
    cue: str
    version: str
    stem: str  # STR, BRS ..., MIX, CLICK, MIDI
    start_tc: str
    length_tc: str  # the file's length as a timecode duration
    length_samples: int
    sample_rate: int
    bits: int  # 16, 24, or 32 (float)
    peak_dbfs: float | None
    loudness_lufs: float | None
    time_reference: int
    note: str = ""  # "silent", "skipped: ..." and the like


FIELDS = tuple(ManifestRow.__dataclass_fields__)


def write_manifest(folder: Path, rows: list[ManifestRow], header: dict[str, object]) -> None:
    """``manifest.csv`` and ``manifest.json`` in ``folder``, each whole or not at all."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(FIELDS)
    for r in rows:
        w.writerow(["" if v is None else v for v in asdict(r).values()])
    doc = dict(header, files=[asdict(r) for r in rows])
    for name, text in (("manifest.csv", out.getvalue()),
                       ("manifest.json", json.dumps(doc, indent=2) + "\n")):
        with replacing(folder / name, StemFileError) as tmp:
            tmp.write_text(text, encoding="utf-8")


# -- the cue's MIDI file ---------------------------------------------------------------------------

def cue_project(project: Project, cue: Cue) -> Project:
    """The cue alone, its start at 0: the notes and controller points inside it (a note that
    starts before the cue is the previous cue's), its hits, its tempo map (its own or the
    project's, moved), the project start moved to the cue's timecode."""
    s = project.settings
    at = s.rate.frame_to_flicks(cue.start_frame)
    end = s.rate.frame_to_flicks(cue.end_frame)
    tempo = cue.tempo if cue.tempo is not None else s.tempo
    tempo = replace(tempo, origin=tempo.origin - at)
    settings = replace(s, start_frame=s.start_frame + cue.start_frame, tempo=tempo)
    entities: list[Track | Note | ControlPoint | Hit | Cue] = list(project.tracks.values())
    entities += [replace(n, start=n.start - at) for n in project.notes.values()
                 if at <= n.start < end]
    entities += [replace(p, time=p.time - at) for p in project.controls.values()
                 if at <= p.time < end]
    entities += [replace(h, frame=h.frame - cue.start_frame) for h in project.hits.values()
                 if cue.start_frame <= h.frame < cue.end_frame]
    entities.append(replace(cue, start_frame=0, end_frame=cue.end_frame - cue.start_frame,
                            tempo=None))
    out = Project()
    out.load(settings, entities)
    return out


def write_cue_midi(project: Project, cue: Cue, path: Path) -> None:
    """A type 1 Standard MIDI File of the cue: the tempo map in force in it, an SMPTE offset
    at the cue's start timecode, a track per track."""
    try:
        smf.write(cue_project(project, cue), path)
    except (smf.MidiFileError, OSError) as e:
        raise StemFileError(str(e)) from None


__all__ = ["ixml_text", "loudness_lufs", "ManifestRow", "write_manifest", "write_cue_midi",
           "cue_project", "FX_POLICY", "StemFileError", "peak_dbfs"]
