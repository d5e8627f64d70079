"""The instrument palette: General MIDI presets grouped the way an orchestrator thinks of them.

Each family has a default track color, so a score's sections read at a glance in the roll.
Every melodic GM program (0..127) is in exactly one family; the drum kits are bank 128, the
bank FluidSynth (and GM2/GS players) give a percussion channel: a track playing one sits on
MIDI channel 10 (``DRUM_CHANNEL``, 9 from 0), where a GM file puts drums.

    family = family_of(track.bank, track.program)
    name = preset_label(track.bank, track.program)

A new project starts with ``STARTER_TRACKS``: one track per section a sketch reaches for
first (strings, brass, woodwinds, piano, percussion), each in its family's colour, placed
left to right roughly as an orchestra sits.
"""

from __future__ import annotations

from dataclasses import dataclass

DRUM_BANK = 128  # FluidSynth's percussion bank (the synth's DRUM_BANK, kept here Qt- and C-free)
DRUM_CHANNEL = 9  # GM's channel 10


@dataclass(frozen=True)
class Instrument:
    bank: int
    program: int  # 0-based, as in the SoundFont (GM charts count from 1)
    name: str

    @property
    def drums(self) -> bool:
        return is_drum_kit(self.bank)


@dataclass(frozen=True)
class Family:
    name: str
    color: str  # "#rrggbb"
    instruments: tuple[Instrument, ...]


def _gm(*pairs: tuple[int, str]) -> tuple[Instrument, ...]:
    return tuple(Instrument(0, p, n) for p, n in pairs)


def _kits(*pairs: tuple[int, str]) -> tuple[Instrument, ...]:
    return tuple(Instrument(DRUM_BANK, p, n) for p, n in pairs)


# Within a family: the sections a film score reaches for first, then the rest.
FAMILIES: tuple[Family, ...] = (
    Family("Strings", "#4f9dde", _gm(
        (48, "String Ensemble 1"), (49, "String Ensemble 2 (slow)"), (44, "Tremolo Strings"),
        (45, "Pizzicato Strings"), (40, "Violin"), (41, "Viola"), (42, "Cello"),
        (43, "Contrabass"), (46, "Orchestral Harp"), (50, "Synth Strings 1"),
        (51, "Synth Strings 2"), (55, "Orchestra Hit"))),
    Family("Brass", "#e0923a", _gm(
        (61, "Brass Section"), (60, "French Horn"), (56, "Trumpet"), (59, "Muted Trumpet"),
        (57, "Trombone"), (58, "Tuba"), (62, "Synth Brass 1"), (63, "Synth Brass 2"))),
    Family("Woodwinds", "#5cb85c", _gm(
        (73, "Flute"), (72, "Piccolo"), (68, "Oboe"), (69, "English Horn"), (71, "Clarinet"),
        (70, "Bassoon"), (74, "Recorder"), (75, "Pan Flute"), (76, "Blown Bottle"),
        (77, "Shakuhachi"), (78, "Whistle"), (79, "Ocarina"), (64, "Soprano Sax"),
        (65, "Alto Sax"), (66, "Tenor Sax"), (67, "Baritone Sax"))),
    Family("Percussion", "#d0504d", _kits(
        (48, "Orchestra Kit"), (0, "Standard Kit"), (8, "Room Kit"), (16, "Power Kit"),
        (24, "Electronic Kit"), (25, "TR-808 Kit"), (32, "Jazz Kit"), (40, "Brush Kit"),
        (56, "Sound FX Kit")) + _gm(
        (47, "Timpani"), (9, "Glockenspiel"), (11, "Vibraphone"), (12, "Marimba"),
        (13, "Xylophone"), (14, "Tubular Bells"), (112, "Tinkle Bell"), (113, "Agogo"),
        (114, "Steel Drums"), (115, "Woodblock"), (116, "Taiko Drum"), (117, "Melodic Tom"),
        (118, "Synth Drum"), (119, "Reverse Cymbal"))),
    Family("Keys", "#9b7fd4", _gm(
        (0, "Acoustic Grand Piano"), (1, "Bright Acoustic Piano"), (2, "Electric Grand Piano"),
        (3, "Honky-tonk Piano"), (4, "Electric Piano 1"), (5, "Electric Piano 2"),
        (6, "Harpsichord"), (7, "Clavinet"), (8, "Celesta"), (10, "Music Box"),
        (16, "Drawbar Organ"), (17, "Percussive Organ"), (18, "Rock Organ"),
        (19, "Church Organ"), (20, "Reed Organ"))),
    Family("Synth", "#36b8c4", _gm(
        (89, "Warm Pad"), (88, "New Age Pad"), (90, "Polysynth Pad"), (92, "Bowed Pad"),
        (93, "Metallic Pad"), (94, "Halo Pad"), (95, "Sweep Pad"), (80, "Square Lead"),
        (81, "Sawtooth Lead"), (82, "Calliope Lead"), (83, "Chiff Lead"), (84, "Charang Lead"),
        (85, "Voice Lead"), (86, "Fifths Lead"), (87, "Bass + Lead"), (38, "Synth Bass 1"),
        (39, "Synth Bass 2"), (96, "FX Rain"), (97, "FX Soundtrack"), (98, "FX Crystal"),
        (99, "FX Atmosphere"), (100, "FX Brightness"), (101, "FX Goblins"), (102, "FX Echoes"),
        (103, "FX Sci-fi"))),
    Family("Choir", "#e3c341", _gm(
        (52, "Choir Aahs"), (53, "Voice Oohs"), (54, "Synth Voice"), (91, "Choir Pad"))),
    Family("Guitars and plucked", "#b5834f", _gm(
        (24, "Nylon Guitar"), (25, "Steel Guitar"), (26, "Jazz Guitar"),
        (27, "Clean Electric Guitar"), (28, "Muted Electric Guitar"), (29, "Overdriven Guitar"),
        (30, "Distortion Guitar"), (31, "Guitar Harmonics"), (32, "Acoustic Bass"),
        (33, "Fingered Bass"), (34, "Picked Bass"), (35, "Fretless Bass"), (36, "Slap Bass 1"),
        (37, "Slap Bass 2"))),
    Family("Ethnic and folk", "#d46fa6", _gm(
        (104, "Sitar"), (105, "Banjo"), (106, "Shamisen"), (107, "Koto"), (108, "Kalimba"),
        (15, "Dulcimer"), (110, "Fiddle"), (109, "Bagpipe"), (111, "Shanai"),
        (21, "Accordion"), (23, "Tango Accordion"), (22, "Harmonica"))),
    Family("Sound effects", "#8a9099", _gm(
        (120, "Guitar Fret Noise"), (121, "Breath Noise"), (122, "Seashore"),
        (123, "Bird Tweet"), (124, "Telephone Ring"), (125, "Helicopter"), (126, "Applause"),
        (127, "Gunshot"))),
)

DEFAULT_COLOR = "#8a9099"  # a preset no family holds (another bank of the SoundFont)

_BY_PRESET: dict[tuple[int, int], tuple[Family, Instrument]] = {
    (i.bank, i.program): (f, i) for f in FAMILIES for i in f.instruments}


def is_drum_kit(bank: int) -> bool:
    return bank == DRUM_BANK


def find(bank: int, program: int) -> Instrument | None:
    hit = _BY_PRESET.get((bank, program))
    return hit[1] if hit else None


def family_of(bank: int, program: int) -> Family | None:
    """The family of a preset; another bank's variation (bank 8: "Slow Violin") is in its GM
    program's family, another drum kit in Percussion."""
    hit = _BY_PRESET.get((bank, program)) or _BY_PRESET.get(
        (bank, 0) if is_drum_kit(bank) else (0, program))
    return hit[0] if hit else None


def color_of(bank: int, program: int) -> str:
    family = family_of(bank, program)
    return family.color if family else DEFAULT_COLOR


def preset_label(bank: int, program: int, soundfont_name: str | None = None) -> str:
    """What to call a preset: the palette's name, else the SoundFont's, else its numbers."""
    known = find(bank, program)
    if known is not None:
        return known.name
    if soundfont_name:
        return soundfont_name
    return f"Bank {bank}, program {program}"  # 0-based, as SoundFont tools number them


def family(name: str) -> Family:
    for f in FAMILIES:
        if f.name.lower() == name.lower():
            return f
    raise KeyError(f"no instrument family '{name}' (families: "
                   f"{', '.join(f.name for f in FAMILIES)})")


@dataclass(frozen=True)
class StarterTrack:
    """A track a new project starts with (not a stem section: see ``model.sections``)."""

    name: str
    bank: int
    program: int
    volume: float = 0.8
    pan: float = 0.0  # -1 left .. +1 right


STARTER_TRACKS: tuple[StarterTrack, ...] = (
    StarterTrack("Strings", 0, 48, 0.8, -0.25),  # String Ensemble 1
    StarterTrack("Brass", 0, 61, 0.7, 0.3),  # Brass Section
    StarterTrack("Woodwinds", 0, 73, 0.7, 0.1),  # Flute
    StarterTrack("Piano", 0, 0, 0.7, 0.0),  # Acoustic Grand Piano
    StarterTrack("Percussion", DRUM_BANK, 48, 0.75, 0.0),  # Orchestra Kit: timpani, cymbals, drums
)
