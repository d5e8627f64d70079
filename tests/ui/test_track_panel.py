"""The track panel driven as a user drives it (pytest-qt, offscreen): each edit checked in the
model, undone exactly, made only through the Document, and heard by playback."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QSlider, QStyle, QStyleOptionSlider

from audio_checks import rms
from model_state import RecordingSink, state
from cuesketch.demo import build_demo
from cuesketch.engine import soundfonts
from cuesketch.engine.playback import Playback
from cuesketch.engine.render import render_blocks
from cuesketch.engine.synth import ChannelSetup, Preset, SynthEngine
from cuesketch.model import palette
from cuesketch.model.document import Document
from cuesketch.model.entities import ControlPoint, Controller, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC
from cuesketch.ui.track_panel import PRESET, TrackPanel, preset_key

LEFT = Qt.MouseButton.LeftButton
needs_soundfont = pytest.mark.skipif(soundfonts.find_default() is None,
                                     reason="no General MIDI SoundFont installed")




FAKE_PRESETS = [Preset(0, 48, "Strings"), Preset(8, 40, "Slow Violin"),
                Preset(128, 0, "Standard")]


class Rig:
    """A panel on two tracks: Strings (2 notes, 1 controller point) and an empty Horn track."""

    def __init__(self, qtbot, project: Project | None = None,  # type: ignore[no-untyped-def]
                 presets: list[Preset] | None = None) -> None:
        if project is None:
            project = Project()
            project.load(Settings(), [
                Track(1, "Strings", program=48, volume=0.75, color="#4f9dde", order=0,
                      channel=0),
                Track(2, "French Horn", program=60, color=palette.color_of(0, 60), order=1,
                      channel=1),
                Note(1, 1, 0, SEC // 2, 60), Note(2, 1, SEC, SEC // 2, 64),
                ControlPoint(1, 1, 0, Controller.EXPRESSION, 100)])
        self.start = copy.deepcopy(project)
        self.sink = RecordingSink()
        self.doc = Document(project, self.sink)
        self.armed: list[int] = []
        self.emitted: list[int] = []
        self.panel = TrackPanel(self.doc, lambda: list(presets or FAKE_PRESETS),
                                on_arm=self.armed.append)
        self.panel.armedChanged.connect(self.emitted.append)
        self.questions: list[str] = []
        self.answer = True
        self.panel.confirm = self._confirm
        self.said: list[str] = []
        self.panel.statusMessage.connect(self.said.append)
        qtbot.addWidget(self.panel)
        self.panel.resize(720, 300)
        with qtbot.waitExposed(self.panel):
            self.panel.show()
        self.qtbot = qtbot

    def _confirm(self, question: str) -> bool:
        self.questions.append(question)
        return self.answer

    @property
    def project(self) -> Project:
        return self.doc.project

    def row(self, track_id: int):  # type: ignore[no-untyped-def]
        return self.panel.rows[track_id]

    def choose(self, track_id: int, text: str) -> None:
        """Pick an instrument in the row's combo as the popup does (activated)."""
        combo = self.row(track_id).instrument
        i = next(i for i in range(combo.count()) if combo.itemText(i).strip() == text)
        combo.setCurrentIndex(i)
        combo.activated.emit(i)

    def add_from_menu(self, family: str, name: str) -> int:
        menu = self.panel.add_menu
        menu.aboutToShow.emit()
        sub = next(a.menu() for a in menu.actions() if a.text() == family)
        before = set(self.project.tracks)
        next(a for a in sub.actions() if a.text() == name).trigger()
        (new,) = set(self.project.tracks) - before
        return new

    def drag_slider(self, slider: QSlider, fractions: Sequence[float]) -> None:
        """Grab the handle and move it through positions (fractions of the groove)."""
        opt = QStyleOptionSlider()
        slider.initStyleOption(opt)
        handle = slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                               QStyle.SubControl.SC_SliderHandle, slider)
        y = handle.center().y()
        self.qtbot.mousePress(slider, LEFT, pos=handle.center())
        for f in fractions:
            self.qtbot.mouseMove(slider, QPoint(round(f * slider.width()), y))
        self.qtbot.mouseRelease(slider, LEFT, pos=QPoint(round(fractions[-1] * slider.width()), y))

    def check_undo(self, steps: int) -> None:
        """What the sink saw replays to the same project (nothing went round the Document);
        ``steps`` undos bring back the start exactly, and the rows show it."""
        replayed = copy.deepcopy(self.start)
        replayed.apply(self.sink.changes)
        assert state(replayed) == state(self.project)
        for _ in range(steps):
            assert self.doc.undo() is not None
        assert state(self.project) == state(self.start)
        assert not self.doc.can_undo
        shown = self.shown()
        for t in self.project.sorted_tracks():
            assert shown.pop(0) == (t.name, preset_key(t.bank, t.program), round(t.volume * 100),
                                    round(t.pan * 100), t.mute, t.solo)
        assert not shown

    def shown(self) -> list[tuple[str, int, int, int, bool, bool]]:
        return [(r.name.text(), r.instrument.currentData(PRESET), r.volume.value(),
                 r.pan.value(), r.mute.isChecked(), r.solo.isChecked())
                for r in self.panel.rows.values()]


@pytest.fixture
def rig(qtbot) -> Iterator[Rig]:  # type: ignore[no-untyped-def]
    yield Rig(qtbot)


# -- showing --------------------------------------------------------------------------------

def test_rows_show_the_tracks_in_order_and_the_first_is_armed(rig: Rig) -> None:
    assert list(rig.panel.rows) == [1, 2]
    assert rig.shown() == [("Strings", preset_key(0, 48), 75, 0, False, False),
                           ("French Horn", preset_key(0, 60), 80, 0, False, False)]
    assert rig.row(1).instrument.currentText() == "String Ensemble 1"
    assert rig.row(1).arm.isChecked() and not rig.row(2).arm.isChecked()
    assert rig.armed == [] and rig.emitted == []  # nothing told: the session starts that way


def test_the_instrument_list_has_family_headers_and_the_soundfont_presets(rig: Rig) -> None:
    combo = rig.row(1).instrument
    texts = [combo.itemText(i) for i in range(combo.count())]
    for family in palette.FAMILIES:
        i = texts.index(family.name)
        assert not combo.model().item(i).isEnabled()  # a header can't be chosen
    assert texts.index("All presets of the SoundFont") > texts.index("Sound effects")
    assert "008:040  Slow Violin" in texts


# -- adding ---------------------------------------------------------------------------------

def test_add_from_the_palette_arms_it_on_the_next_channel_and_undo_removes_it(rig: Rig) -> None:
    new = rig.add_from_menu("Brass", "Trumpet")
    t = rig.project.tracks[new]
    assert (t.name, t.bank, t.program, t.channel, t.order) == ("Trumpet", 0, 56, 2, 2)
    assert t.color == palette.family("Brass").color
    assert list(rig.panel.rows) == [1, 2, new]
    assert rig.armed == [new] and rig.emitted == [new]
    assert rig.row(new).arm.isChecked() and not rig.row(1).arm.isChecked()
    assert rig.row(new).name.hasSelectedText()  # typing names it at once
    kit = rig.add_from_menu("Percussion", "Orchestra Kit")
    assert rig.project.tracks[kit].channel == 9 and rig.project.tracks[kit].bank == 128
    assert rig.doc.history() == ["Add track", "Add track"]
    rig.check_undo(2)
    assert rig.panel.armed == 1 and rig.emitted[-1] == 1  # the armed track went: the first


def test_soundfont_presets_add_a_track_too(rig: Rig) -> None:
    menu = rig.panel.add_menu
    menu.aboutToShow.emit()
    sub = next(a.menu() for a in menu.actions() if a.text() == "All presets of the SoundFont")
    bank8 = next(a.menu() for a in sub.actions() if a.text() == "Bank 8")
    bank8.actions()[0].trigger()
    t = rig.project.tracks[max(rig.project.tracks)]
    assert (t.name, t.bank, t.program) == ("Slow Violin", 8, 40)
    assert rig.row(t.id).instrument.currentText() == "008:040  Slow Violin"


# -- changing -------------------------------------------------------------------------------

def test_renaming_by_typing(rig: Rig) -> None:
    edit = rig.row(2).name
    edit.setFocus()
    edit.selectAll()
    rig.qtbot.keyClicks(edit, "Horns a4")
    rig.qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert rig.project.tracks[2].name == "Horns a4"
    edit.selectAll()
    rig.qtbot.keyClick(edit, Qt.Key.Key_Delete)
    rig.qtbot.keyClick(edit, Qt.Key.Key_Return)  # an emptied name: the old one stays
    assert rig.project.tracks[2].name == "Horns a4" and edit.text() == "Horns a4"
    rig.check_undo(1)


def test_choosing_an_instrument(rig: Rig) -> None:
    rig.choose(1, "Cello")
    t = rig.project.tracks[1]
    assert (t.bank, t.program, t.name) == (0, 42, "Strings")  # a chosen name stays
    rig.choose(2, "Trumpet")  # a default name follows the instrument
    assert rig.project.tracks[2].name == "Trumpet"
    assert rig.row(2).name.text() == "Trumpet"
    rig.choose(2, "008:040  Slow Violin")
    assert (rig.project.tracks[2].bank, rig.project.tracks[2].program) == (8, 40)
    assert rig.doc.history() == ["Change instrument"] * 3
    rig.check_undo(3)


def test_a_volume_drag_is_one_undo_step_and_the_next_drag_another(rig: Rig) -> None:
    slider = rig.row(1).volume
    rig.drag_slider(slider, [0.6, 0.4, 0.2, 0.1])
    low = rig.project.tracks[1].volume
    assert low < 0.3 and slider.value() == round(low * 100)
    assert rig.doc.history() == ["Change volume"]
    rig.drag_slider(slider, [0.5, 0.9])
    assert rig.project.tracks[1].volume > 0.8
    assert rig.doc.history() == ["Change volume", "Change volume"]
    rig.doc.undo()
    assert rig.project.tracks[1].volume == low and slider.value() == round(low * 100)
    rig.check_undo(1)


def test_a_pan_drag_is_one_step_and_a_double_click_centres(rig: Rig) -> None:
    dial = rig.row(2).pan
    c = dial.rect().center()
    rig.qtbot.mousePress(dial, LEFT, pos=c)
    assert rig.project.tracks[2].pan == 0.0  # a press does not jump the knob
    for dx in range(0, 31, 3):  # dragged 30 px left: 60 % left
        rig.qtbot.mouseMove(dial, QPoint(c.x() - dx, c.y()))
    rig.qtbot.mouseRelease(dial, LEFT, pos=QPoint(c.x() - 30, c.y()))
    assert rig.project.tracks[2].pan == pytest.approx(-0.6)
    assert rig.doc.history() == ["Change pan"]
    assert dial.toolTip().startswith("Pan L60")
    rig.qtbot.mouseDClick(dial, LEFT, pos=c)
    rig.qtbot.mouseRelease(dial, LEFT, pos=c)
    assert rig.project.tracks[2].pan == 0.0 and dial.value() == 0
    assert rig.doc.history() == ["Change pan", "Change pan"]
    rig.doc.undo()  # the double-click
    assert rig.project.tracks[2].pan == pytest.approx(-0.6) and dial.value() == -60
    rig.check_undo(1)


def test_mute_and_solo_toggle_and_undo_unchecks_them(rig: Rig) -> None:
    rig.qtbot.mouseClick(rig.row(1).mute, LEFT)
    rig.qtbot.mouseClick(rig.row(2).solo, LEFT)
    assert rig.project.tracks[1].mute and rig.project.tracks[2].solo
    assert rig.doc.history() == ["Mute track", "Solo track"]
    rig.check_undo(2)
    assert not rig.row(1).mute.isChecked() and not rig.row(2).solo.isChecked()


def test_a_family_color_from_the_swatch_menu(rig: Rig) -> None:
    rig.panel.set_color(1, palette.family("Choir").color)
    assert rig.project.tracks[1].color == palette.family("Choir").color
    assert palette.family("Choir").color in rig.row(1).swatch.styleSheet()
    rig.check_undo(1)
    assert "#4f9dde" in rig.row(1).swatch.styleSheet()


def test_the_wheel_over_an_unfocused_control_scrolls_instead_of_changing_it(rig: Rig) -> None:
    combo, slider = rig.row(1).instrument, rig.row(1).volume
    rig.row(2).name.setFocus()
    for w in (combo, slider):
        pos = w.rect().center()
        QApplication.sendEvent(w, QWheelEvent(
            QPointF(pos), QPointF(w.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, -120),
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False))
    assert not rig.doc.can_undo and combo.currentText() == "String Ensemble 1"


# -- arming ---------------------------------------------------------------------------------

def test_one_track_is_armed_at_a_time_and_an_arm_from_elsewhere_is_not_echoed(rig: Rig) -> None:
    rig.qtbot.mouseClick(rig.row(2).arm, LEFT)
    assert rig.armed == [2] and rig.emitted == [2] and rig.panel.armed == 2
    assert [r.arm.isChecked() for r in rig.panel.rows.values()] == [False, True]
    rig.qtbot.mouseClick(rig.row(2).arm, LEFT)  # armed already: stays, nothing new
    assert rig.row(2).arm.isChecked() and rig.emitted == [2]
    rig.panel.set_armed(1)
    assert [r.arm.isChecked() for r in rig.panel.rows.values()] == [True, False]
    assert rig.emitted == [2] and rig.armed == [2]
    assert not rig.doc.can_undo  # arming is not an edit


# -- deleting and moving --------------------------------------------------------------------

def test_deleting_a_track_with_notes_asks_and_one_undo_restores_it_all(rig: Rig) -> None:
    rig.panel.select(1)
    rig.answer = False
    rig.qtbot.mouseClick(rig.panel.delete_button, LEFT)
    assert 1 in rig.project.tracks and "2 notes and 1 controller point" in rig.questions[0]
    rig.answer = True
    rig.qtbot.mouseClick(rig.panel.delete_button, LEFT)
    assert 1 not in rig.project.tracks and not rig.project.notes and not rig.project.controls
    assert list(rig.panel.rows) == [2] and rig.panel.current == 2
    assert rig.armed == [2] and rig.emitted == [2]  # the armed track went: the next is armed
    rig.check_undo(1)
    assert list(rig.panel.rows) == [1, 2]


def test_deleting_an_empty_track_does_not_ask(rig: Rig) -> None:
    rig.panel.select(2)
    rig.qtbot.mouseClick(rig.panel.delete_button, LEFT)
    assert 2 not in rig.project.tracks and rig.questions == []
    assert not rig.panel.down_button.isEnabled() and not rig.panel.up_button.isEnabled()
    rig.check_undo(1)


def test_moving_a_track_up_and_down(rig: Rig) -> None:
    rig.add_from_menu("Choir", "Choir Aahs")
    rig.panel.select(1)
    assert not rig.panel.up_button.isEnabled()
    rig.qtbot.mouseClick(rig.panel.down_button, LEFT)
    rig.qtbot.mouseClick(rig.panel.down_button, LEFT)
    assert [t.id for t in rig.project.sorted_tracks()] == [2, 3, 1]
    assert list(rig.panel.rows) == [2, 3, 1]
    assert not rig.panel.down_button.isEnabled()
    rig.check_undo(3)
    assert list(rig.panel.rows) == [1, 2]


# -- refusals and lifetime ------------------------------------------------------------------

def test_a_read_only_project_says_so_and_the_controls_show_it_unchanged(rig: Rig) -> None:
    rig.doc.read_only = True
    rig.qtbot.mouseClick(rig.row(1).mute, LEFT)
    assert not rig.project.tracks[1].mute and not rig.row(1).mute.isChecked()
    assert rig.said and "read-only" in rig.said[-1]


def test_a_closed_panel_is_forgotten_by_the_document(qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = Document(build_demo())
    panel = TrackPanel(doc, None)
    assert panel.rows[1].instrument.findText("All presets of the SoundFont") < 0
    panel.deleteLater()
    QApplication.sendPostedEvents(None, 0)  # DeferredDelete
    from cuesketch.model import track_edits as te
    doc.execute_changes(te.set_mute(doc.project, 1, True), "Mute")  # no dead widget called
    assert doc.project.tracks[1].mute


def test_the_demo_grabs_with_each_swatch_in_its_track_color(qtbot, tmp_path) -> None:
    doc = Document(build_demo())
    panel = TrackPanel(doc, None)
    qtbot.addWidget(panel)
    panel.resize(720, 200)
    panel.show()
    image = panel.grab().toImage()
    assert panel.grab().save(str(tmp_path / "tracks.png"))
    for t in doc.project.sorted_tracks():
        swatch = panel.rows[t.id].swatch
        centre = swatch.mapTo(panel, swatch.rect().center())
        assert image.pixelColor(centre).name() == t.color


# -- heard by playback ----------------------------------------------------------------------

@pytest.fixture
def synth() -> Iterator[SynthEngine]:
    s = SynthEngine(reverb=False, chorus=False)
    yield s
    s.close()


def two_note_project() -> Project:
    """Strings sound in the first second, the horn in the third."""
    p = Project()
    p.load(Settings(), [Track(1, "Strings", program=48, channel=0),
                        Track(2, "French Horn", program=60, order=1, channel=1),
                        Note(1, 1, SEC // 10, SEC // 2, 60, 110),
                        Note(2, 2, 2 * SEC, SEC // 2, 55, 110)])
    return p


def render(playback: Playback, seconds: float) -> np.ndarray:
    """``seconds`` from the start (copies: render_blocks reuses one buffer), then the synth
    rings out so the next render starts from silence."""
    out = np.vstack([b.copy() for b in render_blocks(playback, 0, round(seconds * SEC))])
    for _ in range(100):
        if not playback.synth.active_voices():
            break
        playback.process(4800)
    return out


@needs_soundfont
def test_muting_in_the_panel_silences_the_track_in_a_render(qtbot, synth) -> None:
    rig = Rig(qtbot, two_note_project(), synth.presets())
    pb = Playback(synth, document=rig.doc)
    first = slice(0, 48000 + 24000)  # strings and their release
    third = slice(2 * 48000, 3 * 48000)
    both = render(pb, 3.0)
    assert rms(both[first]) > 0.002 and rms(both[third]) > 0.002
    rig.qtbot.mouseClick(rig.row(1).mute, LEFT)
    muted = render(pb, 3.0)
    assert not np.any(muted[first])  # exact silence where only the strings play
    assert rms(muted[third]) > 0.002
    rig.qtbot.mouseClick(rig.row(1).solo, LEFT)  # solo the muted strings: nothing sounds
    assert not np.any(render(pb, 3.0))
    rig.doc.undo()
    rig.doc.undo()  # unmuted: the strings are back
    assert rms(render(pb, 3.0)[first]) > 0.002


@needs_soundfont
def test_playback_sets_the_chosen_instrument_level_and_pan_on_the_track_channel(
        qtbot, synth) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, two_note_project(), synth.presets())
    pb = Playback(synth, document=rig.doc)
    pb.process(64)
    channel = pb.channel_of(2)
    assert synth.setup_of(channel) == ChannelSetup(0, 60, 0.8, 0.0)
    rig.choose(2, "Orchestra Kit")
    rig.drag_slider(rig.row(2).volume, [0.3, 0.5])
    rig.panel.slide_pan(2, -50)
    pb.process(64)
    t = rig.project.tracks[2]
    assert synth.setup_of(channel) == ChannelSetup(128, 48, t.volume, -0.5, drums=True)
    assert synth.preset_name(128, 48) == "Orchestra Kit"
    rig.doc.undo()
    rig.doc.undo()
    rig.doc.undo()
    pb.process(64)
    assert synth.setup_of(channel) == ChannelSetup(0, 60, 0.8, 0.0)


def test_the_stem_section_menu_sets_it_as_one_undo_step(rig: Rig) -> None:
    menu = rig.panel.section_menu(2)
    texts = [a.text() for a in menu.actions()]
    assert texts[0] == "From the instrument (Brass)" and menu.actions()[0].isChecked()
    next(a for a in menu.actions() if a.text() == "Synths  (SYN)").trigger()
    assert rig.project.tracks[2].section == "synths"
    assert "stem Synths" in rig.row(2).name.toolTip()
    assert rig.doc.history() == ["Set stem section"]
    rig.check_undo(1)
    assert rig.project.tracks[2].section == ""


def test_right_clicking_a_row_offers_its_stem_section(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    monkeypatch.setattr(rig.panel, "choose_section", lambda tid, where: asked.append(tid))
    row = rig.row(2)
    assert row.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    row.customContextMenuRequested.emit(QPoint(5, 5))
    assert asked == [2]
