"""One libvlc instance for the picture, with options that keep frames countable.

Sound: the film's own sound goes to the system's usual output (PulseAudio/PipeWire or ALSA on
Linux, the default elsewhere). Where there is no sound device (a server, CI) libvlc would
fail to open one, so it is given the dummy output: the picture plays the same, silently.
``CUESKETCH_FILM_AOUT`` overrides the choice (``none`` turns the film's sound off).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from cuesketch.media.probe import MediaError

# Frames are counted, so libvlc must never drop or skip one; no OSD or title over the picture;
# the user's own VLC settings must not change how the picture behaves.
OPTIONS = ["--quiet", "--ignore-config", "--no-xlib", "--no-drop-late-frames",
           "--no-skip-frames", "--no-video-title-show", "--no-osd", "--no-spu",
           "--no-sub-autodetect-file", "--no-snapshot-preview", "--no-stats",
           "--no-media-library", "--no-lua"]


def audio_output() -> str | None:
    """The libvlc audio output to use: a module name, ``none``, or None for libvlc's default."""
    chosen = os.environ.get("CUESKETCH_FILM_AOUT", "").strip()
    if chosen:
        return chosen
    if not sys.platform.startswith("linux"):
        return None
    runtime = Path(os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}")
    if os.environ.get("PULSE_SERVER") or (runtime / "pulse" / "native").exists() \
            or (runtime / "pipewire-0").exists():
        return "pulse"
    snd = Path("/dev/snd")
    if snd.is_dir() and any(p.name.startswith("pcmC") for p in snd.iterdir()):
        return "alsa"
    return "adummy"


def import_vlc() -> Any:
    try:
        import vlc
    except (ImportError, OSError) as e:
        raise MediaError(f"libvlc is not installed, so the film cannot play ({e}); install "
                         "VLC (Debian: libvlc5 vlc-plugin-base)") from None
    return vlc


def make_instance(sound: bool = True) -> Any:
    """A ``vlc.Instance``; raises MediaError in plain words when libvlc cannot start."""
    vlc = import_vlc()
    options = list(OPTIONS)
    aout = audio_output() if sound else "none"
    if aout == "none":
        options.append("--no-audio")
    elif aout:
        options.append(f"--aout={aout}")
    instance = vlc.Instance(options)
    if instance is None and aout not in (None, "none", "adummy"):
        instance = vlc.Instance([*OPTIONS, "--aout=adummy"])
    if instance is None:
        raise MediaError("libvlc is installed but cannot start: its plugins are missing "
                         "(Debian: vlc-plugin-base)")
    return instance
