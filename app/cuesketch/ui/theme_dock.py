"""The Themes dock: the project's themes (capture from the roll's selection, edit, delete,
insert at the playhead), the personal library (copy in and out), palettes, and the film-wide
theme map. The dock only shows and forwards: ``ThemesControl`` does the work.

    dock = install_themes(window, document, transport, roll, say)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QDockWidget, QFrame, QScrollArea, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem,
                               QMainWindow, QMenu, QMessageBox, QPushButton, QToolButton,
                               QSpinBox, QVBoxLayout, QWidget)

from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.model.entities import Theme
from cuesketch.model.project import ModelError
from cuesketch.model.theme_values import ThemeError, Transform
from cuesketch.model.themes_control import ThemesControl
from cuesketch.store import user_library
from cuesketch.timing.position import position_texts
from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.ui.roll_editor import Aspect
from cuesketch.ui.theme_map_view import ThemeMapView
from cuesketch.ui.theme_strip import MapWorker, ThemeBand

THEME_ID = Qt.ItemDataRole.UserRole


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class ThemeDock(QDockWidget):
    def __init__(self, control: ThemesControl, transport: Transport, roll: PianoRoll,
                 say: Callable[[str], None], library_path: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("Themes", parent)
        self.setObjectName("ThemeDock")
        self.control, self.transport, self.roll, self.say = control, transport, roll, say
        self.library_path = library_path
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()  # the themes and their buttons at the left, the map at the right
        self.list = QListWidget(body)
        self.list.setMinimumWidth(220)
        self.list.setMaximumWidth(420)
        self.list.itemDoubleClicked.connect(lambda _i: self.edit())
        top.addWidget(self.list, 1)
        buttons = QVBoxLayout()
        self.capture_button = self._button("Capture", "A theme from the notes selected in the "
                                           "roll", self.capture, buttons)
        self.insert_button = self._button("Insert…", "The theme at the playhead on the armed "
                                          "track, transformed", self.insert, buttons)
        self._button("Edit…", "Name, what it stands for, key, colour, notes", self.edit, buttons)
        self._button("Delete", "Delete the theme (its inserted notes stay)", self.delete, buttons)
        self.library_button = QToolButton(body)
        self.library_button.setText("My library")
        self.library_button.setToolTip("Your themes, shared between projects")
        self.library_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.library_menu = QMenu(self.library_button)
        self.library_menu.aboutToShow.connect(self._fill_library_menu)
        self.library_button.setMenu(self.library_menu)
        buttons.addWidget(self.library_button)
        self._button("Palettes…", "Instrument templates: apply to the project or a cue, or save "
                     "the tracks as one", self.palettes, buttons)
        buttons.addStretch(1)
        top.addLayout(buttons)
        map_column = QVBoxLayout()
        self.map_view = ThemeMapView(control, transport.seek, body, roll.editor.set_selection)
        map_column.addWidget(self.map_view, 1)
        summary_row = QHBoxLayout()
        self.summary = QLabel(body)
        self.summary.setStyleSheet("color: #777;")
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(QLabel("Found from score", body))
        self.threshold = QSpinBox(body)
        self.threshold.setRange(1, 100)
        self.threshold.setSingleStep(5)
        self.threshold.setSuffix(" %")
        self.threshold.setValue(round(control.threshold * 100))
        self.threshold.setToolTip("How closely played notes must follow a theme to be shown "
                                  "on the map (100 %: every interval exact, the rhythm steady)")
        self.threshold.valueChanged.connect(lambda v: control.set_threshold(v / 100))
        summary_row.addWidget(self.threshold)
        map_column.addLayout(summary_row)
        top.addLayout(map_column, 3)
        column.addLayout(top, 1)
        self.origin = QLabel(body)  # where the roll's selected notes came from
        self.origin.setStyleSheet("color: #999;")
        column.addWidget(self.origin)
        self._unobserve = roll.editor.observe(self._selection_changed)
        # in a scroll area: the dock shrinks with a laptop's window, never holding it taller
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.setWidget(scroll)
        control.observe(self.refresh)
        self.refresh()

    def _button(self, text: str, tip: str, slot: Callable[[], object],
                layout: QVBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(lambda _c=False: slot())
        layout.addWidget(button)
        return button

    # -- showing -------------------------------------------------------------------------------
    def _selection_changed(self, aspect: Aspect) -> None:
        if aspect & Aspect.SELECTION:
            words = self.control.origin_of(sorted(self.roll.selection))
            self.origin.setText(f"Selected notes: {words}" if words else "")

    def refresh(self) -> None:
        chosen = self.chosen_id()
        self.list.clear()
        for theme in self.control.themes:
            count = len(self.control.entries_of(theme.id))
            about = f" — {theme.stands_for}" if theme.stands_for else ""
            item = QListWidgetItem(_swatch(theme.color),
                                   f"{theme.name}{about}  ·  {theme.key}  ·  {count}×")
            item.setData(THEME_ID, theme.id)
            item.setToolTip(f"{theme.role.value}: {theme.notes or 'no notes'}")
            self.list.addItem(item)
            if theme.id == chosen:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        entries = self.control.entries
        found = sum(1 for e in entries if e.source == "found")
        state = "the map is being updated…" if self.control.stale else \
            f"{len(entries)} statement{'' if len(entries) == 1 else 's'} " \
            f"({len(entries) - found} inserted, {found} found)"
        self.summary.setText(state if self.control.themes else "")
        self.map_view.update()

    def chosen_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(THEME_ID)) if item is not None else None

    def chosen(self) -> Theme | None:
        tid = self.chosen_id()
        return self.control.document.project.themes.get(tid) if tid is not None else None

    # -- doing ---------------------------------------------------------------------------------
    def capture(self, name: str | None = None, ask: bool = True) -> Theme | None:
        """A theme from the roll's selection (the edit dialog first, unless not ``ask``)."""
        from cuesketch.model import themes
        project = self.control.document.project
        notes = themes.notes_of(project, sorted(self.roll.selection))
        try:
            theme = themes.capture(project, notes, name or f"Theme {len(project.themes) + 1}")
        except ThemeError as e:
            self.say(f"No theme captured: {e}")
            return None
        if ask:
            from cuesketch.ui.theme_edit_dialog import ThemeEditDialog
            dialog = ThemeEditDialog(theme, "Capture Theme", self)
            if dialog.exec() != ThemeEditDialog.DialogCode.Accepted:
                return None
            theme = dialog.result_theme()
        try:
            added = self.control.add(theme, f"Capture theme {theme.name}")
        except PermissionError as e:
            self.say(f"No theme captured: {e}")
            return None
        self.say(f"Theme {added.name} captured: {len(added.snippet.notes)} notes, "
                 f"{added.key}")
        self._choose(added.id)
        return added

    def _choose(self, theme_id: int) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(THEME_ID) == theme_id:
                self.list.setCurrentRow(i)

    def where(self) -> str:
        project = self.control.document.project
        at = self.transport.position()
        tc, bars = position_texts(at, project.settings, project.cues.values())
        cue = self.control.cue_at(at)
        track = project.tracks.get(self.roll.active_track or -1)
        return (f"At {tc} (bar {bars.split('|')[0]})" + (f" in {cue.name}" if cue else "")
                + (f", on {track.name}" if track else ", on no track (arm one in the roll)"))

    def insert(self, transform: Transform | None = None, align_to_bar: bool = True) -> bool:
        """Insert the chosen theme at the playhead on the armed track (the dialog first, unless
        a transform is given)."""
        theme = self.chosen()
        if theme is None:
            self.say("Capture a theme first: select its notes in the roll, then Capture")
            return False
        if transform is None:
            from cuesketch.ui.theme_insert_dialog import ThemeInsertDialog
            dialog = ThemeInsertDialog(self.control.themes, theme.id, self.where(), self)
            if dialog.exec() != ThemeInsertDialog.DialogCode.Accepted:
                return False
            theme = dialog.current_theme()
            transform, align_to_bar = dialog.transform(), dialog.align.isChecked()
        try:
            use = self.control.insert(theme.id, self.roll.active_track, self.transport.position(),
                                      transform, align_to_bar)
        except (ThemeError, ModelError, PermissionError) as e:
            self.say(f"Theme not inserted: {e}")
            return False
        self.roll.editor.set_selection(use.note_ids)
        self.say(f"{theme.name} inserted ({transform.describe()}): {len(use.note_ids)} notes")
        return True

    def edit(self) -> None:
        theme = self.chosen()
        if theme is None:
            return
        from cuesketch.ui.theme_edit_dialog import ThemeEditDialog
        dialog = ThemeEditDialog(theme, f"Theme {theme.name}", self)
        if dialog.exec() == ThemeEditDialog.DialogCode.Accepted:
            try:
                self.control.update(dialog.result_theme())
            except (ThemeError, PermissionError) as e:
                self.say(f"Theme not changed: {e}")

    def delete(self, confirm: bool = True) -> None:
        theme = self.chosen()
        if theme is None:
            return
        if confirm and QMessageBox.question(
                self, "Delete theme", f"Delete the theme {theme.name}? The notes inserted from "
                "it stay in the score.") != QMessageBox.StandardButton.Yes:
            return
        try:
            self.control.delete(theme.id)
        except PermissionError as e:
            self.say(f"Theme not deleted: {e}")

    # -- the personal library ------------------------------------------------------------------
    def _library(self) -> user_library.Library | None:
        try:
            return user_library.load(self.library_path)
        except user_library.LibraryError as e:
            self.say(str(e))
            return None

    def _fill_library_menu(self) -> None:
        menu = self.library_menu
        menu.clear()
        theme = self.chosen()
        out = menu.addAction(f"Copy {theme.name} to my library" if theme
                             else "Copy to my library")
        out.setEnabled(theme is not None)
        out.triggered.connect(lambda _c=False: self.copy_out())
        library = self._library()
        sub = menu.addMenu("Copy into this project")
        names = [t.name for t in library.themes] if library else []
        for name in names:
            sub.addAction(name).triggered.connect(lambda _c=False, n=name: self.copy_in(n))
        sub.setEnabled(bool(names))

    def copy_out(self) -> bool:
        theme = self.chosen()
        library = self._library()
        if theme is None or library is None:
            return False
        library.put_theme(theme)
        try:
            user_library.save(library, self.library_path)
        except user_library.LibraryError as e:
            self.say(str(e))
            return False
        self.say(f"{theme.name} is in your library")
        return True

    def copy_in(self, name: str) -> Theme | None:
        library = self._library()
        if library is None:
            return None
        try:
            theme = library.theme(name)
        except user_library.LibraryError as e:
            self.say(str(e))
            return None
        try:
            added = self.control.add(theme, f"Copy theme {theme.name} from my library")
        except PermissionError as e:
            self.say(f"Theme not copied: {e}")
            return None
        self._choose(added.id)
        return added

    def palettes(self) -> None:
        from cuesketch.ui.palette_dialog import PaletteDialog
        PaletteDialog(self.control.document, self.say, self.library_path,
                      self.control.cue_at(self.transport.position()), self).exec()


def theme_handlers(dock: Callable[[], ThemeDock]) -> dict[str, Callable[[], None]]:
    """The Edit menu's theme and palette actions (``ui.actions``), done by the dock."""
    def show_and(what: Callable[[ThemeDock], object]) -> Callable[[], None]:
        def run() -> None:
            d = dock()
            d.show()
            d.raise_()
            what(d)
        return run
    return {"edit.capture_theme": show_and(lambda d: d.capture()),
            "edit.insert_theme": show_and(lambda d: d.insert()),
            "edit.palettes": show_and(lambda d: d.palettes())}


def install_themes(window: QMainWindow, document: Document, transport: Transport,
                   roll: PianoRoll, say: Callable[[str], None],
                   library_path: Path | None = None) -> ThemeDock:
    """The Themes dock (tabbed with the tracks) and the theme map strip over the roll."""
    control = ThemesControl(document)
    band = ThemeBand(roll, control, roll)
    roll.add_band(band, [band.strip])
    dock = ThemeDock(control, transport, roll, say, library_path, window)
    dock.worker = MapWorker(control, dock)  # type: ignore[attr-defined]
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    tracks = window.findChild(QDockWidget, "TrackDock") or window.findChild(QDockWidget, "CueDock")
    if tracks is not None and tracks is not dock:
        window.tabifyDockWidget(tracks, dock)
    front = window.findChild(QDockWidget, "CueDock")
    if front is not None:
        front.raise_()  # the spotting list stays the tab in front; Themes waits beside it
    def closed(_o: object = None) -> None:
        control.close()
        dock._unobserve()
    dock.destroyed.connect(closed)
    return dock
