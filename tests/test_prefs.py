from cuesketch import prefs


def test_round_trip_and_damaged_values_fall_back() -> None:
    store: dict[str, str] = {}
    p = prefs.Preferences(midi_inputs=["Keystation 49"], audio_buffer=256, film_volume=0.5)
    prefs.save(p, store)
    assert prefs.load(store) == p
    store["audio_buffer"] = "not json"
    store["film_volume"] = '"loud"'
    loaded = prefs.load(store)
    assert loaded.audio_buffer == 512 and loaded.film_volume == 0.8
    assert loaded.midi_inputs == ["Keystation 49"]
