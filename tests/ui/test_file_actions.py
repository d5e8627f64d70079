"""The File menu's handlers, driven as a user would, with the dialogs answered by the test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import mido
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from cuesketch.services import Services
from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.render import read_wav
from cuesketch.formats.bwf import read_bext
from cuesketch.engine.transport import Transport
from cuesketch.model.changes import delete
from cuesketch.model.document import Document
from cuesketch.store.project_file import ProjectFile
from cuesketch.store.relink import content_hash, media_for
from cuesketch.store.snapshots import list_snapshots, take_snapshot
from cuesketch.ui import file_actions
from cuesketch.ui.new_film_dialog import NewFromFilmDialog
from cuesketch.ui.snapshots_dialog import SnapshotsDialog

Button = QMessageBox.StandardButton


@dataclass
class Answers:
    """What the dialogs answer, and what they were shown."""

    open_file: list[str] = field(default_factory=list)
    save_file: list[str] = field(default_factory=list)
    folder: list[str] = field(default_factory=list)
    text: list[tuple[str, bool]] = field(default_factory=list)
    item: list[tuple[str, bool]] = field(default_factory=list)
    question: list[Button] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    launched: list[Path] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)
    started_in: list[str] = field(default_factory=list)  # where each file dialog opened


@dataclass
class Setup:
    window: QWidget
    services: Services
    handlers: dict
    answers: Answers
    path: Path

    @property
    def document(self) -> Document:
        return self.services.document

    def run(self, name: str) -> None:
        self.handlers[name]()


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    a = Answers()
    def opened(answer: list[str], args: tuple) -> str:
        a.started_in.append(args[2])
        return answer.pop(0)

    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kw: (opened(a.open_file, args), "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kw: (opened(a.save_file, args), "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args, **kw: opened(a.folder, args)))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kw: a.text.pop(0)))
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *args, **kw: a.item.pop(0)))
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *args, **kw: a.question.pop(0)))
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda _parent, _title, text, *r: a.warnings.append(text)))
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda _parent, _title, text, *r: a.infos.append(text)))
    monkeypatch.setattr(file_actions, "launch_project", a.launched.append)
    return a


class FakePicture:
    """What the film actions ask of the picture service (the real one: test_relink_picture)."""

    def __init__(self) -> None:
        self.reloads = 0
        self.offsets: list[int] = []
        self.showing = True

    def reload(self) -> list[str]:
        self.reloads += 1
        return []

    def set_offset(self, frames: int) -> bool:
        self.offsets.append(frames)
        return True


def film_file(path: Path, size: int = 50_000, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes((i * 31 + seed) % 256 for i in range(size)))
    return path


@pytest.fixture
def setup(qtbot: QtBot, tmp_path: Path, answers: Answers) -> Iterator[Setup]:
    """The demo project in a file, its film (a stand-in) linked beside it."""
    path = tmp_path / "project" / "demo.cuesketch"
    path.parent.mkdir()
    film = film_file(tmp_path / "project" / "film.mp4")
    project = build_demo(film, path)
    ProjectFile.write_new(path, project)
    pf = ProjectFile.open(path)
    document = Document(pf.load(), sink=pf)
    services = Services(document, Transport(FakeClock()), pf, path)
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    handlers = file_actions.file_handlers(window, services, answers.posted.append, settings)
    yield Setup(window, services, handlers, answers, path)
    pf.close()


def reopened(path: Path) -> Document:
    with ProjectFile.open(path, read_only=True) as pf:
        return Document(pf.load())


def test_every_file_action_has_a_handler(setup: Setup) -> None:
    assert set(setup.handlers) == {
        "file.new", "file.open", "file.save_as", "file.save_copy", "file.snapshot",
        "file.snapshots", "file.import_midi", "file.export_midi", "file.render",
        "file.relink_film", "file.film_offset", "file.export_stems", "file.send_review",
        "file.import_review"} | ({"file.export_preview"} & set(setup.handlers))


# -- MIDI ----------------------------------------------------------------------------------------

def midi_file(path: Path) -> Path:
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Piano", time=0)])
    for key in (60, 64, 67):
        track += [mido.Message("note_on", note=key, velocity=90, time=0),
                  mido.Message("note_off", note=key, velocity=0, time=480)]
    mid.tracks.append(track)
    mid.save(path)
    return path


def test_import_midi_adds_the_notes_at_the_playhead_as_one_undo_step(setup: Setup,
                                                                     tmp_path: Path) -> None:
    doc = setup.document
    before = set(doc.project.notes)
    setup.services.transport.seek(10 * doc.project.settings.rate.flicks_per_frame)
    setup.answers.open_file.append(str(midi_file(tmp_path / "sketch.mid")))
    setup.run("file.import_midi")
    new = [doc.project.notes[i] for i in set(doc.project.notes) - before]
    assert len(new) == 3 and not setup.answers.warnings
    assert min(n.start for n in new) == setup.services.transport.position()
    assert doc.history()[-1] == "Import sketch.mid"
    assert "Imported 3 notes on 1 tracks" in setup.answers.posted[-1]
    assert len(reopened(setup.path).project.notes) == len(before) + 3  # in the file too
    doc.undo()
    assert set(doc.project.notes) == before


def test_a_bad_midi_file_says_so_and_changes_nothing(setup: Setup, tmp_path: Path) -> None:
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01")  # cut short
    history = setup.document.history()
    notes = dict(setup.document.project.notes)
    setup.answers.open_file.append(str(bad))
    setup.run("file.import_midi")
    assert len(setup.answers.warnings) == 1
    assert "damaged or not a MIDI file" in setup.answers.warnings[0]
    assert "Traceback" not in setup.answers.warnings[0]
    assert setup.document.history() == history and setup.document.project.notes == notes


def test_export_midi_writes_a_file_mido_reads_back(setup: Setup, tmp_path: Path) -> None:
    setup.answers.save_file.append(str(tmp_path / "out"))  # the suffix is added
    setup.run("file.export_midi")
    mid = mido.MidiFile(tmp_path / "out.mid")
    ons = [m for t in mid.tracks for m in t if m.type == "note_on" and m.velocity > 0]
    assert len(ons) == len(setup.document.project.notes) > 0
    assert not setup.answers.warnings


def test_export_midi_into_a_missing_folder_is_a_plain_message(setup: Setup,
                                                              tmp_path: Path) -> None:
    setup.answers.save_file.append(str(tmp_path / "nowhere" / "out.mid"))
    setup.run("file.export_midi")
    assert len(setup.answers.warnings) == 1 and "out.mid" in setup.answers.warnings[0]
    assert not list(tmp_path.glob("nowhere*"))


# -- the mix -------------------------------------------------------------------------------------

def test_render_a_cue_in_the_background(qtbot: QtBot, setup: Setup, tmp_path: Path) -> None:
    setup.answers.item.append(("1M5 — Revenge", True))
    setup.answers.save_file.append(str(tmp_path / "1M5.wav"))
    setup.run("file.render")
    assert setup.answers.posted[-1].startswith("Rendering cue 1M5")
    qtbot.waitUntil(lambda: setup.answers.posted[-1].startswith("Rendered")
                    or bool(setup.answers.warnings), timeout=120_000)
    assert not setup.answers.warnings
    assert "peak" in setup.answers.posted[-1] and "silent" not in setup.answers.posted[-1]
    audio, rate = read_wav(tmp_path / "1M5.wav")
    cue_seconds = (1230 - 1152) / 24 + 2.0  # the cue and the ring-out
    assert rate == 48000 and abs(len(audio) / rate - cue_seconds) < 0.05
    assert float(abs(audio).max()) > 0.01  # the brass hit sounds
    bext = read_bext(tmp_path / "1M5.wav")  # a Broadcast WAV, spotted at the cue's timecode
    assert bext is not None and bext.time_reference == (86400 + 1152) * 2000  # 24 fps, 48 kHz
    assert "places at 01:00:48:00" in setup.answers.posted[-1]


def test_render_with_a_missing_soundfont_is_a_plain_message(qtbot: QtBot, setup: Setup,
                                                            tmp_path: Path) -> None:
    doc = setup.document
    doc.set_settings(replace(doc.project.settings, soundfont=str(tmp_path / "none.sf2")))
    setup.answers.item.append(("The whole project", True))
    setup.answers.save_file.append(str(tmp_path / "mix.wav"))
    setup.run("file.render")
    qtbot.waitUntil(lambda: bool(setup.answers.warnings), timeout=30_000)
    assert "could not be rendered" in setup.answers.warnings[0]
    assert not (tmp_path / "mix.wav").exists()


# -- snapshots -----------------------------------------------------------------------------------

def test_take_a_snapshot_and_see_it_listed(qtbot: QtBot, setup: Setup) -> None:
    setup.answers.text.append(("1M3 v3, sent to the director", True))
    setup.run("file.snapshot")
    pf = setup.services.project_file
    assert [s.name for s in list_snapshots(pf)] == ["1M3 v3, sent to the director"]
    assert "1M3 v3, sent to the director" in setup.answers.posted[-1]
    dialog = SnapshotsDialog(pf, setup.document, setup.answers.launched.append,
                             setup.answers.posted.append, setup.window)
    qtbot.addWidget(dialog)
    assert [s.name for s in dialog.snapshots()] == ["1M3 v3, sent to the director"]


def test_an_empty_snapshot_name_is_refused(setup: Setup) -> None:
    setup.answers.text.append(("  ", True))
    setup.run("file.snapshot")
    assert setup.answers.warnings == ["A snapshot needs a name"]
    assert list_snapshots(setup.services.project_file) == []


def test_snapshots_dialog_restores_opens_and_deletes(qtbot: QtBot, setup: Setup,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    doc, pf, a = setup.document, setup.services.project_file, setup.answers
    kept = take_snapshot(pf, "v1")
    notes = dict(doc.project.notes)
    doc.execute_changes([delete(n) for n in list(notes.values())[:3]], "Delete notes")
    monkeypatch.setattr(SnapshotsDialog, "exec", lambda self: 0)
    setup.run("file.snapshots")  # the handler builds the dialog (exec answered at once)
    dialog = SnapshotsDialog(pf, doc, a.launched.append, a.posted.append, setup.window)
    qtbot.addWidget(dialog)
    dialog.select(kept.id)
    assert dialog.restore_button.isEnabled()
    dialog.restore_selected()
    assert doc.project.notes == notes and doc.history()[-1] == "Restore snapshot “v1”"
    assert [s.name for s in dialog.snapshots()] == ["v1", "Before restoring “v1”"]
    doc.undo()
    assert len(doc.project.notes) == len(notes) - 3

    dialog.select(kept.id)
    dialog.open_selected()
    (copy,) = a.launched
    assert copy.exists() and copy.parent != setup.path.parent
    shown = reopened(copy)
    assert shown.project.notes == notes  # the snapshot, not the project now
    assert "snapshot “v1”" in shown.project.settings.title
    media = shown.project.settings.media
    assert media is not None and Path(media.path) == setup.path.parent / "film.mp4"

    a.question.append(Button.Cancel)
    dialog.delete_selected()
    assert len(list_snapshots(pf)) == 2
    a.question.append(Button.Yes)
    dialog.delete_selected()
    assert [s.name for s in list_snapshots(pf)] == ["Before restoring “v1”"]
    assert not a.warnings


# -- switching projects --------------------------------------------------------------------------

def test_save_as_copies_then_opens_the_copy_in_a_new_process(setup: Setup,
                                                             tmp_path: Path) -> None:
    take_snapshot(setup.services.project_file, "kept")
    dest = tmp_path / "elsewhere.cuesketch"
    setup.answers.save_file.append(str(dest))
    setup.run("file.save_as")
    assert setup.answers.launched == [dest] and not setup.window.isVisible()
    copy = reopened(dest)
    assert copy.project.notes == setup.document.project.notes
    with ProjectFile.open(dest, read_only=True) as pf:
        assert [s.name for s in list_snapshots(pf)] == ["kept"]


def test_save_as_onto_itself_is_refused(setup: Setup) -> None:
    setup.answers.save_file.append(str(setup.path))
    setup.run("file.save_as")
    assert setup.answers.launched == [] and setup.window.isVisible()
    assert "choose another name" in setup.answers.warnings[0]


def test_save_a_copy_without_snapshots_and_keep_working_here(setup: Setup,
                                                             tmp_path: Path) -> None:
    take_snapshot(setup.services.project_file, "kept")
    dest = tmp_path / "to send"
    setup.answers.save_file.append(str(dest))
    setup.answers.question.append(Button.No)  # leave the snapshots out
    setup.run("file.save_copy")
    dest = dest.with_name("to send.cuesketch")
    assert reopened(dest).project.notes == setup.document.project.notes
    with ProjectFile.open(dest, read_only=True) as pf:
        assert list_snapshots(pf) == []
    assert setup.answers.launched == [] and setup.window.isVisible()
    assert setup.services.project_file.path == setup.path


def test_open_checks_the_file_first(setup: Setup, tmp_path: Path) -> None:
    other = tmp_path / "other.cuesketch"
    ProjectFile.write_new(other, build_demo())
    not_one = tmp_path / "notes.txt"
    not_one.write_text("hello")
    setup.answers.open_file += [str(not_one), str(other)]
    setup.run("file.open")
    assert setup.answers.launched == [] and "not a Cuesketch project" in setup.answers.warnings[0]
    setup.run("file.open")
    assert setup.answers.launched == [other] and not setup.window.isVisible()


def answer_new_project(monkeypatch: pytest.MonkeyPatch, start: str | None = None,
                       rate: str | None = None, tracks: bool = True,
                       accept: bool = True) -> list[NewFromFilmDialog]:
    """Answer File › New from Film's dialog: leave its suggestions or type others."""
    shown: list[NewFromFilmDialog] = []

    def exec_(dialog: NewFromFilmDialog) -> int:
        shown.append(dialog)
        if rate is not None:
            dialog.rate.setCurrentIndex(dialog.rate.findData(rate))
        if start is not None:
            dialog.start.setText(start)
        dialog.starter_tracks.setChecked(tracks)
        return int(accept)

    monkeypatch.setattr(NewFromFilmDialog, "exec", exec_)
    return shown


def test_new_project_takes_the_films_rate_and_timecode(
        setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cuesketch.media.testfilm import make_numbered_film
    film = make_numbered_film(tmp_path / "reel 1.mov", fps="25", seconds=1, audio=False,
                              size=(160, 90), timecode="00:59:58:00")
    shown = answer_new_project(monkeypatch)  # as offered
    setup.answers.open_file.append(str(film))
    setup.answers.save_file.append(str(tmp_path / "reel 1.cuesketch"))
    setup.run("file.new")
    assert not setup.answers.warnings
    assert shown[0].start.text() == "00:59:58:00" and shown[0].chosen_rate().name == "25"
    dest = tmp_path / "reel 1.cuesketch"
    assert setup.answers.launched == [dest]
    project = reopened(dest).project
    s = project.settings
    assert s.rate.name == "25" and s.start_frame == 90_000 - 50  # 00:59:58:00 at 25 fps
    assert s.media is not None and s.media.offset_frames == 0  # the film at its timecode
    assert s.media.path == "reel 1.mov" and s.media.content_hash == content_hash(film)
    assert s.title == "reel 1" and not project.notes
    tracks = project.sorted_tracks()
    assert [t.name for t in tracks] == ["Strings", "Brass", "Woodwinds", "Piano", "Percussion"]
    assert [(t.bank, t.program) for t in tracks] == [(0, 48), (0, 61), (0, 73), (0, 0),
                                                    (128, 48)]
    assert [t.channel for t in tracks] == [0, 1, 2, 3, 9]  # the kit on GM's drum channel
    assert [t.color for t in tracks] == ["#4f9dde", "#e0923a", "#5cb85c", "#9b7fd4",
                                         "#d0504d"]  # each section's family colour
    assert tracks[0].pan < 0 < tracks[1].pan


def test_new_project_at_another_start_places_the_film_by_its_timecode(
        setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cuesketch.media.testfilm import make_numbered_film
    film = make_numbered_film(tmp_path / "reel 1.mov", fps="25", seconds=1, audio=False,
                              size=(160, 90), timecode="00:59:58:00")
    answer_new_project(monkeypatch, start="01:00:00:00", tracks=False)
    setup.answers.open_file.append(str(film))
    setup.answers.save_file.append(str(tmp_path / "reel 1.cuesketch"))
    setup.run("file.new")
    project = reopened(tmp_path / "reel 1.cuesketch").project
    media = project.settings.media
    assert project.settings.start_frame == 90_000
    assert media is not None and media.offset_frames == -50  # two seconds of leader
    assert not project.tracks


def test_new_project_cancelled_at_the_dialog_makes_nothing(
        setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cuesketch.media.testfilm import make_numbered_film
    film = make_numbered_film(tmp_path / "reel.mov", fps="24", seconds=1, audio=False,
                              size=(160, 90))
    answer_new_project(monkeypatch, accept=False)
    setup.answers.open_file.append(str(film))
    setup.run("file.new")
    assert setup.answers.launched == [] and setup.window.isVisible()
    assert not list(tmp_path.glob("*.cuesketch"))


def test_the_new_from_film_dialog_suggests_and_warns(qtbot: QtBot, tmp_path: Path) -> None:
    from cuesketch.media.probe import probe
    from cuesketch.media.testfilm import make_numbered_film
    with_tc = probe(make_numbered_film(tmp_path / "a.mov", fps="25", seconds=1, audio=False,
                                       size=(160, 90), timecode="10:00:00:00"))
    d = NewFromFilmDialog(with_tc)
    qtbot.addWidget(d)
    ok = d.buttons.button(d.buttons.StandardButton.Ok)
    assert d.start.text() == "10:00:00:00" and d.rate.currentData() == "25"
    assert d.problem.isHidden() and ok.isEnabled()
    d.rate.setCurrentIndex(d.rate.findData("24"))
    assert not d.problem.isHidden() and ok.isEnabled()
    assert "The film runs at 25 fps. A project at 24 fps will not line up" in d.problem.text()
    d.start.setText("10:00:00:24")  # frame 24 exists at 25 fps, not at 24
    assert not ok.isEnabled() and "10:00:00:24" in d.problem.text()
    d.rate.setCurrentIndex(d.rate.findData("25"))
    assert ok.isEnabled() and d.problem.isHidden()
    assert d.choice().start_frame == 900_024 and d.choice().with_palette
    plain = probe(make_numbered_film(tmp_path / "b.mov", fps="30000/1001", seconds=1,
                                     audio=False, size=(160, 90)))
    d2 = NewFromFilmDialog(plain)
    qtbot.addWidget(d2)
    assert d2.start.text() == "01:00:00:00" and d2.rate.currentData() == "29.97"
    d2.rate.setCurrentIndex(d2.rate.findData("29.97df"))
    assert "counts non-drop timecode" in d2.problem.text()
    assert "frames still line up" in d2.problem.text()


def test_new_project_on_a_file_that_is_no_film(setup: Setup, tmp_path: Path) -> None:
    setup.answers.open_file.append(str(film_file(tmp_path / "fake.mov")))
    setup.run("file.new")
    assert setup.answers.launched == [] and setup.window.isVisible()
    assert "fake.mov" in setup.answers.warnings[0]


# -- the film ------------------------------------------------------------------------------------

def test_relink_finds_the_moved_film_by_its_content(qtbot: QtBot, setup: Setup,
                                                    tmp_path: Path) -> None:
    doc = setup.document
    old = doc.project.settings.media
    picture = setup.services.picture = FakePicture()  # type: ignore[assignment]
    moved = tmp_path / "archive" / "deep" / "renamed.mp4"
    moved.parent.mkdir(parents=True)
    shutil.move(setup.path.parent / "film.mp4", moved)
    film_file(tmp_path / "archive" / "film.mp4", seed=7)  # the old name, other content
    setup.answers.folder.append(str(tmp_path / "archive"))
    setup.run("file.relink_film")
    qtbot.waitUntil(lambda: doc.project.settings.media != old, timeout=10_000)
    media = doc.project.settings.media
    assert media == media_for(setup.path, moved, old.offset_frames)
    assert media.path == "../archive/deep/renamed.mp4"
    assert picture.reloads == 1 and not setup.answers.warnings
    assert doc.history()[-1] == "Relink film"
    doc.undo()
    assert doc.project.settings.media == old and picture.reloads == 2


def test_relink_finding_nothing_says_so(qtbot: QtBot, setup: Setup, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    setup.answers.folder.append(str(tmp_path / "empty"))
    setup.run("file.relink_film")
    qtbot.waitUntil(lambda: bool(setup.answers.warnings), timeout=10_000)
    assert "No file in" in setup.answers.warnings[0]


def test_film_offset_is_an_undoable_setting(setup: Setup) -> None:
    doc = setup.document
    picture = setup.services.picture = FakePicture()  # type: ignore[assignment]
    setup.answers.text += [("01:00:10:00", True), ("00:59:59:00", True)]
    setup.run("file.film_offset")
    assert doc.project.settings.media.offset_frames == 240
    assert reopened(setup.path).project.settings.media.offset_frames == 240
    setup.run("file.film_offset")  # before the start: a leader
    assert doc.project.settings.media.offset_frames == -24
    doc.undo()
    assert doc.project.settings.media.offset_frames == 240
    doc.undo()
    assert doc.project.settings.media.offset_frames == 0
    assert picture.offsets == [240, -24, 240, 0]  # the picture followed, undo included


def test_where_people_speak_moves_with_the_film(setup: Setup) -> None:
    from cuesketch.model.speech import replace_all
    from cuesketch.timing.units import FLICKS_PER_SECOND as SEC
    doc = setup.document
    setup.services.picture = FakePicture()  # type: ignore[assignment]
    doc.execute_changes(replace_all(doc.project, [(2 * SEC, 4 * SEC), (SEC // 2, SEC)]),
                        "Detect speech")

    def spans() -> list[tuple[float, float]]:
        return sorted((r.start / SEC, r.end / SEC) for r in doc.project.speech_regions.values())

    setup.answers.text += [("01:00:01:00", True), ("00:59:58:00", True)]
    setup.run("file.film_offset")  # the film one second later: its lines too
    assert spans() == [(1.5, 2.0), (3.0, 5.0)]
    assert reopened(setup.path).project.speech_regions == doc.project.speech_regions
    setup.run("file.film_offset")  # three seconds earlier: the first line falls before the
    assert spans() == [(0.0, 2.0)]  # start, the second is cut there
    doc.undo()
    assert spans() == [(1.5, 2.0), (3.0, 5.0)]  # one undo step with the offset
    doc.undo()
    assert spans() == [(0.5, 1.0), (2.0, 4.0)] and doc.project.settings.media.offset_frames == 0


def test_a_bad_offset_timecode_changes_nothing(setup: Setup) -> None:
    history = setup.document.history()
    setup.answers.text.append(("ten past one", True))
    setup.run("file.film_offset")
    assert "is not a timecode" in setup.answers.warnings[0]
    assert setup.document.history() == history


def test_a_read_only_project_says_so_plainly(setup: Setup, tmp_path: Path) -> None:
    setup.document.read_only = True
    setup.answers.open_file.append(str(midi_file(tmp_path / "sketch.mid")))
    setup.run("file.import_midi")
    assert setup.answers.warnings == ["This project is open read-only"]


def test_the_film_offset_goes_the_short_way_round_midnight() -> None:
    from cuesketch.timing.rates import STANDARD_RATES
    from cuesketch.timing.timecode import parse_timecode
    from cuesketch.ui.film_actions import nearest_offset
    rate = STANDARD_RATES["24"]
    assert nearest_offset(parse_timecode("23:59:50:00", rate), 0, rate) == -240
    assert nearest_offset(parse_timecode("00:00:10:00", rate), 0, rate) == 240
    assert nearest_offset(parse_timecode("01:00:00:00", rate), 86400, rate) == 0


def test_one_render_at_a_time(qtbot: QtBot, setup: Setup, tmp_path: Path) -> None:
    setup.answers.item += [("1M5 — Revenge", True), ("1M4 — Rodent Pests", True)]
    setup.answers.save_file += [str(tmp_path / "a.wav"), str(tmp_path / "b.wav")]
    setup.run("file.render")
    setup.run("file.render")
    assert setup.answers.warnings == ["A render is running already; it says when it is done."]
    qtbot.waitUntil(lambda: setup.answers.posted[-1].startswith("Rendered"), timeout=120_000)
    assert (tmp_path / "a.wav").exists() and not (tmp_path / "b.wav").exists()


# -- where file dialogs open ---------------------------------------------------------------------

def test_file_dialogs_start_in_the_project_folder_and_remember_each_kind(
        qtbot: QtBot, setup: Setup, tmp_path: Path) -> None:
    a, here = setup.answers, setup.path.parent.resolve()
    exports, sketches = tmp_path / "exports", tmp_path / "sketches"
    exports.mkdir()
    a.save_file.append(str(exports / "cue.mid"))
    setup.run("file.export_midi")
    assert Path(a.started_in[-1]) == here / "demo.mid"  # the project's folder at first
    sketches.mkdir()
    a.open_file.append(str(midi_file(sketches / "idea.mid")))
    setup.run("file.import_midi")
    assert Path(a.started_in[-1]) == here  # importing has not been anywhere yet
    a.save_file.append(str(exports / "cue 2.mid"))
    setup.run("file.export_midi")
    assert Path(a.started_in[-1]) == exports / "demo.mid"  # where the last export went
    # Another window (the next start) remembers too: the folders are in the settings.
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    handlers = file_actions.file_handlers(setup.window, setup.services, a.posted.append,
                                          settings)
    a.open_file.append(str(sketches / "idea.mid"))
    handlers["file.import_midi"]()
    assert Path(a.started_in[-1]) == sketches
    a.open_file.append("")  # cancelled: nothing remembered
    handlers["file.open"]()
    assert Path(a.started_in[-1]) == here and settings.value("folders/project") is None
    assert not a.warnings


def test_a_project_in_the_hidden_data_folder_opens_dialogs_at_home(
        setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cuesketch.ui.dialogs import visible_folder
    home = tmp_path / "home"
    (home / ".config" / "x").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    demo = tmp_path / "data" / "cuesketch" / "demo.cuesketch"
    demo.parent.mkdir(parents=True)
    setup.services.project_path = demo
    setup.answers.save_file.append("")
    setup.run("file.export_midi")
    assert Path(setup.answers.started_in[-1]) == home / "demo.mid"
    assert visible_folder(home / ".config" / "x") == home
    assert visible_folder(tmp_path / "films") == tmp_path / "films"


def test_error_messages_never_change_a_file_name() -> None:
    import errno

    from cuesketch.engine.render import RenderError
    from cuesketch.store.project_file import ProjectFileError
    from cuesketch.ui.dialogs import plain
    assert plain(ProjectFileError("x.cuesketch is not a Cuesketch project")) == \
        "x.cuesketch is not a Cuesketch project"
    assert plain(OSError(errno.EACCES, "Permission denied", "x.cuesketch")) == \
        "x.cuesketch: permission denied"
    assert plain(RenderError("the project has no cue '9M9'")) == "The project has no cue '9M9'"
    assert plain(RenderError("can't write mix.wav")) == "Can't write mix.wav"
    assert plain(ValueError("mM1 is not a cue")) == "mM1 is not a cue"
    assert plain(ValueError("strings/x.mid is gone")) == "strings/x.mid is gone"
