"""The picture widget, grabbed offscreen: overlays at the right frames, frames from the player."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.media.filmtime import FilmTime
from cuesketch.media.frames import Frame
from cuesketch.media.overlays import KIND_STYLES, OverlayOptions
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Hit, HitKind, Settings
from cuesketch.model.project import Project
from cuesketch.timing.position import position_texts
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.ui.picture_view import PictureView
from cuesketch.ui.picture_window import PictureWindow

RATE = STANDARD_RATES["24"]
HIT = 200
GREY = 90
NO_TEXT = OverlayOptions(timecode=False, cue=False)


class FakeSource:
    """Grey frames numbered like the clock's: a player without libvlc."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.film = FilmTime(RATE, RATE, 10_000)
        self.pixels = np.full((180, 320, 4), GREY, np.uint8)

    @property
    def serial(self) -> int:
        return self.transport.position()

    def latest(self) -> Frame | None:
        return Frame(self.film.film_frame(self.transport.position()), self.pixels,
                     self.serial)


def make_view(qtbot, options=NO_TEXT, hits=(Hit(1, HIT, "door", HitKind.HARD),), source=True,
              clock=None):
    project = Project()
    project.load(Settings(rate=RATE, start_frame=86400),
                 [*hits, Cue(1, "1M1", 100, 300, title="Opening")])
    document, transport = Document(project), Transport(clock)
    view = PictureView(document, transport, FakeSource(transport) if source else None, options)
    qtbot.addWidget(view)
    view.resize(640, 360)
    return view, transport


def grab_at(view, transport, frame) -> QImage:
    transport.seek(RATE.frame_to_flicks(frame))
    return view.grab().toImage()


def colour(image: QImage, x: float, y: float) -> QColor:
    return image.pixelColor(int(x * (image.width() - 1)), int(y * (image.height() - 1)))


def is_hard_red(c: QColor) -> bool:
    return c.red() > 200 and c.green() < 130 and c.blue() < 130


def red_columns(image: QImage, y: float = 0.3) -> list[int]:
    return [x for x in range(image.width())
            if is_hard_red(image.pixelColor(x, int(y * image.height())))]


def test_streamer_crosses_the_picture_before_the_hit(qtbot):
    view, transport = make_view(qtbot, OverlayOptions(timecode=False, cue=False, punches=False,
                                                      flutters=False))
    assert red_columns(grab_at(view, transport, HIT - 49)) == []  # 2 s + 1 frame before
    positions = []
    for frame in (HIT - 48, HIT - 36, HIT - 24, HIT - 12, HIT):
        cols = red_columns(grab_at(view, transport, frame))
        assert cols, frame
        positions.append(max(cols))
    assert positions == sorted(positions)  # left to right
    assert min(red_columns(grab_at(view, transport, HIT - 48))) <= 1  # enters at the left
    assert positions[2] == pytest.approx(320, abs=5)  # halfway 1 s before the hit
    assert positions[-1] >= 637  # at the right edge on the hit frame
    assert red_columns(grab_at(view, transport, HIT + 1)) == []


def test_punch_flashes_on_the_hit_frame(qtbot):
    view, transport = make_view(qtbot, OverlayOptions(timecode=False, cue=False,
                                                      streamers=False, flutters=False))
    before = colour(grab_at(view, transport, HIT - 1), 0.5, 0.5)
    on = colour(grab_at(view, transport, HIT), 0.5, 0.5)
    assert (before.red(), before.green()) == (GREY, GREY)
    assert is_hard_red(on)
    assert colour(grab_at(view, transport, HIT + 2), 0.5, 0.5).red() == GREY


def test_flutter_and_kinds_have_their_colours(qtbot):
    hits = (Hit(1, HIT, kind=HitKind.HARD), Hit(2, 400, kind=HitKind.CUT))
    view, transport = make_view(qtbot, OverlayOptions(timecode=False, cue=False,
                                                      streamers=False), hits)
    ring = grab_at(view, transport, HIT - 4)  # a flutter frame: the ring, not the disc
    assert colour(ring, 0.5, 0.5).red() == GREY
    assert any(is_hard_red(ring.pixelColor(x, 180)) for x in range(200, 320))
    cut = colour(grab_at(view, transport, 400), 0.5, 0.5)
    green = QColor(KIND_STYLES[HitKind.CUT].color)
    assert cut.green() > cut.red() and green.green() > green.red()


def test_overlays_switch_off(qtbot):
    view, transport = make_view(qtbot, OverlayOptions(timecode=False, cue=False,
                                                      streamers=False, punches=False,
                                                      flutters=False))
    image = grab_at(view, transport, HIT)
    assert colour(image, 0.5, 0.5).red() == GREY and red_columns(image) == []


def test_timecode_burn_in_matches_the_transport_bar(qtbot):
    view, transport = make_view(qtbot, OverlayOptions(streamers=False, punches=False,
                                                      flutters=False))
    image = grab_at(view, transport, 150)
    tc, _ = position_texts(transport.position(), view.document.project.settings,
                           view.document.project.cues.values())
    assert tc == "01:00:06:06" and view.last_overlay_frame == 150
    box = [image.pixelColor(x, int(0.92 * 359)) for x in range(200, 440)]
    assert any(c.lightness() < 40 for c in box) and any(c.lightness() > 200 for c in box)
    off = make_view(qtbot, OverlayOptions(timecode=False, cue=False, streamers=False,
                                          punches=False, flutters=False))
    plain = grab_at(*off, 150)
    assert all(plain.pixelColor(x, int(0.92 * 359)).red() == GREY for x in range(200, 440))


def test_no_film_says_why_and_still_shows_overlays(qtbot):
    view, transport = make_view(qtbot, OverlayOptions(timecode=False, cue=False), source=False)
    view.set_problem("The film clip.mp4 is not there.\nRelink it: File ▸ Relink Film…")
    image = grab_at(view, transport, HIT)
    light = sum(1 for x in range(0, 640, 2) for y in range(150, 210, 2)
                if image.pixelColor(x, y).lightness() > 150)
    assert light > 20  # the message
    assert is_hard_red(colour(image, 0.5, 0.5)) or red_columns(image)


def test_picture_keeps_its_aspect(qtbot):
    view, transport = make_view(qtbot)
    view.resize(800, 300)
    image = grab_at(view, transport, 10)
    rect = view.picture_rect()
    assert rect.width() == pytest.approx(300 * 16 / 9) and rect.left() > 0
    assert image.pixelColor(5, 150).red() == 0  # black bars at the sides


def test_context_menu_toggles_an_overlay(qtbot):
    view, _ = make_view(qtbot)
    changed = []
    view.optionsChanged.connect(changed.append)
    view._toggle("streamers", False)
    assert changed and not changed[-1].streamers and not view.options.streamers


def test_picture_window_full_screen_and_close(qtbot):
    view, transport = make_view(qtbot)
    window = PictureWindow(view.document, transport, view.source, NO_TEXT)
    qtbot.addWidget(window)
    window.present(full_screen=False)
    assert window.isVisible()
    window.toggle_full_screen()
    assert window.isFullScreen()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isFullScreen() and window.isVisible()
    with qtbot.waitSignal(window.closed, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    image = window.view.grab().toImage()
    assert image.width() > 0


@pytest.mark.slow
def test_frames_from_the_player_reach_the_view(qtbot, tmp_path):
    from cuesketch.media.picture import PicturePlayer
    from cuesketch.media.proxy import make_proxy
    from cuesketch.media.testfilm import make_numbered_film, read_frame_number

    film = make_numbered_film(tmp_path / "film.mp4", seconds=2, size=(320, 180))
    proxy = make_proxy(film, folder=tmp_path / "proxies")
    clock = FakeClock()  # the player reads the transport's clock; paused, it is stepped
    view, transport = make_view(qtbot, OverlayOptions(timecode=False, cue=False,
                                                      streamers=False, punches=False,
                                                      flutters=False), hits=(), clock=clock)
    player = PicturePlayer(transport, RATE, sound=False, clock=clock)

    def shown(frame: int) -> bool:  # a seek libvlc lost goes again once the clock moves on
        for _ in range(8):
            if player.wait_shown(frame, 0.25):
                return True
            clock.advance_s(player.SEEK_RETRY_MIN_S)
        return False

    try:
        player.open(proxy)
        view.set_source(player)
        for frame in (37, 12):
            transport.seek(RATE.frame_to_flicks(frame))
            assert shown(frame)
            qtbot.waitUntil(lambda: view._painted is not None and view._painted[0] ==
                            player.serial, timeout=1000)
            image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
            pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
                image.height(), image.bytesPerLine() // 4, 4)[:, :image.width()]
            assert read_frame_number(pixels) == frame
    finally:
        player.close()
