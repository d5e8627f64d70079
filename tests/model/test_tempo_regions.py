"""Where each tempo map is in force: the same rule as the transport bar's (``tempo_at``)."""

from __future__ import annotations

from cuesketch.model.entities import Cue, Settings
from cuesketch.model.project import Project
from cuesketch.model.tempo_edits import MapRef
from cuesketch.model.tempo_regions import regions_between, regions_in_force
from cuesketch.timing.position import tempo_at
from cuesketch.timing.tempo import TempoMap


def test_the_regions_follow_the_tempo_in_force_everywhere() -> None:
    slow, fast, other = TempoMap.constant(60), TempoMap.constant(180), TempoMap.constant(90)
    cues = [Cue(1, "1M1", 100, 400, tempo=slow), Cue(2, "1M2", 150, 500, tempo=fast),
            Cue(3, "1M3", 0, 50), Cue(4, "1M4", 600, 700, tempo=other),
            Cue(5, "1M5", 700, 800, tempo=other)]
    project = Project()
    project.load(Settings(), cues)
    regions = regions_in_force(project)
    assert [r.ref for r in regions] == [MapRef(), MapRef(1), MapRef(2), MapRef(), MapRef(4),
                                        MapRef(5), MapRef()]
    fpf = project.settings.rate.flicks_per_frame
    for frame in range(-10, 900, 7):
        t = frame * fpf
        (region,) = [r for r in regions if r.holds(t)]
        assert region.tempo is tempo_at(t, project.settings, project.cues.values())
    assert regions[1].start == 100 * fpf and regions[1].end == 400 * fpf
    assert regions[1].name == "1M1" and regions[0].start is None and regions[-1].end is None
    assert [r.ref for r in regions_between(project, 390 * fpf, 450 * fpf)] == [
        MapRef(1), MapRef(2)]


def test_without_cue_maps_one_region() -> None:
    project = Project()
    project.load(Settings(), [Cue(1, "1M1", 0, 100)])
    (region,) = regions_in_force(project)
    assert region.tempo is project.settings.tempo and region.holds(-10**12)
