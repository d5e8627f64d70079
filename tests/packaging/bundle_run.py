"""Running the built bundle where the system's Python, Qt, libvlc, libfluidsynth and ffmpeg are
absent: a bubblewrap namespace over a minimal root.

What the namespace holds, and nothing else of the machine:
- the bundle, read-only, at /opt/cuesketch;
- the platform's base libraries the bundle leaves to the system (glibc, GL, X and Wayland
  client, ALSA, PulseAudio and JACK clients: ``bundle_libs.PLATFORM_BASE``) and the libraries
  those themselves need, each bound one by one into /usr/lib/<multiarch>;
- fonts and their configuration, the X keyboard data, the X server's socket;
- an empty HOME and /tmp of its own.

So no /usr/bin (no ffmpeg), no /usr/lib/<multiarch>/vlc, no libfluidsynth, no python3*, no
libQt6*, no venv: what runs is what the bundle carries.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "build" / "package" / "dist" / "cuesketch"
INSIDE = Path("/opt/cuesketch")
sys.path.insert(0, str(ROOT / "packaging" / "linux"))
import bundle_libs  # noqa: E402


def bundle_dir() -> Path:
    return Path(os.environ.get("CUESKETCH_BUNDLE", BUNDLE))


def why_not_runnable() -> str | None:
    """Why the bundle can't be run in a namespace here, or None when it can."""
    if not (bundle_dir() / "cuesketch").is_file():
        return f"no bundle was built ({bundle_dir()} is missing: run make package)"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-all", "true"],
                           capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return f"bubblewrap can't make a namespace here: {probe.stderr.strip()}"
    return None


def _host_paths(names: set[str]) -> set[Path]:
    """Where the host's dynamic loader finds these sonames."""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True,
                         check=True).stdout
    found: set[Path] = set()
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) \(.*x86-64.*\) => (\S+)", line) or \
            re.match(r"\s*(\S+) \(.*\) => (\S+)", line)
        if m and m.group(1) in names:
            found.add(Path(m.group(2)))
    return found


def _closure(paths: set[Path]) -> set[Path]:
    """The files and everything they load, as the host's ldd says."""
    done: set[Path] = set()
    todo = list(paths)
    while todo:
        p = todo.pop()
        if p in done:
            continue
        done.add(p)
        out = subprocess.run(["ldd", str(p)], capture_output=True, text=True,
                             check=False).stdout
        for line in out.splitlines():
            m = re.search(r"=> (/\S+)", line) or re.match(r"\s*(/\S+) \(", line)
            if m:
                todo.append(Path(m.group(1)))
    return done


@dataclass
class BaseLibs:
    base: set[Path]      # the platform's base the bundle needs
    support: set[Path]   # what those load in turn (not base by name): bound, and said


def platform_libs(bundle: Path) -> BaseLibs:
    needed: set[str] = set()
    for path in bundle_libs.elf_files(bundle):
        needed |= {n for n in bundle_libs.read_elf(path).needed
                   if bundle_libs.PLATFORM_BASE.match(n)}
    base = _host_paths(needed)
    every = _closure(base)
    support = {p for p in every if not bundle_libs.PLATFORM_BASE.match(p.name)}
    return BaseLibs(every - support, support)


def bwrap_command(bundle: Path, home: Path, argv: list[str], display: str | None = None,
                  libs: BaseLibs | None = None, program: Path | None = None) -> list[str]:
    """The bundle's program (or ``program``, a file bound in as /opt/<its name>) run with
    ``argv`` in the namespace; ``display``: an X server's, for the window."""
    libs = libs or platform_libs(bundle)
    cmd = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
           "--dir", "/usr/lib", "--dir", "/usr/bin", "--symlink", "usr/lib", "/lib",
           "--symlink", "usr/bin", "/bin", "--dir", "/lib64",
           "--ro-bind", str(bundle), str(INSIDE),
           "--bind", str(home), "/home/user"]
    seen: set[str] = set()
    for lib in sorted(libs.base | libs.support):
        real = lib.resolve()
        for path in {lib, real}:
            target = str(path).replace("/lib/", "/usr/lib/", 1) \
                if str(path).startswith("/lib/") else str(path)
            if target not in seen:
                seen.add(target)
                cmd += ["--ro-bind", str(real), target]
    loader = Path("/lib64/ld-linux-x86-64.so.2")
    cmd += ["--ro-bind", str(loader.resolve()), str(loader)]
    for data in ("/etc/fonts", "/usr/share/fonts", "/usr/share/fontconfig",
                 "/usr/share/X11/xkb", "/usr/lib/locale/C.utf8"):
        if Path(data).exists():
            cmd += ["--ro-bind", data, data]
    env = {"HOME": "/home/user", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           "XDG_RUNTIME_DIR": "/tmp", "CUESKETCH_FILM_AOUT": "adummy"}
    if display:
        number = display.lstrip(":")
        sock = f"/tmp/.X11-unix/X{number}"
        cmd += ["--ro-bind", sock, sock]
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    run = INSIDE / "cuesketch"
    if program is not None:
        run = Path("/opt") / program.name
        cmd += ["--ro-bind", str(program), str(run)]
    return cmd + ["--chdir", "/home/user", str(run), *argv]


class VirtualScreen:
    """An Xvfb screen for the window, stopped on exit."""

    def __init__(self, size: str = "1366x768") -> None:
        self.display = ""
        self.size = size
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> VirtualScreen:
        # Xvfb chooses a free display itself and says which (other sessions run theirs)
        read, write = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0",
                                      f"{self.size}x24", "-nolisten", "tcp"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     pass_fds=(write,))
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)

    def grab(self, out: Path) -> None:
        subprocess.run(["import", "-display", self.display, "-window", "root", str(out)],
                       check=True, capture_output=True)

    def press(self, keys: str) -> None:
        """Keys typed into Cuesketch's window (xdotool's names, space-separated); focused
        directly, as the virtual screen has no window manager to activate it."""
        env = {**os.environ, "DISPLAY": self.display}
        for _ in range(3):  # the search may fail while a short-lived window goes away
            r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Cuesketch",
                                "windowfocus", "--sync", "key", "--delay", "150",
                                *keys.split()],
                               env=env, capture_output=True, check=False, timeout=20)
            if r.returncode == 0:
                return
            time.sleep(0.2)

    def window_shown(self) -> bool:
        """Cuesketch's window is mapped. (xdotool's search can fail when a window goes away
        while it looks, as Qt's short-lived ones do at start: asked again.)"""
        for _ in range(3):
            r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Cuesketch"],
                               env={**os.environ, "DISPLAY": self.display},
                               capture_output=True, text=True, check=False)
            if r.stdout.strip():
                return True
            time.sleep(0.05)
        return False
