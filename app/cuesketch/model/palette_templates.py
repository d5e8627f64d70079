"""Palette templates: the instruments a score calls for, as a list of tracks (stem section,
preset, SoundFont, colour, volume, pan), built in or the user's own.

Applying one to the project creates the tracks it lacks and maps the ones it has (the same name:
the template's instrument, section, colour and level); applying it to a cue also names it as
the cue's palette and leaves the tracks already there as they are. Either is one undo step.

    apply_step(document, BUILTIN["hybrid"])               # the project
    apply_step(document, BUILTIN["chamber strings"], cue_id=3)
    template_from_tracks(project, "My noir")              # save the current tracks
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cuesketch.model import palette, track_edits
from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Document
from cuesketch.model.entities import Track
from cuesketch.model.palette import DRUM_BANK
from cuesketch.model.project import Project
from cuesketch.model.sections import section_of

MAX_TEMPLATE_TRACKS = 256


class PaletteError(ValueError):
    """A template that can't be made or applied, in plain words."""


@dataclass(frozen=True)
class TemplateTrack:
    name: str
    section: str  # its stem group (model.sections key or the user's own name)
    bank: int
    program: int
    volume: float = 0.8
    pan: float = 0.0  # -1 left .. +1 right
    color: str = ""  # empty: its family's
    soundfont: str = ""  # empty: the default General MIDI one

    @property
    def shown_color(self) -> str:
        return self.color or palette.color_of(self.bank, self.program)


@dataclass(frozen=True)
class Template:
    name: str
    tracks: tuple[TemplateTrack, ...]
    builtin: bool = False

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise PaletteError("a palette needs a name")
        if not self.tracks or len(self.tracks) > MAX_TEMPLATE_TRACKS:
            raise PaletteError(f"a palette holds 1 to {MAX_TEMPLATE_TRACKS} tracks")


def _t(name: str, section: str, program: int, volume: float, pan: float,
       bank: int = 0) -> TemplateTrack:
    return TemplateTrack(name, section, bank, program, volume, pan)


# Seating left to right as an orchestra sits (violins left, cellos and basses right).
BUILTIN: dict[str, Template] = {t.name: t for t in (
    Template("full orchestra", (
        _t("Violins I", "strings", 40, 0.8, -0.5), _t("Violins II", "strings", 40, 0.75, -0.25),
        _t("Violas", "strings", 41, 0.75, 0.1), _t("Cellos", "strings", 42, 0.8, 0.35),
        _t("Basses", "strings", 43, 0.75, 0.5), _t("Flutes", "woodwinds", 73, 0.7, -0.15),
        _t("Oboes", "woodwinds", 68, 0.65, 0.0), _t("Clarinets", "woodwinds", 71, 0.65, 0.1),
        _t("Bassoons", "woodwinds", 70, 0.65, 0.2), _t("Horns", "brass", 60, 0.7, -0.3),
        _t("Trumpets", "brass", 56, 0.65, 0.15), _t("Trombones", "brass", 57, 0.65, 0.3),
        _t("Tuba", "brass", 58, 0.65, 0.4), _t("Timpani", "percussion", 47, 0.7, 0.0),
        _t("Percussion", "percussion", 48, 0.7, 0.0, DRUM_BANK),
        _t("Harp", "strings", 46, 0.65, -0.4), _t("Piano", "keys", 0, 0.6, 0.0)), True),
    Template("chamber strings", (
        _t("Violin I", "strings", 40, 0.8, -0.45), _t("Violin II", "strings", 40, 0.75, -0.15),
        _t("Viola", "strings", 41, 0.75, 0.15), _t("Cello", "strings", 42, 0.8, 0.4),
        _t("Double Bass", "strings", 43, 0.7, 0.5)), True),
    Template("hybrid", (
        _t("Strings", "strings", 48, 0.8, -0.25), _t("Low Strings", "strings", 42, 0.75, 0.3),
        _t("Horns", "brass", 60, 0.7, -0.2), _t("Low Brass", "brass", 57, 0.7, 0.25),
        _t("Choir", "choir", 52, 0.6, 0.0), _t("Synth Pad", "synths", 89, 0.6, 0.0),
        _t("Synth Bass", "synths", 38, 0.7, 0.0), _t("Pulse", "synths", 81, 0.55, 0.2),
        _t("Taiko", "percussion", 116, 0.75, 0.0),
        _t("Drums", "percussion", 16, 0.7, 0.0, DRUM_BANK),
        _t("Riser FX", "fx", 97, 0.5, 0.0)), True),
    Template("electronic", (
        _t("Lead", "synths", 81, 0.7, 0.1), _t("Pad", "synths", 89, 0.6, -0.1),
        _t("Bass", "synths", 38, 0.75, 0.0), _t("Arp", "synths", 80, 0.55, 0.3),
        _t("Atmosphere", "fx", 99, 0.5, -0.3),
        _t("Drum Machine", "percussion", 25, 0.75, 0.0, DRUM_BANK)), True),
    Template("small folk ensemble", (
        _t("Fiddle", "strings", 110, 0.75, -0.3), _t("Guitar", "keys", 24, 0.7, 0.2),
        _t("Accordion", "keys", 21, 0.65, -0.1), _t("Whistle", "woodwinds", 78, 0.6, 0.1),
        _t("Double Bass", "strings", 43, 0.7, 0.3),
        _t("Frame Drum", "percussion", 0, 0.6, 0.0, DRUM_BANK)), True),
)}


@dataclass(frozen=True)
class Step:
    """What applying a template does to one of its tracks: make it, or map an existing one."""

    template_track: TemplateTrack
    track_id: int | None  # the existing track it maps, or None: a new one


def plan(project: Project, template: Template) -> list[Step]:
    """Each template track and the project track of the same name (any case) it maps."""
    by_name = {t.name.casefold(): t.id for t in project.tracks.values()}
    return [Step(tt, by_name.get(tt.name.casefold())) for tt in template.tracks]


def _mapped(track: Track, tt: TemplateTrack, project: Project) -> Track:
    drums = palette.is_drum_kit(tt.bank)
    channel = track.channel
    if drums != (track.channel == palette.DRUM_CHANNEL):
        channel = track_edits.next_free_channel(project, drums, ignore=track.id)
    return replace(track, bank=tt.bank, program=tt.program, volume=tt.volume, pan=tt.pan,
                   color=tt.shown_color, section=tt.section, soundfont=tt.soundfont,
                   channel=channel)


def apply_step(document: Document, template: Template, cue_id: int | None = None) -> list[int]:
    """Apply a template (to the project, or to a cue) as one undo step; returns the ids of the
    tracks it made or mapped, in the template's order."""
    project = document.project
    if cue_id is not None and cue_id not in project.cues:
        raise PaletteError("that cue is not in the project any more")
    where = f" to {project.cues[cue_id].name}" if cue_id is not None else ""
    ids: list[int] = []
    with document.transaction(f"Apply palette {template.name}{where}"):
        for step in plan(project, template):
            tt = step.template_track
            if step.track_id is not None:
                ids.append(step.track_id)
                if cue_id is None:  # a cue's palette does not re-voice the project's tracks
                    old = project.tracks[step.track_id]
                    new = _mapped(old, tt, project)
                    if new != old:
                        document.execute_changes([EntityChange(old, new)])
                continue
            changes = track_edits.add_track(project, tt.name, tt.bank, tt.program,
                                            color=tt.shown_color, volume=tt.volume)
            made = changes[0].after
            assert isinstance(made, Track)
            made = replace(made, pan=tt.pan, section=tt.section, soundfont=tt.soundfont)
            document.execute_changes([EntityChange(None, made)])
            ids.append(made.id)
        if cue_id is not None:
            cue = project.cues[cue_id]
            if cue.palette != template.name:
                document.execute_changes([EntityChange(cue, replace(cue, palette=template.name))])
    return ids


def template_from_tracks(project: Project, name: str,
                         track_ids: list[int] | None = None) -> Template:
    """The current tracks (or some of them) as a template of the user's own."""
    tracks = [t for t in project.sorted_tracks() if track_ids is None or t.id in track_ids]
    if not tracks:
        raise PaletteError("the project has no tracks to make a palette of")
    return Template(name.strip(), tuple(
        TemplateTrack(t.name, section_of(t), t.bank, t.program, t.volume, t.pan, t.color,
                      t.soundfont) for t in tracks))


def set_soundfont(project: Project, track_id: int, soundfont: str, bank: int | None = None,
                  program: int | None = None) -> list[Change]:
    """A track's SoundFont (empty: the default General MIDI one) and, if given, its preset in
    it; a drum kit bank moves the track to the percussion channel and back."""
    track = project.tracks.get(track_id)
    if track is None:
        raise PaletteError("that track is not in the project any more")
    bank = track.bank if bank is None else bank
    program = track.program if program is None else program
    if not 0 <= bank <= 16383 or not 0 <= program <= 127:
        raise PaletteError(f"bank {bank}, program {program} is not a preset")
    new = replace(track, soundfont=soundfont, bank=bank, program=program)
    drums = palette.is_drum_kit(bank)
    if drums != (track.channel == palette.DRUM_CHANNEL):
        new = replace(new, channel=track_edits.next_free_channel(project, drums, ignore=track.id))
    return [] if new == track else [EntityChange(track, new)]


__all__ = ["Template", "TemplateTrack", "BUILTIN", "plan", "apply_step", "template_from_tracks",
           "PaletteError", "Step", "set_soundfont", "Change"]
