"""The per-user folders by the platform's convention, and how another Cuesketch is started."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cuesketch import paths


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG folders are Linux's")
def test_the_user_folders_follow_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert paths.data_dir() == tmp_path / "data" / "cuesketch" and paths.data_dir().is_dir()
    assert paths.cache_dir() == tmp_path / "cache" / "cuesketch" and paths.cache_dir().is_dir()
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.data_dir() == tmp_path / "home" / ".local" / "share" / "cuesketch"


def test_from_source_another_cuesketch_is_this_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert paths.launcher() == [sys.executable, "-m", "cuesketch"]


def test_the_installed_app_starts_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A frozen bundle takes no ``-m``; from an AppImage, the AppImage (the folder it was
    unpacked into may go when this process ends)."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delenv("APPIMAGE", raising=False)
    assert paths.launcher() == [sys.executable]
    image = tmp_path / "Cuesketch.AppImage"
    image.write_bytes(b"")
    monkeypatch.setenv("APPIMAGE", str(image))
    assert paths.launcher() == [str(image)]
    monkeypatch.setenv("APPIMAGE", str(tmp_path / "gone.AppImage"))
    assert paths.launcher() == [sys.executable]
