"""Help › Manual: the composer's manual (``cuesketch/help/MANUAL.md``, package data, so an
installed Cuesketch has it too), shown as formatted text."""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLineEdit, QTextBrowser, QVBoxLayout,
                               QWidget)

MANUAL = "help/MANUAL.md"


def manual_text() -> str:
    """The manual's Markdown; if it is missing (a broken install), a line that says so."""
    try:
        return resources.files("cuesketch").joinpath(MANUAL).read_text(encoding="utf-8")
    except (OSError, ValueError) as e:
        return f"# Cuesketch manual\n\nThe manual could not be read ({e}). Reinstalling " \
               "Cuesketch puts it back."


class ManualDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, text: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cuesketch Manual")
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.document().setDocumentMargin(14)
        self.browser.setMarkdown(text if text is not None else manual_text())
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find in the manual (Enter: next)")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.find_next)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(780, 720)

    def find_next(self) -> bool:
        """The next place the search text is found, from the top again at the end."""
        text = self.search.text()
        if not text:
            return False
        if self.browser.find(text):
            return True
        cursor = self.browser.textCursor()
        cursor.movePosition(cursor.MoveOperation.Start)
        self.browser.setTextCursor(cursor)
        return self.browser.find(text, QTextDocument.FindFlag(0))
