#!/usr/bin/env bash
# Build Cuesketch.app and a .dmg on a Mac, in one command (from the repository's root):
#
#   bash packaging/macos/build.sh            # -> build/package/Cuesketch-<version>-<arch>.dmg
#
# It builds for the Mac it runs on (arm64 on Apple silicon, x86_64 on Intel): run it on each,
# as .github/workflows/macos.yml does. What it uses:
# - Homebrew: python@3.11, fluid-synth, ffmpeg, librsvg (the icon), and VLC.app (the cask) for
#   libvlc and its plugins (CUESKETCH_VLC_APP chooses another VLC.app);
# - a General MIDI SoundFont: CUESKETCH_BUNDLE_SOUNDFONT, else the first .sf3/.sf2 in
#   soundfonts/ (Homebrew has none: CI takes FluidR3_GM.sf2 from Ubuntu, see the workflow);
# - PyInstaller, from the `package` extra in pyproject.toml, in .venv.
# Signing: ad-hoc by default (runs on the Mac that built it, and elsewhere after right-click ▸
# Open). With CUESKETCH_SIGN_IDENTITY="Developer ID Application: …" it is signed for
# notarization; then, with an app-specific password stored by `xcrun notarytool
# store-credentials cuesketch`:
#   xcrun notarytool submit build/package/Cuesketch-*.dmg --keychain-profile cuesketch --wait
#   xcrun stapler staple build/package/Cuesketch-*.dmg
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/package
BREW=$(brew --prefix)
ARCH=$(uname -m)
mkdir -p "$OUT/cache"
say() { echo "package: $*" >&2; }

for f in python@3.11 fluid-synth ffmpeg librsvg; do
  brew list "$f" >/dev/null 2>&1 || brew install "$f"
done
VLC_APP=${CUESKETCH_VLC_APP:-/Applications/VLC.app}
[[ -d $VLC_APP ]] || brew install --cask vlc
[[ -f $VLC_APP/Contents/MacOS/lib/libvlc.dylib ]] || {
  echo "package: no libvlc in $VLC_APP (set CUESKETCH_VLC_APP)" >&2; exit 1; }

if [[ ! -x $ROOT/.venv/bin/python ]]; then
  "$BREW/opt/python@3.11/bin/python3.11" -m venv "$ROOT/.venv"
fi
PY=$ROOT/.venv/bin/python
"$PY" -m pip install -q --upgrade pip
"$PY" -m pip install -q -e "$ROOT[test,package]"
VERSION=$("$PY" -c 'import cuesketch; print(cuesketch.__version__)')

SOUNDFONT=${CUESKETCH_BUNDLE_SOUNDFONT:-$(ls "$ROOT"/soundfonts/*.sf2 "$ROOT"/soundfonts/*.sf3 2>/dev/null | head -1 || true)}
[[ -n $SOUNDFONT && -f $SOUNDFONT ]] || {
  echo "package: no SoundFont: set CUESKETCH_BUNDLE_SOUNDFONT or put FluidR3_GM.sf2 in soundfonts/" >&2
  exit 1; }

say "the icon"
ICONSET=$OUT/cache/cuesketch.iconset
rm -rf "$ICONSET" && mkdir -p "$ICONSET"
for size in 16 32 128 256 512; do
  rsvg-convert -w $size -h $size "$ROOT/resources/cuesketch.svg" -o "$ICONSET/icon_${size}x${size}.png"
  rsvg-convert -w $((size * 2)) -h $((size * 2)) "$ROOT/resources/cuesketch.svg" \
    -o "$ICONSET/icon_${size}x${size}@2x.png"
done
iconutil -c icns "$ICONSET" -o "$OUT/cache/cuesketch.icns"

say "freezing Cuesketch $VERSION ($ARCH) with PyInstaller"
rm -rf "$OUT/dist/Cuesketch.app" "$OUT/dist/cuesketch"
CUESKETCH_ROOT=$ROOT CUESKETCH_BREW_PREFIX=$BREW CUESKETCH_BUNDLE_SOUNDFONT=$SOUNDFONT \
CUESKETCH_VLC_LIB=$VLC_APP/Contents/MacOS/lib CUESKETCH_VLC_PLUGINS=$VLC_APP/Contents/MacOS/plugins \
CUESKETCH_ICNS=$OUT/cache/cuesketch.icns CUESKETCH_VERSION=$VERSION \
  "$PY" -m PyInstaller --noconfirm --log-level WARN --workpath "$OUT/work" \
  --distpath "$OUT/dist" "$ROOT/packaging/macos/cuesketch-macos.spec"
APP=$OUT/dist/Cuesketch.app

# Every Mach-O in the app must load from inside it: no Homebrew or VLC.app path left.
if find "$APP" -type f \( -name '*.dylib' -o -name '*.so' -o -perm -u+x \) -print0 |
    xargs -0 otool -L 2>/dev/null | grep -E "^\s+($BREW|/Applications/VLC)" ; then
  echo "package: the libraries above point outside the app" >&2; exit 1
fi

say "signing"
if [[ -n ${CUESKETCH_SIGN_IDENTITY:-} ]]; then
  codesign --force --deep --options runtime --timestamp \
    --entitlements "$ROOT/packaging/macos/entitlements.plist" -s "$CUESKETCH_SIGN_IDENTITY" "$APP"
else
  codesign --force --deep -s - "$APP"  # ad-hoc
fi
codesign --verify --deep --strict "$APP"

say "the disk image"
DMG=$OUT/Cuesketch-$VERSION-$ARCH.dmg
STAGE=$OUT/cache/dmg
rm -rf "$STAGE" "$DMG" && mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Cuesketch $VERSION" -srcfolder "$STAGE" -ov -format UDZO "$DMG" >/dev/null
du -h "$DMG"
