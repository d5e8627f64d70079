"""Printable notes as text: the spotting list (each cue with its in/out, duration, kind, usage,
status, tags, palette, notes and the hits inside it; the no-music ranges) and the music cue
sheet (sequence, number, title, usage, duration, in/out, and the writers and publishers with
their shares and societies), as CSV and as HTML. The PDF is the HTML laid out by Qt
(``ui.spotting_print``), with a thumbnail per cue."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cuesketch.model.changes import Change, delete, insert
from cuesketch.model.entities import HIT_COLORS, Cue, NoMusic, RightsShare
from cuesketch.model.project import Project
from cuesketch.timing.timecode import format_timecode


@dataclass(frozen=True)
class HitLine:
    tc: str
    kind: str
    name: str


@dataclass(frozen=True)
class CueRow:
    cue: Cue
    tc_in: str
    tc_out: str
    duration: str  # timecode of the length, 00:01:12:05
    minutes: str  # M:SS, as a cue sheet writes it (seconds rounded up)
    hits: tuple[HitLine, ...]
    versions: int = 0


def _length_tc(frames: int, project: Project) -> str:
    rate = project.settings.rate
    return format_timecode(frames, type(rate)(rate.fps, False))


def minutes(frames: int, project: Project) -> str:
    seconds = -(-frames * project.settings.rate.fps.denominator //
                project.settings.rate.fps.numerator)
    return f"{seconds // 60}:{seconds % 60:02d}"


def cue_rows(project: Project, versions: Mapping[str, int] | None = None) -> list[CueRow]:
    s = project.settings

    def tc(frame: int) -> str:
        return format_timecode(s.start_frame + frame, s.rate)

    hits = sorted(project.hits.values(), key=lambda h: (h.frame, h.id))
    rows = []
    for c in sorted(project.cues.values(), key=lambda c: (c.start_frame, c.id)):
        inside = tuple(HitLine(tc(h.frame), h.kind.value, h.name) for h in hits
                       if c.start_frame <= h.frame < c.end_frame)
        length = c.end_frame - c.start_frame
        rows.append(CueRow(c, tc(c.start_frame), tc(c.end_frame), _length_tc(length, project),
                           minutes(length, project), inside, (versions or {}).get(c.name, 0)))
    return rows


def no_music(project: Project) -> list[tuple[str, str, str]]:
    s = project.settings
    return [(format_timecode(s.start_frame + r.start_frame, s.rate),
             format_timecode(s.start_frame + r.end_frame, s.rate), r.note)
            for r in sorted(project.table(NoMusic).values(), key=lambda r: r.start_frame)]


SPOTTING_COLUMNS = ("Cue", "Title", "In", "Out", "Duration", "Kind", "Usage", "Status", "Tags",
                    "Palette", "Notes", "Hits", "Versions")


def spotting_csv(project: Project, versions: Mapping[str, int] | None = None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SPOTTING_COLUMNS)
    for r in cue_rows(project, versions):
        c = r.cue
        w.writerow([c.name, c.title, r.tc_in, r.tc_out, r.duration, c.kind.value, c.usage,
                    c.status.value, ", ".join(c.tags), c.palette, c.notes,
                    "; ".join(f"{h.tc} {h.kind} {h.name}".strip() for h in r.hits), r.versions])
    for start, end, note in no_music(project):
        w.writerow(["no music", "", start, end, "", "", "", "", "", "", note, "", ""])
    return buf.getvalue()


_STATUS_COLORS = {"spotted": "#9aa4b1", "sketching": "#e0b040", "sent": "#4f9dde",
                  "changes": "#e0603a", "approved": "#5cb85c", "recorded": "#8e6bd8",
                  "mixed": "#2e8b57"}


_HIT_COLOR = {k.value: c for k, c in HIT_COLORS.items()}


def status_color(status: str) -> str:
    return _STATUS_COLORS.get(status, "#9aa4b1")


def _e(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def spotting_html(project: Project, thumbs: Mapping[int, str] | None = None,
                  versions: Mapping[str, int] | None = None) -> str:
    """The spotting notes as HTML: ``thumbs`` maps a cue id to an image URL (a file, or a
    resource name the PDF writer holds)."""
    s = project.settings
    rows = cue_rows(project, versions)
    out = [f"<html><head><meta charset='utf-8'><title>{_e(s.title)} – spotting notes</title>"
           "<style>body{font-family:sans-serif;font-size:9pt} td{vertical-align:top;"
           "padding:3px} .h{color:#555} th{text-align:left;background:#e8e8e8}</style>"
           f"</head><body><h2>{_e(s.title)} – spotting notes</h2>"
           f"<p class='h'>{len(rows)} cues at {s.rate.name} fps, project start "
           f"{format_timecode(s.start_frame, s.rate)}</p>",
           "<table width='100%' cellspacing='0' border='0'>"]
    for r in rows:
        c = r.cue
        img = (thumbs or {}).get(c.id)
        pic = f"<img src='{html.escape(img)}' width='160'>" if img else ""
        hits = "".join(f"<br>&nbsp;&nbsp;<span style='color:{_HIT_COLOR.get(h.kind, '#555')}'>"
                       f"■</span> {_e(h.tc)} {_e(h.kind)} {_e(h.name)}" for h in r.hits)
        tags = f"<br><b>Tags:</b> {_e(', '.join(c.tags))}" if c.tags else ""
        palette = f"<br><b>Palette:</b> {_e(c.palette)}" if c.palette else ""
        notes = f"<br>{_e(c.notes)}" if c.notes else ""
        version = f" · {r.versions} version{'s' if r.versions != 1 else ''}" \
            if r.versions else ""
        out.append(
            f"<tr><td width='170'>{pic}</td><td>"
            f"<b style='font-size:11pt'>{_e(c.name)}</b> {_e(c.title)} "
            f"<span style='color:{status_color(c.status.value)}'>■ {c.status.value}</span>"
            f"{version}<br><b>In</b> {r.tc_in} &nbsp; <b>Out</b> {r.tc_out} &nbsp; "
            f"<b>Duration</b> {r.duration} ({r.minutes})<br>{c.kind.value}"
            f"{' · ' + c.usage if c.usage else ''}{tags}{palette}{notes}"
            f"{'<br><b>Hits:</b>' + hits if hits else ''}</td></tr>")
    out.append("</table>")
    silent = no_music(project)
    if silent:
        out.append("<h3>No music</h3><ul>" + "".join(
            f"<li>{a} – {b} {_e(n)}</li>" for a, b, n in silent) + "</ul>")
    out.append("</body></html>")
    return "\n".join(out)


# -- the music cue sheet ---------------------------------------------------------------------
ROLES = ("composer", "publisher")


class RightsError(ValueError):
    """Writers or publishers that can't be kept (shares past 100 %), in plain words."""


def rights_changes(project: Project, people: Sequence[tuple[str, str, str, int]],
                   roles: Sequence[str] = ROLES) -> list[Change]:
    """The changes that make the cue sheet's ``roles`` exactly ``people`` (role, name,
    society, share in hundredths of a percent); the other roles stay."""
    for role in roles:
        total = sum(share for r, _n, _s, share in people if r == role)
        if total > 10000:
            raise RightsError(f"the {role}s' shares add up to {total / 100:g} %, more than 100 %")
    for role, name, _society, share in people:
        if role not in ROLES:
            raise RightsError(f"a role is composer or publisher, not {role!r}")
        if not name.strip():
            raise RightsError(f"a {role} needs a name")
        if not 0 <= share <= 10000:
            raise RightsError(f"{name}'s share must be 0 to 100 %, not {share / 100:g} %")
    old = sorted((r for r in project.table(RightsShare).values() if r.role in roles),
                 key=lambda r: r.id)
    if [(r.role, r.name, r.society, r.share) for r in old] == [
            (role, name.strip(), society.strip(), share)
            for role, name, society, share in people]:
        return []  # nothing changed: no undo step
    out: list[Change] = [delete(r) for r in old]
    next_id = project._next_ids[RightsShare]
    for i, (role, name, society, share) in enumerate(people):
        out.append(insert(RightsShare(next_id + i, role, name.strip(), society.strip(), share)))
    return out


CUE_SHEET_COLUMNS = ("Seq", "Cue", "Title", "Usage", "Duration", "In", "Out", "Kind",
                     "Composers", "Publishers")


def _shares(project: Project, role: str) -> str:
    people = sorted((r for r in project.table(RightsShare).values() if r.role == role),
                    key=lambda r: r.id)
    return "; ".join(f"{p.name} ({p.society or 'no society'}) {p.share / 100:g}%"
                     for p in people)


def cue_sheet_csv(project: Project) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CUE_SHEET_COLUMNS)
    composers, publishers = _shares(project, "composer"), _shares(project, "publisher")
    for seq, r in enumerate(cue_rows(project), 1):
        c = r.cue
        w.writerow([seq, c.name, c.title, c.usage, r.minutes, r.tc_in, r.tc_out, c.kind.value,
                    composers, publishers])
    return buf.getvalue()


def cue_sheet_html(project: Project) -> str:
    s = project.settings
    rows = cue_rows(project)
    head = "".join(f"<th>{h}</th>" for h in CUE_SHEET_COLUMNS[:8])
    body = "".join(
        f"<tr><td>{i}</td><td>{_e(r.cue.name)}</td><td>{_e(r.cue.title)}</td>"
        f"<td>{_e(r.cue.usage)}</td><td>{r.minutes}</td><td>{r.tc_in}</td><td>{r.tc_out}</td>"
        f"<td>{r.cue.kind.value}</td></tr>" for i, r in enumerate(rows, 1))
    total = sum(r.cue.end_frame - r.cue.start_frame for r in rows)
    people = "".join(
        f"<tr><td>{_e(p.role)}</td><td>{_e(p.name)}</td><td>{_e(p.society)}</td>"
        f"<td>{p.share / 100:g}%</td></tr>"
        for p in sorted(project.table(RightsShare).values(), key=lambda p: (p.role, p.id)))
    return ("<html><head><meta charset='utf-8'><style>body{font-family:sans-serif;"
            "font-size:9pt} th{text-align:left;background:#e8e8e8} td{padding:2px 6px}"
            f"</style></head><body><h2>{_e(s.title)} – music cue sheet</h2>"
            f"<table cellspacing='0' cellpadding='4' width='100%'><tr>{head}</tr>{body}</table>"
            f"<p>{len(rows)} cues, {minutes(total, project)} of music</p>"
            "<h3>Writers and publishers</h3><table cellspacing='0' cellpadding='4'><tr><th>Role</th>"
            f"<th>Name</th><th>Society</th><th>Share</th></tr>{people}</table></body></html>")
