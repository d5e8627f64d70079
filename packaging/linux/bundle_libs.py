"""The shared libraries of a one-folder bundle: what each ELF file needs, where the loader finds
it, what nothing needs any more, and what the bundle lacks.

    python bundle_libs.py fix BUNDLE      # RUNPATHs for what was copied from the system; prune
    python bundle_libs.py missing BUNDLE  # JSON: what is needed and neither carried nor base

``BUNDLE`` is the PyInstaller output folder (``cuesketch/`` with ``_internal/`` inside). The
scan reads ``readelf -d`` (binutils): NEEDED, RUNPATH/RPATH (``$ORIGIN`` expanded), then the
bundle's library folder, which the bootloader puts on the search path of the app's process.
What is neither there nor the platform's base is missing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The platform's base: libraries every desktop Linux has and that must match its own servers
# and drivers, so the bundle never carries them: glibc, GL/EGL/Vulkan loaders, X and Wayland
# client libraries, ALSA, PulseAudio and JACK clients.
PLATFORM_BASE = re.compile(
    r"^(ld-linux.*|linux-vdso.*|lib(c|m|dl|rt|pthread|util|resolv|anl|crypt|nsl|BrokenLocale"
    r"|thread_db|mvec)\.so.*|libnss_.*|libE?(Open)?GL(X|ESv1_CM|ESv2|dispatch)?\.so.*"
    r"|libgbm\.so.*|libdrm.*|libvulkan\.so.*"
    r"|libX[a-zA-Z0-9]*\.so.*|libX11-xcb\.so.*|libxcb.*\.so.*|libxshmfence\.so.*"
    r"|libwayland-.*|libasound\.so.*|libpulse(-simple|-mainloop-glib)?\.so.*|libpulsecommon-.*\.so"
    r"|libjack\.so.*)$")
# Loaded by name (ctypes, the bootloader) rather than NEEDED: never pruned.
ROOTS = re.compile(r"^(libpython3.*|libvlc\.so.*|libfluidsynth\.so.*|libfluidsynth\..*dylib)$")
ELF_MAGIC = b"\x7fELF"


@dataclass
class Elf:
    path: Path
    needed: list[str] = field(default_factory=list)
    runpath: list[str] = field(default_factory=list)


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == ELF_MAGIC
    except OSError:
        return False


def read_elf(path: Path) -> Elf:
    out = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True,
                         check=False).stdout
    elf = Elf(path)
    for line in out.splitlines():
        m = re.search(r"\((NEEDED|RUNPATH|RPATH)\)\s+.*?\[(.*)\]", line)
        if not m:
            continue
        if m.group(1) == "NEEDED":
            elf.needed.append(m.group(2))
        else:
            origin = str(path.parent)
            elf.runpath += [p.replace("$ORIGIN", origin).replace("${ORIGIN}", origin)
                            for p in m.group(2).split(":") if p]
    return elf


def lib_dir(bundle: Path) -> Path:
    """Where the bootloader keeps the libraries (the main program is beside it; its Python
    archive is an ELF section, so patchelf leaves it whole)."""
    internal = bundle.resolve() / "_internal"
    return internal if internal.is_dir() else bundle.resolve()


def elf_files(bundle: Path) -> list[Path]:
    return sorted(p for p in bundle.resolve().rglob("*")
                  if p.is_file() and not p.is_symlink() and is_elf(p))


def resolve(elf: Elf, name: str, libs: Path) -> Path | None:
    for folder in [*elf.runpath, str(libs)]:
        candidate = Path(folder) / name
        if candidate.exists():
            return candidate
    return None


def missing(bundle: Path) -> dict[str, list[str]]:
    """Each library needed by an ELF file of the bundle that it neither carries nor may
    expect of the platform, with the files that need it."""
    libs = lib_dir(bundle)
    lacking: dict[str, list[str]] = {}
    for path in elf_files(bundle):
        elf = read_elf(path)
        for name in elf.needed:
            if PLATFORM_BASE.match(name) or resolve(elf, name, libs) is not None:
                continue
            lacking.setdefault(name, []).append(str(path.relative_to(bundle)))
    return lacking


def prune(bundle: Path) -> list[str]:
    """Remove the libraries at the top of the library folder that nothing needs any more (the
    dependencies of the plugins the spec left out). Returns their names."""
    libs = lib_dir(bundle)
    files = elf_files(bundle)
    infos = {p: read_elf(p) for p in files}
    top = {p for p in files if p.parent == libs}
    keep = [p for p in files if p not in top or ROOTS.match(p.name)]
    reached: set[Path] = set()
    while keep:
        p = keep.pop()
        if p in reached:
            continue
        reached.add(p)
        for name in infos[p].needed:
            found = resolve(infos[p], name, libs)
            if found is not None:
                found = found.resolve()
                if found in infos and found not in reached:
                    keep.append(found)
    gone = []
    for p in sorted(top - {r.resolve() for r in reached}):
        p.unlink()
        gone.append(p.name)
    for link in libs.iterdir():  # symlinks left pointing at nothing
        if link.is_symlink() and not link.exists():
            link.unlink()
    return gone


def fix_runpaths(bundle: Path) -> list[str]:
    """Give every ELF file that has no RUNPATH of its own (the libraries, VLC plugins and
    programs copied from the system) one that reaches the library folder relative to itself:
    libvlccore's plugins and ffmpeg are loaded after the process started, so the loader finds
    their libraries only that way."""
    libs = lib_dir(bundle)
    changed = []
    for path in elf_files(bundle):
        elf = read_elf(path)
        if elf.runpath:
            continue
        rel = os.path.relpath(libs, path.parent)
        runpath = "$ORIGIN" if rel == "." else f"$ORIGIN/{rel}"
        subprocess.run(["patchelf", "--set-rpath", runpath, str(path)], check=True)
        changed.append(str(path.relative_to(bundle)))
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("fix", "missing"):
        print("usage: bundle_libs.py fix|missing BUNDLE", file=sys.stderr)
        return 2
    bundle = Path(argv[1]).resolve()
    if not bundle.is_dir():
        print(f"bundle_libs: there is no bundle at {bundle}", file=sys.stderr)
        return 1
    if argv[0] == "fix":
        gone = prune(bundle)
        changed = fix_runpaths(bundle)
        print(f"bundle_libs: removed {len(gone)} unused libraries, set the RUNPATH of "
              f"{len(changed)} files")
        return 0
    lacking = missing(bundle)
    print(json.dumps({"bundle_missing_libs": len(lacking), "missing": lacking}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
