"""The personal library: themes and palettes kept between projects, written atomically, and a
damaged file said in words."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from cuesketch.model import palette_templates as pt
from cuesketch.model.entities import Theme
from cuesketch.model.theme_values import Key, Mode, Snippet, SnippetNote
from cuesketch.store import user_library as ul

THEME = Theme(7, "Anna", "the heroine", snippet=Snippet((SnippetNote(Fraction(0), Fraction(1), 62),
                                                          SnippetNote(Fraction(1), Fraction(3, 2), 65))),
              key=Key(2, Mode.MINOR), color="#ff00ff", notes="tender")


def test_themes_and_palettes_come_back(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    lib = ul.load(path)
    assert lib.themes == [] and len(lib.all_palettes()) == len(pt.BUILTIN)
    kept = lib.put_theme(THEME)
    lib.put_palette(pt.Template("Duo", (pt.TemplateTrack("Cello", "strings", 0, 42, 0.7, 0.3),)))
    ul.save(lib, path)
    again = ul.load(path)
    assert again.themes == [kept] and again.theme("anna").snippet == THEME.snippet
    assert again.palette("duo").tracks[0].program == 42
    assert not list(tmp_path.glob(".*.tmp"))
    again.put_theme(THEME)  # the same name replaces
    assert len(again.themes) == 1


@pytest.mark.parametrize("text, words", [
    ("not json", "not readable JSON"),
    ('{"format": "other"}', "not a Cuesketch library"),
    ('{"format": "cuesketch-library", "version": 9}', "newer Cuesketch"),
    ('{"format": "cuesketch-library", "version": 1, "themes": [{"name": "A", "snippet": 3}]}',
     "damaged entry"),
    ('{"format": "cuesketch-library", "version": 1, "palettes": [{"name": "P", "tracks": '
     '[{"name": "x", "bank": 0, "program": 400, "volume": 1, "pan": 0}]}]}', "program"),
    ('{"format": "cuesketch-library", "version": 1, "palettes": [{"name": "P", "tracks": '
     '[{"name": "x", "bank": 0, "program": 4, "volume": 1, "pan": 0, "color": "red; x"}]}]}',
     "color must be #rrggbb"),
])
def test_a_damaged_library_is_said_in_words(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "library.json"
    path.write_text(text)
    with pytest.raises(ul.LibraryError, match=words):
        ul.load(path)
