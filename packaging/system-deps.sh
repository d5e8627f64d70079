#!/usr/bin/env bash
# Install what Cuesketch needs from the system: libvlc and its plugins, libfluidsynth and a
# General MIDI SoundFont, ffmpeg, Qt's xcb libraries, and (for the tests) Xvfb and jackd.
# Run again, it checks and changes nothing.
set -euo pipefail

DEBIAN_PACKAGES=(
  libvlc5 vlc-plugin-base vlc-plugin-video-output
  libfluidsynth3 fluidsynth fluid-soundfont-gm
  ffmpeg
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1
  libdbus-1-3 fonts-dejavu-core
  python3-venv
  # tests and screenshots: a virtual screen and a JACK server with the dummy backend
  xvfb xauth xdotool imagemagick jackd2
  # the preview figures read the burned-in timecode back
  tesseract-ocr
  # the speech detector's test soundtrack: spoken lines at known places
  espeak-ng
  # the printed spotting notes are read back as text (pdftotext) and looked at (pdftoppm)
  poppler-utils
)

# `make package` and `make package-test` (packaging/linux/build.sh): libvlc's plugin cache,
# the ELF fixer, the AppImage's image and runtime, the icons, and the test's namespace.
if [ "${1:-}" = "--package" ]; then
  DEBIAN_PACKAGES+=(libvlc-bin patchelf binutils gcc libc6-dev squashfs-tools libsquashfuse-dev
    zlib1g-dev libzstd-dev liblzma-dev liblz4-dev liblzo2-dev librsvg2-bin bubblewrap)
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    exit 0
  fi
  echo "Installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # jackd2 asks about realtime priority; answer for it.
  echo "jackd2 jackd/tweak_rt_limits boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
elif command -v brew >/dev/null 2>&1; then
  for f in fluid-synth ffmpeg jack; do brew list "$f" >/dev/null 2>&1 || brew install "$f"; done
  brew list --cask vlc >/dev/null 2>&1 || brew install --cask vlc
  echo "Homebrew has no General MIDI SoundFont: put FluidR3_GM.sf2 or MuseScore_General.sf3 in"
  echo "soundfonts/ or choose one in Preferences (see soundfonts/README.md); the app built by"
  echo "packaging/macos/build.sh carries its own."
else
  echo "Cuesketch needs libvlc, libfluidsynth, ffmpeg and a General MIDI SoundFont;" >&2
  echo "install them with your system's package manager (see README.md)." >&2
  exit 1
fi
