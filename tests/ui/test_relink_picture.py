"""Relinking the film in the running window: the window the composition root builds, a real
film on real libvlc, the folder dialog answered by the test. The picture that was missing
shows the relinked film (read from the pixels painted), and undo takes it away again."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from cuesketch.app import build_controls, build_picture
from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.media.testfilm import make_numbered_film, read_frame_number
from cuesketch.model.document import Document
from cuesketch.prefs import Preferences
from cuesketch.services import Services
from cuesketch.store.project_file import ProjectFile
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.picture_view import PictureView
from cuesketch.ui.window_root import build_window

if shutil.which("ffmpeg") is None:  # pragma: no cover - the system deps install it
    pytest.skip("ffmpeg is not installed", allow_module_level=True)


@pytest.fixture
def running(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[tuple[MainWindow, Services, list[str]]]:
    """The demo project whose film went away, opened in the window as ``run_gui`` would."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the proxy goes there
    path = tmp_path / "project" / "demo.cuesketch"
    path.parent.mkdir()
    film = make_numbered_film(path.parent / "reel.mp4", seconds=2, audio=False)
    ProjectFile.write_new(path, build_demo(film, path))
    moved = tmp_path / "archive" / "renamed.mp4"
    moved.parent.mkdir()
    shutil.move(film, moved)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args, **kw: str(moved.parent)))
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda _p, _t, text, *r: boxes.append(text)))
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda _p, _t, text, *r: boxes.append(text)))
    pf = ProjectFile.open(path)
    clock = FakeClock()  # the picture reads the one clock the transport runs on
    services = Services(Document(pf.load(), sink=pf), Transport(clock), pf, path, clock=clock)
    said: list[str] = []
    services.status.listen(said.append)
    services.preferences = Preferences(overlay_timecode=False, overlay_cue=False,
                                       overlay_streamers=False)  # the bare picture, to read
    build_controls(services)
    build_picture(services)
    window = build_window(services, QSettings(str(tmp_path / "ui.ini"),
                                              QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    try:
        yield window, services, said
    finally:
        assert not boxes, boxes  # nothing went wrong, nothing "reloads when next opened"
        window.close()
        services.close()


def painted_number(qtbot: QtBot, view: PictureView) -> int:
    """The film frame number read from what the view painted."""
    player = view.source
    assert player is not None
    qtbot.waitUntil(lambda: view._painted is not None and view._painted[0] == player.serial,
                    timeout=2000)
    image = view.grab(view.picture_rect().toAlignedRect()).toImage().convertToFormat(
        QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4)[:, :image.width()]
    return read_frame_number(pixels)


def test_a_relinked_film_shows_in_the_running_window(
        qtbot: QtBot, running: tuple[MainWindow, Services, list[str]]) -> None:
    window, services, said = running
    view = window.picture
    assert isinstance(view, PictureView)
    picture = services.picture
    assert picture is not None
    assert view.source is None and view.problem is not None and "missing" in view.problem
    assert any("the film is missing" in p for p in services.problems)
    assert "Relink Film" in view.problem and "hash" not in view.problem  # said plainly

    window.action_map["file.relink_film"].trigger()  # the menu's action, as a user would
    qtbot.waitUntil(lambda: view.problem is None and view.source is not None, timeout=15_000)
    assert view.source is picture.player and picture.reloads == 1
    qtbot.waitUntil(lambda: any("proxy ready" in s for s in said), timeout=30_000)
    rate = services.document.project.settings.rate
    for frame in (30, 7):
        services.transport.seek(rate.frame_to_flicks(frame))
        assert picture.player is not None and picture.player.wait_shown(frame, 3.0)
        assert painted_number(qtbot, view) == frame
    # The film's sound switch reaches the film that came with the relink.
    mute = window.action_map["view.film_mute"]
    mute.trigger()
    assert picture.player.muted and mute.isChecked()
    mute.trigger()
    assert not picture.player.muted and not mute.isChecked()

    services.document.undo()  # the link as it was: the film is missing again
    qtbot.waitUntil(lambda: view.problem is not None and "missing" in view.problem,
                    timeout=5000)
    assert view.source is None and picture.reloads == 2
