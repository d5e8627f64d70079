"""The composition root: every service built once, typed, over one clock (no devices here: no
audio device, no MIDI system, as on a build machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesketch.app import compose, open_document
from cuesketch.demo import ensure_demo
from cuesketch.prefs import Preferences
from cuesketch.services import Services


@pytest.fixture
def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Services:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a proxy of the demo film
    path = ensure_demo(tmp_path / "demo.cuesketch")
    document, pf, reason = open_document(path)
    built = compose(document, pf, path, reason,
                    Preferences(audio_driver="alsa", midi_backend="LINUX_ALSA"))
    yield built
    built.close()


def test_one_clock_for_the_transport_the_picture_the_monitor_and_midi(services: Services) -> None:
    clock = services.clock
    assert services.transport.clock is clock
    assert services.monitor is not None and services.monitor.clock is clock
    assert services.midi is not None and services.midi.clock is clock
    picture = services.picture
    assert picture is not None and picture.clock is clock
    assert picture.player is not None and picture.player.clock is clock, services.problems


def test_every_service_is_built_once_at_the_root(services: Services) -> None:
    assert services.session is not None and services.session.recorder is services.recorder
    assert services.range_control is not None
    assert services.range_control.marks is services.range_marks
    assert services.range_control.session is services.session
    assert services.typing is not None  # musical typing goes the MIDI inputs' way
    assert services.recorder is not None and services.recorder.on_landed is not None
