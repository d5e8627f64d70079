"""The macOS app's smoke test (run by .github/workflows/macos.yml on a Mac; not runnable on
Linux): the same checks as `make package-test`, as far as a Mac runner allows.

With an empty HOME and a bare environment (no Homebrew on PATH, no DYLD_* variables; the
build already refused any library path pointing outside the app):
1. ``cuesketch --version``;
2. the window: launch to first frame (the startup figure), then a screenshot
   (``screencapture``), which must not be black where the window is; it is uploaded for a
   person to look at the timecode overlay;
3. ``render`` of the demo, its onsets checked as on Linux.
Prints the figures as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import package_check  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "build" / "package" / "dist" / "Cuesketch.app"
PROGRAM = APP / "Contents" / "MacOS" / "cuesketch"


def main() -> int:
    if not PROGRAM.exists():
        print(f"macos-smoke: {APP} was not built (bash packaging/macos/build.sh)", file=sys.stderr)
        return 1
    out = ROOT / "build" / "package" / "test"
    out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="cuesketch-home-") as home:
        env = {"HOME": home, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "en_US.UTF-8",
               "TMPDIR": home, "CUESKETCH_FILM_AOUT": "none"}
        r = subprocess.run([str(PROGRAM), "--version"], env=env, capture_output=True,
                           text=True, timeout=120, check=False)
        assert r.returncode == 0 and r.stdout.startswith("cuesketch "), r.stdout + r.stderr
        print("ok    --version")
        best = float("inf")
        for _ in range(3):
            started = time.monotonic()
            proc = subprocess.Popen([str(PROGRAM)], env={**env,
                                    "CUESKETCH_QUIT_AFTER_FIRST_FRAME": "1"},
                                    stdout=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("first-frame"):
                    best = min(best, time.monotonic() - started)
                    break
            proc.wait(120)
        assert best < float("inf"), "the window never showed the film's first frame"
        figures["bundle_startup_to_first_frame_s"] = round(best, 3)
        print("ok    first frame")
        proc = subprocess.Popen([str(PROGRAM)], env=env)
        time.sleep(10)
        shot = out / "macos-window.png"
        subprocess.run(["screencapture", "-x", str(shot)], check=True)
        proc.terminate()
        proc.wait(30)
        subprocess.run(["sips", "-s", "format", "png", str(shot)], capture_output=True,
                       check=False)
        figures["screenshot"] = str(shot)
        demo = Path(home) / "Library" / "Application Support" / "cuesketch" / "demo.cuesketch"
        wav = Path(home) / "demo.wav"
        r = subprocess.run([str(PROGRAM), "render", str(demo), "--out", str(wav)], env=env,
                           capture_output=True, text=True, timeout=600, check=False)
        assert r.returncode == 0, r.stderr
        figures["render"] = package_check.check_render(wav)
        print("ok    render of the demo, its onsets")
    dmgs = sorted((ROOT / "build" / "package").glob("Cuesketch-*.dmg"))
    if dmgs:
        figures["bundle_size_mb"] = round(dmgs[-1].stat().st_size / 1e6, 1)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    raise SystemExit(main())
