"""The transport bar: play, stop, record; the position in timecode and bars|beats; the rate."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.timing.position import position_texts


class TransportBar(QWidget):
    REFRESH_MS = 33  # the display follows the clock at ~30 Hz; the clock itself is exact

    def __init__(self, document: Document, transport: Transport,
                 actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.transport = transport
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        for name in ("transport.start", "transport.play", "transport.stop", "transport.record"):
            button = QToolButton(self)
            button.setDefaultAction(actions[name])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            layout.addWidget(button)
        layout.addSpacing(16)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(20)
        mono.setBold(True)
        self.timecode = QLabel("00:00:00:00", self)
        self.timecode.setFont(mono)
        self.timecode.setObjectName("timecode")
        self.timecode.setToolTip("Position in SMPTE timecode")
        small = QFont(mono)
        small.setPointSize(14)
        small.setBold(False)
        self.bars = QLabel("1|1|000", self)
        self.bars.setFont(small)
        self.bars.setToolTip("Position in bars|beats|ticks")
        self.rate = QLabel(self)
        self.rate.setToolTip("Project frame rate")
        self.state = QLabel(self)
        for w in (self.timecode, self.bars):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(w)
            layout.addSpacing(12)
        layout.addWidget(self.rate)
        layout.addStretch(1)
        layout.addWidget(self.state)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(self.REFRESH_MS)
        self.refresh()

    def refresh(self) -> None:
        settings = self.document.project.settings
        tc, bbt = position_texts(self.transport.position(), settings,
                                 self.document.project.cues.values())
        if tc != self.timecode.text():
            self.timecode.setText(tc)
        if bbt != self.bars.text():
            self.bars.setText(bbt)
        rate = f"{settings.rate.name} fps"
        if rate != self.rate.text():
            self.rate.setText(rate)
        t = self.transport
        state = ("● REC" if t.recording else "▶ PLAY" if t.playing else "■ STOP")
        if t.playing and t.speed != 1.0:
            state += f" ×{t.speed:g}"
        if t.loop is not None:
            state += "  · LOOP"
        if state != self.state.text():
            self.state.setText(state)
            self.state.setStyleSheet("color: #d33; font-weight: bold;" if t.recording else "")
