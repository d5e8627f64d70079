"""What a film file holds, read with ffprobe: rate, size, length, start timecode, sound.

``probe(path)`` returns a ``MediaInfo`` or raises ``MediaError`` in plain words for a file
that is missing, cut short, not a video or in a format this system cannot decode.
``disagreements(info, settings)`` says where the file and the project differ.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from cuesketch.model.entities import Settings
from cuesketch.timing.rates import FrameRate, snap_rate
from cuesketch.timing.timecode import Timecode, TimecodeError, format_timecode

# Codecs whose every frame is a key frame: seeking them is exact and cheap.
INTRA_CODECS = frozenset({"mjpeg", "prores", "dnxhd", "dvvideo", "huffyuv", "ffv1", "rawvideo",
                          "png", "qtrle", "cfhd", "v210", "jpeg2000", "utvideo"})
PACKETS_SAMPLED = 48  # key-frame flags read from the start to call a stream intra-only
TIMEOUT_S = 30
PROXY_TAG = "cuesketch proxy; film frames: "  # written in a proxy's comment (see proxy.py)


class MediaError(Exception):
    """A film that cannot be used, said in plain words (what is wrong and what to do)."""


@dataclass(frozen=True)
class AudioStream:
    index: int  # the stream's index in the file
    codec: str
    channels: int
    sample_rate: int
    language: str = ""
    # When its first sample sounds, after the picture's first frame (s; negative: before).
    # A decoder's raw sound starts at its first sample: this puts it back under the picture.
    lead: Fraction = Fraction(0)


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    rate: FrameRate  # snapped to a standard rate (drop-frame if the start timecode says so)
    file_fps: Fraction  # as the file states it (e.g. 2997/125)
    width: int  # display size: square pixels
    height: int
    duration_s: float
    frame_count: int
    codec: str
    b_frames: bool  # frames are reordered: seeks on the file itself land early
    intra_only: bool  # every frame a key frame: seeks are exact and cheap
    start_timecode: str | None = None  # embedded, as written (``01:00:00;00``)
    audio: tuple[AudioStream, ...] = ()
    container: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def frame_accurate(self) -> bool:
        """Paused seeks land on the asked frame (see STACK.md): no B-frames or intra-only."""
        return self.intra_only or not self.b_frames

    def start_frame(self) -> int | None:
        """The embedded start timecode as an absolute frame count, or None."""
        if not self.start_timecode:
            return None
        try:
            return Timecode.parse(self.start_timecode, self.rate).to_frame(self.rate)
        except TimecodeError:
            return None


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise MediaError(f"{name} is not installed; Cuesketch needs it to read films "
                         "(install ffmpeg, which brings it)")
    return found


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise MediaError(f"reading {Path(cmd[-1]).name} took more than {TIMEOUT_S} s; "
                         "is it on a slow or disconnected drive?") from None


def _fraction(text: str | None) -> Fraction | None:
    try:
        value = Fraction(text or "")
    except (ValueError, ZeroDivisionError):
        return None
    return value if value > 0 else None


def _seconds(text: object) -> Fraction | None:
    """A stream's start_time as ffprobe prints it ("0.041708", "N/A", absent)."""
    try:
        return Fraction(str(text)) if text not in (None, "N/A", "") else None
    except (ValueError, ZeroDivisionError):
        return None


def video_start_time(path: Path) -> Fraction:
    """The picture's first time stamp in the file (ffprobe's start_time; 0 when not said).
    The one place the picture's origin is read, so the strip, the film lanes and the preview
    agree on where frame 0 is. Raises MediaError when ffprobe is missing."""
    out = _run([_tool("ffprobe"), "-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=start_time", "-of", "json", str(path)])
    try:
        value = json.loads(out.stdout or "{}")["streams"][0].get("start_time")
    except (KeyError, IndexError, ValueError, AttributeError):
        return Fraction(0)
    return _seconds(value) or Fraction(0)


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    return lines[-1] if lines else "no details"


def probe(path: Path | str, *, check_decode: bool = True) -> MediaInfo:
    """The facts of a film file. ``check_decode`` decodes its first and last second too,
    which finds files cut short and codecs this system cannot decode (a few 100 ms)."""
    path = Path(path)
    if not path.exists():
        raise MediaError(f"the film {path} is not there (moved, renamed or on a drive that "
                         "is not connected?); relink it to where it is now")
    if not path.is_file():
        raise MediaError(f"{path} is a folder, not a film file")
    ffprobe = _tool("ffprobe")
    out = _run([ffprobe, "-v", "error", "-print_format", "json", "-show_format",
                "-show_streams", str(path)])
    if out.returncode != 0:
        detail = _first_error(out.stderr)
        if "moov atom not found" in out.stderr and _looks_like_quicktime(path):
            raise MediaError(f"{path.name} is incomplete: it was cut short (still copying or "
                             "downloading?); copy it again")
        raise MediaError(f"{path.name} is not a film Cuesketch can read: it is not a video "
                         f"file, or it is damaged ({detail})")
    data = json.loads(out.stdout or "{}")
    streams = data.get("streams", [])
    fmt = data.get("format", {})
    video = [s for s in streams if s.get("codec_type") == "video"
             and not s.get("disposition", {}).get("attached_pic")]
    if not video:
        kind = "sound only" if any(s.get("codec_type") == "audio" for s in streams) else \
            "no picture"
        raise MediaError(f"{path.name} has no picture ({kind}); choose a video file")
    v = video[0]
    codec = v.get("codec_name") or ""
    if not codec or codec == "none":
        raise MediaError(f"the picture in {path.name} is in a format this system cannot "
                         f"decode ({v.get('codec_tag_string') or 'unknown codec'}); "
                         "convert it to H.264 or ProRes")
    timecode = (v.get("tags", {}).get("timecode") or fmt.get("tags", {}).get("timecode")
                or next((s.get("tags", {}).get("timecode") for s in streams
                         if s.get("tags", {}).get("timecode")), None))
    file_fps = _fraction(v.get("r_frame_rate")) or _fraction(v.get("avg_frame_rate"))
    drop = bool(timecode and ";" in timecode)
    rate = None
    for candidate in (_fraction(v.get("r_frame_rate")), _fraction(v.get("avg_frame_rate"))):
        if candidate is not None:
            rate = snap_rate(candidate, drop=drop)
            if rate is not None:
                file_fps = candidate
                break
    if rate is None or file_fps is None:
        shown = f"{float(file_fps):.3f} fps" if file_fps else "no steady frame rate"
        raise MediaError(f"{path.name} runs at {shown}, not a film or video rate "
                         "(23.976, 24, 25, 29.97, 30, 50, 59.94, 60); convert it first")
    width, height = int(v.get("width") or 0), int(v.get("height") or 0)
    if width <= 0 or height <= 0:
        raise MediaError(f"{path.name}: the picture has no size; the file is damaged")
    sar = _fraction(v.get("sample_aspect_ratio"))
    if sar is not None and sar != 1:
        width = int(round(width * sar)) // 2 * 2
    duration = float(v.get("duration") or fmt.get("duration") or 0)
    frames = int(v.get("nb_frames") or 0) or round(duration * float(rate.fps))
    comment = fmt.get("tags", {}).get("comment", "")
    if comment.startswith(PROXY_TAG) and comment[len(PROXY_TAG):].isdigit():
        frames = int(comment[len(PROXY_TAG):])  # a proxy: the film's frames, not the padding
        duration = frames / float(rate.fps)
    if frames <= 0:
        raise MediaError(f"{path.name} holds no frames; the file is damaged or empty")
    picture_start = _seconds(v.get("start_time"))
    audio = tuple(AudioStream(int(s.get("index", 0)), s.get("codec_name") or "?",
                              int(s.get("channels") or 0), int(s.get("sample_rate") or 0),
                              s.get("tags", {}).get("language", ""),
                              _lead(_seconds(s.get("start_time")), picture_start))
                  for s in streams if s.get("codec_type") == "audio")
    warnings: list[str] = []
    if check_decode:
        warnings += _check_decode(path, duration)
    return MediaInfo(
        path=path, rate=rate, file_fps=file_fps, width=width, height=height,
        duration_s=duration, frame_count=frames, codec=codec,
        b_frames=int(v.get("has_b_frames") or 0) > 0,
        intra_only=codec in INTRA_CODECS or _all_key_frames(ffprobe, path),
        start_timecode=timecode, audio=audio, container=fmt.get("format_name", ""),
        warnings=tuple(warnings))


def _lead(sound_start: Fraction | None, picture_start: Fraction | None) -> Fraction:
    if sound_start is None or picture_start is None:
        return Fraction(0)
    return sound_start - picture_start


def _looks_like_quicktime(path: Path) -> bool:
    """An MP4/MOV starts with a box such as ``ftyp``: then a missing index means cut short."""
    with path.open("rb") as f:
        head = f.read(8)
    return head[4:8] in (b"ftyp", b"mdat", b"wide", b"free", b"skip", b"moov", b"pnot")


def _all_key_frames(ffprobe: str, path: Path) -> bool:
    out = _run([ffprobe, "-v", "error", "-select_streams", "v:0", "-read_intervals",
                f"%+#{PACKETS_SAMPLED}", "-show_entries", "packet=flags", "-of", "csv=p=0",
                str(path)])
    flags = out.stdout.split()
    return bool(flags) and all(f.startswith("K") for f in flags)


def _check_decode(path: Path, duration: float) -> list[str]:
    """Decode a frame at the start and near the end; raise for what makes the film unusable."""
    ffmpeg = _tool("ffmpeg")
    warnings = []
    for start in (0.0, max(0.0, duration - 1.0)):
        out = _run([ffmpeg, "-v", "error", "-nostdin", "-ss", f"{start:.3f}", "-i", str(path),
                    "-map", "0:v:0", "-frames:v", "1", "-f", "null", "-"])
        err = out.stderr
        if "partial file" in err or "Truncated" in err:
            raise MediaError(f"{path.name} is incomplete: it was cut short (still copying or "
                             "downloading?); copy it again")
        if ("Decoder" in err and "not found" in err) or "unsupported" in err.lower():
            raise MediaError(f"the picture in {path.name} is in a format this system cannot "
                             f"decode ({_first_error(err)}); convert it to H.264 or ProRes")
        if out.returncode != 0:
            raise MediaError(f"{path.name} cannot be played: {_first_error(err)}")
        if err.strip():
            warnings.append(f"{path.name} has damaged frames near {start:.0f} s "
                            f"({_first_error(err)})")
    return warnings


def disagreements(info: MediaInfo, settings: Settings) -> list[str]:
    """Where the film and the project differ, in plain words (empty when they agree)."""
    found = []
    project = settings.rate
    if info.rate.fps != project.fps:
        found.append(f"{info.name} runs at {info.rate.name} fps but the project at "
                     f"{project.name} fps: frames will not line up; change the project's rate "
                     "or use a film at the project's rate")
    elif info.start_timecode and (";" in info.start_timecode) != project.drop:
        kind = "drop-frame" if ";" in info.start_timecode else "non-drop"
        found.append(f"{info.name} counts {kind} timecode ({info.start_timecode}) but the "
                     f"project counts {project.name}")
    start = info.start_frame()
    offset = settings.media.offset_frames if settings.media else 0
    if start is not None and info.rate == project and start != settings.start_frame + offset:
        found.append(f"{info.name} starts at {info.start_timecode} but is placed at "
                     f"{format_timecode(settings.start_frame + offset, project)}; set the "
                     "picture offset to match its timecode")
    return found
