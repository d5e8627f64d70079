"""The installed app's figures (issue 20), from what `make package` built in build/package/.

Each says plainly that it was skipped when nothing was built (`make package` takes minutes
and is not part of `make bench`'s set-up). `make package-test` prints the same figures after
its checks.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packaging"))
import bundle_run  # noqa: E402
import package_check  # noqa: E402


def _skipped() -> dict[str, str] | None:
    why = bundle_run.why_not_runnable()
    return {"skipped": why} if why else None


def figure_bundle_startup_to_first_frame_s() -> float | dict[str, str]:
    """Launch to the film's first frame on screen, in the namespace (no system Python, Qt,
    libvlc, FluidSynth or ffmpeg), warm: the best of three after one that warms up."""
    skipped = _skipped()
    if skipped:
        return skipped
    with tempfile.TemporaryDirectory(prefix="cuesketch-home-") as home, \
            bundle_run.VirtualScreen() as screen:
        box = package_check.Sandbox(Path(home))
        package_check.startup_s(box, screen, runs=1)  # first start: makes the demo, caches
        return package_check.startup_s(box, screen, runs=3)


def figure_bundle_size_mb() -> float | dict[str, str]:
    """The AppImage's size, SoundFont included."""
    size = package_check.bundle_size_mb()
    return size if size is not None else {"skipped": "no AppImage was built (make package)"}


def figure_bundle_missing_libs() -> int | dict[str, object]:
    """Libraries the bundle's ELF files need that it neither carries nor may expect of the
    platform's base (glibc, GL, X/Wayland, ALSA/Pulse/JACK clients)."""
    if not (bundle_run.bundle_dir() / "cuesketch").is_file():
        return {"skipped": "no bundle was built (make package)"}
    lacking = package_check.missing_libs()
    return len(lacking) if not lacking else {"count": len(lacking), "missing": lacking}
