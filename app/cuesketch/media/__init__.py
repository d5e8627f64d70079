"""The film: facts from ffprobe, frame-accurate proxies, playback that follows the transport.

No Qt here: the picture reaches the window as frames (pixels + the frame number shown).
"""
