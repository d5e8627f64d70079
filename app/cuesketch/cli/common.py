"""What the subcommands share: opening a project with a plain error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cuesketch.cli import UserError
from cuesketch.model.project import Project
from cuesketch.store.project_file import ProjectFile, ProjectFileError


@contextmanager
def open_project_or_fail(path: Path, read_only: bool = True) -> Iterator[Project]:
    try:
        pf = ProjectFile.open(path, read_only=read_only)
        try:
            project = pf.load()
        finally:
            pf.close()
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    yield project
