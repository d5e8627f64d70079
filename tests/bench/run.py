"""The benchmark harness: `make bench` prints one JSON object of figures.

Each figure is a function ``figure_<name>() -> float | int | dict`` in a module
``tests/bench/bench_<area>.py``. ``run.py name ...`` runs only those figures.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover() -> dict[str, object]:
    figures: dict[str, object] = {}
    sys.path[:0] = [str(HERE), str(HERE.parent)]  # figures share tests/ helpers
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name in dir(module):
            if name.startswith("figure_"):
                figures[name[len("figure_"):]] = getattr(module, name)
    return figures


def main(argv: list[str]) -> int:
    figures = discover()
    wanted = [a for arg in argv for a in arg.split()] or list(figures)
    unknown = [w for w in wanted if w not in figures]
    if unknown:
        print(f"unknown figures: {', '.join(unknown)}; known: {', '.join(figures)}",
              file=sys.stderr)
        return 2
    out: dict[str, object] = {}
    for name in wanted:
        t0 = time.perf_counter()
        try:
            out[name] = figures[name]()  # type: ignore[operator]
        except Exception as e:  # a broken figure is reported, the others still run
            traceback.print_exc()
            out[name] = {"error": f"{type(e).__name__}: {e}"}
        print(f"{name}: {out[name]} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
