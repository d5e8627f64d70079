"""File ▸ Export Stems…: the choices, a progress bar per cue, and Cancel that leaves nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))
from test_stems import project  # noqa: E402

from cuesketch.engine import soundfonts  # noqa: E402
from cuesketch.model.entities import Cue  # noqa: E402
from cuesketch.model.project import Project  # noqa: E402
from cuesketch.ui.stems_dialog import StemsDialog  # noqa: E402

pytestmark = pytest.mark.skipif(soundfonts.find_default() is None,
                                reason="no General MIDI SoundFont installed")


def two_cues() -> Project:
    one = project()
    p = Project()
    p.load(one.settings, list(one.tracks.values()) + list(one.notes.values())
           + list(one.cues.values()) + [Cue(2, "1M4", 200, 230, title="Chase")])
    return p


def test_export_with_the_dialogs_choices_and_a_bar_per_cue(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "stems"
    dialog = StemsDialog(two_cues(), ["1M4 v2 to the director"], out)
    qtbot.addWidget(dialog)
    assert [dialog.cues.item(i).text() for i in range(dialog.cues.count())] == [
        "1M3", "1M4 — Chase"]
    dialog.cues.item(0).setCheckState(Qt.CheckState.Unchecked)
    dialog.handles.setValue(0.5)
    dialog.click.setChecked(True)
    dialog.jobs.setValue(1)
    posted: list[str] = []
    dialog.finishedExport.connect(posted.append)
    dialog.start()
    assert list(dialog.bars) == ["1M4"]
    qtbot.waitUntil(lambda: bool(posted), timeout=60_000)
    assert dialog.report is not None and dialog.bars["1M4"].value() == 1000
    assert sorted(p.name for p in (out / "1M4").iterdir()) == [
        "1M4_v2.mid", "1M4_v2_BRS.wav", "1M4_v2_CHOIR.wav", "1M4_v2_CLICK.wav",
        "1M4_v2_MIX.wav", "1M4_v2_STR.wav"]
    assert not (out / "1M3").exists() and (out / "manifest.csv").is_file()
    assert posted[0].startswith("Exported 5 stems of 1M4 to")


def test_cancel_leaves_no_partial_files(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "stems"
    dialog = StemsDialog(two_cues(), [], out)
    qtbot.addWidget(dialog)
    dialog.jobs.setValue(1)
    posted: list[str] = []
    dialog.finishedExport.connect(posted.append)
    dialog.start()
    assert dialog.running
    dialog.stop()  # the Cancel button
    qtbot.waitUntil(lambda: bool(posted), timeout=60_000)
    assert posted[0].startswith("stems cancelled")
    files = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert not [p for p in files if p.name.startswith(".")]  # no temporary file is left
    for folder in {p.parent for p in files if p.suffix == ".wav"}:  # a cue there is whole
        assert len(list(folder.iterdir())) == 5, folder  # STR BRS CHOIR MIX and the .mid
    assert "not written" in posted[0]  # says which cues were not written


def test_no_cue_ticked_is_said_plainly(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = StemsDialog(two_cues(), [], tmp_path)
    qtbot.addWidget(dialog)
    for i in range(dialog.cues.count()):
        dialog.cues.item(i).setCheckState(Qt.CheckState.Unchecked)
    dialog.start()
    assert dialog.status.text() == "Tick at least one cue." and not dialog.running
