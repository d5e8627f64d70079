"""Marker files in and out: which format a file is, reading it at a rate, the import plan for
a project, and writing a project's hits, cues, no-music ranges and notes for the editor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cuesketch.formats.markers_common import (MarkerFile, MarkerFormatError, RawMarker, decode,
                                              read_bytes, to_project)
from cuesketch.formats.markers_edl import looks_like_edl, read_edl, write_edl
from cuesketch.formats.markers_otio import read_otio, write_otio
from cuesketch.formats.markers_text import (looks_like_avid, looks_like_premiere,
                                            looks_like_pro_tools, read_avid, read_csv,
                                            read_premiere, read_pro_tools, write_avid, write_csv)
from cuesketch.model.entities import Cue, Hit, Marker, NoMusic
from cuesketch.model.markers_rules import COLOR_OF_HIT_KIND, ImportPlan, Rule, plan_import
from cuesketch.model.project import Project
from cuesketch.timing.rates import FrameRate

READ_FORMATS = ("edl", "avid", "premiere", "protools", "otio", "csv")
WRITE_FORMATS = ("edl", "avid", "csv", "otio")
SUFFIX = {"edl": ".edl", "avid": ".txt", "csv": ".csv", "otio": ".otio"}


def detect(path: Path, data: bytes) -> str:
    """The format of a marker file, from its name and its first lines."""
    suffix = path.suffix.lower()
    if suffix == ".otio":
        return "otio"
    lines = decode(data[:65536]).splitlines()
    if suffix == ".edl" or looks_like_edl("\n".join(lines[:50])):
        return "edl"
    if looks_like_pro_tools(lines):
        return "protools"
    if looks_like_premiere(lines):
        return "premiere"
    if looks_like_avid(lines):
        return "avid"
    if suffix in (".csv", ".tsv") or (lines and ("," in lines[0] or ";" in lines[0])):
        return "csv"
    raise MarkerFormatError(f"{path.name} is not a marker file Cuesketch knows (an EDL, Avid "
                            f"or Premiere marker text, Pro Tools session info, OTIO or CSV)")


def read_markers(path: Path, rate: FrameRate, fmt: str | None = None,
                 columns: Mapping[str, str] | None = None) -> MarkerFile:
    """Every marker of a file, at ``rate`` unless the file says its own; all or nothing."""
    data = read_bytes(path)
    return parse_markers(data, rate, fmt or detect(path, data), columns)


def parse_markers(data: bytes, rate: FrameRate, fmt: str,
                  columns: Mapping[str, str] | None = None) -> MarkerFile:
    """Every marker of a file's bytes; a file that can't be read raises MarkerFormatError
    only (a number no reader foresaw included), never a traceback."""
    try:
        return _parse(data, rate, fmt, columns)
    except MarkerFormatError:
        raise
    except (ValueError, OverflowError) as e:
        raise MarkerFormatError(f"a value in the file can't be read ({str(e)[:120]})") from None


def _parse(data: bytes, rate: FrameRate, fmt: str,
           columns: Mapping[str, str] | None = None) -> MarkerFile:
    if fmt == "edl":
        return read_edl(data, rate)
    if fmt == "avid":
        return read_avid(data, rate)
    if fmt == "premiere":
        return read_premiere(data, rate)
    if fmt == "protools":
        return read_pro_tools(data)
    if fmt == "otio":
        return read_otio(data, rate)
    if fmt == "csv":
        return read_csv(data, rate, columns)
    raise MarkerFormatError(f"unknown marker format {fmt!r}; use one of "
                            f"{', '.join(READ_FORMATS)}")


@dataclass
class MarkerImport:
    """A file read and what it would become in the project (nothing has changed yet)."""

    file: MarkerFile
    plan: ImportPlan


def plan_file(project: Project, path: Path, as_what: str = "hits",
              rules: list[Rule] | None = None, fmt: str | None = None,
              columns: Mapping[str, str] | None = None, file_rate: FrameRate | None = None,
              file_start: str | None = None) -> MarkerImport:
    settings = project.settings
    mf = read_markers(path, file_rate or settings.rate, fmt, columns)
    spotted = to_project(mf, settings, file_start)
    return MarkerImport(mf, plan_import(project, spotted, rules or [], as_what))


# -- writing -----------------------------------------------------------------------------------
def project_markers(project: Project) -> tuple[list[RawMarker], list[str]]:
    """The project's hits, cues, no-music ranges and notes as markers at absolute frames (the
    project's timecode), in time order, with what each was."""
    start = project.settings.start_frame
    items: list[tuple[RawMarker, str]] = []
    for h in project.table(Hit).values():
        items.append((RawMarker(start + h.frame, h.name or f"{h.kind.value} hit",
                                COLOR_OF_HIT_KIND[h.kind], h.note), f"hit {h.kind.value}"))
    for c in project.table(Cue).values():
        name = f"{c.name} {c.title}".strip()
        items.append((RawMarker(start + c.start_frame, name, "magenta", c.notes,
                                c.end_frame - c.start_frame), "cue"))
    for r in project.table(NoMusic).values():
        items.append((RawMarker(start + r.start_frame, "No music", "black", r.note,
                                r.end_frame - r.start_frame), "no-music"))
    for m in project.table(Marker).values():
        items.append((RawMarker(start + m.frame, m.name, m.color, m.note, m.length), "note"))
    items.sort(key=lambda it: (it[0].frame, it[1], it[0].name))
    return [m for m, _k in items], [k for _m, k in items]


def export_markers(project: Project, fmt: str) -> str:
    markers, kinds = project_markers(project)
    s = project.settings
    if fmt == "edl":
        return write_edl(s.title, s.rate, markers)
    if fmt == "avid":
        return write_avid(markers, s.rate)
    if fmt == "csv":
        return write_csv(markers, s.rate, kinds)
    if fmt == "otio":
        return write_otio(s.title, s.rate, s.start_frame, markers, kinds)
    raise MarkerFormatError(f"markers are written as {', '.join(WRITE_FORMATS)}, not {fmt!r}")
