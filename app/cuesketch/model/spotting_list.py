"""The spotting list as the Cues dock shows it, without Qt: the rows (cues, hits, no-music
ranges, notes), filtered by status, reel, tag or words and sorted by any column; what typing in
a cell does (an edit through ``SpottingEditor``, one undo step, or a plain-words refusal).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, CueStatus, Hit, Marker, NoMusic
from cuesketch.model.spotting_edits import Spotted, SpottingEditor, SpottingError
from cuesketch.model.spotting_numbers import CueNumberError, parse_cue_number, reels_of
from cuesketch.timing.timecode import TimecodeError, format_timecode, parse_timecode

COLUMNS = ("Cue", "Title", "In", "Out", "Duration", "Kind", "Usage", "Status", "Tags",
           "Palette", "Notes", "Versions")
# What each column edits, per row kind (None: not editable there).
_CUE_FIELDS = {"Cue": "name", "Title": "title", "In": "start_frame", "Out": "end_frame",
               "Kind": "kind", "Usage": "usage", "Status": "status", "Tags": "tags",
               "Palette": "palette", "Notes": "notes"}
_HIT_FIELDS = {"Title": "name", "In": "frame", "Kind": "kind", "Notes": "note"}
_RANGE_FIELDS = {"In": "start_frame", "Out": "end_frame", "Notes": "note"}
_MARKER_FIELDS = {"Title": "name", "In": "frame", "Kind": "color", "Notes": "note"}


@dataclass(frozen=True)
class Row:
    entity: Spotted
    cells: tuple[str, ...]
    reel: int = 0

    @property
    def frame(self) -> int:
        e = self.entity
        return e.frame if isinstance(e, Hit | Marker) else e.start_frame

    def editable(self, column: str) -> bool:
        return column in _fields_of(self.entity)


def _fields_of(e: Spotted) -> dict[str, str]:
    if isinstance(e, Cue):
        return _CUE_FIELDS
    if isinstance(e, Hit):
        return _HIT_FIELDS
    if isinstance(e, NoMusic):
        return _RANGE_FIELDS
    return _MARKER_FIELDS


@dataclass
class ListFilter:
    status: CueStatus | None = None
    reel: int | None = None
    tag: str = ""
    text: str = ""
    kinds: frozenset[str] = frozenset({"cue", "hit", "no-music", "note"})

    def keeps(self, row: Row) -> bool:
        e = row.entity
        kind = {Cue: "cue", Hit: "hit", NoMusic: "no-music", Marker: "note"}[type(e)]
        if kind not in self.kinds:
            return False
        if self.status is not None and not (isinstance(e, Cue) and e.status is self.status):
            return False
        if self.reel is not None and row.reel != self.reel:
            return False
        if self.tag and not (isinstance(e, Cue) and any(
                t.lower() == self.tag.lower() for t in e.tags)):
            return False
        return not self.text or any(self.text.lower() in c.lower() for c in row.cells)


@dataclass
class SpottingList:
    document: Document
    versions: Callable[[str], int] = lambda _name: 0
    filter: ListFilter = field(default_factory=ListFilter)
    sort_column: str = "In"
    descending: bool = False

    def __post_init__(self) -> None:
        self.editor = SpottingEditor(self.document)

    def _tc(self, frame: int) -> str:
        s = self.document.project.settings
        return format_timecode(s.start_frame + frame, s.rate)

    def _length(self, frames: int) -> str:
        rate = self.document.project.settings.rate
        return format_timecode(frames, type(rate)(rate.fps, False))

    def all_rows(self) -> list[Row]:
        p = self.document.project
        reels = reels_of(list(p.cues.values()))
        rows: list[Row] = []
        for c in p.cues.values():
            rows.append(Row(c, (c.name, c.title, self._tc(c.start_frame), self._tc(c.end_frame),
                                self._length(c.end_frame - c.start_frame), c.kind.value,
                                c.usage, c.status.value, ", ".join(c.tags), c.palette, c.notes,
                                str(self.versions(c.name) or "")), reels[c.id]))
        cue_list = sorted(p.cues.values(), key=lambda c: c.start_frame)

        def reel_at(frame: int) -> int:
            reel = 1
            for c in cue_list:
                if c.start_frame > frame:
                    break
                reel = reels[c.id]
            return reel

        for h in p.hits.values():
            rows.append(Row(h, ("hit", h.name, self._tc(h.frame), "", "", h.kind.value, "", "",
                                "", "", h.note, ""), reel_at(h.frame)))
        for r in p.table(NoMusic).values():
            rows.append(Row(r, ("no music", "", self._tc(r.start_frame), self._tc(r.end_frame),
                                self._length(r.end_frame - r.start_frame), "", "", "", "", "",
                                r.note, ""), reel_at(r.start_frame)))
        for m in p.table(Marker).values():
            rows.append(Row(m, ("note", m.name, self._tc(m.frame), "", "", m.color, "", "", "",
                                "", m.note, ""), reel_at(m.frame)))
        return rows

    def rows(self) -> list[Row]:
        """The rows the filter keeps, in the sort order."""
        col = COLUMNS.index(self.sort_column)
        kept = [r for r in self.all_rows() if self.filter.keeps(r)]
        if self.sort_column in ("In", "Out"):
            key: Callable[[Row], object] = lambda r: (r.frame if col == 2 else _end(r), r.cells[0])
        elif self.sort_column == "Status":
            order = {s.value: i for i, s in enumerate(CueStatus)}
            key = lambda r: (order.get(r.cells[7], -1), r.frame)  # noqa: E731
        elif self.sort_column == "Cue":
            key = lambda r: (_number_key(r.cells[0]), r.frame)  # noqa: E731
        else:
            key = lambda r: (r.cells[col].lower(), r.frame)  # noqa: E731
        return sorted(kept, key=key, reverse=self.descending)  # type: ignore[arg-type]

    def reels(self) -> list[int]:
        return sorted({r.reel for r in self.all_rows()})

    def tags(self) -> list[str]:
        return sorted({t for c in self.document.project.cues.values() for t in c.tags},
                      key=str.lower)

    def edit(self, row: Row, column: str, text: str) -> str | None:
        """Type ``text`` into a cell: one undo step, or the reason it can't be (None: done)."""
        fields = _fields_of(row.entity)
        name = fields.get(column)
        if name is None:
            return f"the {column.lower()} of a {row.cells[0]} can't be edited"
        value: object = text.strip()
        try:
            if name in ("start_frame", "end_frame", "frame"):
                s = self.document.project.settings
                value = parse_timecode(text, s.rate) - s.start_frame
            self.editor.edit(row.entity, **{name: value})
        except (SpottingError, TimecodeError, PermissionError) as e:
            return str(e)
        return None

    def delete(self, rows: Sequence[Row]) -> str | None:
        """Delete the rows' cues, hits, ranges and notes: one undo step (or why not)."""
        if rows:
            try:
                self.editor.delete([r.entity for r in rows])
            except (SpottingError, PermissionError) as e:
                return str(e)
        return None


def _end(row: Row) -> int:
    e = row.entity
    return e.end_frame if isinstance(e, Cue | NoMusic) else row.frame


def _number_key(name: str) -> tuple[int, int, str, str]:
    try:
        n = parse_cue_number(name)
    except CueNumberError:
        return (10**6, 0, "", name)
    return (n.reel, n.number, n.insert, name)
