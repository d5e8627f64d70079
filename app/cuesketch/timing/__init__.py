"""Exact time: frame rates, timecode, tempo maps. Pure Python, no Qt."""
