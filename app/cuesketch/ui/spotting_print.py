"""The printed notes: the spotting list and the cue sheet as PDF (Qt lays out the HTML of
``model.spotting_sheet`` on A4 pages with QPdfWriter), CSV or HTML, written whole or not at all.

The spotting PDF shows a picture per cue, the frame at its start (``media.spotting_frames``),
held in the document's resources: nothing is written beside the PDF. The HTML gets the pictures
inline (data URLs), so it is one file too. Used by the window (Print notes) and the command
line (``cuesketch spotting``, ``cuesketch cue-sheet``), which needs no display.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from cuesketch.files import replacing
from cuesketch.model.project import Project
from cuesketch.model.spotting_sheet import (cue_rows, cue_sheet_csv, cue_sheet_html,
                                            spotting_csv, spotting_html)

PictureSource = Callable[[list[int]], Mapping[int, np.ndarray]]  # film frames -> RGB


class PrintError(RuntimeError):
    """Notes that could not be written, in plain words."""


def ensure_gui() -> None:
    """An application for fonts and images (offscreen when there is no display). A widgets
    QApplication, not a bare QGuiApplication: a process that prints and later shows a window
    (a test run, a script) could then never make a widget."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    if QCoreApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QApplication(["cuesketch"])


def cue_pictures(project: Project, pictures: PictureSource | None) -> dict[int, np.ndarray]:
    """The start frame of each cue, by cue id (film frames: the project frame less the film's
    offset)."""
    if pictures is None or project.settings.media is None:
        return {}
    offset = project.settings.media.offset_frames
    rows = cue_rows(project)
    got = pictures([r.cue.start_frame - offset for r in rows])
    return {r.cue.id: got[r.cue.start_frame - offset] for r in rows
            if r.cue.start_frame - offset in got}


def _qimage(pixels: np.ndarray):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QImage

    h, w, _ = pixels.shape
    data = np.ascontiguousarray(pixels)
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def write_pdf(html: str, dest: Path, images: Mapping[str, np.ndarray] | None = None,
              title: str = "") -> int:
    """Lay out ``html`` on A4 pages into ``dest``; how many pages."""
    ensure_gui()
    from PySide6.QtCore import QMarginsF, QUrl
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    doc = QTextDocument()
    for name, pixels in (images or {}).items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), _qimage(pixels))
    doc.setHtml(html)
    with replacing(dest, PrintError) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setTitle(title)
        writer.setCreator("Cuesketch")
        writer.setResolution(300)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                         QPageLayout.Orientation.Portrait,
                                         QMarginsF(12, 12, 12, 12),
                                         QPageLayout.Unit.Millimeter))
        doc.print_(writer)  # no page size of its own: Qt scales screen points to the page
        pages = writer_pages(doc, writer)
        del writer  # finishes the file before it is put in place
    return int(pages)


def writer_pages(doc, writer) -> int:  # type: ignore[no-untyped-def]
    """The pages ``print_`` made: it lays out a copy, so ask the same layout of the page."""
    from PySide6.QtCore import QSizeF

    dpi_x = writer.logicalDpiX() / doc.documentLayout().paintDevice().logicalDpiX() \
        if doc.documentLayout().paintDevice() is not None else writer.logicalDpiX() / 96
    clone = doc.clone()
    clone.setPageSize(QSizeF(writer.width() / dpi_x, writer.height() / dpi_x))
    return int(clone.pageCount())


def write_spotting(project: Project, dest: Path, pictures: PictureSource | None = None,
                   versions: Mapping[str, int] | None = None) -> str:
    """The spotting notes as .pdf, .csv or .html (from the suffix); what was written."""
    kind = dest.suffix.lower()
    if kind == ".csv":
        _write_text(dest, spotting_csv(project, versions))
        return f"{len(project.cues)} cues as CSV"
    if kind not in (".pdf", ".html", ".htm"):
        raise PrintError(f"spotting notes are written as .pdf, .csv or .html, not "
                         f"{kind or 'a file without a suffix'}")
    with ThreadPoolExecutor(max_workers=1) as pool:  # Qt starts while ffmpeg works
        fetching = pool.submit(cue_pictures, project, pictures)
        if kind == ".pdf":
            ensure_gui()
        shots = fetching.result()
    if kind == ".pdf":
        names = {cid: f"cue{cid}.png" for cid in shots}
        pages = write_pdf(spotting_html(project, names, versions), dest,
                          {names[cid]: px for cid, px in shots.items()},
                          f"{project.settings.title} – spotting notes")
        return f"{len(project.cues)} cues, {len(shots)} pictures, {pages} pages"
    urls = {cid: _data_url(px) for cid, px in shots.items()}
    _write_text(dest, spotting_html(project, urls, versions))
    return f"{len(project.cues)} cues, {len(shots)} pictures as HTML"


def write_cue_sheet(project: Project, dest: Path) -> str:
    kind = dest.suffix.lower()
    if kind == ".csv":
        _write_text(dest, cue_sheet_csv(project))
        return f"{len(project.cues)} cues as CSV"
    if kind == ".pdf":
        pages = write_pdf(cue_sheet_html(project), dest,
                          title=f"{project.settings.title} – music cue sheet")
        return f"{len(project.cues)} cues, {pages} pages"
    raise PrintError(f"a cue sheet is written as .csv or .pdf, not {kind or 'no suffix'}")


def _write_text(dest: Path, text: str) -> None:
    with replacing(dest, PrintError) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")


def _data_url(pixels: np.ndarray) -> str:
    ensure_gui()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    _qimage(pixels).save(buf, "JPG", 85)
    return "data:image/jpeg;base64," + base64.b64encode(bytes(data.data())).decode("ascii")
