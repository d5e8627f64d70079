"""The packaging's own parts, quick enough for `make test`: the desktop entry and MIME types,
the ldd-style scan of a bundle, and the AppImage runtime (built and run on a tiny AppDir).

The whole bundle is tested by `make package-test` (tests/packaging/package_check.py).
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import xml.dom.minidom
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
sys.path.insert(0, str(LINUX))
import bundle_libs  # noqa: E402


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(LINUX / "cuesketch.desktop")
    return parser["Desktop Entry"]


def test_a_double_click_on_a_project_opens_it_in_cuesketch() -> None:
    entry = desktop_entry()
    assert entry["Exec"] == "cuesketch %f" and entry["Icon"] == "cuesketch"
    types = set(entry["MimeType"].strip(";").split(";"))
    assert types == {"application/x-cuesketch", "application/x-cuesketch-review"}
    mime = xml.dom.minidom.parse(str(LINUX / "cuesketch-mime.xml"))
    globs = {t.getAttribute("type"): [g.getAttribute("pattern")
                                      for g in t.getElementsByTagName("glob")]
             for t in mime.getElementsByTagName("mime-type")}
    assert globs == {"application/x-cuesketch": ["*.cuesketch"],
                     "application/x-cuesketch-review": ["*.cuereview"]}


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-utils is not installed")
def test_the_desktop_entry_is_valid() -> None:
    r = subprocess.run(["desktop-file-validate", str(LINUX / "cuesketch.desktop")],
                       capture_output=True, text=True)
    assert r.returncode == 0 and not r.stdout.strip(), r.stdout


@pytest.mark.parametrize("name, base", [
    ("libc.so.6", True), ("libX11.so.6", True), ("libxcb-cursor.so.0", True),
    ("libasound.so.2", True), ("libjack.so.0", True), ("libpulse.so.0", True),
    ("libGL.so.1", True), ("libwayland-client.so.0", True),
    # a wheel's own copy of the JACK client, fontconfig, the C++ runtime: carried
    ("libjack-5305d520.so.0.1.0", False), ("libfontconfig.so.1", False),
    ("libstdc++.so.6", False), ("libfluidsynth.so.3", False), ("libz.so.1", False),
])
def test_the_platforms_base(name: str, base: bool) -> None:
    assert bool(bundle_libs.PLATFORM_BASE.match(name)) is base


needs_cc = pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("readelf") is None
                              or shutil.which("patchelf") is None,
                              reason="needs gcc, readelf and patchelf (make package installs them)")


def compile_c(src: str, out: Path, *flags: str) -> Path:
    c = out.with_suffix(".c")
    c.write_text(src)
    subprocess.run(["gcc", "-o", str(out), str(c), *flags], check=True, cwd=out.parent)
    return out


@needs_cc
def test_the_scan_finds_what_a_bundle_lacks_and_fix_reaches_its_libraries(tmp_path: Path) -> None:
    """A program in bin/ needing a library of the bundle: found once its RUNPATH is set;
    a library neither carried nor base: missing; libc: base."""
    internal = tmp_path / "app" / "_internal"
    (internal / "bin").mkdir(parents=True)
    compile_c("int carried(void) { return 1; }", internal / "libcarried.so", "-shared", "-fPIC")
    compile_c("int absent(void) { return 2; }", tmp_path / "libabsent.so", "-shared", "-fPIC")
    compile_c("int carried(void); int absent(void);"
              "int main(void) { return carried() + absent(); }", internal / "bin" / "tool",
              f"-L{internal}", f"-L{tmp_path}", "-lcarried", "-labsent")
    bundle = tmp_path / "app"
    before = bundle_libs.missing(bundle)
    assert before == {"libabsent.so": ["_internal/bin/tool"]}  # carried: in the lib folder
    assert bundle_libs.fix_runpaths(bundle) == ["_internal/bin/tool", "_internal/libcarried.so"]
    assert bundle_libs.read_elf(internal / "bin" / "tool").runpath == [str(internal / "bin" / "..")]
    (internal / "libunused.so").write_bytes((internal / "libcarried.so").read_bytes())
    assert bundle_libs.prune(bundle) == ["libunused.so"]
    assert (internal / "libcarried.so").exists()


needs_runtime = pytest.mark.skipif(
    shutil.which("gcc") is None or shutil.which("mksquashfs") is None
    or not Path("/usr/include/squashfuse/squashfuse.h").exists(),
    reason="needs gcc, squashfs-tools and libsquashfuse-dev (make package installs them)")


@needs_runtime
def test_the_appimage_runtime_extracts_once_and_runs_without_fuse(tmp_path: Path) -> None:
    runtime = tmp_path / "runtime"
    subprocess.run(["gcc", "-O2", "-static", "-o", str(runtime),
                    str(LINUX / "appimage-runtime.c"), "-Wl,-Bstatic", "-lsquashfuse", "-lzstd",
                    "-llzma", "-llz4", "-llzo2", "-lz"], check=True)
    appdir = tmp_path / "AppDir"
    (appdir / "usr" / "share").mkdir(parents=True)
    (appdir / "usr" / "share" / "hello.txt").write_text("hello from the image\n")
    (appdir / "usr" / "link.txt").symlink_to("share/hello.txt")
    (appdir / "AppRun").write_text('#!/bin/sh\ncat "$APPDIR/usr/link.txt"\n'
                                   'echo "args: $*"; echo "image: $APPIMAGE"\n')
    (appdir / "AppRun").chmod(0o755)
    image = tmp_path / "image.sqfs"
    subprocess.run(["mksquashfs", str(appdir), str(image), "-root-owned", "-noappend",
                    "-comp", "zstd", "-quiet"], check=True)
    app = tmp_path / "Test.AppImage"
    app.write_bytes(runtime.read_bytes() + image.read_bytes())
    app.chmod(0o755)
    offset = subprocess.run([str(app), "--appimage-offset"], capture_output=True, text=True,
                            check=True).stdout
    assert int(offset) == runtime.stat().st_size
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    for argv in (["--appimage-extract-and-run", "a b", "c"], ["a b", "c"]):
        r = subprocess.run([str(app), *argv], capture_output=True, text=True, env=env,
                           check=True)
        assert r.stdout.splitlines() == ["hello from the image", "args: a b c",
                                         f"image: {app}"]
    assert len(list(tmp_path.glob("appimage_extracted_*"))) == 1  # unpacked once, reused
    subprocess.run([str(app), "--appimage-extract"], cwd=tmp_path, check=True,
                   capture_output=True)
    assert (tmp_path / "squashfs-root" / "usr" / "link.txt").read_text() == \
        "hello from the image\n"
    damaged = tmp_path / "Damaged.AppImage"
    damaged.write_bytes(runtime.read_bytes() + b"\0" * 4096)
    damaged.chmod(0o755)
    r = subprocess.run([str(damaged)], capture_output=True, text=True, env=env)
    assert r.returncode == 1 and "can't be read" in r.stderr
