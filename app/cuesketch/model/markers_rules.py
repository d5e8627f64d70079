"""What imported markers become: rules from a marker's colour, name or prefix to a hit (of a
kind), a cue start or end, a whole cue, a no-music range or a plain note; the plan that shows
before anything lands; one undo step to land it; nothing added twice.

A rules file has one rule a line, the first that matches wins, ``#`` starts a comment:

    color red      -> hit hard
    prefix CUE     -> cue           # a marker with a length is the cue; else start, then end
    name ^M\\d      -> cue-start
    prefix END     -> cue-end
    color black    -> no-music
    any            -> note

A marker with no matching rule falls to the ``--as`` default (hits by colour, cues, notes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cuesketch.model.changes import Change, insert
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Hit, HitKind, Marker, NoMusic
from cuesketch.model.project import Project
from cuesketch.model.spotting_numbers import cue_number, name_for_new_cue

ACTIONS = ("hit", "cue", "cue-start", "cue-end", "no-music", "note", "skip")
MAX_RULES = 500

# Hit kinds from the editor's colours when no rule says (the reds are the big sync points).
HIT_KIND_OF_COLOR: dict[str, HitKind] = {
    "red": HitKind.HARD, "orange": HitKind.SOFT, "yellow": HitKind.SOFT,
    "blue": HitKind.CUT, "cyan": HitKind.CUT, "green": HitKind.DIALOGUE,
    "mint": HitKind.DIALOGUE}
# ... and the other way, to export hits in colours an editor reads.
COLOR_OF_HIT_KIND: dict[HitKind, str] = {
    HitKind.HARD: "red", HitKind.SOFT: "yellow", HitKind.CUT: "cyan",
    HitKind.DIALOGUE: "green"}


class RulesError(ValueError):
    """A rules file that can't be read: the line and what was expected."""


@dataclass(frozen=True)
class SpottedMarker:
    """A marker on the project's frames (from the project start), from line ``line``."""

    frame: int
    name: str = ""
    color: str = ""
    note: str = ""
    length: int = 0
    line: int = 0


@dataclass(frozen=True)
class Rule:
    field: str  # "color", "name" (a regular expression), "prefix", "any"
    pattern: str
    action: str  # one of ACTIONS
    kind: HitKind = HitKind.HARD

    def matches(self, m: SpottedMarker) -> bool:
        if self.field == "any":
            return True
        if self.field == "color":
            return m.color.lower() == self.pattern.lower()
        if self.field == "prefix":
            return m.name.lower().startswith(self.pattern.lower())
        return re.search(self.pattern, m.name, re.IGNORECASE) is not None


_RULE = re.compile(r"^\s*(color|colour|name|prefix|any)\b\s*(.*?)\s*->\s*([a-z-]+)\s*(\w*)\s*$",
                   re.IGNORECASE)


def parse_rules(text: str) -> list[Rule]:
    rules: list[Rule] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = _RULE.match(line)
        if m is None:
            raise RulesError(f"rules line {number}: expected WHEN -> WHAT, e.g. "
                             f"'color red -> hit hard', not {line[:60]!r}")
        what, pattern, action, arg = m.group(1).lower(), m.group(2), m.group(3).lower(), \
            m.group(4).lower()
        what = "color" if what == "colour" else what
        if action not in ACTIONS:
            raise RulesError(f"rules line {number}: expected one of {', '.join(ACTIONS)} after "
                             f"->, not {action!r}")
        if what != "any" and not pattern:
            raise RulesError(f"rules line {number}: '{what}' needs something to match")
        if what == "name":
            try:
                re.compile(pattern)
            except re.error as e:
                raise RulesError(f"rules line {number}: {pattern!r} is not a regular "
                                 f"expression ({e})") from None
        kind = HitKind.HARD
        if action == "hit" and arg:
            try:
                kind = HitKind(arg)
            except ValueError:
                raise RulesError(f"rules line {number}: a hit is hard, soft, cut or dialogue, "
                                 f"not {arg!r}") from None
        rules.append(Rule(what, pattern, action, kind))
        if len(rules) > MAX_RULES:
            raise RulesError(f"more than {MAX_RULES} rules")
    return rules


def default_rules(as_what: str) -> list[Rule]:
    """``hits``: each marker a hit of the kind its colour says; ``cues``: each a cue (a marker
    with a length) or a start then an end; ``notes``: each a plain marker."""
    if as_what == "hits":
        return [Rule("color", c, "hit", k) for c, k in HIT_KIND_OF_COLOR.items()] + [
            Rule("any", "", "hit", HitKind.HARD)]
    if as_what == "cues":
        return [Rule("any", "", "cue")]
    if as_what == "notes":
        return [Rule("any", "", "note")]
    raise RulesError(f"import as hits, cues or notes, not {as_what!r}")


@dataclass(frozen=True)
class Planned:
    """One row of the preview: what a marker becomes, and whether it is there already."""

    marker: SpottedMarker
    action: str
    entity: Cue | Hit | NoMusic | Marker | None
    duplicate: bool = False
    problem: str = ""


@dataclass
class ImportPlan:
    rows: list[Planned] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return [insert(r.entity) for r in self.rows
                if r.entity is not None and not r.duplicate and not r.problem]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and r.entity is not None
                   and not r.duplicate and not r.problem)

    @property
    def duplicates(self) -> int:
        return sum(1 for r in self.rows if r.duplicate)

    def summary(self) -> str:
        words = {"hit": "hits", "cue": "cues", "no-music": "no-music ranges", "note": "notes"}
        parts = [f"{self.count(a)} {w}" for a, w in words.items() if self.count(a)]
        out = ", ".join(parts) or "nothing new"
        if self.duplicates:
            out += f" ({self.duplicates} already in the project)"
        problems = [r for r in self.rows if r.problem]
        if problems:
            out += f"; {len(problems)} left out"
        return out


def plan_import(project: Project, markers: Sequence[SpottedMarker], rules: Iterable[Rule],
                as_what: str = "hits") -> ImportPlan:
    """What the markers would become (nothing changes yet)."""
    rules = list(rules) + default_rules(as_what)
    ids: dict[type, int] = {k: project._next_ids[k] for k in (Cue, Hit, NoMusic, Marker)}
    cues = list(project.cues.values())
    have = _existing(project)
    plan = ImportPlan()
    open_start: SpottedMarker | None = None

    def new_id(kind: type) -> int:
        ids[kind] += 1
        return ids[kind] - 1

    def add(m: SpottedMarker, action: str, entity: Cue | Hit | NoMusic | Marker | None,
            problem: str = "") -> None:
        if not problem and entity is not None and _start(entity) < 0:
            problem = BEFORE_START
        key = _key(entity) if entity is not None else None
        dup = key is not None and key in have
        if key is not None and not dup and not problem:
            have.add(key)
            if isinstance(entity, Cue):
                cues.append(entity)
        plan.rows.append(Planned(m, action, entity, dup, problem))

    def cue(m: SpottedMarker, start: int, end: int, name_source: SpottedMarker) -> None:
        if end <= start:
            add(m, "cue", None, "the cue would end before it starts")
            return
        label = name_source.name.strip()
        number = cue_number(label)
        name = str(number) if number is not None else name_for_new_cue(cues, start)
        title = "" if number is not None else label
        add(m, "cue", Cue(new_id(Cue), name, start, end, title=title, notes=name_source.note))

    for m in sorted(markers, key=lambda m: (m.frame, m.line)):
        rule = next(r for r in rules if r.matches(m))
        if rule.action == "skip":
            plan.rows.append(Planned(m, "skip", None))
        elif rule.action == "hit":
            kind = rule.kind if rule.field != "any" or as_what != "hits" else \
                HIT_KIND_OF_COLOR.get(m.color, HitKind.HARD)
            add(m, "hit", Hit(new_id(Hit), m.frame, m.name, kind, m.note))
        elif rule.action == "note":
            add(m, "note", Marker(new_id(Marker), m.frame, m.name, m.color, m.note, m.length))
        elif rule.action == "no-music":
            end = m.frame + m.length if m.length else None
            if end is None:
                plan.rows.append(Planned(m, "no-music", None, problem="a no-music marker "
                                         "needs a length (a duration in the file)"))
            else:
                add(m, "no-music", NoMusic(new_id(NoMusic), m.frame, end, m.note or m.name))
        elif rule.action == "cue" and m.length > 0:
            cue(m, m.frame, m.frame + m.length, m)
        elif rule.action == "cue-start" or (rule.action == "cue" and open_start is None):
            open_start = m
            plan.rows.append(Planned(m, "cue-start", None))
        else:  # a cue end, or the second marker of a start/end pair
            if open_start is None:
                plan.rows.append(Planned(m, "cue-end", None, problem="a cue end with no "
                                         "start before it"))
            else:
                cue(m, open_start.frame, m.frame, open_start)
                open_start = None
    if open_start is not None:
        plan.rows.append(Planned(open_start, "cue-start", None,
                                 problem="a cue start with no end after it"))
    return plan


def land(document: Document, plan: ImportPlan, label: str) -> int:
    """Land the plan as one undo step; how many things were added."""
    changes = plan.changes
    if changes:
        with document.transaction(label):
            document.execute_changes(changes, label)
    return len(changes)


BEFORE_START = "before the project start; give the file's start timecode"


def _start(e: Cue | Hit | NoMusic | Marker) -> int:
    return e.frame if isinstance(e, (Hit, Marker)) else e.start_frame


def _key(e: Cue | Hit | NoMusic | Marker) -> tuple[object, ...]:
    """What makes two imports the same thing (ids aside)."""
    if isinstance(e, Hit):
        return ("hit", e.frame, e.name, e.kind)
    if isinstance(e, Cue):
        return ("cue", e.start_frame, e.end_frame)
    if isinstance(e, NoMusic):
        return ("no-music", e.start_frame, e.end_frame)
    return ("note", e.frame, e.name, e.color, e.length)


def _existing(project: Project) -> set[tuple[object, ...]]:
    out: set[tuple[object, ...]] = set()
    for table in (project.cues, project.hits, project.table(NoMusic), project.table(Marker)):
        out.update(_key(e) for e in table.values())
    return out
