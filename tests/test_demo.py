"""The demo keeps its film beside it in the data folder: moving or deleting the Cuesketch it was
first started from leaves it whole; a film gone is put back; a demo for another film is rebuilt."""

from __future__ import annotations

import shutil
from pathlib import Path

from cuesketch.demo import DEMO_FILM, build_demo, ensure_demo
from cuesketch.files import content_hash
from cuesketch.model.changes import delete
from cuesketch.model.document import Document
from cuesketch.store.project_file import ProjectFile
from cuesketch.model.entities import Media
from cuesketch.model.project import Project
from cuesketch.store.relink import LinkState, check_link


def film_file(path: Path, seed: int = 0, size: int = 60_000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes((i * 31 + seed) % 256 for i in range(size)))
    return path


def linked(path: Path) -> tuple[Project, Media, LinkState]:
    with ProjectFile.open(path, read_only=True) as pf:
        project = pf.load()
    media = project.settings.media
    assert media is not None
    return project, media, check_link(path, media)


def delete_a_note(path: Path) -> int:
    with ProjectFile.open(path) as pf:
        doc = Document(pf.load(), sink=pf)
        doc.execute_changes([delete(next(iter(doc.project.notes.values())))], "Delete notes")
        return len(doc.project.notes)


def test_a_new_demo_has_its_film_beside_it(tmp_path: Path) -> None:
    shipped = film_file(tmp_path / "checkout" / "resources" / DEMO_FILM)
    demo = tmp_path / "data" / "demo.cuesketch"
    demo.parent.mkdir()
    assert ensure_demo(demo, film=shipped) == demo
    project, media, link = linked(demo)
    assert media.path == DEMO_FILM and link.found and link.same
    assert (demo.parent / DEMO_FILM).read_bytes() == shipped.read_bytes()
    shutil.rmtree(tmp_path / "checkout")  # the checkout it was started from goes
    assert ensure_demo(demo, film=shipped) == demo
    assert linked(demo)[2].same and len(linked(demo)[0].notes) == len(project.notes)


def test_an_old_demo_linked_into_its_checkout_moves_its_film_beside_it(tmp_path: Path) -> None:
    shipped = film_file(tmp_path / "checkout" / "resources" / DEMO_FILM)
    demo = tmp_path / "data" / "demo.cuesketch"
    demo.parent.mkdir()
    ProjectFile.write_new(demo, build_demo(shipped, demo))  # as earlier Cuesketches made it
    assert linked(demo)[1].path == "../checkout/resources/" + DEMO_FILM
    notes = delete_a_note(demo)  # the composer played with it
    ensure_demo(demo, film=shipped)
    project, media, link = linked(demo)
    assert media.path == DEMO_FILM and link.same and len(project.notes) == notes
    shutil.rmtree(tmp_path / "checkout")
    ensure_demo(demo, film=tmp_path / "checkout" / "resources" / DEMO_FILM)
    project, media, link = linked(demo)
    assert link.same and len(project.notes) == notes  # whole without the checkout


def test_a_demo_whose_film_was_deleted_gets_it_back(tmp_path: Path) -> None:
    shipped = film_file(tmp_path / "resources" / DEMO_FILM)
    demo = tmp_path / "data" / "demo.cuesketch"
    demo.parent.mkdir()
    ensure_demo(demo, film=shipped)
    notes = delete_a_note(demo)
    (demo.parent / DEMO_FILM).unlink()
    assert not linked(demo)[2].found
    ensure_demo(demo, film=shipped)
    project, media, link = linked(demo)
    assert link.same and media.path == DEMO_FILM and len(project.notes) == notes


def test_a_demo_made_for_another_film_is_built_again(tmp_path: Path) -> None:
    old = film_file(tmp_path / "old" / DEMO_FILM, seed=1)
    demo = tmp_path / "data" / "demo.cuesketch"
    demo.parent.mkdir()
    ensure_demo(demo, film=old)
    delete_a_note(demo)
    shutil.rmtree(tmp_path / "old")
    (demo.parent / DEMO_FILM).unlink()
    shipped = film_file(tmp_path / "resources" / DEMO_FILM, seed=2)  # a new trailer
    ensure_demo(demo, film=shipped)
    project, media, link = linked(demo)
    assert link.same and media.content_hash == content_hash(shipped)
    assert len(project.notes) == len(build_demo(shipped).notes)  # the demo as shipped


def test_a_demo_with_no_film_anywhere_still_opens(tmp_path: Path) -> None:
    shipped = film_file(tmp_path / "resources" / DEMO_FILM)
    demo = tmp_path / "data" / "demo.cuesketch"
    demo.parent.mkdir()
    ensure_demo(demo, film=shipped)
    before = linked(demo)[1]
    (demo.parent / DEMO_FILM).unlink()
    shipped.unlink()
    assert ensure_demo(demo, film=shipped) == demo
    project, media, link = linked(demo)
    assert media == before and not link.found  # said by the window; nothing made up


def test_a_demo_open_in_another_cuesketch_is_left_alone(tmp_path: Path) -> None:
    shipped = film_file(tmp_path / "checkout" / DEMO_FILM)
    demo = tmp_path / "data" / "demo.cuesketch"
    demo.parent.mkdir()
    ProjectFile.write_new(demo, build_demo(shipped, demo))
    with ProjectFile.open(demo):  # holds the lock
        ensure_demo(demo, film=shipped)
    assert linked(demo)[1].path == "../checkout/" + DEMO_FILM  # relinked next time
    assert (demo.parent / DEMO_FILM).is_file()  # the film is beside it already
    ensure_demo(demo, film=shipped)
    assert linked(demo)[1].path == DEMO_FILM
