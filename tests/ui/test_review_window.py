"""The review window shows the session and forwards to it (offscreen, no audio device)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from review_kit import make_package

from cuesketch.app_review import compose_review
from cuesketch.model.review import Verdict
from cuesketch.prefs import Preferences
from cuesketch.store.review_reply import read_reply
from cuesketch.ui.review_window import ReviewWindow


@pytest.fixture
def window(tmp_path: Path, qtbot: QtBot) -> ReviewWindow:
    make_package(tmp_path / "p.cuereview")
    parts = compose_review(tmp_path / "p.cuereview", "R. Smith", Preferences(),
                           journal_dir=tmp_path / "j", sound=False)
    w = ReviewWindow(parts)
    qtbot.addWidget(w)
    yield w
    w.close()
    parts.close()


def test_without_the_film_it_says_so_and_still_plays(window: ReviewWindow) -> None:
    assert window.picture.problem is not None and "film.mov" in window.picture.problem
    assert window.cues.topLevelItemCount() == 2
    assert window.cues.topLevelItem(0).childCount() == 2


def test_typing_a_note_and_a_verdict(window: ReviewWindow, qtbot: QtBot) -> None:
    s = window.session
    s.seek_frame(10)
    window.notes.entry.setText("Warmer here")
    qtbot.keyClick(window.notes.entry, Qt.Key.Key_Return)
    assert [n.frame for n in s.notes_sorted()] == [10]
    assert window.notes.list.count() == 1 and "Warmer here" in window.notes.list.item(0).text()
    window.verdict.comment.setText("lovely")
    qtbot.mouseClick(window.verdict.buttons[Verdict.APPROVED], Qt.MouseButton.LeftButton)
    heard = s.selected_version(s.current_cue)
    assert heard is not None and s.verdict(heard.id).verdict is Verdict.APPROVED
    assert read_reply(s.journal.path).verdicts[0].comment == "lovely"


def test_clicking_a_version_switches_and_a_note_goes_there(window: ReviewWindow,
                                                           qtbot: QtBot) -> None:
    s = window.session
    cue = window.cues.topLevelItem(1)
    first = cue.child(0)
    window.cues.itemClicked.emit(first, 1)
    chosen = s.selected_version(s.info.cues[1].cue.id)
    assert chosen is not None and chosen.name == "v1"
    s.seek_frame(77)
    s.add_note("here")
    s.seek_frame(0)
    window.notes.list.itemClicked.emit(window.notes.list.item(0))
    assert s.frame == 77


def test_a_package_on_the_command_line_opens_the_review(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import cuesketch.app_review
    from cuesketch.cli import main
    opened: list[Path] = []
    monkeypatch.setattr(cuesketch.app_review, "run_review",
                        lambda path, prefs: opened.append(path) or 0)
    assert main([str(tmp_path / "1M3.cuereview")]) == 0
    assert opened == [tmp_path / "1M3.cuereview"]


def test_the_roll_shows_the_version_heard_and_a_click_goes_there(window: ReviewWindow,
                                                                  qtbot: QtBot) -> None:
    s = window.session
    window.show()
    window.roll.resize(400, 100)
    image = window.roll.grab().toImage()
    cue = s.info.cues[0].cue
    note = s.selected_version(cue.id).notes[0]  # type: ignore[union-attr]
    x = round((note.start + note.duration // 2 - s.rate.frame_to_flicks(cue.start_frame))
              / s.rate.frame_to_flicks(cue.end_frame - cue.start_frame) * 400)
    column = {image.pixelColor(x, y).name() for y in range(100)}
    assert "#4f9dde" in column  # the Strings note, in its track's colour
    qtbot.mouseClick(window.roll, Qt.MouseButton.LeftButton, pos=window.roll.rect().center())
    assert abs(s.frame - (cue.start_frame + cue.end_frame) // 2) <= 1  # the middle of the cue


def test_the_roll_zooms_around_the_pointer_scrolls_and_turns_the_page(
        window: ReviewWindow, qtbot: QtBot) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    from cuesketch.ui.review_roll import NARROWEST
    s = window.session
    window.show()
    roll = window.roll
    roll.resize(400, 100)
    whole = roll.cue_span()
    assert whole is not None and roll.span() == whole

    def wheel(x: float, notches: int, ctrl: bool) -> None:
        mods = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
        event = QWheelEvent(QPointF(x, 50), QPointF(roll.mapToGlobal(QPoint(round(x), 50))),
                            QPoint(0, 0), QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                            mods, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(roll, event)

    def time_at(x: float) -> float:
        a, b = roll.span()  # type: ignore[misc]
        return a + (b - a) * x / 400

    under = time_at(100)
    wheel(100, 2, ctrl=True)  # two notches in, around a quarter of the way
    a, b = roll.span()  # type: ignore[misc]
    assert abs((b - a) - (whole[1] - whole[0]) / 1.25 ** 2) < 2
    assert abs(time_at(100) - under) < (b - a) / 400  # what was under the pointer stays
    wheel(100, -1, ctrl=False)  # the wheel alone scrolls later
    assert roll.span()[0] > a and roll.span()[1] - roll.span()[0] == b - a  # type: ignore[index]
    for _ in range(40):
        wheel(200, 3, ctrl=True)
    a, b = roll.span()  # type: ignore[misc]
    assert b - a == min(NARROWEST, whole[1] - whole[0]) and whole[0] <= a and b <= whole[1]
    s.seek(b + NARROWEST // 4)  # the playhead leaves the view: it turns the page
    roll.refresh()
    a2, b2 = roll.span()  # type: ignore[misc]
    assert a2 <= s.position < b2 and b2 - a2 == b - a
    roll.scroll_by(-1.0)  # scrolled away from a playhead standing still: the view stays
    roll.refresh()
    assert roll.span() == (a2 - (b2 - a2), a2)
    roll.scroll_by(1.0)
    qtbot.mouseClick(roll, Qt.MouseButton.LeftButton, pos=QPoint(200, 50))  # clicks go by
    assert abs(s.position - (a2 + b2) / 2) <= s.rate.frame_to_flicks(1)   # the view
    qtbot.mouseDClick(roll, Qt.MouseButton.LeftButton, pos=QPoint(200, 50))
    assert roll.span() == whole
    for _ in range(20):
        wheel(200, -3, ctrl=True)  # never wider than the cue
    assert roll.span() == whole


def test_the_pictures_bars_follow_the_version_heard(window: ReviewWindow) -> None:
    from dataclasses import replace as copy_with

    from cuesketch.timing.tempo import TempoMap
    s = window.session
    cue = s.info.cues[0]
    slow = copy_with(cue.versions[0], tempo=TempoMap.constant(60))
    s.info = copy_with(s.info, cues=(copy_with(cue, versions=(slow, cue.versions[1])),)
                       + s.info.cues[1:])
    s.select_version(cue.cue.id, slow.id)
    assert window.parts.document.project.cues[cue.cue.id].tempo == TempoMap.constant(60)


def test_send_back_with_a_slash_in_the_name_and_a_place_that_takes_no_file(
        tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
    make_package(tmp_path / "p.cuereview")
    parts = compose_review(tmp_path / "p.cuereview", "R. Smith/J. Doe", Preferences(),
                           journal_dir=tmp_path / "j", sound=False)
    w = ReviewWindow(parts)
    qtbot.addWidget(w)
    offered: list[str] = []
    answers = [None, str(tmp_path / "missing" / "x.cuereply")]

    def save_as(_parent: object, _title: str, default: str, _filter: str) -> tuple[str, str]:
        offered.append(default)
        return answers.pop(0) or default, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda _p, _t, text: warnings.append(text)))
    try:
        w.send_back()
        assert Path(offered[0]).parent == tmp_path
        assert read_reply(Path(offered[0])).author == "R. Smith/J. Doe"
        w.send_back()  # a folder that is not there: said, not raised
        assert len(warnings) == 1
    finally:
        w.close()
        parts.close()


def test_the_reply_says_which_film_this_session_shows(tmp_path: Path) -> None:
    """A first session shows a copy found by name (another cut); a later one shows no film:
    the reply no longer claims the other cut for the notes."""
    make_package(tmp_path / "p.cuereview")
    (tmp_path / "film.mov").write_bytes(b"another cut" * 100)
    parts = compose_review(tmp_path / "p.cuereview", "R. Smith", Preferences(),
                           journal_dir=tmp_path / "j", sound=False)
    journal = parts.session.journal.path
    parts.close()
    first = read_reply(journal).film_hash
    assert first and first != "cs1:100:" + "ab" * 16
    (tmp_path / "film.mov").unlink()
    parts = compose_review(tmp_path / "p.cuereview", "R. Smith", Preferences(),
                           journal_dir=tmp_path / "j", sound=False)
    parts.close()
    assert read_reply(journal).film_hash == ""


def test_a_review_that_fails_to_open_closes_its_session(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import cuesketch.app_review
    from cuesketch.engine.review_session import ReviewSession
    closed: list[ReviewSession] = []
    real_close = ReviewSession.close

    def close(self: ReviewSession) -> None:
        closed.append(self)
        real_close(self)

    def broken(*args: object) -> None:
        raise OSError("the picture broke")

    monkeypatch.setattr(ReviewSession, "close", close)
    monkeypatch.setattr(cuesketch.app_review, "_picture", broken)
    make_package(tmp_path / "p.cuereview")
    with pytest.raises(OSError):
        compose_review(tmp_path / "p.cuereview", "R. Smith", Preferences(),
                       journal_dir=tmp_path / "j", sound=False)
    assert len(closed) == 1
