from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from cuesketch.app import Services
from cuesketch.demo import build_demo
from cuesketch.engine.click import Click
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.recorder import RecordMode, RecordOptions
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.view_actions import view_handlers


def test_click_record_mode_and_count_in(qtbot: QtBot, tmp_path: Path) -> None:
    services = Services(Document(build_demo()), Transport(FakeClock()))
    services.extras["session"] = SimpleNamespace(options=RecordOptions())
    services.extras["playback"] = SimpleNamespace(click=Click())
    said: list[str] = []
    window: list[MainWindow] = []
    handlers = view_handlers(lambda: window[0], services, said.append)
    w = MainWindow(services.document, services.transport, QLabel(), QLabel(), StatusSignals(),
                   handlers, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    window.append(w)
    qtbot.addWidget(w)
    rate = services.document.project.settings.rate
    services.transport.seek(rate.frame_to_flicks(400))  # inside 1M3 (360-792)
    w.action_map["transport.click"].trigger()
    assert services.extras["playback"].click.enabled
    w.action_map["transport.mode_overdub"].trigger()
    assert services.extras["session"].options.mode is RecordMode.OVERDUB
    assert not w.action_map["transport.mode_replace"].isChecked()
    w.action_map["transport.count_in"].trigger()
    assert services.extras["session"].options.count_in == 4 * rate.flicks_per_frame * 18  # 4 beats at 80 bpm = 3 s

