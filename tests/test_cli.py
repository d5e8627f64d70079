import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cuesketch import __version__
from cuesketch.cli import main
from cuesketch.demo import ensure_demo


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    assert "info" in capsys.readouterr().out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["info"])
    assert e.value.code == 2


def test_info_on_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ensure_demo(tmp_path / "demo.cuesketch")
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1M1: 01:00:00:00 - 01:00:09:00" in out
    assert "track Strings: 20 notes" in out


def test_info_on_bad_input_is_a_plain_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.cuesketch"
    junk.write_bytes(b"this is not a project" * 100)
    for path in (junk, tmp_path / "missing.cuesketch"):
        r = subprocess.run([sys.executable, "-m", "cuesketch", "info", str(path)],
                           capture_output=True, text=True)
        assert r.returncode == 1
        assert "Traceback" not in r.stderr
        assert r.stderr.startswith("cuesketch: ")


def test_gui_without_display_says_so(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "cuesketch"], capture_output=True, text=True,
                       env=env)
    assert r.returncode == 1
    assert "no display" in r.stderr and "Traceback" not in r.stderr


def test_info_on_a_damaged_project_warns_and_shows_what_could_be_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ensure_demo(tmp_path / "demo.cuesketch")
    db = sqlite3.connect(path)
    db.execute("PRAGMA ignore_check_constraints = ON")  # as a damaged file might hold
    db.execute("UPDATE notes SET pitch = 500 WHERE id = (SELECT min(id) FROM notes)")
    db.commit()
    db.close()
    before = path.read_bytes()
    assert main(["info", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("cuesketch: warning: demo.cuesketch is damaged (")
    assert "what could be read" in captured.err and "\n  - " in captured.err
    assert "1M1: 01:00:00:00 - 01:00:09:00" in captured.out
    assert "track Strings: 19 notes" in captured.out  # the unreadable one left out
    assert path.read_bytes() == before
