"""Markers in EDLs: CMX 3600 locators (``* LOC: 01:00:01:14 RED  note``) read through
OpenTimelineIO's cmx_3600 adapter, and DaVinci Resolve marker EDLs (``|C:ResolveColorRed
|M:name |D:frames`` under each one-frame event, as Frame.io writes them too); written back as
CMX 3600 with one short event and one LOC line per marker.

The adapter skips drop-frame locators (``LOC: 01:00:10;00``: its pattern wants four colons),
so every LOC line is also read here, with its line number; the adapter's markers must agree
with ours on the lines it did read, and the drop-frame ones keep their colour from our reading.
A locator's timecode is a record (programme) timecode, as editors write it. The ``FCM:`` line
says the counting (``DROP FRAME`` reads ``01:00:10:00`` as drop-frame too); without one, ``;``
labels say it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from cuesketch.formats.markers_common import (MarkerFile, MarkerFormatError, RawMarker,
                                              can_drop, color_word, decode, lines_of,
                                              text, timecode_frame)
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.timecode import format_timecode

_TC = r"\d{1,2}[:;.]\d\d[:;.]\d\d[:;.]\d\d"
_LOC = re.compile(rf"^\*\s*LOC:\s*({_TC})(?:\s+(\w*))?(?:\s+(.*))?$", re.IGNORECASE)
_EVENT = re.compile(rf"^\s*(\d{{1,6}})\s+(\S+)\s+(\S+)\s+(\S+)\s+(?:\d+\s+)?"
                    rf"({_TC})\s+({_TC})\s+({_TC})\s+({_TC})\s*$")


def looks_like_edl(head: str) -> bool:
    return bool(re.search(r"^(TITLE:|FCM:|\d{3,6}\s+\S+\s+\S+\s+\S+\s+" + _TC + ")", head,
                          re.MULTILINE))


def read_edl(data: bytes, rate: FrameRate) -> MarkerFile:
    """A CMX 3600 EDL's locators, or a Resolve marker EDL's markers, at ``rate``."""
    lines = lines_of(decode(data))
    if any("|C:" in line for line in lines[:2000]):
        return _read_resolve(lines, rate)
    return _read_cmx(lines, rate)


_FCM = re.compile(r"^\s*FCM:\s*(NON[- ]?DROP[- ]?FRAME|DROP[- ]?FRAME)\b", re.IGNORECASE)


def _counted(mf: MarkerFile, lines: list[str]) -> MarkerFile:
    """The file's counting from its first FCM line, if it has one."""
    for number, line in enumerate(lines[:50], 1):
        if not line.strip().upper().startswith("FCM:"):
            continue
        m = _FCM.match(line)
        if m is None:
            raise MarkerFormatError("expected FCM: DROP FRAME or FCM: NON-DROP FRAME", number)
        drop = not m.group(1).upper().startswith("NON")
        if drop and not can_drop(mf.rate):
            raise MarkerFormatError(f"the EDL says DROP FRAME but its rate is {mf.rate.name} "
                                    f"fps; drop-frame exists only at 29.97 and 59.94", number)
        mf.rate = FrameRate(mf.rate.fps, drop)
        mf.counting_fixed = True
        break
    return mf


def _read_resolve(lines: list[str], rate: FrameRate) -> MarkerFile:
    mf = _counted(MarkerFile("DaVinci Resolve marker EDL", rate), lines)
    record_in: int | None = None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("TITLE:", "FCM:", "*")):
            continue
        event = _EVENT.match(line)
        if event is not None:
            record_in = mf.frame(event.group(7), number)
            continue
        marker = _resolve_marker(line)
        if marker is None:
            raise MarkerFormatError("expected an event line (001  001  V  C  in out in out) or "
                                    "|C:colour |M:name |D:frames", number)
        if record_in is None:
            raise MarkerFormatError("a marker before any event line", number)
        color, name, duration = marker
        mf.add(RawMarker(record_in, text(name, "name", number), color_word(color), "",
                         _length(duration), number))
        record_in = None
    return mf


def _resolve_marker(line: str) -> tuple[str, str, str] | None:
    """(colour, name, duration) of ``|C:colour |M:name |D:frames``, found by plain string
    search (a lazy pattern there backtracks quadratically on a crafted line)."""
    c = line.find("|C:")
    m = line.find("|M:", c + 3) if c >= 0 else -1
    d = line.rfind("|D:")
    if c < 0 or m < 0 or d < m + 3:
        return None
    color, duration = line[c + 3:m].strip(), line[d + 3:].strip()
    if len(color.split()) > 1 or not (duration.isascii() and duration.isdigit()):
        return None
    return color, line[m + 3:d].strip(), duration


def _length(duration: str) -> int:
    """Resolve writes |D:1 for a point marker."""
    frames = int(duration[:9])
    return frames if frames > 1 else 0


def _read_cmx(lines: list[str], rate: FrameRate) -> MarkerFile:
    mf = _counted(MarkerFile("CMX 3600 EDL", rate), lines)
    ours: list[RawMarker] = []
    plain: list[RawMarker] = []  # the ':' locators as the adapter counts them (non-drop)
    event: tuple[int, int] | None = None  # the record in and out of the event we are in
    in_event: list[int] = []  # the LOCs under it (indices into ours)
    # A marker list (as Cuesketch and Resolve write one) is an event per marker, its LOC on
    # the event's first frame, the event's record length the marker's. In an editor's cut
    # list a LOC on a clip's first frame is a point: the clip's length is not the marker's.
    # So the file's shape decides: lengths are lent only when no event is a bare clip (no LOC:
    # a cut list) and most events carrying LOCs are shaped so (one odd event in a marker list
    # does not take every length away).
    lengths: dict[int, int] = {}  # LOC index: its event's record length
    others = 0  # events with LOCs that are no marker's
    bare = 0  # events without a LOC: clips of a cut

    def close_event() -> None:
        nonlocal others, bare
        if event is not None:
            if len(in_event) == 1 and ours[in_event[0]].frame == event[0]:
                lengths[in_event[0]] = event[1] - event[0]
            elif in_event:
                others += 1
            else:
                bare += 1
        in_event.clear()

    for number, line in enumerate(lines, 1):
        ev = _EVENT.match(line)
        if ev is not None:
            close_event()
            try:
                event = (mf.frame(ev.group(7), number), mf.frame(ev.group(8), number))
            except MarkerFormatError:
                event = None  # a record time we can't read gives no length; LOCs still count
            continue
        if "LOC:" not in line.upper():
            continue
        m = _LOC.match(line.strip())
        if m is None:
            raise MarkerFormatError("expected * LOC: HH:MM:SS:FF COLOUR note", number)
        raw = RawMarker(mf.frame(m.group(1), number), text(m.group(3) or "", "note", number),
                        color_word(m.group(2) or ""), "", 0, number)
        in_event.append(len(ours))
        ours.append(raw)
        if ";" not in m.group(1):
            plain.append(replace(raw, frame=timecode_frame(
                m.group(1), FrameRate(rate.fps), number)))
    close_event()
    if not bare and len(lengths) > others:  # a marker list; in it a one-frame event is a point
        for i, length in lengths.items():
            ours[i] = replace(ours[i], length=length if length > 1 else 0)
    theirs = _otio_locators("\n".join(lines), rate)
    readable = plain
    if len(theirs) > len(readable):
        raise MarkerFormatError("OpenTimelineIO read more locators than there are LOC lines")
    # The adapter reads only LOCs inside an event; ours must hold each of its, in order.
    i = 0
    for frame, color in theirs:
        while i < len(readable) and readable[i].frame != frame:
            i += 1
        if i == len(readable) or (color and color != readable[i].color):
            raise MarkerFormatError("OpenTimelineIO and Cuesketch read the locators "
                                    "differently; the EDL is not as expected")
        i += 1
    for raw in ours:
        mf.add(raw)
    return mf


def _otio_locators(edl: str, rate: FrameRate) -> list[tuple[int, str]]:
    """(frame, colour) of each locator the cmx_3600 adapter reads."""
    import opentimelineio as otio  # ~0.3 s to load: only when an EDL is read

    try:
        timeline = otio.adapters.read_from_string(edl, "cmx_3600", rate=float(rate.fps),
                                                  ignore_timecode_mismatch=True)
    except Exception as e:  # the adapter raises many kinds, all meaning "not a valid EDL"
        raise MarkerFormatError(f"this is not an EDL OpenTimelineIO can read "
                                f"({str(e)[:200]})") from None
    out = []
    for clip in timeline.find_clips():
        for marker in clip.markers:
            value = marker.marked_range.start_time.rescaled_to(float(rate.fps)).value
            meta = marker.metadata.get("cmx_3600", {})
            out.append((round(value), color_word(str(meta.get("color", "")))))
    return out


_EDL_COLORS = ("RED", "GREEN", "BLUE", "CYAN", "MAGENTA", "YELLOW", "BLACK", "WHITE")


def write_edl(title: str, rate: FrameRate, markers: Iterable[RawMarker]) -> str:
    """CMX 3600: one event and one LOC line per marker, at record timecode; the event lasts
    the marker's length (a cue's, a no-music range's), one frame for a point."""
    fcm = "DROP FRAME" if rate.drop else "NON-DROP FRAME"
    out = [f"TITLE: {_plain(title)[:70] or 'Cuesketch markers'}", f"FCM: {fcm}", ""]
    for i, m in enumerate(markers, 1):
        tc_in = format_timecode(m.frame, rate)
        tc_out = format_timecode(m.frame + max(1, m.length), rate)
        color = m.color.upper() if m.color.upper() in _EDL_COLORS else "WHITE"
        name = _plain(" ".join(p for p in (m.name, m.note) if p))
        out.append(f"{i:03d}  AX       V     C        {tc_in} {tc_out} {tc_in} {tc_out}")
        out.append(f"* LOC: {tc_in} {color:7} {name}".rstrip())
        out.append("")
    return "\r\n".join(out) + "\r\n"


def _plain(s: str) -> str:
    return " ".join(s.replace("\t", " ").split())
