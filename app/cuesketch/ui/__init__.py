"""The Qt skin: widgets that observe the model and the transport, and send commands."""
