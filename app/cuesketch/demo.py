"""The demo project: the Big Buck Bunny trailer, spotted, with a short sketch on two tracks.

Big Buck Bunny (c) Blender Foundation, CC-BY 3.0 (peach.blender.org).
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from cuesketch import paths
from cuesketch.model.entities import Cue, Hit, HitKind, Media, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND

CREDIT = "Big Buck Bunny (c) Blender Foundation, CC-BY 3.0 (peach.blender.org)"
RATE = STANDARD_RATES["24"]
BPM = 80
BEAT = FLICKS_PER_SECOND * 60 // BPM  # flicks per quarter note

CUES = [  # name, start frame, end frame, title, spotting notes
    ("1M1", 0, 216, "Peach Project", "Pastoral, strings alone; lift on the title card."),
    ("1M2", 216, 360, "An Unlucky Bird", "Comic, pizzicato; silence under the yawn."),
    ("1M3", 360, 792, "The Bunny", "Warm low strings; he stretches into the sun."),
    ("1M4", 792, 1152, "Rodent Pests", "Mischief: woodwinds, muted brass, light percussion."),
    ("1M5", 1152, 1230, "Revenge", "Low brass hit on the close-up, then nothing."),
]
HITS = [  # frame, name, kind
    (144, "Title card", HitKind.SOFT),
    (593, "Cut: bunny in the sun", HitKind.CUT),
    (864, "Cut: the pests", HitKind.CUT),
    (900, "Bunny turns", HitKind.SOFT),
    (988, "Cut: the tree", HitKind.CUT),
    (1049, "Cut: the meadow", HitKind.CUT),
    (1152, "Revenge is coming", HitKind.HARD),
]
# 1M1, strings: a chord every bar (4 beats at 80 bpm = 3 s), C - Am - F - G - C
CHORDS = [(48, 55, 64, 67), (45, 57, 60, 64), (41, 53, 60, 69), (43, 55, 62, 71), (48, 55, 64, 72)]


def build_demo(film: Path | None = None, project_path: Path | None = None) -> Project:
    """The demo in memory; with ``project_path``, the film is linked relative to it, with its
    content hash, so it can be found again if the folder moves."""
    from cuesketch.store.relink import media_for

    project = Project()
    film = film or paths.demo_film()
    media = media_for(project_path, film) if project_path else Media(str(film))
    project.settings = Settings(
        title="Big Buck Bunny: trailer sketch",
        rate=RATE,
        start_frame=86400,  # 01:00:00:00
        tempo=TempoMap(0, (TempoChange(Fraction(0), Fraction(BPM)),), (MeterChange(0, 4, 4),)),
        media=media,
    )
    strings = Track(project.new_id(Track), "Strings", program=48, volume=0.75, color="#4f9dde",
                    order=0, channel=0)
    brass = Track(project.new_id(Track), "Low Brass", program=57, volume=0.85, color="#e0923a",
                  order=1, channel=1)
    entities: list = [strings, brass]
    for i, chord in enumerate(CHORDS):
        for pitch in chord:
            entities.append(Note(project.new_id(Note), strings.id, i * 4 * BEAT + BEAT // 8,
                                 4 * BEAT - BEAT // 4, pitch, 70 + (pitch % 5) * 4))
    # The brass lands on the hits: the cut at 593 and the close-up at 1152.
    hits: tuple[tuple[int, tuple[int, ...], int], ...] = ((593, (36, 43), 2 * BEAT),
                                                         (1152, (29, 36, 41), 3 * BEAT))
    for frame, pitches, length in hits:
        for pitch in pitches:
            entities.append(Note(project.new_id(Note), brass.id, RATE.frame_to_flicks(frame),
                                 length, pitch, 112))
    for name, start, end, title, notes in CUES:
        entities.append(Cue(project.new_id(Cue), name, start, end, None, title, notes))
    for frame, name, kind in HITS:
        entities.append(Hit(project.new_id(Hit), frame, name, kind))
    project.load(project.settings, entities)
    return project


def ensure_demo(path: Path | None = None) -> Path:
    """The demo project in the user's data folder, made on first start."""
    from cuesketch.store.project_file import ProjectFile

    path = path or paths.data_dir() / "demo.cuesketch"
    if not path.exists():
        tmp = path.with_name(path.name + ".tmp")
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
        project = build_demo(project_path=path)
        pf = ProjectFile.create(tmp, project.settings)
        pf.write_all(project)
        pf.close()
        os.replace(tmp, path)
    return path
