"""File ▸ Export Preview Movie…: the choices, a progress bar with the time left, and Cancel
that leaves no file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from preview_rig import SyncRig, sync_rig

from cuesketch.engine import soundfonts
from cuesketch.ui.preview_dialog import PreviewDialog, time_left_text

pytestmark = [pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="no ffmpeg"),
              pytest.mark.skipif(soundfonts.find_default() is None,
                                 reason="no General MIDI SoundFont installed")]


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> SyncRig:
    return sync_rig(tmp_path_factory.mktemp("preview-dialog"), "24", hits=4, seconds=6.0,
                    size=(160, 90), offset_frames=0, cue_margin=1.0)


def dialog_for(qtbot, rig: SyncRig, folder: Path, **kw: object) -> PreviewDialog:  # type: ignore[no-untyped-def]
    dialog = PreviewDialog(rig.project, rig.project_path, ["1M1 v3 to the director"], folder,
                           **kw)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    return dialog


def test_export_with_the_dialogs_choices(qtbot, rig: SyncRig, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = dialog_for(qtbot, rig, tmp_path, cue="1M1")
    assert dialog.cue_choice.isChecked() and dialog.cue_box.currentData() == "1M1"
    assert dialog.path.text() == str(tmp_path / "1M1_v3.mp4")  # the snapshot's version
    cue = rig.project.cues[1]
    assert dialog.range_in.text() == "01:00:01:00" and cue.start_frame == 24
    dialog.version.setText("v4")
    dialog.format.setCurrentIndex(dialog.format.findData("mov"))
    assert dialog.path.text() == str(tmp_path / "1M1_v4.mov")
    dialog.handles.setValue(0.5)
    dialog.watermark.setText("For R. Smith")
    dialog.streamers.setChecked(True)
    dialog.film_sound.setChecked(False)
    options = dialog.options()
    assert (options.cue, options.handles, options.film_level, options.format,
            options.watermark, options.streamers, options.loudness) == (
        "1M1", 0.5, None, "mov", "For R. Smith", True, -23.0)
    posted: list[str] = []
    dialog.finishedExport.connect(posted.append)
    dialog.start()
    assert not dialog.export_button.isEnabled()
    assert not dialog.watermark.isEnabled() and not dialog.cue_box.isEnabled()
    qtbot.waitUntil(lambda: bool(posted), timeout=120_000)
    assert dialog.result_ is not None, posted
    assert dialog.bar.value() == 1000
    assert (tmp_path / "1M1_v4.mov").is_file()
    assert posted[0].startswith("Exported the preview of cue 1M1 (Sync) (v4) to")


def test_cancel_leaves_no_file(qtbot, rig: SyncRig, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = dialog_for(qtbot, rig, tmp_path)
    dialog.all_choice.setChecked(True)
    assert dialog.path.text() == str(tmp_path / "Sync-24-preview_v1.mp4")
    posted: list[str] = []
    dialog.finishedExport.connect(posted.append)
    dialog.start()
    dialog.stop()  # Cancel while it runs
    assert dialog.status.text() == "Cancelling…"
    qtbot.waitUntil(lambda: bool(posted), timeout=60_000)
    assert posted == ["the preview was cancelled; no file was written"]
    assert list(tmp_path.iterdir()) == []


def test_a_bad_range_is_said_in_the_dialog(qtbot, rig: SyncRig, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = dialog_for(qtbot, rig, tmp_path)
    dialog.range_choice.setChecked(True)
    dialog.range_in.setText("01:00:00:00")
    dialog.range_out.setText("01:05:00:00")
    posted: list[str] = []
    dialog.finishedExport.connect(posted.append)
    dialog.start()
    qtbot.waitUntil(lambda: bool(posted), timeout=30_000)
    assert "is not all in the film" in dialog.status.text()
    assert dialog.export_button.isEnabled() and list(tmp_path.iterdir()) == []
    assert dialog.range_in.isEnabled() and dialog.film_level.isEnabled()


def test_time_left_in_words() -> None:
    assert time_left_text(None) == "working out the time left…"
    assert time_left_text(42.4) == "about 42 s left"
    assert time_left_text(125) == "about 2:05 left"
