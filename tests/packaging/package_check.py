"""`make package-test`: the built bundle, run where the system has none of what it carries.

In a bubblewrap namespace (``bundle_run``) with an empty HOME:
1. ``cuesketch --version``;
2. the window on a virtual screen (Xvfb): photographed, the picture must not be black, and
   the timecode overlay must be there (a second photograph with the timecode burn-in turned
   off in Preferences differs from the first only around where the timecode is drawn);
3. ``cuesketch render`` of the demo (made by step 2 in that HOME): the WAV's first sound is at
   the demo's first note, and the sound rises at each chord and note the demo starts;
4. the startup figure: launch to first picture frame, warm (the best of three, after the
   runs above), measured from outside the namespace.

Prints the figures as one JSON object on the last line; exit status 1 when a check fails.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle_run  # noqa: E402

ROOT = bundle_run.ROOT
PICTURE_GRAB = 3.0  # seconds after the window shows: the film's first frame is up by then


def appimage() -> Path | None:
    found = sorted((ROOT / "build" / "package").glob("Cuesketch-*.AppImage"))
    return found[-1] if found else None


def bundle_size_mb() -> float | None:
    image = appimage()
    return round(image.stat().st_size / 1e6, 1) if image else None


def missing_libs() -> dict[str, list[str]]:
    return bundle_run.bundle_libs.missing(bundle_run.bundle_dir())


class Sandbox:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.bundle = bundle_run.bundle_dir()
        self.libs = bundle_run.platform_libs(self.bundle)

    def command(self, argv: list[str], display: str | None = None,
                env: dict[str, str] | None = None, program: Path | None = None) -> list[str]:
        cmd = bundle_run.bwrap_command(self.bundle, self.home, argv, display, self.libs,
                                       program)
        extra = [a for k, v in (env or {}).items() for a in ("--setenv", k, v)]
        at = cmd.index("--chdir")
        return cmd[:at] + extra + cmd[at:]

    def run(self, argv: list[str], timeout: float = 120,
            program: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(argv, program=program), capture_output=True, text=True,
                              timeout=timeout,
                              check=False)


def photograph(box: Sandbox, screen: bundle_run.VirtualScreen, out: Path,
               keys: str = "") -> str:
    """Start the window, photograph it once the film's first frame is up (after pressing
    ``keys`` in it, xdotool's names), close it. Returns the app's output."""
    log = out.with_suffix(".log")
    with log.open("w") as f:
        proc = subprocess.Popen(box.command([], screen.display), stdout=f,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        shown = False
        while time.monotonic() < deadline and proc.poll() is None and not shown:
            shown = screen.window_shown()
            time.sleep(0.2)
        if not shown:
            raise AssertionError(f"the window did not appear for {out.name} (exit status "
                                 f"{proc.poll()}): {log.read_text()[-2000:]}")
        time.sleep(PICTURE_GRAB)
        if keys:
            screen.press(keys)
            time.sleep(1.5)
        screen.grab(out)
    finally:
        proc.send_signal(signal.SIGTERM)  # the window closes cleanly on SIGTERM
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return log.read_text()


def load_png(path: Path) -> np.ndarray:
    """RGB pixels of a screenshot (ImageMagick writes it out as raw bytes)."""
    size = subprocess.run(["identify", "-format", "%w %h", str(path)], capture_output=True,
                          text=True, check=True).stdout.split()
    w, h = int(size[0]), int(size[1])
    raw = subprocess.run(["convert", str(path), "-depth", "8", "rgb:-"], capture_output=True,
                         check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(h, w, 3)


def _bands(rows: np.ndarray, gap: int = 6) -> list[tuple[int, int]]:
    """Runs of row numbers (first, last), split where more than ``gap`` rows are missing."""
    out: list[tuple[int, int]] = []
    for r in rows.tolist():
        if out and r - out[-1][1] <= gap:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def check_picture(with_tc: np.ndarray, without_tc: np.ndarray,
                  later: np.ndarray) -> dict[str, object]:
    """The timecode is drawn: of what differs between the photographs with and without its
    burn-in (the proxy's progress line differs too), one text line is light only with it.
    The film is decoded: two seconds in (the demo's very first frame is black in the film
    itself) the picture above the timecode is lit, where at the first frame it was dark."""
    diff = np.abs(with_tc.astype(int) - without_tc.astype(int)).max(axis=2) > 40
    light_with, light_without = with_tc.max(axis=2) > 180, without_tc.max(axis=2) > 180
    box = None
    for top, bottom in _bands(np.flatnonzero(diff.any(axis=1))):
        xs = np.flatnonzero(diff[top:bottom + 1].any(axis=0))
        left, right = int(xs.min()), int(xs.max())
        lit_with = int(light_with[top:bottom + 1, left:right + 1].sum())
        lit_without = int(light_without[top:bottom + 1, left:right + 1].sum())
        if lit_with >= 30 and lit_without * 10 < lit_with and bottom - top < 80:
            box = (left, top, right, bottom)
    if box is None:
        raise AssertionError("no timecode overlay: no text line is there only with the "
                             "timecode burn-in on")
    w = with_tc.shape[1]
    top, bottom = max(0, box[1] - 200), max(1, box[1] - 10)
    left, right = max(0, box[0] - 60), min(w, box[2] + 60)
    first = float(with_tc[top:bottom, left:right].mean())
    lit = float(later[top:bottom, left:right].mean())
    if lit < 60 or lit - first < 30:
        raise AssertionError(f"the picture stays dark two seconds in (mean level {lit:.0f}, "
                             f"{first:.0f} at the first frame)")
    return {"timecode_box": box, "picture_level_first_frame": round(first, 1),
            "picture_level_2s": round(lit, 1)}


def proxy_made(box: Sandbox, screen: bundle_run.VirtualScreen, wait_s: float = 120
               ) -> dict[str, object]:
    """The window makes the demo's proxy in the background, with the ffmpeg the bundle
    carries for it (libavformat 61 and later is ffmpeg 7 and later: stages in threads)."""
    found: list[Path] = []
    proc = subprocess.Popen(box.command([], screen.display), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and proc.poll() is None and not found:
            found = sorted(box.home.glob(".cache/**/proxies/*-v[0-9]*.mp4"))
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if not found:
        raise AssertionError(f"no proxy was made within {wait_s:.0f} s")
    facts = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=width,height:format_tags=encoder",
         "-select_streams", "v:0", "-of", "json", str(found[0])],
        capture_output=True, text=True, check=True).stdout)
    size = (facts["streams"][0]["width"], facts["streams"][0]["height"])
    encoder = facts.get("format", {}).get("tags", {}).get("encoder", "")
    major = int(encoder[4:].split(".")[0]) if encoder.startswith("Lavf") else 0
    if size != (768, 432) or major < 61:
        raise AssertionError(f"the proxy is {size[0]}x{size[1]}, written by {encoder!r}")
    return {"proxy": found[0].name, "proxy_written_by": encoder}


def package_data_missing(bundle: Path) -> list[str]:
    """The cuesketch package's data files (not Python: the manual...) the bundle lacks."""
    source = ROOT / "app" / "cuesketch"
    inside = bundle / "_internal" / "cuesketch"
    return [str(p.relative_to(source)) for p in sorted(source.rglob("*"))
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
            and not (inside / p.relative_to(source)).exists()]


def deb() -> Path | None:
    found = sorted((ROOT / "build" / "package").glob("cuesketch_*.deb"))
    return found[-1] if found else None


DEB_FILES = ["opt/cuesketch/cuesketch", "usr/bin/cuesketch",
             "usr/share/applications/cuesketch.desktop", "usr/share/mime/packages/cuesketch.xml",
             "usr/share/icons/hicolor/scalable/apps/cuesketch.svg",
             "usr/share/metainfo/cuesketch.metainfo.xml",
             *[f"usr/share/icons/hicolor/{n}x{n}/apps/cuesketch.png"
               for n in (16, 24, 32, 48, 64, 128, 256, 512)],
             "usr/share/icons/hicolor/48x48/mimetypes/application-x-cuesketch.png"]


def check_deb(package: Path, box: Sandbox, into: Path) -> str:
    """The .deb holds the bundle under /opt, the command, the desktop entry, the MIME type and
    the icons; its bundle runs in the namespace."""
    subprocess.run(["dpkg-deb", "-x", str(package), str(into)], check=True)
    lacking = [f for f in DEB_FILES if not (into / f).exists() and not (into / f).is_symlink()]
    if lacking:
        raise AssertionError(f"the .deb lacks {lacking}")
    entry = (into / "usr/share/applications/cuesketch.desktop").read_text()
    if "application/x-cuesketch;" not in entry or "Exec=cuesketch %f" not in entry:
        raise AssertionError("the desktop entry does not open .cuesketch files")
    inside = Sandbox(box.home)
    inside.bundle = into / "opt" / "cuesketch"
    r = inside.run(["--version"])
    if r.returncode != 0:
        raise AssertionError(f"the .deb's program: exit {r.returncode}: {r.stderr[-800:]}")
    return r.stdout.strip()


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as f:
        rate, width, channels = f.getframerate(), f.getsampwidth(), f.getnchannels()
        raw = f.readframes(f.getnframes())
    if width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        ints = (b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8)
                | (b[:, 2].astype(np.int32) << 16))
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        audio = ints.astype(np.float64) / (1 << 23)
    else:
        audio = np.frombuffer(raw, f"<i{width}").astype(np.float64) / (1 << (8 * width - 1))
    return audio.reshape(-1, channels), rate


def check_render(wav: Path) -> dict[str, object]:
    """Where the demo's notes start, the rendered sound starts or rises."""
    sys.path.insert(0, str(ROOT / "app"))
    from cuesketch.demo import build_demo
    from cuesketch.timing.units import FLICKS_PER_SECOND

    audio, rate = read_wav(wav)
    starts = sorted({n.start for n in build_demo().notes.values()})
    first = min(starts)
    expected = [round((s - min(0, first)) * rate / FLICKS_PER_SECOND) for s in starts]
    level = np.abs(audio).max(axis=1)
    heard = int(np.flatnonzero(level > 0)[0]) if level.any() else -1
    if heard < 0:
        raise AssertionError("the render is silent")
    if abs(heard - expected[0]) > rate // 100:
        raise AssertionError(f"the first sound is at sample {heard}, the first note at "
                             f"{expected[0]}")
    window = rate // 100  # 10 ms
    energy = np.convolve(np.square(audio).sum(axis=1), np.ones(window) / window, "same")
    risen = 0
    for at in expected:  # strings swell slowly: the loudest of the next half second
        before = energy[max(at - window, 0)]
        after = energy[at:at + rate // 2].max(initial=0.0)
        risen += after > 1.3 * before
    share = risen / len(expected)
    if share < 0.9:
        raise AssertionError(f"the sound rises at only {risen} of {len(expected)} note starts")
    return {"render_seconds": round(len(audio) / rate, 2), "note_starts": len(expected),
            "onsets_heard": int(risen), "first_sound_sample": heard}


def startup_s(box: Sandbox, screen: bundle_run.VirtualScreen, runs: int = 3) -> float:
    """Launch to the first picture frame, warm: the best of ``runs``."""
    best = float("inf")
    for _ in range(runs):
        started = time.monotonic()
        proc = subprocess.Popen(box.command([], screen.display,
                                            {"CUESKETCH_QUIT_AFTER_FIRST_FRAME": "1"}),
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("first-frame"):
                best = min(best, time.monotonic() - started)
                break
        proc.wait(60)
    if best == float("inf"):
        raise AssertionError("the window never showed the film's first frame")
    return round(best, 3)


def main() -> int:
    why = bundle_run.why_not_runnable()
    if why:
        print(f"package-test: {why}", file=sys.stderr)
        return 1
    figures: dict[str, object] = {}
    failures: list[str] = []

    def step(name: str, fn) -> object:  # type: ignore[no-untyped-def]
        try:
            value = fn()
            print(f"ok    {name}", flush=True)
            return value
        except (AssertionError, subprocess.SubprocessError, OSError) as e:
            failures.append(f"{name}: {e}")
            print(f"FAIL  {name}: {e}", flush=True)
            return None

    out = ROOT / "build" / "package" / "test"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cuesketch-home-") as home_dir, \
            bundle_run.VirtualScreen() as screen:
        home = Path(home_dir)
        box = Sandbox(home)
        print("package-test: the platform libraries bound beside the bundle: "
              + " ".join(sorted({p.name for p in box.libs.base})), flush=True)
        print("package-test: and what those need in turn: "
              + " ".join(sorted({p.name for p in box.libs.support})), flush=True)

        def version() -> str:
            r = box.run(["--version"])
            if r.returncode != 0 or not r.stdout.startswith("cuesketch "):
                raise AssertionError(f"exit {r.returncode}: {r.stdout}{r.stderr}")
            return r.stdout.strip()

        step("--version in the namespace", version)

        def data() -> None:
            lacking = package_data_missing(box.bundle)
            if lacking:
                raise AssertionError(f"the bundle lacks the package's {lacking}")

        step("the package's data files (the manual) are carried", data)

        def window() -> dict[str, object]:
            photograph(box, screen, out / "window.png")
            photograph(box, screen, out / "window-2s.png", keys="shift+Right shift+Right")
            conf = home / ".config" / "Cuesketch" / "Cuesketch.conf"
            kept = conf.read_text() if conf.exists() else ""
            conf.parent.mkdir(parents=True, exist_ok=True)
            conf.write_text(kept + "\n[preferences]\noverlay_timecode=false\n")
            try:
                photograph(box, screen, out / "window-no-timecode.png")
            finally:
                conf.write_text(kept)
            return check_picture(load_png(out / "window.png"),
                                 load_png(out / "window-no-timecode.png"),
                                 load_png(out / "window-2s.png"))

        shown = step("the window shows the demo's first frame with the timecode", window)
        if isinstance(shown, dict):
            figures["window"] = shown

        made = step("the demo's proxy is made by the ffmpeg the bundle carries for it",
                    lambda: proxy_made(box, screen))
        if isinstance(made, dict):
            figures.update(made)

        def render() -> dict[str, object]:
            r = box.run(["render", "/home/user/.local/share/cuesketch/demo.cuesketch",
                         "--out", "/home/user/demo.wav"], timeout=300)
            if r.returncode != 0:
                raise AssertionError(f"exit {r.returncode}: {r.stderr[-1500:]}")
            return check_render(home / "demo.wav")

        rendered = step("render of the demo, its onsets", render)
        if isinstance(rendered, dict):
            figures["render"] = rendered
        def run_appimage() -> str:
            """Unpacked into the namespace's empty /tmp, then the window up to the film's
            first frame."""
            image = appimage()
            if image is None:
                raise AssertionError("no AppImage was built")
            cmd = box.command(["--appimage-extract-and-run"], screen.display,
                              {"CUESKETCH_QUIT_AFTER_FIRST_FRAME": "1"}, program=image)
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
            if r.returncode != 0 or "first-frame" not in r.stdout:
                raise AssertionError(f"exit {r.returncode}: {r.stdout}{r.stderr[-800:]}")
            return r.stdout.strip()

        step("the AppImage shows the film by --appimage-extract-and-run (no FUSE)",
             run_appimage)

        def the_deb() -> str:
            package = deb()
            if package is None:
                raise AssertionError("no .deb was built")
            with tempfile.TemporaryDirectory(prefix="cuesketch-deb-") as into:
                return check_deb(package, box, Path(into))

        step("the .deb's files, and its program runs", the_deb)
        figures["bundle_startup_to_first_frame_s"] = step(
            "startup to the first frame (warm)", lambda: startup_s(box, screen))
    lacking = missing_libs()
    figures["bundle_missing_libs"] = len(lacking)
    if lacking:
        figures["missing"] = lacking
        failures.append(f"libraries missing from the bundle: {sorted(lacking)}")
    figures["bundle_size_mb"] = bundle_size_mb()
    print(f"package-test: {len(failures)} failed; photographs in {out}")
    print(json.dumps(figures))
    return 1 if failures else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    raise SystemExit(main())
