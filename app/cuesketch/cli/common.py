"""What the subcommands share: opening a project with a plain error, or a plain warning when
it is damaged and only part of it could be read (what follows is then that part)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cuesketch.cli import UserError
from cuesketch.model.project import Project
from cuesketch.store.project_file import ProjectFile, ProjectFileError

MAX_PROBLEMS_SHOWN = 10


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
    if pf.damaged:
        lost = "".join(f"\n  - {p}" for p in pf.problems[:MAX_PROBLEMS_SHOWN])
        more = len(pf.problems) - MAX_PROBLEMS_SHOWN
        detail = f" ({pf.damage})" if pf.damage else ""
        print(f"cuesketch: warning: {path.name} is damaged{detail}; what follows is what "
              f"could be read, the file is left as it was.{lost}"
              + (f"\n  ... and {more} more" if more > 0 else ""), file=sys.stderr)
    yield project
