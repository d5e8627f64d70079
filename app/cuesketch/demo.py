"""The demo project: the Big Buck Bunny trailer, spotted, with a short sketch on two tracks.

The demo lives in the user's data folder with its film beside it (``DEMO_FILM``): a copy (a
hard link where the file system allows) of the one in ``resources/``, so moving or deleting the
Cuesketch it was first started from leaves the demo whole. Each start checks it
(``ensure_demo``): a film gone is put back, from ``resources/`` or wherever the project still
finds it, and the project relinked to it (what was recorded in the demo stays); a demo whose
film is another one than Cuesketch now ships is built again.

Big Buck Bunny (c) Blender Foundation, CC-BY 3.0 (peach.blender.org).
"""

from __future__ import annotations

import os
import shutil
import sys
from fractions import Fraction
from pathlib import Path

from cuesketch import paths
from cuesketch.files import content_hash, replacing
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


DEMO_FILM = "trailer_bbb.mp4"  # the film's name beside the demo project


class DemoError(RuntimeError):
    """The demo's film could not be put beside it (said in plain words)."""


def ensure_demo(path: Path | None = None, film: Path | None = None) -> Path:
    """The demo project (by default in the user's data folder), its film beside it: made on
    first start, its film put back and relinked when gone, built again when it is for another
    film than ``film`` (default: the one in ``resources/``). Never raises for the film: a demo
    whose film can't be restored opens saying the film is missing."""
    from cuesketch.store.project_file import ProjectFile, ProjectFileError

    path = path or paths.data_dir() / "demo.cuesketch"
    source = film or paths.demo_film()
    beside = path.with_name(DEMO_FILM)
    if not path.exists():
        _place_film([source], beside)
        _build(path, beside if beside.is_file() else source)
        return path
    try:
        with ProjectFile.open(path, read_only=True) as pf:
            settings = pf.load().settings
    except ProjectFileError:
        return path  # the window says what is wrong, and offers a recovered copy
    media = settings.media
    if media is None:
        return path  # linked to nothing on purpose (the film was removed by hand)
    restored = _restore_film(path, media, source, beside)
    if restored is None:
        if source.is_file() and media.content_hash and \
                content_hash(source) != media.content_hash:
            _rebuild(path, source, beside)  # a demo made for another film
        return path
    _relink(path, restored)
    return path


def _restore_film(path: Path, media: Media, source: Path, beside: Path) -> Path | None:
    """The demo's film beside it: already there, or put there from wherever it is found by its
    content (``resources/``, the place the project links). None when it is nowhere."""
    from cuesketch.store.relink import film_path, find_by_hash

    linked = film_path(path, media)
    found = find_by_hash(media, [beside, source, linked])
    if found is None:
        return None
    if found != beside:
        try:
            _place_film([found], beside)
        except DemoError as e:
            print(f"cuesketch: {e}; the demo uses {found} where it is", file=sys.stderr)
            return found
    return beside


def _place_film(sources: list[Path], beside: Path) -> None:
    """Put the first existing of ``sources`` at ``beside``: a hard link, else a copy, whole or
    not at all."""
    for source in sources:
        if not source.is_file():
            continue
        if beside.is_file() and beside.resolve() == source.resolve():
            return
        with replacing(beside, DemoError) as tmp:
            try:
                os.link(source, tmp)
            except OSError:  # another file system, or links not allowed: a copy
                shutil.copyfile(source, tmp)
        return


def _relink(path: Path, film: Path) -> None:
    """Link the demo project to ``film`` when it links anything else (one settings change;
    the notes and edits in it stay). Left alone when another Cuesketch has it open."""
    from cuesketch.model.document import Document
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.store.relink import check_link, film_path, relink

    try:
        with ProjectFile.open(path) as pf:
            if pf.read_only or pf.damaged:
                return
            document = Document(pf.load(), sink=pf)
            settings = document.project.settings
            media = settings.media
            if media is not None and film_path(path, media) == film.resolve() and \
                    check_link(path, media).same:
                return
            document.set_settings(relink(settings, path, film), "Relink film")
    except (ProjectFileError, OSError) as e:
        print(f"cuesketch: the demo's film could not be relinked: {e}", file=sys.stderr)


def _rebuild(path: Path, source: Path, beside: Path) -> None:
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    try:
        _place_film([source], beside)
        ProjectFile.write_new(path, build_demo(beside, path), overwrite=True)
    except (DemoError, ProjectFileError, OSError) as e:
        print(f"cuesketch: the demo could not be made again: {e}", file=sys.stderr)


def _build(path: Path, film: Path) -> None:
    from cuesketch.store.project_file import ProjectFile

    ProjectFile.write_new(path, build_demo(film, project_path=path), overwrite=True)
