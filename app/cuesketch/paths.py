"""Where Cuesketch finds its resources and keeps its per-user files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP = "cuesketch"
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


def data_dir() -> Path:
    """The user's Cuesketch folder for what it makes itself (the demo project), by the
    platform's convention (platformdirs): ~/.local/share/cuesketch or $XDG_DATA_HOME on
    Linux, ~/Library/Application Support/cuesketch on macOS, %LOCALAPPDATA% on Windows."""
    d = platformdirs.user_data_path(APP, appauthor=False)
    d.mkdir(parents=True, exist_ok=True)
    return d


def cache_dir() -> Path:
    """What can be made again (the films' proxies): ~/.cache/cuesketch or $XDG_CACHE_HOME on
    Linux, ~/Library/Caches/cuesketch on macOS."""
    d = platformdirs.user_cache_path(APP, appauthor=False)
    d.mkdir(parents=True, exist_ok=True)
    return d


def launcher() -> list[str]:
    """The command that starts another Cuesketch: the AppImage it runs from, the installed
    app (a frozen bundle is its own program), or this Python with the package."""
    if getattr(sys, "frozen", False):
        appimage = os.environ.get("APPIMAGE")
        return [appimage] if appimage and Path(appimage).is_file() else [sys.executable]
    return [sys.executable, "-m", "cuesketch"]


def demo_film() -> Path:
    return resources_dir() / "trailer_bbb.mp4"
