"""The composition root: builds every service once and hands them to the window.

No service reaches for another through a global; what is missing (no display, no audio device,
no MIDI port, no SoundFont) is said in plain words, and everything else still works.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cuesketch.engine.clock import SystemClock
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.prefs import Preferences, pre_roll_flicks
from cuesketch.services import Services, StatusLine, apply_click_preferences
from cuesketch.store.project_file import ProjectFile, ProjectFileError

if TYPE_CHECKING:
    from cuesketch.media.picture_service import FilmFacts
    from cuesketch.store.journal import Journal

__all__ = ["Services", "StatusLine", "apply_click_preferences", "build_engine",
           "build_controls", "build_picture", "compose", "open_document", "run_gui"]


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


def build_engine(services: Services, preferences: Preferences) -> None:
    """The synth, its playback and audio output, MIDI input, monitoring and the recorder.

    Each part that can't start leaves a plain sentence in ``services.problems`` and the rest
    carries on: no SoundFont plays silently, no audio device runs on the monotonic clock, no
    MIDI port still records from the computer keyboard. Everything that reads "now" reads
    ``services.clock``, the transport's.
    """
    from cuesketch.engine.audio_out import AudioOutput
    from cuesketch.engine.midi_input import MidiInputs
    from cuesketch.engine.monitor import Monitor
    from cuesketch.engine.playback import Playback
    from cuesketch.engine.recorder import Recorder
    from cuesketch.engine.soundfonts import SoundFontError
    from cuesketch.engine.synth import SynthEngine
    from cuesketch.store.journal import Journal, recover

    services.preferences = preferences
    document, transport, clock = services.document, services.transport, services.clock
    transport.pre_roll = pre_roll_flicks(preferences)
    sf = document.project.settings.soundfont or preferences.soundfont or "default"
    try:
        synth = SynthEngine(sf)
    except SoundFontError as e:
        services.problems.append(f"no SoundFont: {e}; playing silently")
        synth = SynthEngine(None)
    services.synth = synth
    playback = services.playback = Playback(synth, document=document, transport=transport,
                                            background_rebuild=True)
    apply_click_preferences(playback.click, preferences)
    drivers = (preferences.audio_driver,) if preferences.audio_driver else None
    audio = services.audio = AudioOutput(playback, drivers=drivers,
                                         period_size=preferences.audio_buffer)
    if not audio.start():
        why = "; ".join(f"{k}: {v}" for k, v in audio.failures.items())
        services.problems.append(
            "no audio device: playing silently (the picture and recording still run on the "
            "system clock; choose a driver in Preferences)" + (f" [{why}]" if why else ""))
    monitor = services.monitor = Monitor(synth, clock=clock)
    midi = services.midi = MidiInputs(preferences.midi_backend or None, clock=clock)
    midi.set_ports(preferences.midi_inputs or None)
    path = services.project_path
    journal = services.journal = Journal(path) if path is not None else None
    recorder = services.recorder = Recorder(document, transport, journal)
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
    build_fault_watch(services)


def build_fault_watch(services: Services) -> None:
    """The watch over faults mid-take (``engine.fault_watch``): pauses, the audio server
    going and coming back, a full or vanished disk. The window calls ``service()``."""
    from cuesketch.engine.fault_watch import FaultWatch

    def moved(pf: ProjectFile, journal: Journal) -> None:
        services.project_file, services.journal, services.project_path = pf, journal, pf.path

    if services.playback is not None:  # a SoundFont held back while playing, or missing
        services.playback.say = services.status.post
    midi = services.midi
    if midi is not None:  # which keyboard went away or came back, in plain words
        midi.add_status_listener(lambda status: services.status.post(status.text))
    if services.recorder is None:
        return
    faults = services.faults = FaultWatch(
        services.document, services.transport, services.recorder, audio=services.audio,
        journal=services.journal,
        project_file=None if services.document.read_only else services.project_file,
        post=services.status.post, moved=moved)
    faults.start()


def build_controls(services: Services) -> None:
    """What the window's actions drive, over whatever of the engine started: the record
    session (the armed track, the record button), musical typing, and the range's loop and
    punch. Plain Python: a test drives them without a window."""
    from cuesketch.engine.range_control import RangeControl
    from cuesketch.engine.session import RecordSession
    from cuesketch.engine.typing_keyboard import TYPING_SOURCE, TypingKeyboard

    document, transport = services.document, services.transport
    if services.recorder is not None:
        services.session = RecordSession(document, services.recorder, services.monitor,
                                         services.playback, services.status.post)
    if services.midi is not None:
        services.typing = TypingKeyboard(services.midi.sender(TYPING_SOURCE))
    services.range_control = RangeControl(document, transport, services.range_marks,
                                          services.session)


def build_picture(services: Services, facts: FilmFacts | None = None) -> None:
    """The film on the picture view: its proxy when there is one, else the film itself while a
    frame-accurate proxy is made in the background. What is wrong is said (``problems``) and
    drawn in the picture's place. ``facts``: the film's, read ahead."""
    from cuesketch.media.picture_service import PictureService

    prefs = services.preferences
    picture = PictureService(services.document, services.transport, services.project_path,
                             services.clock, volume=prefs.film_volume, muted=prefs.film_muted,
                             post=services.status.post, facts=facts)
    services.problems.extend(picture.load())
    services.picture = picture


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
    if project is not None and Path(project).suffix.lower() == ".cuereview":
        from cuesketch.app_review import run_review
        return run_review(Path(project), load_preferences())
    if project is None:
        from cuesketch.demo import ensure_demo
        path = ensure_demo()
    else:
        path = Path(project)
    from cuesketch.ui import single_instance
    if not read_only and single_instance.hand_over_launch(path):
        return 0  # open in a running Cuesketch: its window is in front now
    try:
        document, pf, read_only_reason = open_document(path, read_only)
    except ProjectFileError as e:
        print(f"cuesketch: {e}", file=sys.stderr)
        # Started from a file manager there is no terminal to read that in: say it in a box.
        from cuesketch.ui.window_root import show_startup_error
        show_startup_error(f"{path.name} can't be opened", str(e))
        return 1
    services = compose(document, pf, path, read_only_reason, load_preferences())
    listener = single_instance.listen_for(path) if not document.read_only else None
    try:
        from cuesketch.ui.window_root import run_window
        return run_window(services)
    finally:
        if listener is not None:
            listener.close()
        services.close()


def compose(document: Document, project_file: ProjectFile | None, path: Path | None,
            read_only_reason: str | None, preferences: Preferences) -> Services:
    """Every service, built once, over one clock: the transport, the picture, the monitor and
    the MIDI inputs all read the same ``MonotonicClock``."""
    clock = SystemClock()
    services = Services(document, Transport(clock), project_file, path, clock=clock,
                        read_only_reason=read_only_reason)
    if read_only_reason:
        services.problems.append(read_only_reason)
    try:
        from cuesketch.media.picture_service import FilmFacts
        facts = FilmFacts(document, path)  # ffprobe waits beside the engine's start
        build_engine(services, preferences)
        build_controls(services)
        build_picture(services, facts)
    except BaseException:
        services.close()
        raise
    return services
