"""Named snapshots: kept inside the file, opened, exported, restored as one undo step."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from cuesketch.model import changes
from cuesketch.model.document import Document
from cuesketch.model.entities import Note, Track
from cuesketch.model.project import Project
from cuesketch.store.project_file import ProjectFile, ProjectFileError
from cuesketch.store.snapshots import (delete_snapshot, diff, export_snapshot, list_snapshots,
                                       open_snapshot, restore_snapshot, take_snapshot)

from store_samples import same_content, sample_project, write_v1


@pytest.fixture
def opened(tmp_path: Path) -> tuple[ProjectFile, Document]:
    path = tmp_path / "Chase.cuesketch"
    ProjectFile.write_new(path, sample_project(400))
    pf = ProjectFile.open(path)
    return pf, Document(pf.load(), pf)


def _edit(doc: Document) -> None:
    notes = list(doc.project.notes.values())[:50]
    with doc.transaction("Move"):
        doc.execute_changes([changes.replace(n, replace(n, pitch=(n.pitch + 1) % 128))
                             for n in notes])
        doc.execute_changes([changes.delete(n) for n in list(doc.project.notes.values())[60:90]])
        doc.execute_changes([changes.insert(Track(doc.project.new_id(Track), "Brass"))])
    doc.set_settings(replace(doc.project.settings, title="Chase v4"))


def test_a_snapshot_keeps_the_project_as_it_was(opened: tuple[ProjectFile, Document]) -> None:
    pf, doc = opened
    then = sample_project(400)
    info = take_snapshot(pf, "1M3 v3, sent to the director")
    _edit(doc)
    assert [s.name for s in list_snapshots(pf)] == ["1M3 v3, sent to the director"]
    assert info.notes == 400 and info.size > 0
    assert same_content(open_snapshot(pf, info.id), then)
    pf.close()
    with ProjectFile.open(pf.path, read_only=True) as again:  # it is in the file
        assert same_content(open_snapshot(again, info.id), then)


def test_restore_takes_a_safety_snapshot_and_is_one_undo_step(
        opened: tuple[ProjectFile, Document]) -> None:
    pf, doc = opened
    info = take_snapshot(pf, "v3")
    _edit(doc)
    edited = Project()
    edited.load(doc.project.settings, [*doc.project.tracks.values(), *doc.project.notes.values(),
                                       *doc.project.controls.values(), *doc.project.hits.values(),
                                       *doc.project.cues.values()])
    safety = restore_snapshot(pf, info.id, doc)
    assert same_content(doc.project, open_snapshot(pf, info.id))
    assert doc.history()[-1] == "Restore snapshot “v3”"
    assert safety.name == "Before restoring “v3”"
    assert same_content(open_snapshot(pf, safety.id), edited)
    pf.close()
    with ProjectFile.open(pf.path) as again:
        assert same_content(again.load(), open_snapshot(again, info.id))


def test_undoing_a_restore_brings_the_edits_back(opened: tuple[ProjectFile, Document]) -> None:
    pf, doc = opened
    info = take_snapshot(pf, "v3")
    _edit(doc)
    notes_before, title_before = dict(doc.project.notes), doc.project.settings.title
    restore_snapshot(pf, info.id, doc)
    assert doc.undo() == "Restore snapshot “v3”"
    assert doc.project.notes == notes_before and doc.project.settings.title == title_before
    pf.close()
    with ProjectFile.open(pf.path) as again:
        assert again.load().notes == notes_before


def test_snapshots_are_not_copied_into_each_other(opened: tuple[ProjectFile, Document]) -> None:
    pf, _ = opened
    sizes = [take_snapshot(pf, f"s{i}").size for i in range(4)]
    assert max(sizes) < min(sizes) * 1.1
    assert [s.name for s in list_snapshots(pf)] == ["s0", "s1", "s2", "s3"]
    delete_snapshot(pf, list_snapshots(pf)[0].id)
    assert [s.name for s in list_snapshots(pf)] == ["s1", "s2", "s3"]
    pf.close()


def test_a_snapshot_exported_is_a_project_of_its_own(opened: tuple[ProjectFile, Document],
                                                    tmp_path: Path) -> None:
    pf, doc = opened
    info = take_snapshot(pf, "v3")
    _edit(doc)
    export_snapshot(pf, info.id, tmp_path / "v3.cuesketch")
    with ProjectFile.open(tmp_path / "v3.cuesketch") as v3:
        assert not v3.read_only and same_content(v3.load(), sample_project(400))
    with pytest.raises(ProjectFileError, match="exists already"):
        export_snapshot(pf, info.id, tmp_path / "v3.cuesketch")
    pf.close()


def test_snapshots_need_a_name_a_writable_file_and_a_real_id(
        opened: tuple[ProjectFile, Document]) -> None:
    pf, _ = opened
    with pytest.raises(ProjectFileError, match="needs a name"):
        take_snapshot(pf, "  ")
    with pytest.raises(ProjectFileError, match="no snapshot 42"):
        open_snapshot(pf, 42)
    take_snapshot(pf, "v1")
    reader = ProjectFile.open(pf.path)
    assert reader.read_only
    with pytest.raises(ProjectFileError, match="open in another Cuesketch"):
        take_snapshot(reader, "v2")
    assert [s.name for s in list_snapshots(reader)] == ["v1"]  # reading is fine
    reader.close()
    pf.close()


def test_a_damaged_snapshot_says_so_and_the_project_is_fine(
        opened: tuple[ProjectFile, Document]) -> None:
    pf, doc = opened
    info = take_snapshot(pf, "v1")
    pf.db.execute("UPDATE snapshots SET data = substr(data, 1, 100) WHERE id = ?", (info.id,))
    with pytest.raises(ProjectFileError, match="snapshot is damaged"):
        open_snapshot(pf, info.id)
    doc.execute_changes([changes.insert(Note(9999, 1, 0, 10, 60))])
    pf.close()


def test_an_old_file_gets_snapshots_once_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.cuesketch"
    write_v1(path, sample_project(20))
    reader = ProjectFile.open(path, read_only=True)
    assert list_snapshots(reader) == []
    reader.close()
    with ProjectFile.open(path) as pf:
        pf.load()
        info = take_snapshot(pf, "first")
        assert same_content(open_snapshot(pf, info.id), sample_project(20))
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM snapshots").fetchone() == (1,)
    db.close()


def test_diff_is_exact() -> None:
    a, b = sample_project(30, seed=1), sample_project(30, seed=2)
    a.apply(diff(a, b))
    assert same_content(a, b) and diff(a, b) == []


def test_a_snapshot_keeps_every_kind_of_thing_a_project_holds(
        opened: tuple[ProjectFile, Document]) -> None:
    from cuesketch.model.entities import (ENTITY_KINDS, Marker, NoMusic, ReviewNote, RightsShare,
                                          SpeechRegion, Theme, ThemeUse)
    pf, doc = opened
    track = next(iter(doc.project.tracks))
    doc.execute_changes([changes.insert(e) for e in (
        Theme(1, "Anna", stands_for="the lighthouse keeper"),
        ThemeUse(1, 1, track, 960, note_ids=(1, 2)),
        SpeechRegion(1, 1000, 5000),
        Marker(1, 24, "door", "red", "slam", 0),
        NoMusic(1, 48, 96, "dialogue"),
        RightsShare(1, "composer", "A. Writer", "PRS", 10000),
        ReviewNote(1, "u-1", 30, None, "louder", "R. Smith", "2026-12-06", "1M1", "v1", False,
                   (), "", False, "pkg"))] + [changes.replace(
            doc.project.tracks[track],
            replace(doc.project.tracks[track], soundfont="/sf/Strings.sf2"))], "Everything")
    before = {kind: dict(doc.project.table(kind)) for kind in ENTITY_KINDS}
    assert all(before[kind] for kind in ENTITY_KINDS)  # one of each, at least
    info = take_snapshot(pf, "all of it")
    kept = open_snapshot(pf, info.id)
    assert {kind: dict(kept.table(kind)) for kind in ENTITY_KINDS} == before
    for kind in ENTITY_KINDS:  # then everything goes, and the snapshot brings it back
        doc.execute_changes([changes.delete(e) for e in list(doc.project.table(kind).values())
                             if kind is not Track], "Clear")
    restore_snapshot(pf, info.id, doc)
    assert {kind: dict(doc.project.table(kind)) for kind in ENTITY_KINDS} == before


def test_restoring_a_snapshot_older_than_its_list_of_tables_keeps_what_it_lacked(
        opened: tuple[ProjectFile, Document]) -> None:
    """A snapshot taken before snapshots named their tables held no themes, theme uses or
    speech regions: restoring it leaves the project's as they are, and restores the rest."""
    import zlib

    from cuesketch.model.entities import SpeechRegion, Theme
    pf, doc = opened
    info = take_snapshot(pf, "old style")
    (blob,) = pf.db.execute("SELECT data FROM snapshots WHERE id = ?", (info.id,)).fetchone()
    old = sqlite3.connect(":memory:")
    old.deserialize(zlib.decompress(blob))
    old.execute("DELETE FROM meta WHERE key = 'snapshot_tables'")
    for table in ("themes", "theme_uses", "speech_regions"):
        old.execute(f"DELETE FROM {table}")
    old.commit()
    pf.db.execute("UPDATE snapshots SET data = ? WHERE id = ?",
                  (zlib.compress(old.serialize()), info.id))
    pf.db.commit()
    old.close()
    doc.execute_changes([changes.insert(Theme(1, "Anna")),
                         changes.insert(SpeechRegion(1, 1000, 5000))], "Since")
    _edit(doc)
    restore_snapshot(pf, info.id, doc)
    assert set(doc.project.themes) == {1} and set(doc.project.speech_regions) == {1}
    assert len(doc.project.notes) == 400 and doc.project.settings.title != "Chase v4"


def test_a_snapshot_without_its_list_that_has_themes_held_them(
        opened: tuple[ProjectFile, Document]) -> None:
    import zlib

    from cuesketch.model.entities import Theme
    pf, doc = opened
    doc.execute_changes([changes.insert(Theme(1, "Anna"))], "Theme")
    info = take_snapshot(pf, "with a theme")
    (blob,) = pf.db.execute("SELECT data FROM snapshots WHERE id = ?", (info.id,)).fetchone()
    old = sqlite3.connect(":memory:")
    old.deserialize(zlib.decompress(blob))
    old.execute("DELETE FROM meta WHERE key = 'snapshot_tables'")
    old.commit()
    pf.db.execute("UPDATE snapshots SET data = ? WHERE id = ?",
                  (zlib.compress(old.serialize()), info.id))
    pf.db.commit()
    old.close()
    doc.execute_changes([changes.delete(doc.project.themes[1]),
                         changes.insert(Theme(2, "Bruno"))], "Other theme")
    restore_snapshot(pf, info.id, doc)
    assert [t.name for t in doc.project.themes.values()] == ["Anna"]
