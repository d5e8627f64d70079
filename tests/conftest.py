"""Shared test services: Qt offscreen by default, a JACK server with the dummy backend."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
FILM = ROOT / "resources" / "trailer_bbb.mp4"


@pytest.fixture(scope="session")
def jackd() -> Iterator[None]:
    """A JACK server of this test run's own (see tests/jack_server.py)."""
    from jack_server import JackUnavailable, jack_server
    try:
        with jack_server("cuesketch-test"):
            yield
    except JackUnavailable as e:
        pytest.skip(str(e))
