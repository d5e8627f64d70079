"""File ▸ Send for Review… and File ▸ Import Review…: the composer's side of the round trip.

Send for Review asks which cues, which versions (snapshot names, or the project as it is now)
and for whom, plans the package on the GUI thread (the snapshots are read there), then renders,
encodes and writes it on a worker thread from a copy of the project: you go on working.
Import Review reads a reply (checked as a file from outside) and brings it in as one undo step.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit,
                               QListWidget, QListWidgetItem, QWidget)

from cuesketch.engine.review_pack import PackError, check_plan, plan_package
from cuesketch.media.review_send import ReviewFilmError, SendResult, send_plan
from cuesketch.model.entities import ENTITY_KINDS, Entity
from cuesketch.model.project import Project
from cuesketch.model.review_notes import import_reply
from cuesketch.store.review_reply import read_reply
from cuesketch.store.review_schema import PACKAGE_SUFFIX, REPLY_SUFFIX, ReviewFileError
from cuesketch.store.snapshots import list_snapshots
from cuesketch.ui.dialogs import Dialogs

PACKAGE_FILTER = f"Review packages (*{PACKAGE_SUFFIX});;All files (*)"
REPLY_FILTER = (f"Review replies (*{REPLY_SUFFIX});;Review site markers (Frame.io EDL, Vimeo "
                f"CSV) (*.edl *.csv *.txt *.otio);;All files (*)")


def whole_copy(project: Project) -> Project:
    """Every entity, review notes included (their replies travel with the package)."""
    entities: list[Entity] = []
    for kind in ENTITY_KINDS:
        entities.extend(project.table(kind).values())  # type: ignore[type-var, arg-type]
    copy = Project()
    copy.load(project.settings, entities)
    return copy


class SendForReviewDialog(QDialog):
    """Which cues, which versions, for whom, with a preview movie or not."""

    def __init__(self, project: Project, snapshots: list[str], made_for: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Send for Review")
        self.setObjectName("SendForReviewDialog")
        self.cues = QListWidget(self)
        for cue in sorted(project.cues.values(), key=lambda c: c.start_frame):
            item = QListWidgetItem(f"{cue.name}  {cue.title}".strip())
            item.setData(Qt.ItemDataRole.UserRole, cue.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.cues.addItem(item)
        self.versions = QLineEdit("current", self)
        self.versions.setToolTip("Snapshot names, commas between: 'v3' finds '1M3 v3' for cue "
                                 "1M3. 'current' is the project as it is now.\nSnapshots: "
                                 + (", ".join(snapshots) or "none yet"))
        self.made_for = QLineEdit(made_for, self)
        self.made_for.setPlaceholderText("the director's name")
        self.movie = QCheckBox("Embed a small preview movie (for a director without the film)",
                               self)
        form = QFormLayout(self)
        form.addRow("Cues:", self.cues)
        form.addRow("Versions:", self.versions)
        form.addRow("For:", self.made_for)
        form.addRow("", self.movie)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen_cues(self) -> list[str]:
        out = []
        for i in range(self.cues.count()):
            item = self.cues.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def chosen_versions(self) -> list[str]:
        return [v.strip() for v in self.versions.text().split(",") if v.strip()]


class ReviewActions(Dialogs):
    def handlers(self) -> dict[str, Callable[[], None]]:
        return {"file.send_review": self.guarded("Send for review", self.send_for_review),
                "file.import_review": self.guarded("Import review", self.import_review)}

    def send_for_review(self) -> None:
        project = self.document.project
        if not project.cues:
            self.error("Send for review", "The project has no cues yet: a review is of cues "
                                          "(mark one first)")
            return
        pf = self.services.project_file
        names = [s.name for s in list_snapshots(pf)] if pf is not None and not pf.damaged \
            else []
        dialog = SendForReviewDialog(project, names, "", self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        made_for = dialog.made_for.text().strip()
        if not made_for:
            self.error("Send for review", "Say who the package is for (the director's name)")
            return
        # the worker renders from this copy (planned versions of "current" hold it) while you
        # go on editing the live project
        copy = whole_copy(project)
        by = self.services.preferences.review_author  # the name you reply with, if given
        try:
            plan = plan_package(pf, copy, dialog.chosen_cues(), dialog.chosen_versions())
            check_plan(plan, copy, made_for=made_for, made_by=by)  # said now, not after the render
        except PackError as e:
            self.error("Send for review", str(e)[:1].upper() + str(e)[1:])
            return
        first = plan.cues[0].name if len(plan.cues) == 1 else \
            f"{plan.cues[0].name}-{plan.cues[-1].name}"
        here = self.services.project_path
        stem = here.stem if here is not None else "Review"
        dest = self.choose_save("Send for review", PACKAGE_FILTER, PACKAGE_SUFFIX,
                                f"{stem} {first}{PACKAGE_SUFFIX}", "project")
        if dest is None:
            return
        movie = dialog.movie.isChecked()
        self.start_task(
            lambda: send_plan(plan, copy, here, dest, made_for=made_for, made_by=by,
                              with_movie=movie),
            self._sent, lambda why: self.error("Send for review", f"The package could not be "
                                                                  f"made: {why}"),
            (PackError, ReviewFilmError, ReviewFileError, ImportError, OSError))
        self.post(f"Making {dest.name} for {made_for}… (you can go on working)")

    def _sent(self, result: object) -> None:
        assert isinstance(result, SendResult)
        extra = f" ({'; '.join(result.skipped)})" if result.skipped else ""
        self.post(f"Written {result.path.name}: {result.cues} cues, {result.versions} versions, "
                  f"{result.size / 1e6:.1f} MB{extra}. Send it to the director.")

    def import_review(self) -> None:
        from cuesketch.formats.review_markers import (MarkerFormatError, is_marker_file,
                                                      reply_from_markers)
        path = self.choose_open("Import review", REPLY_FILTER, "project")
        if path is None:
            return
        project = self.document.project
        try:
            reply = reply_from_markers(path, project.settings, list(project.cues.values())) \
                if is_marker_file(path) else read_reply(path)
        except (ReviewFileError, MarkerFormatError) as e:
            self.error("Import review", str(e))
            return
        media = project.settings.media
        report = import_reply(self.document, reply, media.content_hash if media else "")
        self.post(f"Review from {reply.author or 'the director'}: {report.summary()}")
        if report.unrelated:
            self.error("Import review",
                       f"{path.name} names none of this project's cues and answers none of its "
                       f"notes: it may be a reply to another project's package. Its notes are "
                       f"in the Review dock; undo the import if it is not this project's.")
        if report.off_cut:
            self.error("Import review",
                       f"{report.off_cut} of the notes were written against another cut of the "
                       f"film than the project's. They are in the Review dock, flagged: check "
                       f"where each belongs before acting on it.")
