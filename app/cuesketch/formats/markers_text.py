"""Markers in tab-separated and CSV text: Avid marker files, Premiere marker lists, Pro Tools
"Session Info as Text" marker listings, and any CSV with a column mapping.

- Avid Media Composer (Markers window, Export Markers): one marker a line, tab-separated
  ``user  TC  track  colour  comment  duration`` (later versions add fields after: ignored).
- Premiere Pro (Markers panel, Export as text/CSV): a header line naming the columns
  (``Marker Name  Description  In  Out  Duration  Marker Type``), often UTF-16 with a BOM.
- Pro Tools (File › Export › Session Info as Text, with markers): a header that says the
  sample rate, timecode format and session start, then ``M A R K E R S  L I S T I N G`` with
  ``#  LOCATION  TIME REFERENCE  UNITS  NAME  COMMENTS``; the time reference is in samples from
  the session start. A marker at a frame boundary lands on that frame (within a sample: 29.97
  frames are 1601.6 samples long at 48 kHz); one inside a frame on the frame showing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from fractions import Fraction

from cuesketch.formats.markers_common import (MAX_LINE, MarkerFile, MarkerFormatError,
                                              RawMarker, color_word, decode, lines_of, text,
                                              whole)
from cuesketch.timing.rates import FrameRate, RateError, parse_rate
from cuesketch.timing.timecode import format_timecode

_TC = re.compile(r"^\s*\d{1,2}[:;.]\d\d[:;.]\d\d[:;.]\d\d\s*$")


# -- Avid ---------------------------------------------------------------------------------------
def looks_like_avid(lines: list[str]) -> bool:
    first = next((line for line in lines if line.strip()), "")
    fields = first.split("\t")
    return len(fields) >= 5 and bool(_TC.match(fields[1]))


def read_avid(data: bytes, rate: FrameRate) -> MarkerFile:
    mf = MarkerFile("Avid marker text", rate)
    for number, line in enumerate(lines_of(decode(data)), 1):
        if not line.strip():
            continue
        f = line.split("\t")
        if len(f) < 5:
            raise MarkerFormatError("expected user, timecode, track, colour and comment "
                                    "separated by tabs", number)
        length = whole(f[5], "a duration in frames", number) if len(f) > 5 and f[5].strip() \
            else 1
        mf.add(RawMarker(mf.frame(f[1], number), text(f[4], "comment", number),
                         color_word(f[3]), "", length if length > 1 else 0, number))
    return mf


def write_avid(markers: Iterable[RawMarker], rate: FrameRate, user: str = "Cuesketch") -> str:
    out = []
    for m in markers:
        comment = " – ".join(p for p in (m.name, m.note) if p).replace("\t", " ")
        color = m.color if m.color in _AVID_COLORS else "white"
        out.append(f"{user}\t{format_timecode(m.frame, rate)}\tV1\t{color}\t{comment}\t"
                   f"{max(1, m.length)}")
    return "\n".join(out) + "\n"


_AVID_COLORS = ("red", "green", "blue", "cyan", "magenta", "yellow", "black", "white")


# -- Premiere -----------------------------------------------------------------------------------
def looks_like_premiere(lines: list[str]) -> bool:
    head = lines[0].lower() if lines else ""
    return "marker name" in head and "\tin" in head


def read_premiere(data: bytes, rate: FrameRate) -> MarkerFile:
    lines = lines_of(decode(data))
    mf = MarkerFile("Premiere marker list", rate)
    header = [h.strip().lower() for h in lines[0].split("\t")] if lines else []
    col = {name: header.index(name) for name in ("marker name", "description", "in", "out")
           if name in header}
    if "in" not in col:
        raise MarkerFormatError("expected a header naming the columns, with In", 1)
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        f = line.split("\t")
        if len(f) <= col["in"]:
            raise MarkerFormatError(f"expected {len(header)} tab-separated columns", number)
        start = mf.frame(f[col["in"]], number)
        end = start
        if "out" in col and len(f) > col["out"] and f[col["out"]].strip():
            end = mf.frame(f[col["out"]], number)
        name = f[col["marker name"]] if "marker name" in col and len(f) > col["marker name"] \
            else ""
        note = f[col["description"]] if "description" in col and len(f) > col["description"] \
            else ""
        mf.add(RawMarker(start, text(name, "name", number), "", text(note, "description", number),
                         max(0, end - start), number))
    return mf


# -- Pro Tools ----------------------------------------------------------------------------------
def looks_like_pro_tools(lines: list[str]) -> bool:
    return any(line.startswith("SESSION NAME:") for line in lines[:5])


_HEADER = re.compile(r"^([A-Z ]+):(.*)$")  # the value is stripped after: no lazy .*? then \s*


def read_pro_tools(data: bytes) -> MarkerFile:
    lines = lines_of(decode(data))
    head: dict[str, tuple[str, int]] = {}
    listing = None
    for number, line in enumerate(lines, 1):
        if line.replace(" ", "").upper().startswith("MARKERSLISTING"):
            listing = number
            break
        m = _HEADER.match(line)
        if m:
            head[m.group(1).strip()] = (m.group(2).strip(), number)
    if listing is None:
        raise MarkerFormatError("expected a M A R K E R S  L I S T I N G section (export the "
                                "session info with markers)")
    rate_text, rate_line = head.get("TIMECODE FORMAT", ("", 0))
    try:
        rate = parse_rate(rate_text.lower().replace("frame", "").replace(" ", "")
                          .replace("drop", "df").replace("dfdf", "df").replace("non", "n"))
    except RateError:
        raise MarkerFormatError(f"expected a timecode format like '24 Frame' or "
                                f"'29.97 Drop Frame', not {rate_text[:30]!r}",
                                rate_line or None) from None
    sr_text, sr_line = head.get("SAMPLE RATE", ("", 0))
    try:
        sample_rate = Fraction(sr_text.strip()[:20])
    except (ValueError, ZeroDivisionError):
        raise MarkerFormatError("expected the session's SAMPLE RATE", sr_line or None) from None
    if not 8000 <= sample_rate <= 768000:
        raise MarkerFormatError(f"a sample rate of {sr_text} Hz makes no sense", sr_line)
    start_text, start_line = head.get("SESSION START TIMECODE", ("00:00:00:00", 0))
    mf = MarkerFile("Pro Tools session info", rate)
    mf.counting_fixed = True  # TIMECODE FORMAT says it
    start = mf.start = mf.frame(start_text, start_line)
    columns: list[str] = []
    for number, line in enumerate(lines[listing:], listing + 1):
        if not line.strip():
            if columns and mf.markers:
                break
            continue
        f = [c.strip() for c in line.split("\t")]
        if not columns:
            columns = [c.upper() for c in f]
            if "TIME REFERENCE" not in columns or "NAME" not in columns:
                raise MarkerFormatError("expected the column names (#, LOCATION, TIME "
                                        "REFERENCE, UNITS, NAME, COMMENTS)", number)
            continue
        row = dict(zip(columns, f))
        if len(f) < columns.index("NAME") + 1:
            raise MarkerFormatError("expected a marker: number, location, time reference, "
                                    "units and name separated by tabs", number)
        units = row.get("UNITS", "Samples").lower()
        if units.startswith("sample"):
            samples = whole(row["TIME REFERENCE"], "a time reference in samples", number)
            frame = start + _frame_of_samples(samples, sample_rate, rate)
        else:
            frame = mf.frame(row.get("LOCATION", ""), number)
        mf.add(RawMarker(frame, text(row.get("NAME", ""), "name", number), "",
                         text(row.get("COMMENTS", ""), "comment", number), 0, number))
    return mf


def _frame_of_samples(samples: int, sample_rate: Fraction, rate: FrameRate) -> int:
    exact = samples * rate.fps / sample_rate
    nearest = round(exact)
    if abs(samples - nearest * sample_rate / rate.fps) <= 1:
        return int(nearest)
    return int(exact // 1)


# -- any CSV -----------------------------------------------------------------------------------
FIELDS = ("tc", "name", "color", "note", "duration")
_GUESS = {"tc": ("timecode", "tc", "start", "in", "record in", "rec in", "time", "location"),
          "name": ("name", "marker name", "marker", "title"),
          "color": ("color", "colour"),
          "note": ("note", "notes", "comment", "comments", "description"),
          "duration": ("duration", "length", "frames")}


def parse_columns(spec: str) -> dict[str, str]:
    """``tc=Record In,name=Marker`` (or column numbers from 1)."""
    out: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in FIELDS or not value.strip():
            raise MarkerFormatError(f"a column mapping is FIELD=COLUMN with FIELD one of "
                                    f"{', '.join(FIELDS)}; not {part.strip()!r}")
        out[key] = value.strip()
    return out


SNIFF = 4096  # characters csv.Sniffer reads (its patterns slow down fast on long text)


def csv_header(data: bytes) -> tuple[type[csv.Dialect], list[str]]:
    """A CSV file's dialect and header cells: what the reader and the import dialog agree on."""
    return _header(decode(data))


def _header(body: str) -> tuple[type[csv.Dialect], list[str]]:
    lines_of(body[:MAX_LINE + 2])  # the first line at most MAX_LINE long
    dialect: type[csv.Dialect]
    try:
        dialect = csv.Sniffer().sniff(body[:SNIFF], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        header = next(csv.reader(io.StringIO(body[:MAX_LINE + 2]), dialect))
    except (StopIteration, csv.Error):
        raise MarkerFormatError("expected a header line naming the columns", 1) from None
    return dialect, header


def read_csv(data: bytes, rate: FrameRate, columns: Mapping[str, str] | None = None
             ) -> MarkerFile:
    body = decode(data)
    dialect, header = _header(body)
    lines_of(body)
    rows = csv.reader(io.StringIO(body), dialect)
    mf = MarkerFile("CSV", rate)
    names = [h.strip().lower() for h in header]
    where: dict[str, int] = {}
    for key in FIELDS:
        want = (columns or {}).get(key)
        if want is not None:
            if want.isdigit() and 1 <= int(want) <= len(names):
                where[key] = int(want) - 1
            elif want.lower() in names:
                where[key] = names.index(want.lower())
            else:
                raise MarkerFormatError(f"there is no column {want!r} (the header has "
                                        f"{', '.join(header)[:200]})", 1)
        else:
            found = next((names.index(g) for g in _GUESS[key] if g in names), None)
            if found is not None:
                where[key] = found
    if "tc" not in where:
        raise MarkerFormatError("expected a timecode column (Timecode, TC, Start or In), "
                                "or say which with tc=COLUMN", 1)
    try:
        next(rows, None)  # the header, read above
        read_to = rows.line_num
        for row in rows:
            # a quoted cell may run over lines: a record is named by the line it starts on
            number, read_to = read_to + 1, rows.line_num
            if not any(c.strip() for c in row):
                continue

            def cell(key: str) -> str:
                i = where.get(key)
                return row[i] if i is not None and i < len(row) else ""

            if where["tc"] >= len(row):
                raise MarkerFormatError(f"expected {len(header)} columns", number)
            duration = cell("duration")
            mf.add(RawMarker(mf.frame(cell("tc"), number),
                             text(cell("name"), "name", number), color_word(cell("color")),
                             text(cell("note"), "note", number),
                             whole(duration, "a duration in frames", number)
                             if duration.strip() else 0, number))
    except csv.Error as e:
        raise MarkerFormatError(f"the CSV can't be read ({e})") from None
    return mf


def write_csv(markers: Iterable[RawMarker], rate: FrameRate, kinds: Iterable[str] = ()) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Timecode", "Name", "Color", "Note", "Duration", "Kind"])
    kind_list = list(kinds)
    for i, m in enumerate(markers):
        w.writerow([format_timecode(m.frame, rate), m.name, m.color, m.note, m.length,
                    kind_list[i] if i < len(kind_list) else ""])
    return buf.getvalue()
