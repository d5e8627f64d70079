"""The click, record mode and count-in from the Transport menu: the actions call the click and
the range controller and show their state."""

from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from cuesketch.demo import build_demo
from cuesketch.engine.click import Click
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.range_control import RangeControl
from cuesketch.engine.recorder import RecordMode, RecordOptions
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.range_actions import range_handlers, show_range_state
from cuesketch.ui.view_actions import ViewActions


def test_click_record_mode_and_count_in(qtbot: QtBot, tmp_path: Path) -> None:
    document, transport = Document(build_demo()), Transport(FakeClock())
    session = SimpleNamespace(options=RecordOptions())
    click = Click()
    control = RangeControl(document, transport, session=session)  # type: ignore[arg-type]
    said: list[str] = []
    window: list[MainWindow] = []
    views = ViewActions(lambda: window[0], document, transport, said.append, click=click)
    handlers = {**views.handlers(), **range_handlers(control, said.append)}
    w = MainWindow(document, transport, QLabel(), QLabel(), StatusSignals(),
                   handlers, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    window.append(w)
    show_range_state(control, w.action_map)
    views.show_state()
    qtbot.addWidget(w)
    rate = document.project.settings.rate
    transport.seek(rate.frame_to_flicks(400))  # inside 1M3 (360-792)
    assert w.action_map["transport.mode_replace"].isChecked()
    w.action_map["transport.click"].trigger()
    assert click.enabled and w.action_map["transport.click"].isChecked()
    w.action_map["transport.mode_overdub"].trigger()
    assert session.options.mode is RecordMode.OVERDUB
    assert not w.action_map["transport.mode_replace"].isChecked()
    w.action_map["transport.count_in"].trigger()
    assert session.options.count_in == 4 * rate.flicks_per_frame * 18  # 4 beats at 80 bpm = 3 s
    w.action_map["view.film_mute"].trigger()  # no film: nothing to mute, nothing checked
    assert said[-1] == "There is no film sound to mute"
    assert not w.action_map["view.film_mute"].isChecked()
