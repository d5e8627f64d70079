"""The Spot menu in the window: live taps by their keys at the transport's frame (the picture's
transport untouched), one undo step each; a cue's version kept and counted in the dock."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.model.entities import HitKind
from cuesketch.store.project_file import ProjectFile
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.spotting_actions import SpottingActions


def test_keys_tap_while_playing_and_versions_count(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "spot.cuesketch"
    ProjectFile.write_new(path, build_demo())
    pf = ProjectFile.open(path)
    try:
        doc = Document(pf.load(), pf)
        clock = FakeClock()
        transport = Transport(clock)
        settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        services = SimpleNamespace(document=doc, transport=transport, project_file=pf,
                                   project_path=path)
        said: list[str] = []
        window_ref: list[MainWindow] = []
        spotting = SpottingActions(lambda: window_ref[0], services, said.append,  # type: ignore[arg-type]
                                   settings)
        w = MainWindow(doc, transport, QLabel("picture"), QLabel("roll"), StatusSignals(),
                       spotting.handlers(), settings)
        window_ref.append(w)
        spotting.attach(w.cue_list)
        qtbot.addWidget(w)
        w.show()
        w.activateWindow()
        w.windowHandle().requestActivate()
        qtbot.waitUntil(w.isActiveWindow)
        hits_before = len(doc.project.hits)
        cues_before = len(doc.project.cues)
        fpf = doc.project.settings.rate.flicks_per_frame
        transport.seek(2000 * fpf)
        transport.play()
        clock.advance_s(1)  # frame 2024 showing, playing
        qtbot.keyClick(w, Qt.Key.Key_BracketLeft)
        clock.advance_s(2)
        qtbot.keyClick(w, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
        clock.advance_s(1)
        qtbot.keyClick(w, Qt.Key.Key_BracketRight)
        assert transport.playing  # nothing stopped the picture
        transport.stop()
        new_hits = [h for h in doc.project.hits.values() if h.frame == 2072]
        assert len(doc.project.hits) == hits_before + 1 and new_hits[0].kind is HitKind.CUT
        new_cue = max(doc.project.cues.values(), key=lambda c: c.start_frame)
        assert len(doc.project.cues) == cues_before + 1
        assert (new_cue.start_frame, new_cue.end_frame) == (2024, 2096)
        assert "cue" in said[-1]

        transport.seek(2050 * fpf)
        w.action_map["spot.cue_version"].trigger()
        w.action_map["spot.cue_version"].trigger()
        QApplication.processEvents()
        group = w.cue_list.topLevelItem(0)
        row = next(group.child(i) for i in range(group.childCount())
                   if group.child(i).text(0) == new_cue.name)
        assert row.text(11) == "2"
        w.close()
    finally:
        pf.close()


def test_print_notes_takes_the_pictures_in_the_background(qtbot: QtBot, tmp_path: Path,
                                                         monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cuesketch.demo import build_demo as demo
    from cuesketch.store.relink import media_for
    from cuesketch import paths
    path = tmp_path / "p.cuesketch"
    project = demo()
    project.settings = project.settings.__class__(**{
        **project.settings.__dict__, "media": media_for(path, paths.demo_film())})
    ProjectFile.write_new(path, project)
    pf = ProjectFile.open(path)
    try:
        doc = Document(pf.load(), pf)
        services = SimpleNamespace(document=doc, transport=Transport(FakeClock()),
                                   project_file=pf, project_path=path)
        said: list[str] = []
        settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        spotting = SpottingActions(QLabel(), services, said.append, settings)  # type: ignore[arg-type]
        out = tmp_path / "notes.pdf"
        monkeypatch.setattr(spotting, "choose_save", lambda *a, **k: out)
        spotting.print_notes()
        assert said[-1].startswith("Printing notes.pdf")  # the window goes on meanwhile
        qtbot.waitUntil(lambda: out.exists() and said[-1].startswith("notes.pdf"), timeout=60_000)
        assert f"{len(doc.project.cues)} pictures" in said[-1]
    finally:
        pf.close()
