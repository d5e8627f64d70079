"""The engine: the transport clock, the synth and its scheduler, MIDI input and recording."""
