"""Where Cuesketch finds its resources and keeps its per-user files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The `resources/` folder: beside the source in a checkout, under share/ when installed."""
    env = os.environ.get("CUESKETCH_RESOURCES")
    candidates = [Path(env)] if env else []
    candidates += [_HERE.parent.parent / "resources", Path(sys.prefix) / "share" / "cuesketch"]
    for c in candidates:
        if (c / "trailer_bbb.mp4").exists():
            return c
    return candidates[0]


def _xdg(var: str, default: str) -> Path:
    if sys.platform == "darwin":
        base = Path.home() / "Library" / ("Caches" if var == "XDG_CACHE_HOME" else
                                           "Application Support")
    else:
        base = Path(os.environ.get(var) or Path.home() / default)
    return base / "cuesketch"


def data_dir() -> Path:
    d = _xdg("XDG_DATA_HOME", ".local/share")
    d.mkdir(parents=True, exist_ok=True)
    return d


def cache_dir() -> Path:
    d = _xdg("XDG_CACHE_HOME", ".cache")
    d.mkdir(parents=True, exist_ok=True)
    return d


def demo_film() -> Path:
    return resources_dir() / "trailer_bbb.mp4"
