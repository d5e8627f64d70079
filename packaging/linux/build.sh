#!/usr/bin/env bash
# Build Cuesketch for Linux: a self-contained one-folder bundle (PyInstaller), then an AppDir,
# an AppImage and a .deb, all under build/package/. `make package` runs this.
#
#   packaging/linux/build.sh [bundle|appimage|deb|all]     (default: all)
#
# Needs (Debian/Ubuntu; `make package` installs them): what `make setup` installs (libvlc and
# its plugins, libfluidsynth, ffmpeg, fluid-soundfont-gm), and libvlc-bin, patchelf,
# squashfs-tools, libsquashfuse-dev and a C compiler (the AppImage runtime), librsvg2-bin
# (icons), dpkg-deb. PyInstaller comes from the `package` extra in pyproject.toml.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/build/package
PY=${PY:-$ROOT/.venv/bin/python}
VERSION=$("$PY" -c 'import sys; sys.path.insert(0, "'"$ROOT"'/app"); import cuesketch; print(cuesketch.__version__)')
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
LIBDIR=/usr/lib/$MULTIARCH
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
what=${1:-all}
mkdir -p "$OUT/cache"

say() { echo "package: $*" >&2; }

soundfont() {
  # FluidR3_GM (Frank Wen, MIT) from Debian's fluid-soundfont-gm, as it is: an .sf2. An .sf3
  # (Ogg Vorbis samples, 32 MB instead of 148) would make the AppImage 100 MB smaller, but
  # FluidSynth decodes all of it when it loads the font: 1.5 to 3 s more at every start,
  # against 0.15 s for the .sf2. CUESKETCH_BUNDLE_SOUNDFONT chooses another font.
  local sf=${CUESKETCH_BUNDLE_SOUNDFONT:-/usr/share/sounds/sf2/FluidR3_GM.sf2}
  [[ -f $sf ]] || { say "no SoundFont at $sf (Debian: apt-get install fluid-soundfont-gm)"; exit 1; }
  echo "$sf"
}

bundle() {
  local sf
  sf=$(soundfont)
  say "freezing Cuesketch $VERSION with PyInstaller"
  rm -rf "$OUT/dist/cuesketch"
  CUESKETCH_ROOT=$ROOT CUESKETCH_LIBDIR=$LIBDIR CUESKETCH_BUNDLE_SOUNDFONT=$sf \
    "$PY" -m PyInstaller --noconfirm --log-level WARN --workpath "$OUT/work" \
    --distpath "$OUT/dist" "$HERE/cuesketch.spec"
  install -m 644 "$ROOT/packaging/linux/LICENSES.md" "$OUT/dist/cuesketch/LICENSES.md"
  "$PY" "$HERE/bundle_libs.py" fix "$OUT/dist/cuesketch"
  # libvlc's plugin cache (after the RUNPATHs: it keeps each plugin's size and time), so
  # libvlccore reads one file at start instead of loading every plugin: seconds saved.
  "$LIBDIR/vlc/vlc-cache-gen" "$OUT/dist/cuesketch/_internal/vlc/plugins"
  "$PY" "$HERE/bundle_libs.py" missing "$OUT/dist/cuesketch"
}

icons() {  # $1: the share/ folder to fill
  local share=$1 size
  for size in 16 24 32 48 64 128 256 512; do
    mkdir -p "$share/icons/hicolor/${size}x${size}/apps"
    rsvg-convert -w "$size" -h "$size" "$ROOT/resources/cuesketch.svg" \
      -o "$share/icons/hicolor/${size}x${size}/apps/cuesketch.png"
  done
  mkdir -p "$share/icons/hicolor/scalable/apps" "$share/icons/hicolor/48x48/mimetypes"
  cp "$ROOT/resources/cuesketch.svg" "$share/icons/hicolor/scalable/apps/cuesketch.svg"
  # the documents' icon: the app's, under the MIME type's icon name
  for mime in application-x-cuesketch application-x-cuesketch-review; do
    cp "$share/icons/hicolor/48x48/apps/cuesketch.png" \
      "$share/icons/hicolor/48x48/mimetypes/$mime.png"
  done
  mkdir -p "$share/applications" "$share/mime/packages" "$share/metainfo"
  cp "$HERE/cuesketch.desktop" "$share/applications/cuesketch.desktop"
  cp "$HERE/cuesketch-mime.xml" "$share/mime/packages/cuesketch.xml"
  sed "s/@VERSION@/$VERSION/" "$HERE/cuesketch.metainfo.xml" > "$share/metainfo/cuesketch.metainfo.xml"
}

runtime() {
  # The AppImage runtime: ours (packaging/linux/appimage-runtime.c), linked statically against
  # squashfuse's reader, since appimagetool and its runtime are not in Debian or on PyPI.
  local bin=$OUT/cache/appimage-runtime
  if [[ ! -x $bin || $HERE/appimage-runtime.c -nt $bin ]]; then
    say "compiling the AppImage runtime"
    gcc -O2 -static -o "$bin" "$HERE/appimage-runtime.c" \
      -Wl,-Bstatic -lsquashfuse -lzstd -llzma -llz4 -llzo2 -lz
    strip "$bin"
  fi
  echo "$bin"
}

appimage() {
  [[ -x $OUT/dist/cuesketch/cuesketch ]] || bundle
  local appdir=$OUT/Cuesketch.AppDir image=$OUT/Cuesketch-$VERSION-$(uname -m).AppImage rt
  say "making $appdir"
  rm -rf "$appdir"
  mkdir -p "$appdir/usr/lib" "$appdir/usr/share"
  cp -a "$OUT/dist/cuesketch" "$appdir/usr/lib/cuesketch"
  icons "$appdir/usr/share"
  # AppRun is the bundle's own program (a link: no shell needed; the bootloader finds its
  # _internal folder from the program's real path)
  ln -s usr/lib/cuesketch/cuesketch "$appdir/AppRun"
  cp "$HERE/cuesketch.desktop" "$appdir/cuesketch.desktop"
  cp "$ROOT/resources/cuesketch.svg" "$appdir/cuesketch.svg"
  cp "$appdir/usr/share/icons/hicolor/256x256/apps/cuesketch.png" "$appdir/.DirIcon"
  rt=$(runtime)
  say "making $image"
  rm -f "$OUT/cache/image.squashfs" "$image"
  mksquashfs "$appdir" "$OUT/cache/image.squashfs" -root-owned -noappend -comp zstd \
    -Xcompression-level 19 -b 1M -quiet -processors "${PACKAGE_JOBS:-2}"
  cat "$rt" "$OUT/cache/image.squashfs" > "$image"
  printf 'AI\x02' | dd of="$image" bs=1 seek=8 conv=notrunc status=none  # "type 2 AppImage"
  chmod 755 "$image"
  du -h "$image"
}

deb() {
  [[ -x $OUT/dist/cuesketch/cuesketch ]] || bundle
  local root=$OUT/deb/cuesketch_${VERSION}_$ARCH deb=$OUT/cuesketch_${VERSION}_$ARCH.deb size
  say "making $deb"
  rm -rf "$root"
  mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/doc/cuesketch"
  cp -a "$OUT/dist/cuesketch" "$root/opt/cuesketch"
  ln -s /opt/cuesketch/cuesketch "$root/usr/bin/cuesketch"
  icons "$root/usr/share"
  cp "$HERE/LICENSES.md" "$root/usr/share/doc/cuesketch/LICENSES.md"
  size=$(du -sk "$root" | cut -f1)
  sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size/" \
    "$HERE/deb-control" > "$root/DEBIAN/control"
  install -m 755 "$HERE/deb-postinst" "$root/DEBIAN/postinst"
  install -m 755 "$HERE/deb-postinst" "$root/DEBIAN/postrm"
  dpkg-deb --root-owner-group -Zxz -z6 --threads-max="${PACKAGE_JOBS:-2}" --build "$root" "$deb" >/dev/null
  du -h "$deb"
}

case $what in
  bundle) bundle ;;
  appimage) appimage ;;
  deb) deb ;;
  all) bundle; appimage; deb ;;
  *) echo "usage: $0 [bundle|appimage|deb|all]" >&2; exit 2 ;;
esac
