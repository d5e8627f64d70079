"""Find Tempo: the steady tempo, or the tempo map with the fewest changes, that catches a cue's
hits, found exactly (see ``problem`` for what is asked and how a hit is measured, ``sweep`` for
the exact sweep, ``constant`` for one tempo, ``mapsearch`` for maps, ``freemeter`` and ``bars``
for maps whose bars may change length, ``report`` for what each hit gets)."""

from cuesketch.timing.tempo_fit.constant import Score, TempoInterval, constant_intervals
from cuesketch.timing.tempo_fit.mapsearch import FitMap, best_map
from cuesketch.timing.tempo_fit.problem import (
    FitError,
    FitHit,
    FitProblem,
    Grid,
    Status,
    merge_same_frame,
    parse_meters,
)

__all__ = ["FitError", "FitHit", "FitProblem", "FitMap", "Grid", "Score", "Status",
           "TempoInterval", "best_map", "constant_intervals", "merge_same_frame",
           "parse_meters"]
