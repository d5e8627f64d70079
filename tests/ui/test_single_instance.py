"""One window per project: a second launch on an open project raises its window."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QMainWindow

from cuesketch.ui import single_instance
from cuesketch.ui.single_instance import ProjectListener, hand_over, server_name


def test_the_name_is_the_projects_whatever_the_path_says(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    project = tmp_path / "a" / "film.cuesketch"
    project.write_bytes(b"")
    assert server_name(project) == server_name(tmp_path / "a" / ".." / "a" / "film.cuesketch")
    assert server_name(project) != server_name(tmp_path / "other.cuesketch")


def test_a_user_missing_from_the_password_database_still_has_a_name(
        tmp_path: Path, monkeypatch) -> None:
    """In a container or a sandbox the uid may have no passwd entry: getpass fails there."""
    import getpass

    def no_entry() -> str:
        raise KeyError("getpwuid(): uid not found")

    monkeypatch.setattr(getpass, "getuser", no_entry)
    assert server_name(tmp_path / "film.cuesketch").startswith("cuesketch-")


def test_nobody_has_it_open(qapp: object, tmp_path: Path) -> None:
    assert not hand_over(tmp_path / "nobody.cuesketch", timeout_ms=200)


def test_a_second_launch_raises_the_window_that_has_it(qtbot, tmp_path: Path) -> None:
    project = tmp_path / "reel1.cuesketch"
    project.write_bytes(b"")
    raised: list[bool] = []
    listener = ProjectListener(project, on_request=lambda: raised.append(True))
    assert listener.listen()
    try:
        # the second launch is another process, run beside this one's event loop
        code = ("import sys; from pathlib import Path; from PySide6.QtCore import "
                "QCoreApplication; from cuesketch.ui.single_instance import hand_over; "
                "app = QCoreApplication([]); sys.exit(0 if hand_over(Path(sys.argv[1])) else 3)")
        proc = subprocess.Popen([sys.executable, "-c", code, str(project)])
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=15000)
        assert proc.returncode == 0
        assert raised == [True]
        assert not hand_over(tmp_path / "another.cuesketch", timeout_ms=200)
    finally:
        listener.close()


def test_a_socket_left_by_a_crash_is_taken_over(qapp: object, tmp_path: Path) -> None:
    project = tmp_path / "crashed.cuesketch"
    project.write_bytes(b"")
    first = ProjectListener(project)
    assert first.listen()
    # a crashed process leaves its socket file, but nobody listens on it any more
    socket_file = Path(first.server.fullServerName())
    first.server.close()
    socket_file.touch()  # what a killed process leaves behind
    second = ProjectListener(project)
    try:
        assert second.listen()
    finally:
        second.close()


def test_raise_window_brings_back_a_minimised_window(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    window.showMinimized()
    single_instance.raise_window(window)
    assert window.isVisible() and not window.isMinimized()


def test_launch_hands_over_to_the_running_window(qtbot, tmp_path: Path, monkeypatch,
                                                capsys) -> None:
    """app.run_gui ends at once, having opened nothing, when the project is open."""
    from cuesketch import app

    project = tmp_path / "open.cuesketch"
    project.write_bytes(b"")
    monkeypatch.setattr(single_instance, "hand_over", lambda path: path == project)
    opened: list[Path] = []
    monkeypatch.setattr(app, "open_document", lambda path, ro: opened.append(path))
    assert app.run_gui(str(project)) == 0
    assert opened == []
    assert "open.cuesketch is open already" in capsys.readouterr().err
