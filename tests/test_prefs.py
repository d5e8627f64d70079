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


def test_streamer_length_and_pre_roll_are_kept_in_their_range() -> None:
    store: dict[str, str] = {}
    p = prefs.Preferences(streamer_seconds=3.5, pre_roll_seconds=2.0)
    prefs.save(p, store)
    assert prefs.load(store) == p
    assert prefs.pre_roll_flicks(p) == 2 * 705_600_000
    store["streamer_seconds"], store["pre_roll_seconds"] = "-4", "NaN"
    loaded = prefs.load(store)
    assert (loaded.streamer_seconds, loaded.pre_roll_seconds) == (0.5, 0.0)
    assert prefs.load({}).pre_roll_seconds == 0.0  # off until chosen
