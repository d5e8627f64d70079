"""Untrusted themes (a JSON export, a damaged file, the personal library): whatever the values,
reading one either gives a theme or says what is wrong (FormatError), never anything else."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings, strategies as st

from cuesketch.model.entities import Theme, ThemeUse
from cuesketch.store.codec import FormatError, entity_from_dict, entity_to_dict
from cuesketch.store.user_library import LibraryError, loads

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=5),
    max_leaves=20)
GOOD = entity_to_dict(Theme(1, "A"))
FIELDS = sorted(GOOD)


def _mutated(base: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    d = dict(base)
    for key in data.draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
        d[key] = data.draw(json_values)
    return d


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_a_theme_with_any_values_reads_or_is_refused_in_words(data: st.DataObject) -> None:
    d = _mutated(GOOD, data)
    if data.draw(st.booleans()):
        d["snippet"] = {"bpm": data.draw(json_values), "meter": data.draw(json_values),
                        "notes": data.draw(st.lists(st.lists(json_values, max_size=5),
                                                    max_size=4)),
                        "length": data.draw(json_values)}
    try:
        assert isinstance(entity_from_dict(Theme, d), Theme)
    except FormatError:
        pass


@settings(max_examples=60, deadline=None)
@given(json_values, json_values, json_values)
def test_a_use_with_any_transform_reads_or_is_refused(transform: Any, ids: Any, start: Any) -> None:
    d = {"id": 1, "theme_id": 1, "track_id": 1, "start": start, "transform": transform,
         "note_ids": ids}
    try:
        assert isinstance(entity_from_dict(ThemeUse, d), ThemeUse)
    except FormatError:
        pass


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_a_library_of_anything_reads_or_is_refused(value: Any) -> None:
    import json
    text = json.dumps({"format": "cuesketch-library", "version": 1, "themes": value,
                       "palettes": value}, default=str)
    try:
        loads(text)
    except LibraryError:
        pass
