"""The composition root: builds every service once and hands them to the window.

No service reaches for another through a global; what is missing (no display, no audio device,
no MIDI port, no SoundFont) is said in plain words, and everything else still works.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.store.project_file import ProjectFile, ProjectFileError


@dataclass
class Services:
    document: Document
    transport: Transport
    project_file: ProjectFile | None = None
    project_path: Path | None = None
    problems: list[str] = field(default_factory=list)
    extras: dict[str, object] = field(default_factory=dict)

    def close(self) -> None:
        for name in ("recorder", "midi", "audio", "picture"):
            service = self.extras.get(name)
            close = getattr(service, "close", None)
            if close is not None:
                try:
                    close()
                except Exception as e:  # closing must not lose the project
                    print(f"cuesketch: closing {name}: {e}", file=sys.stderr)
        if self.project_file is not None:
            self.project_file.close()


def open_document(path: Path) -> tuple[Document, ProjectFile, str | None]:
    """Open a project for editing; read-only (and why) when another instance has it."""
    pf = ProjectFile.open(path)
    project = pf.load()
    document = Document(project, sink=pf)
    document.read_only = pf.read_only
    reason = getattr(pf, "read_only_reason", None) or (
        "the project is open read-only" if pf.read_only else None)
    return document, pf, reason


def display_problem() -> str | None:
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("QT_QPA_PLATFORM") in ("offscreen", "minimal", "vnc")):
        return ("no display: Cuesketch's window needs a desktop session (or Xvfb). "
                "Without one, the command line still works: cuesketch --help")
    return None


def run_gui(project: str | None, demo: bool = False) -> int:
    problem = display_problem()
    if problem:
        print(f"cuesketch: {problem}", file=sys.stderr)
        return 1
    if project is None:
        from cuesketch.demo import ensure_demo
        path = ensure_demo()
    else:
        path = Path(project)
    try:
        document, pf, read_only_reason = open_document(path)
    except ProjectFileError as e:
        print(f"cuesketch: {e}", file=sys.stderr)
        return 1
    services = Services(document, Transport(), pf, path)
    if read_only_reason:
        services.problems.append(read_only_reason)
    from cuesketch.ui.window_root import run_window
    try:
        return run_window(services)
    finally:
        services.close()
