"""File formats exchanged with other tools: Standard MIDI Files, markers, interchange."""
