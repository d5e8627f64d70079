"""The film's lanes over the roll (pytest-qt): the picture strip shows the frame the ruler says,
the lanes follow zoom and scroll, the waveform and the speech band fill in from the background,
a detection lands as one undo step, and a film without sound says so."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.media.testfilm import make_numbered_film, read_frame_number
from speech_film import speaking_film
from cuesketch.model.document import Document
from cuesketch.model.entities import Media, Settings
from cuesketch.model.project import Project
from cuesketch.model.speech import regions
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC
from cuesketch.ui.film_lane_jobs import NO_SOUND
from cuesketch.ui.film_lane_setup import FilmLaneSetup
from cuesketch.ui.piano_roll import PianoRoll

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="no ffmpeg")


class Rig:
    def __init__(self, qtbot, film: Path, cache: Path) -> None:  # type: ignore[no-untyped-def]
        settings = Settings(media=Media(str(film), "", 24))  # the film starts a second in
        self.document = Document(Project(settings))
        self.transport = Transport(FakeClock())
        self.roll = PianoRoll(self.document, self.transport)
        self.said: list[str] = []
        self.setup = FilmLaneSetup(self.roll, self.document, cache / "p.cuesketch",
                                   self.said.append, cache=cache)
        self.lanes = self.setup.lanes
        qtbot.addWidget(self.roll)
        self.roll.resize(1200, 700)
        self.roll.show()
        with qtbot.waitExposed(self.roll):
            pass
        self.qtbot = qtbot
        assert self.setup.jobs.wait(60)
        qtbot.waitUntil(lambda: self.setup.jobs.peaks is not None
                        or self.setup.jobs.sound_state == NO_SOUND, timeout=20000)
        QApplication.processEvents()

    def show(self, start: int, end: int) -> None:
        self.roll.show_range(start, end)
        QApplication.processEvents()

    def strip_pixels(self) -> np.ndarray:
        image = self.lanes.picture.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
        w, h = image.width(), image.height()
        data = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * h)
        return data.reshape(h, image.bytesPerLine())[:, :w * 3].reshape(h, w, 3)


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speaking_film(tmp_path_factory.mktemp("film"))


@pytest.fixture
def rig(qtbot, film: Path, tmp_path: Path) -> Iterator[Rig]:  # type: ignore[no-untyped-def]
    r = Rig(qtbot, film, tmp_path)
    yield r
    r.setup.close()


def test_at_frame_zoom_each_thumbnail_is_the_frame_the_ruler_says(rig: Rig) -> None:
    strip = rig.lanes.picture
    ft = rig.setup.jobs.film_time
    assert ft is not None and ft.origin == SEC  # offset 24 frames at 24 fps
    # a frame 120 px wide, wider than a thumbnail (96 px): one thumbnail a frame
    rig.roll.geo.fpp = ft.film_rate.flicks_per_frame / 120
    rig.roll.geo.t0 = ft.frame_start(100) - round(30 * rig.roll.geo.fpp)
    rig.roll.refresh()
    QApplication.processEvents()
    slots = strip.slots(0, strip.width())
    frames = [f for _, f, _ in slots]
    assert frames == list(range(frames[0], frames[0] + len(frames))) and len(frames) >= 8
    assert frames[0] == 99 and slots[1][0] == pytest.approx(30)
    strip.ask_exact()
    job = rig.setup.jobs.thumbs
    assert job is not None and job.wait_requests(60)
    rig.qtbot.wait(50)
    pixels = rig.strip_pixels()
    for x, frame, width in [s for s in slots if s[0] >= 0][:6]:
        x0 = max(0, round(x))
        tile = pixels[1:strip.height() - 1, x0:x0 + int(width) - 1]
        assert tile.shape[1] > 40
        # the frame the ruler shows at the thumbnail's left edge
        assert ft.film_frame(rig.roll.geo.t_of(x0 + 1)) == frame
        assert read_frame_number(tile) == frame


def test_the_lanes_follow_zoom_and_scroll(rig: Rig) -> None:
    strip, geo = rig.lanes.picture, rig.roll.geo
    ft = rig.setup.jobs.film_time
    assert ft is not None
    rig.show(2 * SEC, 6 * SEC)
    before = strip.slots(0, strip.width())
    width = strip.thumb_width()
    assert all(abs(b[0] - a[0] - width) < 1e-6 for a, b in zip(before, before[1:]))
    assert before[0][1] == ft.film_frame(geo.t_of(before[0][0]))
    rig.roll.zoom_time(2.0, 0)
    zoomed = strip.slots(0, strip.width())
    assert zoomed[-1][1] < before[-1][1]  # half the time across the same width
    rig.roll.hbar.setValue(rig.roll.hbar.value() + 300)  # scrolled later
    QApplication.processEvents()
    later = strip.slots(0, strip.width())
    assert later[0][1] > zoomed[0][1]
    # the waveform is drawn for the same view (its cache keyed by it)
    image = rig.lanes.sound.image(0, rig.lanes.sound.width())
    assert image is not None and rig.lanes.sound._cache is not None
    assert rig.lanes.sound._cache[0][1:3] == (geo.t0, geo.fpp)
    # each channel in its own band: the middle line of each band drawn
    rig.lanes.sound.set_per_channel(True)
    bands = rig.lanes.sound.image(0, rig.lanes.sound.width())
    assert bands is not None and rig.lanes.sound._cache is not None
    assert rig.lanes.sound._cache[0][-1] is True
    rig.lanes.sound.set_per_channel(False)
    # the lanes fold and come back
    rig.lanes.toggle("picture")
    assert rig.lanes.folded("picture")
    rig.lanes.toggle("picture")
    assert not rig.lanes.folded("picture")


def test_the_waveform_shows_the_line_and_a_click_locates(rig: Rig, qtbot) -> None:  # type: ignore[no-untyped-def]
    sound = rig.lanes.sound
    rig.show(0, 10 * SEC)
    image = sound.image(0, sound.width())
    assert image is not None
    mid = sound.height() // 2
    line = [rig.roll.geo.x_of(t * SEC + SEC) for t in (2.5, 3.0)]  # speech at 2 s of the film
    quiet = [rig.roll.geo.x_of(t * SEC + SEC) for t in (0.5, 7.5)]

    def reach(x: float) -> int:  # how far the drawing reaches above the middle
        return sum(1 for y in range(mid) if image.pixel(int(x), y) != image.pixel(2, 1))

    assert min(reach(x) for x in line) > max(reach(x) for x in quiet) + 3
    strip = rig.lanes.picture
    x = int(rig.roll.geo.x_of(5 * SEC)) + 3
    qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=QPoint(x, 10))
    ft = rig.setup.jobs.film_time
    assert ft is not None
    assert rig.transport.position() == ft.frame_start(ft.film_frame(rig.roll.geo.t_of(x)))


def test_hovering_a_thumbnail_shows_that_frame_larger(rig: Rig, qtbot) -> None:  # type: ignore[no-untyped-def]
    from cuesketch.ui.film_lanes import HOVER_WIDTH
    strip = rig.lanes.picture
    rig.show(2 * SEC, 6 * SEC)
    x, frame, width = strip.slots(0, strip.width())[3]
    qtbot.mouseMove(strip, QPoint(int(x + width / 2), 10))
    qtbot.waitUntil(lambda: strip.hover_shown == frame, timeout=20000)
    assert strip._hover.isVisible() and strip._hover.pixmap().width() == HOVER_WIDTH
    image = strip._hover.pixmap().toImage().convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * h)
    pixels = data.reshape(h, image.bytesPerLine())[:, :w * 3].reshape(h, w, 3)
    assert read_frame_number(pixels) == frame


def test_a_detection_lands_as_one_undo_step(rig: Rig, qtbot) -> None:  # type: ignore[no-untyped-def]
    jobs = rig.setup.jobs
    assert jobs.detect_speech()
    qtbot.waitUntil(lambda: bool(rig.document.project.speech_regions), timeout=30000)
    lines = regions(rig.document.project)
    assert len(lines) == 1
    start = (lines[0].start - SEC) / SEC  # film seconds
    assert 1.8 < start < 2.4
    assert rig.document.history()[-1] == "Detect speech"
    rig.document.undo()
    assert not rig.document.project.speech_regions
    assert rig.lanes.speech.state == ""


def test_detect_speech_asks_then_finds(rig: Rig, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Spot ▸ Detect Speech… (and the lane's menu): the dialog, then the regions, one step."""
    from PySide6.QtCore import QTimer
    from cuesketch.ui.speech_dialog import SpeechDialog

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SpeechDialog)
        dialog.sensitivity.setValue(60)
        dialog.gap.setValue(0.5)
        dialog.accept()

    QTimer.singleShot(100, answer)
    rig.setup.detect()
    assert rig.setup.settings.sensitivity == 0.6 and rig.setup.settings.min_gap_s == 0.5
    qtbot.waitUntil(lambda: bool(rig.document.project.speech_regions), timeout=30000)
    assert rig.document.history()[-1] == "Detect speech"


def test_a_film_without_sound_says_so(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mute = make_numbered_film(tmp_path / "mute.mp4", seconds=2, audio=False)
    rig = Rig(qtbot, mute, tmp_path)
    assert rig.setup.jobs.sound_state == NO_SOUND
    assert rig.lanes.sound.image(0, 100) is None
    assert not rig.setup.jobs.detect_speech()
    assert rig.setup.jobs.take_error() == NO_SOUND
    rig.setup.close()


def test_speech_regions_edited_with_the_mouse_each_one_undo_step(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cuesketch.model.speech import SpeechEdits
    document = Document(Project())
    SpeechEdits(document).replace_detection([(2 * SEC, 4 * SEC), (8 * SEC, 9 * SEC)])
    roll = PianoRoll(document, Transport(FakeClock()))
    setup = FilmLaneSetup(roll, document, None, lambda _t: None, cache=tmp_path)
    qtbot.addWidget(roll)
    roll.resize(1200, 600)
    roll.show()
    with qtbot.waitExposed(roll):
        pass
    roll.geo.t0, roll.geo.fpp = 0, SEC / 100  # 100 px a second
    roll.refresh()
    lane = setup.lanes.speech
    y = lane.height() // 2
    steps = len(document.history())

    def drag(a: int, b: int) -> None:
        qtbot.mousePress(lane, Qt.MouseButton.LeftButton, pos=QPoint(a, y))
        for x in range(a, b + (1 if b > a else -1), 10 if b > a else -10):
            qtbot.mouseMove(lane, QPoint(x, y))
        qtbot.mouseMove(lane, QPoint(b, y))
        qtbot.mouseRelease(lane, Qt.MouseButton.LeftButton, pos=QPoint(b, y))

    def spans() -> list[tuple[float, float]]:
        return [(r.start / SEC, r.end / SEC) for r in regions(document.project)]

    drag(400, 500)  # the end edge of the first, a second later
    assert spans()[0] == pytest.approx((2, 5), abs=0.02)
    drag(300, 250)  # its body, half a second earlier
    assert spans()[0] == pytest.approx((1.5, 4.5), abs=0.02)
    drag(150, 100)  # its start edge, earlier still
    assert spans()[0] == pytest.approx((1.0, 4.5), abs=0.02)
    assert len(document.history()) == steps + 3
    assert document.history()[-3:] == ["Resize speech region", "Move speech region",
                                       "Resize speech region"]
    document.undo()
    document.undo()
    document.undo()
    assert spans()[0] == (2, 4)
    qtbot.mouseDClick(lane, Qt.MouseButton.LeftButton, pos=QPoint(600, y))  # empty: a new one
    assert len(spans()) == 3 and spans()[1] == pytest.approx((6, 7), abs=0.02)
    qtbot.mouseClick(lane, Qt.MouseButton.LeftButton, pos=QPoint(850, y))  # select, then Delete
    qtbot.keyClick(lane, Qt.Key.Key_Delete)
    assert [s[0] for s in spans()] == [2, pytest.approx(6, abs=0.02)]
    assert document.history()[-1] == "Delete speech region"
    setup.close()


def test_the_sound_stream_is_chosen_and_silence_said(tmp_path: Path) -> None:
    """A film with a tone on its first sound stream and silence on its second (no Qt)."""
    from cuesketch.model.entities import Media, Settings
    from cuesketch.ui.film_lane_jobs import SILENT, FilmLaneJobs
    picture = make_numbered_film(tmp_path / "p.mp4", seconds=2, audio=False)
    film = tmp_path / "two.mov"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(picture), "-f", "lavfi", "-i",
                    "sine=f=440:d=2:sample_rate=48000", "-f", "lavfi", "-i",
                    "anullsrc=r=48000:cl=stereo", "-map", "0:v", "-map", "1:a", "-map", "2:a",
                    "-c:v", "copy", "-c:a", "pcm_s16le", "-t", "2", str(film)], check=True)
    document = Document(Project(Settings(media=Media(str(film), "", 0))))
    changes: list[int] = []
    jobs = FilmLaneJobs(document, tmp_path / "p.cuesketch", lambda: changes.append(1),
                        cache=tmp_path, refine=False)
    jobs.load()
    assert jobs.wait(60)
    assert [a.index for a in jobs.streams] == [1, 2] and jobs.stream == 1
    assert jobs.peaks is not None and jobs.sound_state == "" and jobs.peaks.channels == 1
    jobs.select_stream(2)
    assert jobs.wait(60)
    assert jobs.peaks is not None and jobs.peaks.channels == 2 and jobs.sound_state == SILENT
    assert jobs.detect_speech()
    assert jobs.wait(60)
    found = jobs.take_detection()
    assert found is not None and found.silent and found.spans == []
    assert changes
    jobs.close()


def test_exact_frames_come_from_the_proxy_once_it_is_made(tmp_path: Path) -> None:
    """No Qt: the strip's exact frames are decoded from the film's frame-accurate proxy when
    the picture has made one (it seeks to the frame), and are still the frames asked for."""
    from cuesketch.files import content_hash
    from cuesketch.media.proxy import make_proxy
    from cuesketch.model.entities import Media, Settings
    from cuesketch.ui.film_lane_jobs import FilmLaneJobs
    film = make_numbered_film(tmp_path / "longgop.mp4", seconds=6, size=(480, 270),
                              codec_args=["-c:v", "libx264", "-preset", "veryfast", "-g", "72",
                                          "-pix_fmt", "yuv420p"])
    document = Document(Project(Settings(media=Media(str(film), content_hash(film), 0))))
    jobs = FilmLaneJobs(document, tmp_path / "p.cuesketch", cache=tmp_path, refine=False)
    jobs.load()
    assert jobs.wait(60) and jobs.thumbs is not None
    job = jobs.thumbs
    assert job.request(range(40, 46)) and job.wait_requests(60)
    assert job.requests_from_copy == 0  # no proxy yet: from the film
    make_proxy(film, folder=tmp_path / "proxies")
    assert job.request([100, 101, 117]) and job.wait_requests(60)
    assert job.requests_from_copy == 1
    for f in (40, 45, 100, 101, 117):
        thumb = job.strip.at(f)
        assert thumb is not None and thumb.frame == f and read_frame_number(thumb.pixels) == f
    jobs.close()


def test_the_lanes_heights_and_folds_are_kept(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)

    def lanes() -> FilmLaneSetup:
        roll = PianoRoll(Document(Project()), Transport(FakeClock()))
        qtbot.addWidget(roll)
        setup = FilmLaneSetup(roll, roll.document, None, lambda _t: None, cache=tmp_path)
        setup.keep_in(settings)
        return setup

    first = lanes()
    first.lanes.sound.setFixedHeight(90)
    first.lanes.toggle("picture")
    first.close()
    again = lanes()
    assert again.lanes.sound.height() == 90 and again.lanes.folded("picture")
    again.lanes.toggle("picture")
    assert again.lanes.picture.height() > 20
    settings.setValue("roll/film_lanes", "{not json")  # a damaged value: the defaults
    third = lanes()
    assert not third.lanes.folded("picture")
    for s in (again, third):
        s.close()


def test_a_film_closed_while_it_is_hashed_is_never_published(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             ) -> None:
    import threading
    from cuesketch.ui import film_lane_jobs as flj
    film = make_numbered_film(tmp_path / "short.mp4", seconds=1, size=(160, 90))
    hashing, go = threading.Event(), threading.Event()
    made: list[flj.ThumbnailJob] = []
    real_job = flj.ThumbnailJob

    def slow_hash(path: Path) -> str:
        hashing.set()
        go.wait(30)
        return "cs1:slow"

    def job(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(real_job(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(flj, "content_hash", slow_hash)
    monkeypatch.setattr(flj, "ThumbnailJob", job)
    document = Document(Project(Settings(media=Media(str(film), "", 0))))
    jobs = flj.FilmLaneJobs(document, tmp_path / "p.cuesketch", cache=tmp_path / "cache")
    jobs.load()
    assert hashing.wait(30)
    jobs.close()  # the window closes while the film is still being hashed
    go.set()
    assert jobs.wait(30)
    assert jobs.thumbs is None and jobs.info is None
    assert all(j._cancel.is_set() for j in made)  # no strip left decoding after close


def test_speech_found_while_the_offset_moved_lands_where_the_film_is_now(tmp_path: Path) -> None:
    """No Qt: a detection is placed by the film's offset when it is taken, not when it began."""
    from cuesketch.media.filmtime import FilmTime
    from cuesketch.model.project import Project
    from cuesketch.timing.rates import STANDARD_RATES
    from cuesketch.timing.units import FLICKS_PER_SECOND as SEC
    from cuesketch.ui.film_lane_jobs import Detection, FilmLaneJobs
    rate = STANDARD_RATES["24"]
    jobs = FilmLaneJobs(Document(Project()), None, cache=tmp_path, refine=False)
    began = FilmTime(rate, rate, 2400, 0)
    jobs.detection = Detection([(SEC + began.origin, 2 * SEC + began.origin)], False,
                               [(SEC, 2 * SEC)])
    jobs.film_time = FilmTime(rate, rate, 2400, 48)  # moved by two seconds meanwhile
    found = jobs.take_detection()
    assert found is not None and found.spans == [(3 * SEC, 4 * SEC)]
    jobs.close()
