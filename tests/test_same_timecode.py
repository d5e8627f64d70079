"""The transport bar, the picture's overlay and `cuesketch tc` show one timecode per frame."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from cuesketch.cli import main
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.media.overlays import texts_at
from cuesketch.model.document import Document
from cuesketch.model.entities import Settings
from cuesketch.model.project import Project
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.timecode import parse_timecode
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.main_window import MainWindow


@pytest.mark.parametrize("rate_name,start,frames", [
    ("29.97df", "01:00:00;00", [0, 1, 1799, 1800, 17982, 107891]),
    ("23.976", "00:59:58:00", [0, 47, 48, 86400]),
    ("59.94df", "01:00:00;00", [3599, 3600, 35964]),
])
def test_one_timecode_everywhere(qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 rate_name: str, start: str, frames: list[int]) -> None:
    rate = STANDARD_RATES[rate_name]
    settings = replace(Settings(), rate=rate, start_frame=parse_timecode(start, rate))
    project = Project()
    project.load(settings, [])
    transport = Transport(FakeClock())
    w = MainWindow(Document(project), transport, QLabel(), QLabel(), StatusSignals(),
                   settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    for frame in frames:
        transport.seek(rate.frame_to_flicks(frame))
        w.transport_bar.refresh()
        bar = w.transport_bar.timecode.text()
        overlay = texts_at(frame, settings, []).timecode
        assert main(["tc", str(frame), "--rate", rate_name, "--start", start,
                     "--to", "timecode"]) == 0
        cli = capsys.readouterr().out.strip()
        assert bar == overlay == cli, (frame, bar, overlay, cli)
