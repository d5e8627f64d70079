"""File ▸ Open Recent: the list, its menu, and opening from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.services import Services
from cuesketch.store.project_file import ProjectFile
from cuesketch.ui import file_actions, recent
from cuesketch.ui.actions import build_actions
from cuesketch.ui.recent import LIMIT, RecentMenu, RecentProjects, RecentStore, label


def project(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ProjectFile.write_new(path, build_demo())
    return path


def test_newest_first_each_once_at_most_ten(tmp_path: Path) -> None:
    store: dict[str, str] = {}
    rp = RecentProjects(store)
    for i in range(LIMIT + 3):
        rp.add(tmp_path / f"p{i}.cuesketch")
    rp.add(tmp_path / "sub" / ".." / "p5.cuesketch")  # the same file, named otherwise
    names = [p.name for p in rp.paths()]
    assert names[0] == "p5.cuesketch" and names.count("p5.cuesketch") == 1
    assert len(names) == LIMIT and "p0.cuesketch" not in names
    rp.remove(tmp_path / "p5.cuesketch")
    assert "p5.cuesketch" not in [p.name for p in rp.paths()]


@pytest.mark.parametrize("raw", ["not json", '{"a": 1}', '[1, "", null]'])
def test_a_damaged_list_is_an_empty_one(raw: str) -> None:
    assert RecentProjects({"projects": raw}).paths() == []


def test_kept_in_the_settings_between_starts(qapp: object, tmp_path: Path) -> None:
    ini = str(tmp_path / "settings.ini")
    RecentProjects(RecentStore(QSettings(ini, QSettings.Format.IniFormat))).add(
        tmp_path / "reel 2.cuesketch")
    again = RecentProjects(RecentStore(QSettings(ini, QSettings.Format.IniFormat)))
    assert [p.name for p in again.paths()] == ["reel 2.cuesketch"]


def test_the_label_numbers_and_escapes(tmp_path: Path) -> None:
    text = label(0, tmp_path / "Tom & Jerry.cuesketch")
    assert text.startswith("&1 Tom && Jerry") and str(tmp_path) in text
    assert not label(9, tmp_path / "x.cuesketch").startswith("&")


def menu_texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_the_menu_leaves_out_this_project_and_opens_another(qtbot: QtBot,
                                                           tmp_path: Path) -> None:
    here, other = project(tmp_path / "here.cuesketch"), project(tmp_path / "other.cuesketch")
    rp = RecentProjects({})
    rp.add(other)
    rp.add(here)
    opened: list[Path] = []
    menu = RecentMenu(rp, opened.append, here)
    qtbot.addWidget(menu)
    texts = menu_texts(menu)
    assert len(texts) == 2 and texts[0].startswith("&1 other") and texts[1] == "&Clear Menu"
    menu.actions()[0].trigger()
    assert opened == [other.resolve()]
    menu.actions()[-1].trigger()  # Clear Menu
    assert rp.paths() == [] and menu_texts(menu)[0] == "No Recent Projects"


def test_a_project_gone_from_its_folder_is_said_and_taken_off(qtbot: QtBot, tmp_path: Path,
                                                              monkeypatch) -> None:
    gone = tmp_path / "gone.cuesketch"
    rp = RecentProjects({})
    rp.add(gone)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: said.append(text))
    opened: list[Path] = []
    menu = RecentMenu(rp, opened.append, None)
    qtbot.addWidget(menu)
    menu.actions()[0].trigger()
    assert opened == [] and rp.paths() == []
    assert "gone.cuesketch is no longer in" in said[0] and "taken off the list" in said[0]


def test_file_menu_open_recent_switches_like_open(qtbot: QtBot, tmp_path: Path,
                                                 monkeypatch) -> None:
    """The File menu's Open Recent: this project is remembered, another one chosen from the
    menu opens in a new process and this window closes; a damaged file is a plain message."""
    here = project(tmp_path / "here.cuesketch")
    other = project(tmp_path / "other.cuesketch")
    bad = tmp_path / "bad.cuesketch"
    bad.write_text("not a project")
    launched: list[Path] = []
    monkeypatch.setattr(file_actions, "launch_project", lambda path, read_only=False:
                        launched.append(path))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(str(a[2])))
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: warnings.append(str(a[2])))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    store = RecentProjects(RecentStore(settings))
    store.add(other)
    store.add(bad)
    pf = ProjectFile.open(here)
    try:
        services = Services(Document(pf.load(), sink=pf), Transport(FakeClock()), pf, here)
        window = QMainWindow()
        qtbot.addWidget(window)
        window.show()
        actions = build_actions(window, {})
        assert not actions["file.open_recent"].isEnabled()  # no handler: until installed
        menu = recent.install_for(window, actions, services, lambda _t: None, settings)
        assert actions["file.open_recent"].isEnabled() and actions["file.open_recent"].menu() is menu
        assert store.paths()[0] == here.resolve()  # remembered on opening
        entries = [a for a in menu.actions() if a.toolTip() in (str(bad.resolve()),
                                                                str(other.resolve()))]
        entries[0].trigger()  # the damaged one
        assert launched == [] and warnings and window.isVisible()
        entries[1].trigger()
        assert launched == [other.resolve()] and not window.isVisible()
    finally:
        pf.close()
