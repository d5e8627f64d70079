"""The composition root: builds every service once and hands them to the window.

No service reaches for another through a global; what is missing (no display, no audio device,
no MIDI port, no SoundFont) is said in plain words, and everything else still works.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.prefs import Preferences
from cuesketch.store.project_file import ProjectFile, ProjectFileError

if TYPE_CHECKING:
    from cuesketch.engine.click import Click


@dataclass
class Services:
    document: Document
    transport: Transport
    project_file: ProjectFile | None = None
    project_path: Path | None = None
    problems: list[str] = field(default_factory=list)
    extras: dict[str, object] = field(default_factory=dict)
    read_only_reason: str | None = None  # why the project opened read-only (also a problem)

    def close(self) -> None:
        """Land a take still being recorded, then let every device go; the project last."""
        recorder = self.extras.get("recorder")
        steps = [("recorder", lambda: recorder.active and recorder.stop())]  # type: ignore[attr-defined]
        for name, method in (("proxy_job", "close"), ("midi", "close"), ("audio", "stop"),
                             ("playback", "close"),
                             ("picture", "close"), ("journal", "close"), ("synth", "close")):
            service = self.extras.get(name)
            if service is not None:
                steps.append((name, getattr(service, method)))
        for name, step in steps:
            if name == "recorder" and recorder is None:
                continue
            try:
                step()
            except Exception as e:  # closing one device must not lose the project
                print(f"cuesketch: closing {name}: {e}", file=sys.stderr)
        if self.project_file is not None:
            self.project_file.close()


def open_document(path: Path, read_only: bool = False) -> tuple[Document, ProjectFile, str | None]:
    """Open a project for editing; read-only, and why, when another instance has it or the
    file is damaged (then with what could not be read)."""
    pf = ProjectFile.open(path, read_only=read_only)
    project = pf.load()
    document = Document(project, sink=pf)
    document.read_only = pf.read_only
    reason = pf.reason or ("the project is open read-only" if pf.read_only else None)
    if pf.problems:
        lost = "; ".join(pf.problems)
        reason = f"{reason or 'The project is damaged.'} {lost[:1].upper()}{lost[1:]}."
    return document, pf, reason


def apply_click_preferences(click: Click, preferences: Preferences) -> None:
    """The click's level and sound as the user set them (at start, and live from the dialog);
    read by the audio thread at its next block."""
    from cuesketch.engine.click import CLICK_SOUNDS
    click.level = min(max(float(preferences.click_level), 0.0), 1.0)
    click.sound = preferences.click_sound if preferences.click_sound in CLICK_SOUNDS else "gm"


def build_engine(services: Services, preferences: Preferences) -> None:
    """The synth, its playback and audio output, MIDI input, monitoring and the recorder.

    Each part that can't start leaves a plain sentence in ``services.problems`` and the rest
    carries on: no SoundFont plays silently, no audio device runs on the monotonic clock, no
    MIDI port still records from the computer keyboard.
    """
    from cuesketch.engine.audio_out import AudioOutput
    from cuesketch.engine.midi_input import MidiInputs
    from cuesketch.engine.monitor import Monitor
    from cuesketch.engine.playback import Playback
    from cuesketch.engine.recorder import Recorder
    from cuesketch.engine.soundfonts import SoundFontError
    from cuesketch.engine.synth import SynthEngine
    from cuesketch.store.journal import Journal, recover

    document, transport = services.document, services.transport
    sf = document.project.settings.soundfont or preferences.soundfont or "default"
    try:
        synth = SynthEngine(sf)
    except SoundFontError as e:
        services.problems.append(f"no SoundFont: {e}; playing silently")
        synth = SynthEngine(None)
    playback = Playback(synth, document=document, transport=transport, background_rebuild=True)
    apply_click_preferences(playback.click, preferences)
    drivers = (preferences.audio_driver,) if preferences.audio_driver else None
    audio = AudioOutput(playback, drivers=drivers, period_size=preferences.audio_buffer)
    if not audio.start():
        why = "; ".join(f"{k}: {v}" for k, v in audio.failures.items())
        services.problems.append(
            "no audio device: playing silently (the picture and recording still run on the "
            "system clock; choose a driver in Preferences)" + (f" [{why}]" if why else ""))
    monitor = Monitor(synth)
    midi = MidiInputs(preferences.midi_backend or None)
    midi.set_ports(preferences.midi_inputs or None)
    journal = Journal(services.project_path) if services.project_path else None
    recorder = Recorder(document, transport, journal)
    midi.add_listener(monitor.on_event)
    midi.add_listener(recorder.on_event)
    midi.add_status_listener(monitor.on_status)
    midi.add_status_listener(recorder.on_status)
    try:
        midi.start()
    except Exception as e:  # MIDI is optional: musical typing still records
        services.problems.append(f"no MIDI input: {e}")
    typing_hint = "musical typing (Ctrl+K) plays and records from the computer keyboard"
    if midi.problem:  # a whole sentence already: what failed, how to fix it, what still works
        services.problems.append(midi.problem)
    elif not midi.open_ports():
        services.problems.append("no MIDI keyboard found: one is opened as soon as it is "
                                 f"plugged in; meanwhile {typing_hint}")
    if services.project_file is not None and not document.read_only:
        recovered = recover(services.project_file, document)
        if recovered:
            services.problems.append(
                f"recovered an unfinished take: {len(recovered)} notes, on a new track")
    services.extras.update(synth=synth, playback=playback, audio=audio, monitor=monitor,
                           midi=midi, recorder=recorder, journal=journal)


def display_problem() -> str | None:
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("QT_QPA_PLATFORM") in ("offscreen", "minimal", "vnc")):
        return ("no display: Cuesketch's window needs a desktop session (or Xvfb). "
                "Without one, the command line still works: cuesketch --help")
    return None


def load_preferences() -> Preferences:
    from cuesketch.prefs import load
    from cuesketch.ui.qsettings_store import QSettingsMapping
    return load(QSettingsMapping())


def run_gui(project: str | None, demo: bool = False, read_only: bool = False) -> int:
    problem = display_problem()
    if problem:
        print(f"cuesketch: {problem}", file=sys.stderr)
        return 1
    if project is None:
        from cuesketch.demo import ensure_demo
        path = ensure_demo()
    else:
        path = Path(project)
    try:
        document, pf, read_only_reason = open_document(path, read_only)
    except ProjectFileError as e:
        print(f"cuesketch: {e}", file=sys.stderr)
        # Started from a file manager there is no terminal to read that in: say it in a box.
        from cuesketch.ui.window_root import show_startup_error
        show_startup_error(f"{path.name} can't be opened", str(e))
        return 1
    services = Services(document, Transport(), pf, path)
    if read_only_reason:
        services.read_only_reason = read_only_reason
        services.problems.append(read_only_reason)
    preferences = load_preferences()
    services.extras["prefs"] = preferences
    build_engine(services, preferences)
    from cuesketch.ui.window_root import run_window
    try:
        return run_window(services)
    finally:
        services.close()
