"""The Qt half of the composition root: the application object, the widgets, the event loop.

Every service comes built from ``app.py`` in ``Services``; here they are only wired to widgets
and actions (``build_window``), never made.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import cast

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from cuesketch import paths
from cuesketch.engine.fault_watch import on_stop_signals
from cuesketch.engine.transport import TransportState
from cuesketch.engine.typing_keyboard import TypingKeyboard
from cuesketch.media.overlays import OverlayOptions
from cuesketch.prefs import Preferences
from cuesketch.services import Services
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.focus import EditingEnds, keys_belong_to_text
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.picture_view import PictureView
from cuesketch.ui.piano_roll import PianoRoll

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
    # Ctrl+C in the terminal, SIGTERM (the system, a logout) and SIGHUP close the window
    # cleanly: the take lands before the process ends (Qt's loop hides Python's signals: the
    # timer lets the handlers run, and the fault watch do its GUI-thread part).
    faults = services.faults

    def stop_now() -> None:
        """Nobody can be asked: what only memory holds goes to a rescue copy first."""
        saved = faults.rescue_now() if faults is not None else None
        if saved is not None:
            print(f"cuesketch: what was only in memory is saved in {saved}", file=sys.stderr)
        window.force_close()

    def stop_soon() -> None:
        # A Python signal handler runs between any two bytecodes (in a save, say): the work
        # waits for the event loop.
        QTimer.singleShot(0, stop_now)

    signal.signal(signal.SIGINT, lambda *_: stop_soon())
    on_stop_signals(stop_soon)

    def tick() -> None:
        if faults is not None:
            faults.service()
            window.status_messages.set_standing(faults.standing)
    wake = QTimer()
    wake.timeout.connect(tick)
    wake.start(200)
    return app.exec()


def build_window(services: Services, settings: QSettings | None = None) -> MainWindow:
    """The main window over services built by ``app`` (``build_controls`` at least);
    ``settings``: where the layout is kept (the user's, unless a test says)."""
    from cuesketch.ui.file_actions import FileActions, file_handlers
    from cuesketch.ui.find_tempo_dialog import find_tempo_handler
    from cuesketch.ui.range_actions import range_handlers, remember_marks, show_range_state
    from cuesketch.ui.recent import install_for as install_recent
    from cuesketch.ui.view_actions import ViewActions

    document, transport = services.document, services.transport
    control = services.range_control
    assert control is not None, "app.build_controls(services) builds the range control"
    status = StatusSignals()
    services.status.listen(status.post)  # services speak from any thread; shown on the GUI's

    def audition(pitch: int, velocity: int) -> None:
        synth, session, playback = services.synth, services.session, services.playback
        if synth is None or session is None or playback is None:
            return
        channel = playback.monitor(session.track_id)
        if velocity == 0:  # the roll releases the key it pressed
            synth.note_off(channel, pitch)
        else:
            synth.note_on(channel, pitch, velocity)

    roll = PianoRoll(document, transport, audition=audition)
    roll.set_range(control)
    if services.recorder is not None:  # the take's notes drawn while it is played
        roll.set_live_source(services.recorder.live_notes)
    from cuesketch.ui.film_lane_setup import install_film_lanes
    film_lanes = install_film_lanes(roll, document, services.project_path, status.post)
    picture = build_picture_view(services)
    picture.firstFrameShown.connect(lambda: startup_marker("first-frame"))
    window: MainWindow | None = None  # the handlers read it once it is built, below

    def the_window() -> MainWindow:
        assert window is not None
        return window

    session = services.session
    if session is not None:
        roll.activeTrackChanged.connect(session.arm)
        if roll.active_track is not None:
            session.arm(roll.active_track)
    film = services.picture
    views = ViewActions(the_window, document, transport, status.post,
                        lambda: film.player if film is not None else None,
                        services.playback.click if services.playback is not None else None)
    handlers = {"edit.preferences": lambda: edit_preferences(services, the_window(), status)}
    handlers.update(views.handlers())
    handlers.update(range_handlers(control, status.post, lambda: roll.selection))
    files = FileActions(the_window, services, status.post)
    handlers.update(file_handlers(the_window, services, status.post, files=files))
    handlers["spot.detect_speech"] = film_lanes.detect
    handlers["edit.find_tempo"] = find_tempo_handler(the_window, document,
                                                     lambda: transport.position())
    from cuesketch.ui.spotting_actions import SpottingActions
    spotting = SpottingActions(the_window, services, status.post, settings)
    handlers.update(spotting.handlers())
    from cuesketch.ui.theme_dock import ThemeDock, theme_handlers
    theme_dock: list[ThemeDock] = []  # built with the window, below
    handlers.update(theme_handlers(lambda: theme_dock[0]))
    window = MainWindow(document, transport, picture, roll, status, handlers, settings)
    window.close_guards.append(files.may_close)
    spotting.attach(window.cue_list)
    film_lanes.keep_in(window.settings)  # their heights and folds, as left
    window.closing.connect(film_lanes.close)  # no ffmpeg left running behind the app
    install_recent(window, window.action_map, services, status.post, window.settings,
                   files=files)
    if services.project_path is not None:
        remember_marks(services.range_marks, window.settings, services.project_path)
    show_range_state(control, window.action_map)
    views.show_state()
    follow_recording(window, services, status)
    if services.typing is not None:
        window.install_typing(TypingFilter(services.typing, window, status))
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(EditingEnds(window, roll.setFocus))
    roll.statusMessage.connect(lambda text: window.statusBar().showMessage(text, 4000))
    add_track_panel(window, services, roll, status)
    from cuesketch.ui.theme_dock import install_themes
    theme_dock.append(install_themes(window, document, transport, roll, status.post))
    return window


def follow_recording(window: MainWindow, services: Services, status: StatusSignals) -> None:
    """The Record button shows whether a take is being recorded, whoever stopped it; a take
    that could not be written is said."""
    from cuesketch.ui.bridge import TransportSignals

    signals = TransportSignals(services.transport, window)
    record = window.action_map["transport.record"]

    def on_state(state: TransportState) -> None:
        record.setChecked(state.recording)
        session = services.session
        if not state.playing and session is not None:
            failed = session.take_failed()
            if failed:
                status.post(failed)

    signals.stateChanged.connect(on_state)
    # A record press that started nothing (no armed track, read-only) must not stay lit; the
    # handler has run when this is called (connected after it).
    record.triggered.connect(lambda _checked=False: record.setChecked(services.transport.recording))


def add_track_panel(window: MainWindow, services: Services, roll: PianoRoll,
                    status: StatusSignals) -> None:
    """The tracks dock, tabbed with the cues; arming a track there, in the roll and in the
    record session stays one choice."""
    from cuesketch.ui.track_panel import TrackPanel

    synth = services.synth
    panel = TrackPanel(services.document, synth.presets if synth is not None else None,
                       None, window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, panel)
    cue_dock = window.findChild(QDockWidget, "CueDock")
    if cue_dock is not None:
        window.tabifyDockWidget(cue_dock, panel)
        cue_dock.raise_()
    session = services.session
    if session is not None:
        panel.armedChanged.connect(session.arm)
        panel.set_armed(session.track_id)
    panel.armedChanged.connect(roll.set_active_track)
    roll.activeTrackChanged.connect(panel.set_armed)
    panel.statusMessage.connect(status.post)
    from cuesketch.ui.palette_track_soundfont import missing_warning
    panel.soundfont_paths = lambda: list(services.preferences.soundfonts)
    warning = missing_warning(services.document)
    if warning:
        status.post(warning)


def edit_preferences(services: Services, window: MainWindow, status: StatusSignals) -> None:
    """Show the dialog; apply what can change live, keep the rest for the next start."""
    from dataclasses import replace

    from cuesketch import prefs as prefs_module
    from cuesketch.ui.preferences_dialog import PreferencesDialog
    from cuesketch.ui.qsettings_store import QSettingsMapping

    midi = services.midi
    ports = midi.ports() if midi is not None else []
    dialog = PreferencesDialog(replace(services.preferences), ports, window)
    if dialog.exec() != PreferencesDialog.DialogCode.Accepted:
        return
    new = dialog.result_preferences()
    prefs_module.save(new, QSettingsMapping())
    said = services.apply_preferences(new)
    if isinstance(window.picture, PictureView):
        window.picture.set_options(overlay_options(new))
    status.post("; ".join(said) or "Preferences saved")


def overlay_options(prefs: Preferences) -> OverlayOptions:
    from dataclasses import replace
    return replace(OverlayOptions(), timecode=prefs.overlay_timecode, cue=prefs.overlay_cue,
                   streamers=prefs.overlay_streamers, punches=prefs.overlay_streamers,
                   flutters=prefs.overlay_streamers, streamer_seconds=prefs.streamer_seconds)


class PictureSignals(QObject):
    """The picture service changed (a film loaded, the proxy's progress): heard on the GUI
    thread, whichever thread it happened on."""

    changed = Signal()


def build_picture_view(services: Services) -> PictureView:
    """The picture view over the picture service: the player, or what is wrong in its place,
    followed live (a relinked film shows at once)."""
    view = PictureView(services.document, services.transport,
                       options=overlay_options(services.preferences))
    picture = services.picture
    if picture is None:
        return view
    signals = PictureSignals(view)

    def show() -> None:
        view.set_source(picture.player if picture.problem is None else None)
        view.set_problem(picture.problem)
        view.set_status(picture.status)

    signals.changed.connect(show)
    picture.observe(signals.changed.emit)
    show()
    return view


class TypingFilter(QObject):
    """Musical typing: while on, letter keys play notes instead of running shortcuts, except
    while a text is typed (a field has the focus) or a dialog or menu is open."""

    def __init__(self, keyboard: TypingKeyboard, window: QWidget, status: StatusSignals) -> None:
        super().__init__(window)
        self.keyboard = keyboard
        self.status = status
        self.enabled = False

    def toggle(self) -> bool:
        self.enabled = not self.enabled
        if not self.enabled:
            self.keyboard.release_all()
        self.status.post(self.keyboard.describe() if self.enabled
                         else "Musical typing off")
        return self.enabled

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.enabled:
            return False
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and keys_belong_to_text():
            return False  # a name being typed, a dialog being answered: the letters are text
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            assert isinstance(event, QKeyEvent)
            text = event.text()
            if not text or event.modifiers() & ~_SHIFT:
                return False
            kb = self.keyboard
            if not kb.handles(text):
                return False
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # ours: no shortcut (R, J, K, L ...) may take it
                return True
            if kind == QEvent.Type.KeyPress:
                kb.press(text, event.isAutoRepeat())
            else:
                kb.release(text, event.isAutoRepeat())
            return True
        if kind == QEvent.Type.WindowDeactivate:
            self.keyboard.release_all()
        return False


_SHIFT = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


def startup_marker(what: str) -> None:
    """For the startup benchmark: say when the first picture frame is on screen, then quit."""
    if os.environ.get("CUESKETCH_QUIT_AFTER_FIRST_FRAME"):
        print(f"{what} {time.monotonic() - _STARTED:.3f}", flush=True)
        QTimer.singleShot(0, QApplication.quit)
