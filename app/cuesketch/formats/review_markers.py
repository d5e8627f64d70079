"""Notes from review sites, as a reply: Frame.io comments exported as a marker EDL, a Vimeo
review CSV, or any marker file the marker importers read (``formats.markers_io``).

Each marker becomes a note at its frame (a marker with a length: a range), its comment the
note's text; the cue is the one the note falls in. Its uuid is made from the file's name, the
frame and the text, so importing the same export twice changes nothing, as with a reply.
The film is not known (a site's export does not say which cut): such notes are never flagged.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from cuesketch.formats.markers_common import MarkerFormatError, to_project
from cuesketch.formats.markers_io import read_markers
from cuesketch.model.entities import Cue, Settings
from cuesketch.model.review import MAX_REVIEW_NOTES, DirectorNote, ReplyContent

__all__ = ["reply_from_markers", "is_marker_file", "MarkerFormatError"]


def is_marker_file(path: Path) -> bool:
    """A review site's export rather than a Cuesketch reply (which is SQLite, .cuereply)."""
    if Path(path).suffix.lower() == ".cuereply":
        return False
    try:
        with open(path, "rb") as f:
            return not f.read(16).startswith(b"SQLite format 3")
    except OSError:
        return False  # the reply reader says what is wrong


def reply_from_markers(path: Path, settings: Settings, cues: list[Cue],
                       site: str = "") -> ReplyContent:
    """The markers of ``path`` as a reply; MarkerFormatError in plain words if unreadable."""
    path = Path(path)
    spotted = to_project(read_markers(path, settings.rate), settings)
    if len(spotted) > MAX_REVIEW_NOTES:
        raise MarkerFormatError(f"more than {MAX_REVIEW_NOTES} markers in {path.name}")
    who = site or path.stem
    notes = []
    for m in spotted:
        text = " — ".join(p for p in (m.name.strip(), m.note.strip()) if p) or "(marker)"
        end = m.frame + m.length - 1 if m.length > 1 else None
        cue = next((c.name for c in cues if c.start_frame <= m.frame < c.end_frame), "")
        key = f"cuesketch-marker-note:{path.name}:{m.frame}:{m.length}:{text}"
        notes.append(DirectorNote(str(uuid.uuid5(uuid.NAMESPACE_URL, key)), cue, "", who, "",
                                  text, m.frame, end))
    return ReplyContent(f"markers:{path.name}", who, "", tuple(notes))
