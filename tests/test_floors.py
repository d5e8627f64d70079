"""One dependency order: each part of Cuesketch imports only from the floors below its own.

Lowest first:

    leaf < timing < model < store, formats < engine < media < services < ui < app < cli

A module may import its own part (its subpackage, or itself) and any part on a lower floor;
two parts on the same floor (store and formats, say) never import each other. Every import
counts, wherever it is written: at the top, late inside a function, under ``TYPE_CHECKING``,
relative, or through ``importlib.import_module("cuesketch....")``: a late import hides a cycle
from Python, not from the design.

Every module of the package has a floor: a subpackage by its name (``PACKAGES``), a module at the
top by ``TOP_LEVEL``, which says why. A new top-level module fails the test until it is given
one here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "app" / "cuesketch"

LEAF, TIMING, MODEL, STORE, ENGINE, MEDIA, SERVICES, UI, APP, CLI = range(10)
FLOOR_NAMES = ["leaf", "timing", "model", "store/formats", "engine", "media", "services", "ui",
               "app", "cli"]

# Subpackages, by name.
PACKAGES: dict[str, int] = {
    "timing": TIMING, "model": MODEL, "store": STORE, "formats": STORE, "engine": ENGINE,
    "media": MEDIA, "ui": UI, "cli": CLI,
}

# Modules at the top of the package: (floor, why).
TOP_LEVEL: dict[str, tuple[int, str]] = {
    "__init__": (LEAF, "the package's name and version, nothing else"),
    "files": (LEAF, "files written whole or not at all, content hashes: os and hashlib only"),
    "paths": (LEAF, "where the resources and the per-user files are: os and platformdirs"),
    "prefs": (STORE, "the user's settings, typed and versioned like the project file: stored "
                     "state, not a service; the root reads them, the engine may be handed them"),
    "demo": (SERVICES, "the demo project and its film link (model, store, paths), offered by "
                       "the root and the window; nothing below needs it"),
    "services": (SERVICES, "the typed set of running services: built by the root from engine, "
                           "media and store, read by the window"),
    "app": (APP, "the composition root: builds the services, then the window"),
    "app_review": (APP, "the review window's composition root (a .cuereview opened): its "
                        "session, player, audio and picture, then the window"),
    "__main__": (CLI, "`python -m cuesketch`: the command line's entry point, part of cli"),
}
# A top-level module that is part of another part.
JOINS = {"__main__": "cli", "app_review": "app"}


@dataclass(frozen=True)
class Part:
    """Where a module lives in the order: its floor, and the part (subpackage or top-level
    module) it belongs to."""

    floor: int
    name: str


@dataclass(frozen=True)
class Edge:
    source: str  # the importing module, dotted
    path: Path
    line: int
    target: str  # the imported module, dotted

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root.parent)}:{self.line}"


# -- the checker (takes a package folder and a table: the test of the checker uses its own) -----
def module_name(path: Path, package_dir: Path) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str, package_dir: Path) -> bool:
    rel = Path(*dotted.split(".")[1:]) if "." in dotted else Path()
    base = package_dir / rel
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _resolve_relative(module: str | None, level: int, source: str, is_package: bool) -> str:
    base = source.split(".")
    if not is_package:
        base.pop()
    base = base[:len(base) - (level - 1)] if level > 1 else base
    return ".".join(base + ([module] if module else []))


def imports(path: Path, package_dir: Path) -> list[Edge]:
    """Every import of the package made anywhere in the module at ``path``."""
    package = package_dir.name
    source = module_name(path, package_dir)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[Edge] = []

    def add(target: str, line: int) -> None:
        if target == package or target.startswith(package + "."):
            out.append(Edge(source, path, line, target))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = (node.module or "") if node.level == 0 else _resolve_relative(
                node.module, node.level, source, path.name == "__init__.py")
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                add(sub if _is_module(sub, package_dir) else base, node.lineno)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else (
                func.id if isinstance(func, ast.Name) else "")
            first = node.args[0]
            if name in ("import_module", "__import__") and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                add(first.value, node.lineno)
    return out


def part_of(module: str, packages: dict[str, int],
            top_level: dict[str, tuple[int, str]]) -> Part | None:
    """The part a dotted module belongs to, or None when the table gives it no floor."""
    parts = module.split(".")
    if len(parts) == 1:
        parts.append("__init__")
    head = parts[1]
    if len(parts) > 2 or head in packages:
        return Part(packages[head], head) if head in packages else None
    return Part(top_level[head][0], JOINS.get(head, head)) if head in top_level else None


def check(package_dir: Path, packages: dict[str, int],
          top_level: dict[str, tuple[int, str]]) -> list[str]:
    """What breaks the order, in words: modules with no floor, and back-edges."""
    problems: list[str] = []
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        source = module_name(path, package_dir)
        here = part_of(source, packages, top_level)
        if here is None:
            problems.append(f"{source} has no floor: give it one in tests/test_floors.py")
            continue
        for edge in imports(path, package_dir):
            there = part_of(edge.target, packages, top_level)
            if there is None or there.name == here.name:
                continue  # a target with no floor is reported as a module of its own
            if there.floor > here.floor:
                problems.append(
                    f"{edge.where(package_dir)}: {source} imports {edge.target}, but "
                    f"{here.name} ({FLOOR_NAMES[here.floor]}) is below "
                    f"{there.name} ({FLOOR_NAMES[there.floor]})")
            elif there.floor == here.floor:
                problems.append(
                    f"{edge.where(package_dir)}: {source} imports {edge.target}, but "
                    f"{here.name} and {there.name} share a floor "
                    f"({FLOOR_NAMES[here.floor]}): neither imports the other")
    return problems


# -- the order itself ----------------------------------------------------------------------------
def test_every_import_follows_the_floors() -> None:
    problems = check(PACKAGE_DIR, PACKAGES, TOP_LEVEL)
    assert not problems, "\n".join(problems)


def test_the_table_names_every_part_there_is() -> None:
    subpackages = {p.name for p in PACKAGE_DIR.iterdir() if (p / "__init__.py").is_file()}
    assert subpackages <= set(PACKAGES), subpackages - set(PACKAGES)
    assert FLOOR_NAMES[LEAF] == "leaf" and FLOOR_NAMES[CLI] == "cli"


# -- the checker, on a made-up package -----------------------------------------------------------
def _tree(root: Path, files: dict[str, str]) -> Path:
    pkg = root / "cuesketch"
    for rel, text in {"__init__.py": "", **files}.items():
        path = pkg / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(pkg).parents:
            init = pkg / parent / "__init__.py"
            if not init.exists():
                init.write_text("")
        path.write_text(text)
    return pkg


_SOUND = {
    "files.py": "import os\n",
    "timing/units.py": "from cuesketch import files\n",
    "model/notes.py": "from cuesketch.timing.units import X\nfrom ..timing import units\n",
    "store/save.py": "import cuesketch.model.notes\nfrom cuesketch.files import replacing\n",
    "formats/midi.py": "from cuesketch.model import notes\n",
    "engine/play.py": "from cuesketch.store import save\nfrom . import other\n",
    "engine/other.py": "",
}


@pytest.mark.parametrize("rel, text, words", [
    ("timing/tempo.py", "def f():\n    from cuesketch.model.notes import Note\n",
     "cuesketch.timing.tempo imports cuesketch.model.notes, but timing (timing) is below model"),
    ("model/late.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                      "    from cuesketch.engine import play\n",
     "cuesketch.model.late imports cuesketch.engine.play"),
    ("store/rel.py", "from ..engine.play import go\n",
     "cuesketch.store.rel imports cuesketch.engine.play"),
    ("store/fmt.py", "class A:\n    def m(self):\n        import cuesketch.formats.midi\n",
     "store and formats share a floor"),
    ("files.py", "import importlib\nimportlib.import_module('cuesketch.timing.units')\n",
     "cuesketch.files imports cuesketch.timing.units, but files (leaf) is below timing"),
    ("extra.py", "", "cuesketch.extra has no floor"),
])
def test_the_checker_finds_a_back_edge_wherever_it_is_written(
        tmp_path: Path, rel: str, text: str, words: str) -> None:
    tables = ({"timing": TIMING, "model": MODEL, "store": STORE, "formats": STORE,
               "engine": ENGINE}, {"__init__": (LEAF, ""), "files": (LEAF, "")})
    sound = _tree(tmp_path / "sound", _SOUND)
    assert check(sound, *tables) == []
    broken = _tree(tmp_path / "broken", {**_SOUND, rel: _SOUND.get(rel, "") + text})
    problems = check(broken, *tables)
    assert len(problems) == 1 and words in problems[0], problems
    if "has no floor" not in words:
        assert problems[0].startswith(f"cuesketch/{rel}:")


def test_a_back_edge_added_to_the_real_package_is_found(tmp_path: Path) -> None:
    """The package as it is, plus one late import from the model up into the engine."""
    copy = tmp_path / "cuesketch"
    for path in PACKAGE_DIR.rglob("*.py"):
        if "__pycache__" not in path.parts:
            dest = copy / path.relative_to(PACKAGE_DIR)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    before = check(copy, PACKAGES, TOP_LEVEL)
    take = copy / "model" / "take.py"
    take.write_text(take.read_text(encoding="utf-8") + "\n\ndef _clock() -> object:\n"
                    "    from cuesketch.engine.clock import SystemClock\n"
                    "    return SystemClock()\n", encoding="utf-8")
    added = [p for p in check(copy, PACKAGES, TOP_LEVEL) if p not in before]
    assert len(added) == 1 and added[0].startswith("cuesketch/model/take.py:")
    assert "model (model) is below engine (engine)" in added[0]
