"""The Qt half of the composition root: the application object, the widgets, the event loop."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any, cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from cuesketch import paths
from cuesketch.app import Services
from cuesketch.media.overlays import OverlayOptions
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.picture_view import PictureView

_STARTED = time.monotonic()


def show_startup_error(title: str, text: str) -> None:
    """A project that can't be opened at all, said in a box (then the app ends)."""
    from PySide6.QtWidgets import QMessageBox
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Cuesketch")
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.setInformativeText("Nothing was changed.")
    box.exec()


def run_window(services: Services) -> int:
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName("Cuesketch")
    app.setOrganizationName("Cuesketch")
    app.setDesktopFileName("cuesketch")
    icon = paths.resources_dir() / "cuesketch.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    window = build_window(services)
    window.closing.connect(app.quit)  # the picture's own window must not keep the app alive
    window.show()
    window.show_problems(services.problems)
    for problem in services.problems:
        print(f"cuesketch: {problem}", file=sys.stderr)
    pf = services.project_file
    if pf is not None and pf.damaged and services.read_only_reason:
        from cuesketch.ui.main_window import damaged_notice
        damaged_notice(window, services.read_only_reason)
    # Ctrl+C in the terminal closes the window cleanly (Qt's loop hides Python's signals).
    signal.signal(signal.SIGINT, lambda *_: window.close())
    signal.signal(signal.SIGTERM, lambda *_: window.close())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    return app.exec()


def build_window(services: Services) -> MainWindow:
    from cuesketch.engine.session import RecordSession
    from cuesketch.engine.typing_keyboard import TYPING_SOURCE, TypingKeyboard
    from cuesketch.ui.piano_roll import PianoRoll

    document, transport, extras = services.document, services.transport, services.extras
    status = StatusSignals()
    synth = extras.get("synth")
    midi = extras.get("midi")

    def audition(pitch: int, velocity: int) -> None:
        session = extras.get("session")
        if synth is None or session is None:
            return
        channel = extras["playback"].monitor(session.track_id)  # type: ignore[attr-defined]
        if velocity == 0:  # the roll releases the key it pressed
            synth.note_off(channel, pitch)  # type: ignore[attr-defined]
        else:
            synth.note_on(channel, pitch, velocity)  # type: ignore[attr-defined]

    roll = PianoRoll(document, transport, audition=audition)
    from cuesketch.engine.range_marks import RangeMarks
    marks = RangeMarks()
    extras["range"] = marks
    roll.set_range_marks(marks)
    picture = build_picture(services, status)
    picture.firstFrameShown.connect(lambda: startup_marker("first-frame"))
    window: MainWindow | None = None  # the handlers read it once it is built, below

    def the_window() -> MainWindow:
        assert window is not None
        return window

    handlers = {}
    recorder = extras.get("recorder")
    if recorder is not None:
        session = RecordSession(document, recorder, extras.get("monitor"),  # type: ignore[arg-type]
                                extras.get("playback"), status.post)  # type: ignore[arg-type]
        extras["session"] = session
        roll.activeTrackChanged.connect(session.arm)
        if roll.active_track is not None:
            session.arm(roll.active_track)
        from cuesketch.ui.range_actions import record
        handlers["transport.record"] = lambda: record(session, the_window(), status.post)
    typing = None
    if midi is not None:
        typing = TypingKeyboard(midi.sender(TYPING_SOURCE))  # type: ignore[attr-defined]
        extras["typing"] = typing
    handlers["edit.preferences"] = lambda: edit_preferences(services, the_window(), status)
    from cuesketch.ui.file_actions import file_handlers
    from cuesketch.ui.range_actions import range_handlers
    from cuesketch.ui.view_actions import view_handlers
    handlers.update(view_handlers(the_window, services, status.post))
    handlers.update(range_handlers(the_window, services, status.post))
    handlers.update(file_handlers(the_window, services, status.post))
    window = MainWindow(document, transport, picture, roll, status, handlers)
    if services.project_path is not None:
        from cuesketch.ui.range_actions import remember_marks
        remember_marks(marks, window.settings, services.project_path)
    if "session" in extras:
        window.action_map["transport.mode_replace"].setChecked(True)
    follow_recording(window, services, status)
    if typing is not None:
        window.install_typing(TypingFilter(typing, window, status))
    roll.statusMessage.connect(lambda text: window.statusBar().showMessage(text, 4000))
    add_track_panel(window, services, roll, status)
    for name in ("midi", "recorder"):
        service = extras.get(name)
        if hasattr(service, "add_status_listener"):
            service.add_status_listener(  # type: ignore[union-attr]
                lambda st: status.post(f"{st.port}: {st.change.value.replace('_', ' ')}"))
    extras["status"] = status
    return window


def follow_recording(window: MainWindow, services: Services, status: StatusSignals) -> None:
    """The Record button shows whether a take is being recorded, whoever stopped it; a take
    that could not be written is said."""
    from cuesketch.ui.bridge import TransportSignals

    signals = TransportSignals(services.transport, window)
    record = window.action_map["transport.record"]

    def on_state(state: Any) -> None:
        record.setChecked(state.recording)
        session = services.extras.get("session")
        if not state.playing and session is not None:
            failed = session.take_failed()  # type: ignore[attr-defined]
            if failed:
                status.post(failed)

    signals.stateChanged.connect(on_state)


def add_track_panel(window: MainWindow, services: Services, roll: Any, status: StatusSignals) -> None:
    """The tracks dock, tabbed with the cues; arming a track there, in the roll and in the
    record session stays one choice."""
    from cuesketch.ui.track_panel import TrackPanel

    extras = services.extras
    synth = extras.get("synth")
    panel = TrackPanel(services.document, synth.presets if synth is not None else None,  # type: ignore[attr-defined]
                       None, window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, panel)
    cue_dock = window.findChild(QDockWidget, "CueDock")
    if cue_dock is not None:
        window.tabifyDockWidget(cue_dock, panel)
        cue_dock.raise_()
    session = extras.get("session")
    if session is not None:
        panel.armedChanged.connect(session.arm)  # type: ignore[attr-defined]
        panel.set_armed(session.track_id)  # type: ignore[attr-defined]
    panel.armedChanged.connect(roll.set_active_track)
    roll.activeTrackChanged.connect(panel.set_armed)
    panel.statusMessage.connect(status.post)
    window.track_panel = panel  # type: ignore[attr-defined]


def edit_preferences(services: Services, window: QWidget, status: StatusSignals) -> None:
    """Show the dialog; apply what can change live, keep the rest for the next start."""
    from dataclasses import replace

    from cuesketch import prefs as prefs_module
    from cuesketch.engine.audio_out import AudioOutput
    from cuesketch.prefs import Preferences
    from cuesketch.ui.preferences_dialog import PreferencesDialog
    from cuesketch.ui.qsettings_store import QSettingsMapping

    extras = services.extras
    old = extras.get("prefs") or Preferences()
    assert isinstance(old, Preferences)
    midi = extras.get("midi")
    ports = midi.ports() if midi is not None else []  # type: ignore[attr-defined]
    dialog = PreferencesDialog(replace(old), ports, window)
    if dialog.exec() != PreferencesDialog.DialogCode.Accepted:
        return
    new = dialog.result_preferences()
    prefs_module.save(new, QSettingsMapping())
    extras["prefs"] = new
    said = []
    if midi is not None and new.midi_inputs != old.midi_inputs:
        midi.set_ports(new.midi_inputs or None)  # type: ignore[attr-defined]
        said.append("MIDI inputs: " + (", ".join(new.midi_inputs) or "the first one found"))
    audio = extras.get("audio")
    if audio is not None and (new.audio_driver, new.audio_buffer) != (old.audio_driver,
                                                                      old.audio_buffer):
        audio.stop()  # type: ignore[attr-defined]
        fresh = AudioOutput(extras["playback"],  # type: ignore[arg-type]
                            drivers=(new.audio_driver,) if new.audio_driver else None,
                            period_size=new.audio_buffer)
        fresh.start()
        extras["audio"] = fresh
        said.append(f"audio: {fresh.status}")
    if new.soundfont != old.soundfont:
        said.append("the SoundFont changes when Cuesketch next starts")
    player = extras.get("picture")
    if player is not None and new.film_volume != old.film_volume:
        player.set_volume(new.film_volume)  # type: ignore[attr-defined]
        said.append(f"film sound at {new.film_volume * 100:.0f} %")
    playback = extras.get("playback")
    if playback is not None and (new.click_level, new.click_sound) != (old.click_level,
                                                                     old.click_sound):
        from cuesketch.app import apply_click_preferences
        apply_click_preferences(playback.click, new)  # type: ignore[attr-defined]
        said.append(f"click at {new.click_level * 100:.0f} %")
    picture = getattr(window, "picture", None)
    apply_overlays = getattr(picture, "apply_preferences", None)
    if apply_overlays is not None:
        apply_overlays(new)
    status.post("; ".join(said) or "Preferences saved")


def overlay_options(prefs: object) -> OverlayOptions:
    from dataclasses import replace
    base = OverlayOptions()
    return replace(base, timecode=getattr(prefs, "overlay_timecode", base.timecode),
                   cue=getattr(prefs, "overlay_cue", base.cue),
                   streamers=getattr(prefs, "overlay_streamers", base.streamers),
                   punches=getattr(prefs, "overlay_streamers", base.punches),
                   flutters=getattr(prefs, "overlay_streamers", base.flutters),
                   streamer_seconds=getattr(prefs, "streamer_seconds", base.streamer_seconds))


def build_picture(services: Services, status: StatusSignals) -> PictureView:
    """The film on the picture view: the proxy when there is one, else the original while a
    frame-accurate proxy is made in the background. What is wrong is drawn in its place."""
    from cuesketch.media.picture import PicturePlayer
    from cuesketch.media.probe import MediaError, disagreements, probe
    from cuesketch.media.proxy import cached_proxy, needs_proxy
    from cuesketch.store.relink import check_link

    document, transport, extras = services.document, services.transport, services.extras
    prefs = extras.get("prefs")
    view = PictureView(document, transport, options=overlay_options(prefs))
    view.apply_preferences = lambda p: view.set_options(overlay_options(p))  # type: ignore[attr-defined]
    settings = document.project.settings
    media = settings.media
    if media is None:
        view.set_problem("This project has no film yet.")
        return view
    if services.project_path is None:
        return view
    link = check_link(services.project_path, media)
    if not link.found or not link.same:
        what = "is missing" if not link.found else "is not the same film any more"
        view.set_problem(f"The film {what}: {link.path}\nRelink it: the project keeps its name "
                         "and content hash, so it can be found in a folder you point to.")
        services.problems.append(f"the film {what}: {link.path}")
        return view
    try:
        info = probe(link.path)
    except MediaError as e:
        view.set_problem(f"The film can't be played: {e}")
        services.problems.append(f"the film can't be played: {e}")
        return view
    services.problems.extend(disagreements(info, settings))
    try:
        player = PicturePlayer(transport, settings.rate, offset_frames=media.offset_frames)
        proxy = cached_proxy(link.path)
        player.open(proxy or link.path, info)
    except (MediaError, RuntimeError, OSError) as e:
        view.set_problem(f"The picture can't be shown: {e}")
        services.problems.append(f"no picture: {e}")
        return view
    film_volume = getattr(prefs, "film_volume", 0.8)
    player.set_volume(film_volume)
    player.set_muted(getattr(prefs, "film_muted", False))
    view.set_source(player)
    extras["picture"] = player
    if proxy is None and needs_proxy(info):
        task = start_proxy(view, player, link.path, info, status)
        extras["proxy_job"] = task.job  # type: ignore[attr-defined]
    return view


def start_proxy(view: PictureView, player: object, film: object, info: object,
                status: StatusSignals) -> object:
    """Make the frame-accurate proxy in the background; switch to it when it is there."""
    from cuesketch.ui.proxy_task import ProxyTask

    task = ProxyTask(film, info)  # type: ignore[arg-type]
    task.setParent(view)
    task.progress.connect(lambda f: view.set_status(
        f"Making a frame-accurate copy of the film: {f * 100:.0f} %"))

    def done(path: object) -> None:
        view.set_status("")
        player.open(path, info)  # type: ignore[attr-defined]
        status.post("The film is now frame-accurate (proxy ready)")

    def failed(why: str) -> None:
        view.set_status("")
        status.post(f"No frame-accurate proxy ({why}); seeks may land a frame or two early")

    task.finished.connect(done)
    task.failed.connect(failed)
    task.start()
    return task


class TypingFilter(QObject):
    """Musical typing: while on, letter keys play notes instead of running shortcuts."""

    def __init__(self, keyboard: object, window: QWidget, status: StatusSignals) -> None:
        super().__init__(window)
        self.keyboard = keyboard
        self.status = status
        self.enabled = False

    def toggle(self) -> bool:
        self.enabled = not self.enabled
        if not self.enabled:
            self.keyboard.release_all()  # type: ignore[attr-defined]
        self.status.post(self.keyboard.describe() if self.enabled  # type: ignore[attr-defined]
                         else "Musical typing off")
        return self.enabled

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.enabled:
            return False
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            assert isinstance(event, QKeyEvent)
            text = event.text()
            if not text or event.modifiers() & ~_SHIFT:
                return False
            kb = self.keyboard
            if not kb.handles(text):  # type: ignore[attr-defined]
                return False
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # ours: no shortcut (R, J, K, L ...) may take it
                return True
            if kind == QEvent.Type.KeyPress:
                kb.press(text, event.isAutoRepeat())  # type: ignore[attr-defined]
            else:
                kb.release(text, event.isAutoRepeat())  # type: ignore[attr-defined]
            return True
        if kind == QEvent.Type.WindowDeactivate:
            self.keyboard.release_all()  # type: ignore[attr-defined]
        return False


_SHIFT = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


def startup_marker(what: str) -> None:
    """For the startup benchmark: say when the first picture frame is on screen, then quit."""
    if os.environ.get("CUESKETCH_QUIT_AFTER_FIRST_FRAME"):
        print(f"{what} {time.monotonic() - _STARTED:.3f}", flush=True)
        QTimer.singleShot(0, QApplication.quit)
