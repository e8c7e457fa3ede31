"""New session: individual or paired, participants, input device with a live level test,
channel-to-speaker mapping. Start stays disabled, with the reason shown, until all is in order.
Importing a multi-channel file asks who speaks into each of its channels, as recording does."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from recorder.core import appconfig
from recorder.core.audio.devices import InputDevice, choose_sample_rate, list_input_devices
from recorder.core.audio.monitor import InputMonitor
from recorder.core.errors import Cancelled, RecorderError
from recorder.core.protocol import SessionKind
from recorder.core.session import INTERVIEWER, SessionRecord
from recorder.core.session_setup import SessionSetup
from recorder.ui.level_meter import LevelMeter
from recorder.ui.messages import explain, sentence
from recorder.ui.study_model import StudyModel
from recorder.ui.widgets import button, label, ok_cancel
from recorder.ui.worker import Task, run_task

log = logging.getLogger(__name__)


def speaker_combo(speakers: list[str], current: str, parent: QWidget) -> QComboBox:
    """Everyone (unmapped), the interviewer or a participant, for one channel."""
    combo = QComboBox(parent)
    combo.addItem("Everyone (shared microphone)", "")
    for who in speakers:
        combo.addItem("Interviewer" if who == INTERVIEWER else who, who)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class ChannelMapDialog(QDialog):
    """Who speaks into which channel of a file being imported; accepted with Import."""

    def __init__(
        self,
        file_name: str,
        channels: int,
        speakers: list[str],
        current: dict[int, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Channels of the recording")
        self.setMinimumWidth(480)
        form = QFormLayout()
        self.combos = [speaker_combo(speakers, current.get(ch, ""), self) for ch in range(channels)]
        for ch, combo in enumerate(self.combos):
            form.addRow(f"Channel {ch + 1}", combo)
        buttons, self.ok = ok_cancel(self, "Import", self.accept)
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(label("Who speaks into which channel", "heading"))
        column.addWidget(
            label(
                f"{file_name} has {channels} channels. If each person had their own "
                "microphone, choose whose it was: the transcript then names the speaker of "
                "each turn. Leave a channel on Everyone when it picked up the whole room.",
                "muted",
                wrap=True,
            )
        )
        column.addLayout(form)
        column.addWidget(buttons)

    def mapping(self) -> dict[int, str]:
        """Channel (from 0) -> participant ID or "interviewer", for mapped channels only."""
        return {
            ch: str(combo.currentData())
            for ch, combo in enumerate(self.combos)
            if combo.currentData()
        }


class NewSessionDialog(QDialog):
    """Emits ``start(record, capture_settings, channel_map)`` when the session is created."""

    start = Signal(object, object, object)
    imported = Signal(object)  # the session record, already closed as recorded

    def __init__(self, model: StudyModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setup = SessionSetup()
        self.monitor: InputMonitor | None = None
        self.setWindowTitle("New session")
        self.setMinimumWidth(640)
        self.individual = QRadioButton("Individual — one professional", self)
        self.paired = QRadioButton("Paired — a crisis team of two", self)
        self.individual.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.individual)
        kinds.addButton(self.paired)
        self.paired.setEnabled(SessionKind.PAIRED in model.protocol.kinds)
        self.people = [QComboBox(self), QComboBox(self)]
        entries = model.entries()
        active = model.active_participants()
        for combo in self.people:
            combo.addItem("Choose…", "")
            for p in active:
                entry = entries.get(p.participant_id)
                name = f" — {entry.identity.name}" if entry else ""
                combo.addItem(
                    f"{p.participant_id} ({model.role_label(p.role)}){name}", p.participant_id
                )
            combo.currentIndexChanged.connect(self._changed)
        self.interviewer = QLineEdit(self)
        self.interviewer.setPlaceholderText("your initials")
        self.interviewer.textChanged.connect(self._changed)
        self.device = QComboBox(self)
        self.channels = QSpinBox(self)
        self.channels.setRange(1, 1)
        self.channels.valueChanged.connect(self._device_changed)
        self.meter = LevelMeter(self)
        self.map_box = QGroupBox("Who speaks into which channel", self)
        self.map_form = QFormLayout(self.map_box)
        self.map_combos: list[QComboBox] = []
        self.reason = label("", "warning", wrap=True, parent=self)
        self.start_button = button("Start session", primary=True, big=True, shortcut="Ctrl+Return")
        self.start_button.clicked.connect(self.submit)
        self.import_button = button(
            "Import recordings…", tip="Make the session from audio files recorded elsewhere"
        )
        self.import_button.clicked.connect(self.choose_files)
        self.import_progress = QProgressBar(self)
        self.import_progress.setFormat("Encrypting the recordings… %p%")
        self.import_progress.hide()
        self.import_task: Task | None = None
        self.channel_dialog: ChannelMapDialog | None = None
        cancel = button("Cancel")
        cancel.clicked.connect(self.cancel)

        who = QFormLayout()
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.individual)
        kind_row.addWidget(self.paired)
        kind_row.addStretch(1)
        who.addRow("Kind", kind_row)
        who.addRow("Participant", self.people[0])
        self.second_label = label("Second participant")
        who.addRow(self.second_label, self.people[1])
        who.addRow("Interviewer", self.interviewer)
        audio = QFormLayout()
        audio.addRow("Input device", self.device)
        audio.addRow("Channels", self.channels)
        audio.addRow("Level test", self.meter)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(cancel)
        buttons.addWidget(self.start_button)
        column = QVBoxLayout(self)
        column.setSpacing(12)
        column.addWidget(label("New session", "title"))
        column.addLayout(who)
        column.addWidget(label("Recording", "heading"))
        column.addLayout(audio)
        column.addWidget(self.map_box)
        column.addWidget(self.import_progress)
        column.addLayout(buttons)
        self.individual.toggled.connect(self._changed)
        self.device.currentIndexChanged.connect(self._device_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(50)
        self.timer.timeout.connect(self._show_levels)
        self._devices: list[InputDevice] = []
        self._load_devices()
        self._changed()

    # -- devices ------------------------------------------------------------------------------

    def _load_devices(self) -> None:
        try:
            self._devices = list_input_devices()
        except RecorderError as exc:
            self._devices = []
            self.reason.setText(explain(exc)[0])
        remembered = appconfig.last_input_device()
        self.device.blockSignals(True)
        self.device.clear()
        pick = 0
        for i, d in enumerate(self._devices):
            star = " (system default)" if d.is_default else ""
            self.device.addItem(f"{d.name}{star} · {d.channels} ch", d.index)
            if (remembered and d.name == remembered) or (not remembered and d.is_default):
                pick = i
        self.device.setCurrentIndex(pick)
        self.device.blockSignals(False)
        self._device_changed()

    def selected_device(self) -> InputDevice | None:
        index = self.device.currentIndex()
        return self._devices[index] if 0 <= index < len(self._devices) else None

    def _device_changed(self) -> None:
        device = self.selected_device()
        self.channels.blockSignals(True)
        self.channels.setRange(1, max(1, min(device.channels, 8)) if device else 1)
        self.channels.blockSignals(False)
        self.setup.device = device
        self.setup.channels = self.channels.value()
        self._rebuild_map()
        self._restart_monitor()
        self._changed()

    def _restart_monitor(self) -> None:
        self._stop_monitor()
        device = self.selected_device()
        if device is None:
            return
        try:
            rate = choose_sample_rate(device, self.setup.channels)
            self.monitor = InputMonitor(device, rate, self.setup.channels)
            self.monitor.start()
        except RecorderError as exc:
            self.monitor = None
            self.meter.show_levels(None)
            self.reason.setText(f"{explain(exc)[0]} Choose another device.")
            return
        self.timer.start()

    def _stop_monitor(self) -> None:
        self.timer.stop()
        if self.monitor is not None:
            self.monitor.stop()
            self.monitor = None

    def _show_levels(self) -> None:
        if self.monitor is not None:
            self.meter.show_levels(self.monitor.levels())

    # -- mapping ------------------------------------------------------------------------------

    def _rebuild_map(self) -> None:
        while self.map_form.rowCount():
            self.map_form.removeRow(0)
        self.map_combos = []
        speakers = self.setup.speakers()
        for ch in range(self.setup.channels):
            combo = speaker_combo(speakers, self.setup.channel_map.get(ch, ""), self.map_box)
            combo.currentIndexChanged.connect(self._map_changed)
            self.map_combos.append(combo)
            self.map_form.addRow(f"Channel {ch + 1}", combo)
        self.map_box.setVisible(self.setup.channels > 1)
        channels = self.setup.channels
        names = [f"Channel {ch + 1}" for ch in range(channels)]
        self.meter.set_labels(names if channels > 1 else [])

    def _map_changed(self) -> None:
        self.setup.channel_map = {
            ch: str(combo.currentData())
            for ch, combo in enumerate(self.map_combos)
            if combo.currentData()
        }
        self._changed()

    # -- state --------------------------------------------------------------------------------

    def _changed(self) -> None:
        self.setup.kind = (
            SessionKind.INDIVIDUAL if self.individual.isChecked() else (SessionKind.PAIRED)
        )
        self.people[1].setVisible(self.setup.kind is SessionKind.PAIRED)
        self.second_label.setVisible(self.setup.kind is SessionKind.PAIRED)
        previous = self.setup.speakers()
        self.setup.participant_ids = [str(c.currentData() or "") for c in self.people]
        self.setup.interviewer = self.interviewer.text().strip()
        if previous != self.setup.speakers() and self.setup.channels > 1:
            self._rebuild_map()
        reason = self.blocker()
        import_reason = self.setup.blocker(
            self.model.study, self.model.protocol, self.model.codemap, recording=False
        )
        self.import_button.setEnabled(not import_reason and self.import_task is None)
        self.start_button.setEnabled(not reason)
        self.start_button.setToolTip(reason or "Create the session and open the console")
        if reason or self.monitor is not None or not self._devices:
            self.reason.setText(reason)

    def blocker(self) -> str:
        """Why Start is disabled, or "" when the session can start."""
        return self.setup.blocker(self.model.study, self.model.protocol, self.model.codemap)

    def submit(self) -> None:
        if self.blocker():
            return
        self._stop_monitor()
        try:
            record, settings = self.setup.create(
                self.model.study, self.model.protocol, self.model.codemap
            )
        except RecorderError as exc:
            self.reason.setText(sentence(exc))
            self._restart_monitor()
            return
        device = self.selected_device()
        if device is not None:
            appconfig.remember_input_device(device.name)
        self.model.refresh()
        self.start.emit(record, settings, self.setup.mapping())
        self.accept()

    # -- importing ----------------------------------------------------------------------------

    def choose_files(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        files, _ = QFileDialog.getOpenFileNames(
            self, "Recordings to import", "", "Audio (*.wav *.flac *.ogg *.mp3 *.m4a);;All (*)"
        )
        if files:
            self.import_files([Path(f) for f in files])

    def import_files(
        self, paths: list[Path], channel_map: dict[int, str] | None = None
    ) -> Task | None:
        """Create the session and encrypt ``paths`` into it in the background.

        A file with more than one channel first asks who speaks into each (``channel_map``
        answers that in advance); the import then starts when that dialog is accepted.
        """
        from recorder.core.audio.files import probe
        from recorder.core.importing import check_channel_map, import_session

        if self.import_task is not None or not paths:
            return None
        reason = self.setup.blocker(
            self.model.study, self.model.protocol, self.model.codemap, recording=False
        )
        try:
            if reason:
                raise RecorderError(reason)
            channels = probe(paths[0])[1]
            if channel_map is None and channels > 1:
                self._ask_channels(paths, channels)
                return None
            mapping = check_channel_map(channel_map or {}, channels, self.setup.speakers())
            record = self.setup.create_for_import(
                self.model.study, self.model.protocol, self.model.codemap
            )
        except RecorderError as exc:
            self.reason.setText(sentence(exc))
            return None
        study = self.model.study
        consent = self.model.consent_map(list(record.participant_ids))
        self._stop_monitor()
        self.import_progress.setValue(0)
        self.import_progress.show()
        self.start_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.reason.setText("")
        self.import_task = run_task(
            lambda progress, cancel: import_session(
                study,
                record.session_id,
                consent,
                paths,
                channel_map=mapping,
                progress=progress,
                cancel=cancel,
            ),
            on_done=self._imported,
            on_error=self._import_failed,
            on_progress=lambda p: self.import_progress.setValue(round(p.fraction * 100)),
        )
        return self.import_task

    def _ask_channels(self, paths: list[Path], channels: int) -> None:
        current = {ch: who for ch, who in self.setup.channel_map.items() if ch < channels}
        dialog = ChannelMapDialog(paths[0].name, channels, self.setup.speakers(), current, self)
        self.channel_dialog = dialog
        dialog.accepted.connect(lambda: self.import_files(paths, dialog.mapping()))
        dialog.finished.connect(self._channels_closed)
        dialog.open()

    def _channels_closed(self) -> None:
        self.channel_dialog = None

    def _imported(self, record: SessionRecord) -> None:
        self.import_task = None
        self.model.refresh()
        self.imported.emit(record)
        self.accept()

    def _import_failed(self, exc: BaseException) -> None:
        self.import_task = None
        self.import_progress.hide()
        self.model.refresh()
        message = (
            "The import was cancelled; nothing was kept."
            if isinstance(exc, Cancelled)
            else sentence(exc)
        )
        self.reason.setText(message)
        self._changed()
        self._restart_monitor()

    def cancel(self) -> None:
        """Cancel a running import (the half-made session is deleted), else close."""
        if self.import_task is not None:
            self.import_task.cancel()
            return
        self.reject()

    def done(self, result: int) -> None:
        self._stop_monitor()
        super().done(result)
