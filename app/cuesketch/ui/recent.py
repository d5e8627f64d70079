"""File ▸ Open Recent: the projects opened lately, newest first.

``RecentProjects`` is the list (plain, kept in the user's settings as JSON); ``RecentMenu``
shows it under the File menu's "Open Recent" action and opens a chosen project the way File ▸
Open does (a new Cuesketch process on it; this window closes). A project is remembered when a
window opens it for writing. One that has gone from its folder is said, and taken off the list.
"""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QWidget

from cuesketch.services import Services
from cuesketch.ui.qsettings_store import QSettingsMapping

if TYPE_CHECKING:  # file_actions imports this module's neighbours: no cycle at run time
    from cuesketch.ui.file_actions import FileActions

KEY = "projects"  # in the settings' [recent] group
LIMIT = 10


class RecentProjects:
    """The recently opened projects, newest first, at most ``LIMIT``, each once."""

    def __init__(self, store: MutableMapping[str, str], limit: int = LIMIT) -> None:
        self.store = store
        self.limit = limit

    def paths(self) -> list[Path]:
        try:
            raw = json.loads(self.store.get(KEY, "[]"))
        except (TypeError, ValueError):
            return []  # a damaged list is an empty one
        if not isinstance(raw, list):
            return []
        return [Path(p) for p in raw if isinstance(p, str) and p][: self.limit]

    def _save(self, paths: list[Path]) -> None:
        self.store[KEY] = json.dumps([str(p) for p in paths[: self.limit]])

    def add(self, path: Path) -> None:
        path = _absolute(path)
        self._save([path] + [p for p in self.paths() if _absolute(p) != path])

    def remove(self, path: Path) -> None:
        path = _absolute(path)
        self._save([p for p in self.paths() if _absolute(p) != path])

    def clear(self) -> None:
        self._save([])


def _absolute(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def label(index: int, path: Path) -> str:
    """The menu's text: a mnemonic number, the project's name, its folder."""
    number = f"&{index + 1} " if index < 9 else ""
    name = path.stem.replace("&", "&&")
    folder = str(path.parent).replace("&", "&&")
    return f"{number}{name}  —  {folder}"


class RecentMenu(QMenu):
    """The Open Recent submenu, rebuilt each time it opens."""

    def __init__(self, recent: RecentProjects, open_project: Callable[[Path], None],
                 current: Path | None, parent: QWidget | None = None) -> None:
        super().__init__("Open &Recent", parent)
        self.setObjectName("RecentMenu")
        self.setToolTipsVisible(True)  # the whole path, for two projects of the same name
        self.recent = recent
        self.open_project = open_project
        self.current = _absolute(current) if current is not None else None
        self.aboutToShow.connect(self.rebuild)
        self.rebuild()

    def entries(self) -> list[Path]:
        """The projects offered: all but the one open in this window."""
        return [p for p in self.recent.paths() if _absolute(p) != self.current]

    def rebuild(self) -> None:
        self.clear()
        entries = self.entries()
        for i, path in enumerate(entries):
            action = self.addAction(label(i, path))
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.choose(p))
        if not entries:
            none = self.addAction("No Recent Projects")
            none.setEnabled(False)
        self.addSeparator()
        clear = self.addAction("&Clear Menu")
        clear.setEnabled(bool(entries))
        clear.triggered.connect(self.forget_all)

    def choose(self, path: Path) -> None:
        if not path.is_file():
            self.recent.remove(path)
            self.rebuild()
            QMessageBox.warning(self.parentWidget(), "Open Recent",
                                f"{path.name} is no longer in {path.parent} (moved, renamed "
                                "or deleted); it is taken off the list.")
            return
        self.open_project(path)

    def forget_all(self) -> None:
        self.recent.clear()
        self.rebuild()


def install(action: QAction, recent: RecentProjects, open_project: Callable[[Path], None],
            current: Path | None, remember: bool, window: QWidget | None = None) -> RecentMenu:
    """Hang the Open Recent menu on its action (File menu); remember ``current`` first when
    this window has it open for writing."""
    if current is not None and remember:
        recent.add(current)
    menu = RecentMenu(recent, open_project, current, window)
    action.setMenu(menu)
    action.setEnabled(True)
    return menu


class RecentStore(QSettingsMapping):
    GROUP = "recent"


def install_for(window: QMainWindow, actions: dict[str, QAction], services: Services,
                post: Callable[[str], None], settings: QSettings | None = None, *,
                files: FileActions | None = None) -> RecentMenu:
    """The window's Open Recent menu over the user's settings: a chosen project opens the
    way File ▸ Open opens one (``FileActions.open_path``: asked first, a take being recorded
    lands, this window closes). ``files``: the window's own FileActions."""
    from cuesketch.ui.file_actions import FileActions as Files

    files = files or Files(window, services, post, settings)

    def open_project(path: Path) -> None:
        assert files is not None
        files.open_path(path, "Open Recent")

    recent = RecentProjects(RecentStore(settings))
    return install(actions["file.open_recent"], recent,
                   lambda path: files.guarded("Open Recent", lambda: open_project(path))(),
                   services.project_path, not services.document.read_only, window)
