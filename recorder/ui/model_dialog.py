"""Pick the whisper model: every official model with its download size, memory need and an
estimated speed on this computer, the device it will run on, a download with progress and
Cancel, and "Use a model file…" for offline computers (an unofficial checkpoint only after an
explicit confirmation)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore
from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recorder.core import appconfig
from recorder.core.errors import Cancelled, RecorderError, UnofficialModel
from recorder.core.jobs import Progress
from recorder.core.transcribe import models
from recorder.core.transcribe.prepare import ENGINE_CHOICES, compute_type, pick_engine
from recorder.ui.messages import ask, explain, show_error
from recorder.ui.widgets import button, label
from recorder.ui.worker import Task, run_call, run_task

log = logging.getLogger(__name__)

COLUMNS = ["Model", "Languages", "Download", "Memory", "Speed here (estimate)", "On this computer"]


@dataclass(frozen=True)
class ModelRow:
    """One line of the table: an official model, or a model file accepted before."""

    key: str  # what appconfig remembers: the official name, or the file's path
    label: str
    languages: str
    download: str
    memory: str
    installed: bool
    official: bool
    info: models.ModelInfo | None = None

    def names_it(self, name: str) -> bool:
        """Whether ``name`` is another name of this row's official model (an alias)."""
        return self.key != models.BUILTIN and self.info is not None and name in self.info.names


def model_rows() -> list[ModelRow]:
    """The built-in model, every official model, smallest first, then the unofficial files
    accepted here."""
    tiny = models.lookup(models.BUILTIN)
    rows = [
        ModelRow(
            key=models.BUILTIN,
            label=f"{tiny.name} (built in)",
            languages="English",
            download="Installed with the app",
            memory=f"~{tiny.memory_gb:g} GB",
            installed=models.builtin_folder() is not None,
            official=True,
            info=tiny,
        )
    ]
    for info in models.catalogue():
        rows.append(
            ModelRow(
                key=info.name,
                label=info.label,
                languages="English" if info.english_only else "99 languages",
                download=models.format_size(info.download_bytes),
                memory=f"~{info.memory_gb:g} GB",
                installed=models.installed(info.name) is not None,
                official=True,
                info=info,
            )
        )
    for source in models.unofficial_models():
        if source.path.exists():
            rows.append(ModelRow(str(source.path), source.path.name, "—", "—", "—", True, False))
    return rows


ENGINE_TEXT = {
    "auto": "Automatic (faster-whisper on this computer's CPU or NVIDIA GPU)",
    "faster-whisper": "faster-whisper (CTranslate2): fast, the default",
    "openai-whisper": "openai-whisper: the reference implementation, slower",
}


def probe_device(engine: str) -> tuple[str, dict[str, float]]:
    """The device and engine transcription will use, in words, and each model's estimated
    speed there. Loads torch to ask for a GPU: run it off the GUI thread."""
    device, _fp16 = models.pick_device("auto")
    chosen = pick_engine(engine, device)
    speeds = {
        info.name: models.speed_estimate(info, device, chosen) for info in models.catalogue()
    }
    where = f"{models.describe_device(device)} with {chosen} ({compute_type(chosen, device)})"
    return where, speeds


class ModelDialog(QDialog):
    """Emits ``chosen(name_or_path)`` when a model is picked for the next transcriptions."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Transcription model")
        self.resize(980, 700)
        self.rows: list[ModelRow] = []
        self.speeds: dict[str, float] = {}
        self.current = appconfig.transcription_model()
        self.task: Task | None = None  # the download or model-file check running now
        self.question: QMessageBox | None = None  # the confirmation open now (tests answer it)
        intro = label(
            "Whisper transcribes on this computer; nothing is sent anywhere. Larger models are "
            "more accurate but slower and need more memory. Speeds are estimates for this "
            "computer: above 1x a model keeps up with the interview.",
            "muted",
            wrap=True,
        )
        self.device = label("Checking which device this computer can use…")
        self.device.setStyleSheet("font-weight: 600;")
        self.engine = QComboBox()
        for key in ENGINE_CHOICES:
            self.engine.addItem(ENGINE_TEXT[key], key)
        self.engine.setCurrentIndex(max(0, self.engine.findData(appconfig.transcription_engine())))
        self.engine.setToolTip(
            "Both engines run the same models and write the same transcript; faster-whisper "
            "is several times faster on a CPU."
        )
        self.engine.currentIndexChanged.connect(self._engine_changed)
        engine_row = QHBoxLayout()
        engine_label = label("Engine:")
        engine_label.setBuddy(self.engine)
        engine_row.addWidget(engine_label)
        engine_row.addWidget(self.engine, 1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._double_clicked)
        self.note = label("", "muted", wrap=True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.cancel_button = button("Cancel download", tip="Stop; nothing half-made is kept")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.file_button = button(
            "Use a model file…",
            tip="Bring in a .pt file copied from another computer (for offline computers)",
        )
        self.file_button.clicked.connect(self.choose_file)
        self.download_button = button("Download", tip="Download the selected model (internet)")
        self.download_button.clicked.connect(self.download)
        self.use_button = button("Use this model", primary=True)
        self.use_button.clicked.connect(self.use_selected)
        close = button("Close")
        close.clicked.connect(self.reject)

        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.file_button)
        buttons.addStretch(1)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.use_button)
        buttons.addWidget(close)
        column = QVBoxLayout(self)
        column.setContentsMargins(22, 18, 22, 18)
        column.setSpacing(10)
        column.addWidget(label("Transcription model", "title"))
        column.addWidget(intro)
        column.addLayout(engine_row)
        column.addWidget(self.device)
        column.addWidget(self.table, 1)
        column.addWidget(self.note)
        column.addLayout(progress_row)
        column.addLayout(buttons)

        self.reload()
        self.probe = self._probe()

    def _probe(self) -> Task:
        engine = str(self.engine.currentData())
        return run_call(
            lambda: probe_device(engine), on_done=self._device_known, on_error=self._no_device
        )

    def _engine_changed(self) -> None:
        appconfig.set_transcription_engine(str(self.engine.currentData()))
        self.probe = self._probe()

    # -- the table --------------------------------------------------------------------------

    def reload(self, select: str = "") -> None:
        """Re-read the catalogue and what is on this computer; select ``select`` or the
        model in use."""
        try:
            self.rows = model_rows()
        except RecorderError as exc:
            self.rows = []
            self.note.setText(" ".join(explain(exc)).strip())
        self.table.setRowCount(len(self.rows))
        wanted = select or self.current
        for r, row in enumerate(self.rows):
            in_use = self._is_current(row)
            here = ("Yes" if row.official else "Yes (unofficial file)") if row.installed else "—"
            values = [
                row.label,
                row.languages,
                row.download,
                row.memory,
                self._speed_text(row),
                here + (" · in use" if in_use else ""),
            ]
            for c, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(QtCore.Qt.ItemDataRole.UserRole, row.key)
                if c == 0 and not row.official:
                    cell.setToolTip(row.key)
                if in_use:
                    font = QFont(cell.font())
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(r, c, cell)
            if row.key == wanted or (row.names_it(wanted)):
                self.table.selectRow(r)
        self._update_buttons()

    def _is_current(self, row: ModelRow) -> bool:
        return row.key == self.current or row.names_it(self.current)

    def _speed_text(self, row: ModelRow) -> str:
        if row.info is None:
            return "—"
        speed = self.speeds.get(row.info.name)
        return models.format_speed(speed) if speed is not None else "…"

    def _device_known(self, found: tuple[str, dict[str, float]]) -> None:
        description, self.speeds = found
        self.device.setText(f"Transcription will run on: {description}")
        for r, row in enumerate(self.rows):
            cell = self.table.item(r, 4)
            if cell is not None:
                cell.setText(self._speed_text(row))

    def _no_device(self, exc: BaseException) -> None:
        self.device.setText(f"No device to transcribe on: {explain(exc)[0]}")

    def selected(self) -> ModelRow | None:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) and self.table.selectedItems() else None

    def select(self, key: str) -> None:
        for r, row in enumerate(self.rows):
            if row.key == key:
                self.table.selectRow(r)
                return

    def _update_buttons(self) -> None:
        row = self.selected()
        busy = self.task is not None
        self.file_button.setEnabled(not busy)
        self.use_button.setEnabled(not busy and row is not None and row.installed)
        self.download_button.setEnabled(
            not busy and row is not None and row.official and not row.installed
        )
        if busy:
            return
        if row is None:
            self.note.setText("")
        elif not row.installed:
            self.note.setText(
                f"{row.key} is not on this computer yet: download it ({row.download}), or copy "
                f"its file ({row.info.file_name if row.info else ''}) from another computer "
                "and choose Use a model file…"
            )
        elif self._is_current(row):
            self.note.setText(f"{row.label} is the model in use.")
        else:
            self.note.setText("")

    # -- actions ----------------------------------------------------------------------------

    def _double_clicked(self) -> None:
        if self.use_button.isEnabled():
            self.use_selected()

    def use_selected(self) -> None:
        row = self.selected()
        if row is None or not row.installed:
            return
        self._use(row.key)
        self.accept()

    def _use(self, key: str) -> None:
        appconfig.set_transcription_model(key)
        self.current = key
        self.chosen.emit(key)
        log.info("transcription model chosen (%s)", "official" if "/" not in key else "file")

    def _start(self, task: Task, message: str) -> None:
        self.task = task
        self.note.setText(message)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self._update_buttons()

    def _stop(self) -> None:
        self.task = None
        self.progress.hide()
        self.cancel_button.hide()
        self._update_buttons()

    def _progressed(self, report: Progress) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, report.fraction)) * 1000))
        if report.message:
            self.note.setText(report.message)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def download(self) -> None:
        row = self.selected()
        if row is None or row.info is None or self.task is not None:
            return
        name = row.info.name
        self.cancel_button.setText("Cancel download")
        self._start(
            run_task(
                lambda report, cancel: models.download(name, report, cancel),
                on_done=self._downloaded,
                on_error=self._download_failed,
                on_progress=self._progressed,
            ),
            f"Connecting to download {name}…",
        )

    def _downloaded(self, _path: Path) -> None:
        row = self.selected()
        self._stop()
        self.reload(select=row.key if row else "")
        name = row.key if row else "The model"
        self.note.setText(f"{name} is downloaded and checked. Press Use this model to use it.")

    def _download_failed(self, exc: BaseException) -> None:
        self._stop()
        if isinstance(exc, Cancelled):
            self.note.setText("Download cancelled; nothing was kept.")
            return
        row = self.selected()
        self.note.setText(
            f"{explain(exc)[0]} Without internet: copy {row.info.file_name} from a computer "
            "that has it and choose Use a model file…"
            if row is not None and row.info is not None
            else explain(exc)[0]
        )
        show_error(self, exc, "Download failed")

    def choose_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose a whisper model file", "", "Whisper models (*.pt);;All files (*)"
        )
        if path:
            self.use_file(Path(path))

    def use_file(self, path: Path, *, allow_unofficial: bool = False) -> None:
        """Check a model file in the background; an unofficial one asks first."""
        if self.task is not None:
            return
        self.cancel_button.setText("Cancel")
        self._start(
            run_task(
                lambda report, cancel: models.use_model_file(
                    path, allow_unofficial=allow_unofficial, progress=report, cancel=cancel
                ),
                on_done=self._file_used,
                on_error=lambda exc: self._file_failed(path, exc),
                on_progress=self._progressed,
            ),
            f"Checking {path.name}…",
        )

    def _file_used(self, source: models.ModelSource) -> None:
        self._stop()
        key = source.name if source.official else str(source.path)
        self._use(key)
        self.reload(select=key)
        self.note.setText(
            f"{source.name} is checked and will be used for the next transcriptions."
            if source.official
            else f"{source.path.name} will be used for the next transcriptions. Transcripts "
            "made with it record it as an unofficial model, with its SHA256."
        )

    def _file_failed(self, path: Path, exc: BaseException) -> None:
        self._stop()
        if isinstance(exc, Cancelled):
            self.note.setText("Cancelled.")
        elif isinstance(exc, UnofficialModel):
            self.note.setText(str(exc))
            self.question = ask(
                self,
                "Not an official whisper model",
                str(exc),
                detail="Use it only if you trust where it came from: a changed model can "
                "write wrong words without any sign. Transcripts made with it record it as "
                "an unofficial model, with its SHA256.",
                confirm="Use it anyway",
                on_confirm=lambda: self.use_file(path, allow_unofficial=True),
            )
        else:
            self.note.setText(explain(exc)[0])
            show_error(self, exc, "Cannot use that model file")

    def done(self, result: int) -> None:
        """Closing stops a download or a check still running (nothing half-made is kept)."""
        self.cancel()
        super().done(result)
