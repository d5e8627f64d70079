"""File ▸ Send for Review: what the worker thread is handed (the dialogs answered by the test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.changes import delete
from cuesketch.model.document import Document
from cuesketch.services import Services
from cuesketch.store.project_file import ProjectFile
from cuesketch.ui import file_actions, review_actions


def test_the_worker_renders_a_copy_planned_before_you_go_on_editing(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "demo.cuesketch"
    film = tmp_path / "film.mp4"
    film.write_bytes(b"\0" * 1000)
    ProjectFile.write_new(path, build_demo(film, path))
    pf = ProjectFile.open(path)
    document = Document(pf.load(), sink=pf)
    services = Services(document, Transport(FakeClock()), pf, path)
    window = QWidget()
    qtbot.addWidget(window)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    posted: list[str] = []
    handlers = file_actions.file_handlers(window, services, posted.append, settings)

    class Answered(review_actions.SendForReviewDialog):
        def exec(self) -> int:
            self.made_for.setText("R. Smith")
            return QDialog.DialogCode.Accepted.value

    jobs: list = []
    sent: list = []
    monkeypatch.setattr(review_actions, "SendForReviewDialog", Answered)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "out.cuereview"), "")))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: pytest.fail(a[2])))
    monkeypatch.setattr(review_actions.ReviewActions, "start_task",
                        lambda self, job, *rest: jobs.append(job))
    monkeypatch.setattr(review_actions, "send_plan",
                        lambda plan, copy, *a, **k: sent.append((plan, copy)))
    try:
        handlers["file.send_review"]()
        assert len(jobs) == 1
        live = document.project
        # you go on editing while the worker runs
        document.execute_changes([delete(n) for n in list(live.notes.values())[:5]],
                                 "Delete notes")
        jobs[0]()
        plan, copy = sent[0]
        assert plan.versions
        for version in plan.versions:
            assert version.project is not live
            assert version.project is copy
        assert len(copy.notes) == len(live.notes) + 5
    finally:
        pf.close()
