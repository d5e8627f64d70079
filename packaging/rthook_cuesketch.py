"""PyInstaller runtime hook: point Cuesketch at what the bundle carries, before anything loads.

Runs inside the frozen app before ``cuesketch`` is imported. Everything is found beside the
executable (``sys._MEIPASS``), never on the system: libvlc and its plugins, libfluidsynth,
ffmpeg/ffprobe, the SoundFont and the demo film. A user's own ``CUESKETCH_SOUNDFONT`` still wins.
"""

import ctypes.util
import os
import sys

_BASE = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
_MAC = sys.platform == "darwin"


def _here(*parts: str) -> str:
    return os.path.join(_BASE, *parts)


# libvlc: python-vlc loads PYTHON_VLC_LIB_PATH; libvlccore reads its plugins from
# VLC_PLUGIN_PATH (a system VLC's plugins are of another build: never those).
_libvlc = _here("libvlc.dylib" if _MAC else "libvlc.so.5")
if os.path.exists(_libvlc):
    os.environ["PYTHON_VLC_LIB_PATH"] = _libvlc
if os.path.isdir(_here("vlc", "plugins")):
    os.environ["VLC_PLUGIN_PATH"] = _here("vlc", "plugins")
    os.environ["PYTHON_VLC_MODULE_PATH"] = _here("vlc", "plugins")

# ffmpeg and ffprobe are found on PATH (shutil.which): the bundle's come first.
if os.path.isdir(_here("bin")):
    os.environ["PATH"] = _here("bin") + os.pathsep + os.environ.get("PATH", "")

# The demo film and the icon; the General MIDI SoundFont.
if os.path.isdir(_here("resources")):
    os.environ["CUESKETCH_RESOURCES"] = _here("resources")
_soundfonts = _here("soundfonts")
if os.path.isdir(_soundfonts) and not os.environ.get("CUESKETCH_SOUNDFONT"):
    _fonts = sorted(f for f in os.listdir(_soundfonts) if f.lower().endswith((".sf2", ".sf3")))
    if _fonts:
        os.environ["CUESKETCH_SOUNDFONT"] = os.path.join(_soundfonts, _fonts[0])

# pyfluidsynth asks ctypes.util.find_library for "fluidsynth", which only knows the system's
# folders: answer with the bundle's copy.
_BUNDLED = {"fluidsynth": "libfluidsynth.3.dylib" if _MAC else "libfluidsynth.so.3"}
_find_library = ctypes.util.find_library


def _find_bundled(name: str) -> "str | None":
    own = _BUNDLED.get(name)
    if own and os.path.exists(_here(own)):
        return _here(own)
    return _find_library(name)


ctypes.util.find_library = _find_bundled
