"""The Review dock lists the project's review notes by timecode; resolve and reply are edits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cuesketch.model.document import Document
from cuesketch.model.entities import Cue
from cuesketch.model.project import Project
from cuesketch.model.review import DirectorNote, ReplyContent
from cuesketch.model.review_notes import import_reply
from cuesketch.ui.review_dock import ReviewDock


def document_with_notes(film_hash: str = "A") -> Document:
    p = Project()
    p.load(p.settings, [Cue(1, "1M1", 0, 100)])
    doc = Document(p)
    reply = ReplyContent("pkg", "R. Smith", film_hash, (
        DirectorNote("u2", "1M1", "v2", "R. Smith", "t2", "Later one", 50),
        DirectorNote("u1", "1M1", "v2", "R. Smith", "t1", "Earlier one", 10, 20)))
    import_reply(doc, reply, "A")
    return doc


def test_notes_by_timecode_and_resolving(qtbot: QtBot) -> None:
    doc = document_with_notes()
    went: list[int] = []
    dock = ReviewDock(doc, went.append, author=lambda _w: "Composer")
    qtbot.addWidget(dock)
    texts = [dock.tree.topLevelItem(i).text(3) for i in range(dock.tree.topLevelItemCount())]
    assert texts == ["Earlier one", "Later one"]
    assert dock.tree.topLevelItem(0).text(0) == "01:00:00:10 – 01:00:00:20"
    dock.tree.itemDoubleClicked.emit(dock.tree.topLevelItem(1), 0)
    assert went == [50]
    dock.tree.setCurrentItem(dock.tree.topLevelItem(0))
    qtbot.mouseClick(dock.resolve, Qt.MouseButton.LeftButton)
    assert [n.resolved for n in doc.project.review_notes.values() if n.uuid == "u1"] == [True]
    assert "✔ resolved" in dock.tree.topLevelItem(0).text(4)
    assert dock.resolve.text() == "Reopen"
    doc.undo()
    assert dock.tree.topLevelItem(0).text(4) == ""


def test_notes_from_another_cut_are_flagged(qtbot: QtBot) -> None:
    doc = document_with_notes(film_hash="B")
    dock = ReviewDock(doc, lambda _f: None, author=lambda _w: "Composer")
    qtbot.addWidget(dock)
    assert all("other cut" in dock.tree.topLevelItem(i).text(4) for i in range(2))
    assert "2 against another cut" in dock.summary.text()


def test_open_notes_show_on_the_picture_and_the_ruler(qtbot: QtBot) -> None:
    from PySide6.QtGui import QImage, QPainter

    from cuesketch.ui.review_marks import paint_review_notes, review_text_at
    from cuesketch.ui.roll_view_model import RollGeometry

    doc = document_with_notes()
    project = doc.project
    assert review_text_at(project, 15) == "✎ R. Smith: Earlier one"  # inside its range
    assert review_text_at(project, 50 + 48) == "✎ R. Smith: Later one"  # held 2 s
    assert review_text_at(project, 50 + 49) is None
    assert review_text_at(project, 5) is None
    set_id = next(n.id for n in project.review_notes.values() if n.uuid == "u1")
    from cuesketch.model.review_notes import set_resolved
    set_resolved(doc, set_id, True)
    assert review_text_at(project, 15) is None  # resolved: off the picture
    image = QImage(400, 40, QImage.Format.Format_RGB32)
    image.fill(0)
    p = QPainter(image)
    geo = RollGeometry()
    paint_review_notes(p, geo, project, 0, 400)
    p.end()
    x = round(geo.x_of(50 * project.settings.rate.flicks_per_frame))
    assert image.pixelColor(x + 1, 1).name() == "#f5d76e"  # the open note's flag
