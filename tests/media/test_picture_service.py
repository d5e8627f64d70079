"""The picture service on a first start: the film itself on screen at once, its proxy made
after the first picture (and below the window's priority), the film read once on the way to
the screen and checked to its end beside the window."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.media import picture as picture_module
from cuesketch.media import picture_service as service_module
from cuesketch.media.picture_service import FilmFacts, PictureService
from cuesketch.media.proxy import ProxyJob, make_proxy
from cuesketch.media.testfilm import make_numbered_film
from cuesketch.model.document import Document
from cuesketch.store.project_file import ProjectFile


def _service(tmp_path: Path, film: Path, said: list[str],
             read_ahead: bool = False) -> PictureService:
    path = tmp_path / "project" / "sketch.cuesketch"
    path.parent.mkdir(exist_ok=True)
    ProjectFile.write_new(path, build_demo(film, path))
    pf = ProjectFile.open(path)
    clock = FakeClock()
    document = Document(pf.load(), sink=pf)
    facts = None
    if read_ahead:  # as the composition root does, before it starts the engine
        facts = FilmFacts(document, path)
        facts.wait(30)
    service = PictureService(document, Transport(clock), path, clock, sound=False,
                             post=said.append, proxy_folder=tmp_path / "proxies", facts=facts)
    service.FIRST_PICTURE_WAIT_S = 20.0  # a busy machine may take its time to the first one
    return service


@pytest.fixture
def film(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return make_numbered_film(folder / "reel.mp4", seconds=2)  # H.264 with B-frames


@pytest.fixture
def services(tmp_path: Path) -> Iterator[list[PictureService]]:
    made: list[PictureService] = []
    yield made
    for service in made:
        service.close()


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def test_first_start_shows_the_film_and_makes_its_proxy_after_the_first_picture(
        tmp_path, film, services, monkeypatch):
    gate_opened_on: list[int | None] = []  # the picture on screen when ffmpeg was let start

    class Watched(ProxyJob):
        def _wait_for_gate(self) -> None:
            super()._wait_for_gate()
            player = service.player
            gate_opened_on.append(player.shown if player is not None else None)

    monkeypatch.setattr(service_module, "ProxyJob", Watched)
    said: list[str] = []
    service = _service(tmp_path, film, said)
    services.append(service)
    assert service.load() == []
    player = service.player
    assert player is not None and player.path == film  # the film itself, at once
    assert service.proxy_job is not None and service.showing
    assert _wait(lambda: any("proxy ready" in s for s in said), 60), said
    assert gate_opened_on and gate_opened_on[0] is not None
    assert player.path is not None and player.path.parent == tmp_path / "proxies"
    assert player.frame_accurate


def test_the_film_is_read_once_on_the_way_to_the_screen_and_checked_beside_it(
        tmp_path, film, services, monkeypatch):
    calls: list[tuple[str, bool]] = []  # (thread, decoded the film's ends)
    on_screen: list[int | None] = []  # the picture shown when the film's ends were decoded
    real = service_module.probe

    def probe(path, *, check_decode=True):
        calls.append((threading.current_thread().name, check_decode))
        if check_decode:
            on_screen.append(service.player.shown if service.player is not None else None)
        return real(path, check_decode=check_decode)

    monkeypatch.setattr(service_module, "probe", probe)
    monkeypatch.setattr(picture_module, "probe", probe)
    service = _service(tmp_path, film, [])
    services.append(service)
    assert service.load() == []
    here = threading.current_thread().name
    assert [c for c in calls if c[0] == here] == [(here, False)]  # once, nothing decoded
    assert service.film_check is not None
    service.film_check.join(30)
    assert [c for c in calls if c[0] == "film-check"] == [("film-check", True)]
    assert all(not decoded for name, decoded in calls if name != "film-check")
    assert on_screen and on_screen[0] is not None  # after the first picture, not before it
    assert service.problem is None  # the film passed its check: it stays on screen


def test_a_film_cut_short_is_taken_off_the_screen_when_the_check_finds_it(
        tmp_path, film, services):
    fast = tmp_path / "fast.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(film), "-c", "copy", "-movflags",
                    "+faststart", str(fast)], check=True)
    film.write_bytes(fast.read_bytes()[: fast.stat().st_size // 2])  # its index, half its data
    said: list[str] = []
    service = _service(tmp_path, film, said)
    service.FIRST_PICTURE_WAIT_S = 1.0  # libvlc shows no picture of this film
    services.append(service)
    changed = threading.Event()
    service.observe(changed.set)
    service.load()
    assert service.film_check is not None
    service.film_check.join(30)
    assert service.problem is not None and "can't be played" in service.problem
    assert "cut short" in service.problem and not service.showing
    assert service.proxy_job is None  # no proxy made of a broken film
    assert any("cut short" in s for s in said) and changed.is_set()


def test_a_start_with_the_proxy_made_reads_the_film_once_and_the_proxy_not_at_all(
        tmp_path, film, services, monkeypatch):
    make_proxy(film, folder=tmp_path / "proxies")  # made in an earlier session
    calls: list[tuple[Path, bool]] = []
    real = service_module.probe

    def probe(path, *, check_decode=True):
        calls.append((Path(path), check_decode))
        return real(path, check_decode=check_decode)

    monkeypatch.setattr(service_module, "probe", probe)
    monkeypatch.setattr(picture_module, "probe", probe)
    service = _service(tmp_path, film, [])
    services.append(service)
    assert service.load() == []
    player = service.player
    assert player is not None and player.path is not None
    assert player.path.parent == tmp_path / "proxies" and player.frame_accurate
    assert calls == [(film, False)]  # the film's facts; the proxy's are known
    assert service.film_check is None and service.proxy_job is None  # decoded when made
    assert player.wait_shown(0, 5)


def test_the_films_facts_read_ahead_are_taken_and_a_film_changed_since_is_read_again(
        tmp_path, film, services, monkeypatch):
    calls: list[str] = []  # the threads that read a film's facts
    real = service_module.probe

    def probe(path, *, check_decode=True):
        if not check_decode:
            calls.append(threading.current_thread().name)
        return real(path, check_decode=check_decode)

    monkeypatch.setattr(service_module, "probe", probe)
    service = _service(tmp_path, film, [], read_ahead=True)
    services.append(service)
    assert calls == ["film-facts"]  # read on its own thread, from the moment it was made
    assert service.load() == []
    assert calls == ["film-facts"] and service.player is not None  # taken, not read again
    assert service.player.info is not None and service.player.info.path == film

    again = FilmFacts(service.document, service.project_path)
    again.wait(30)
    film.write_bytes(film.read_bytes() + b"\0")  # the film changed after it was read
    assert again.take(film) is None  # so its facts are read again by load()
    missing = FilmFacts(service.document, None)  # no project file: nothing to read
    assert missing.film is None and missing.take(film) is None
