"""Cuesketch: sketch film music against picture, to the frame."""

__version__ = "0.1.0"
