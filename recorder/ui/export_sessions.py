"""The export dialog's session list: a checkbox per session and how far each is toward a safe
export (transcribed, reviewed, de-identified), with a warning that says what to do next.

Statuses come from ``recorder.core.export.selection`` and are read off the GUI thread.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recorder.core.export.selection import SessionStatus, session_status
from recorder.core.sessions import load_session
from recorder.core.study import Study
from recorder.ui.messages import sentence
from recorder.ui.theme import colours
from recorder.ui.widgets import label
from recorder.ui.worker import Task, run_call

log = logging.getLogger(__name__)

COLUMNS = ["Session", "Kind", "Created", "Participants", "Transcript"]
STATUS_COLUMN = 4

REVIEW_HINT = "Open it in the review editor and verify every turn"
DEID_HINT = (
    "in the review editor, unlock the code map, open Redactions and press "
    "Create de-identified transcript"
)


@dataclass(frozen=True)
class SessionLine:
    """One session as the list shows it: its export status and when it was created."""

    status: SessionStatus
    #: When the session was created (ISO); the list shows the day.
    started: str

    @property
    def created(self) -> str:
        return self.started[:10]

    @property
    def session_id(self) -> str:
        return self.status.session_id


def read_lines(study: Study) -> list[SessionLine]:
    """Every session's export status, oldest first (reads the vault: call off the GUI thread)."""
    lines = []
    for sid in study.session_ids():
        record = load_session(study, sid)
        started = record.history[0].at if record.history else ""
        lines.append(SessionLine(session_status(study, record), started))
    return sorted(lines, key=lambda line: (line.started, line.session_id))


def describe(status: SessionStatus, identifiable: bool) -> str:
    """The transcript column: what this session has, in words."""
    if identifiable:
        return "Reviewed (identifiable)" if status.has_reviewed else _missing(status)
    if status.has_deidentified:
        return "De-identified (out of date)" if status.deidentified_stale else "De-identified"
    if status.has_reviewed:
        return "Not de-identified"
    return _missing(status)


def _missing(status: SessionStatus) -> str:
    return "Not reviewed" if status.has_machine else "Not transcribed"


def problem(status: SessionStatus, identifiable: bool, audio: bool) -> str:
    """Why the session cannot be exported as chosen, and what to do ("" when it can)."""
    if identifiable:
        if not status.has_reviewed:
            if not status.has_machine:
                return f"is not transcribed yet. Transcribe it; then {REVIEW_HINT.lower()}."
            return f"is not reviewed yet. {REVIEW_HINT}."
    elif status.deidentified_stale:
        return f"was corrected after it was de-identified. To de-identify it again, {DEID_HINT}."
    elif not status.has_deidentified:
        if status.has_reviewed:
            return f"is reviewed, not de-identified yet. To de-identify it, {DEID_HINT}."
        steps = "" if status.has_machine else "transcribe it, "
        return (
            f"is not reviewed or de-identified yet. First {steps}review it (verify every turn), "
            f"then {DEID_HINT}."
        )
    if audio and not status.has_audio:
        return "has no audio to include."
    return ""


class SessionPicker(QWidget):
    """Sessions with checkboxes; ``changed`` on every tick, ``loaded`` once the list is read."""

    changed = Signal()
    loaded = Signal()

    def __init__(
        self, study: Study, preselected: Iterable[str] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.study = study
        self.lines: list[SessionLine] = []
        self.ready = False
        self.identifiable = False
        self.audio = False
        self.member = ""
        self._wanted = set(preselected)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.setAccessibleName("Sessions to export")
        self.warning = label("", wrap=True, parent=self)
        self.warning.setTextFormat(Qt.TextFormat.RichText)
        self.warning.setStyleSheet(f"color: {colours().warning};")
        self.warning.hide()
        self.count = label("Reading the sessions…", "muted", parent=self)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addWidget(self.tree, 1)
        column.addWidget(self.count)
        column.addWidget(self.warning)
        self.task: Task | None = run_call(
            lambda: read_lines(study), on_done=self._loaded, on_error=self._failed
        )

    # -- loading ------------------------------------------------------------------------------

    def _loaded(self, lines: list[SessionLine]) -> None:
        if not shiboken6.isValid(self):
            return  # the dialog closed while the list was read
        self.task = None
        self.lines = lines
        self.tree.blockSignals(True)
        self.tree.clear()
        for line in lines:
            s = line.status
            item = QTreeWidgetItem(
                [s.session_id, s.kind.capitalize(), line.created, ", ".join(s.participants), ""]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, s.session_id)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsSelectable
            )
            wanted = s.session_id in self._wanted
            item.setCheckState(0, Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        self.ready = True
        self._refresh()
        log.info("export: %d session(s) listed", len(lines))
        self.loaded.emit()
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.task = None
        self.ready = True
        self.count.setText("The sessions could not be read: " + sentence(exc))
        self.loaded.emit()

    # -- state --------------------------------------------------------------------------------

    def _items(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _status(self, session_id: str) -> SessionStatus | None:
        return next((x.status for x in self.lines if x.session_id == session_id), None)

    def checked(self) -> list[str]:
        """The ticked sessions, in the list's order."""
        return [
            str(item.data(0, Qt.ItemDataRole.UserRole))
            for item in self._items()
            if item.checkState(0) == Qt.CheckState.Checked and not item.isDisabled()
        ]

    def set_checked(self, session_ids: Iterable[str]) -> None:
        """Tick exactly these sessions."""
        wanted = set(session_ids)
        self._wanted = wanted
        self.tree.blockSignals(True)
        for item in self._items():
            on = str(item.data(0, Qt.ItemDataRole.UserRole)) in wanted
            item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)
        self._refresh()
        self.changed.emit()

    def problems(self) -> dict[str, str]:
        """Each ticked session that cannot be exported as chosen, with the reason."""
        out = {}
        for sid in self.checked():
            status = self._status(sid)
            if status is not None:
                why = problem(status, self.identifiable, self.audio)
                if why:
                    out[sid] = why
        return out

    def exportable(self) -> list[str]:
        """The ticked sessions that can be exported as chosen."""
        bad = self.problems()
        return [sid for sid in self.checked() if sid not in bad]

    def set_choices(self, *, identifiable: bool, audio: bool) -> None:
        """Re-judge every session for the identifiable transcript and/or audio."""
        self.identifiable, self.audio = identifiable, audio
        self._refresh()
        self.changed.emit()

    def set_member(self, participant_id: str) -> None:
        """Member checking: only this participant's sessions, all ticked ("" lifts it)."""
        self.member = participant_id
        self.tree.blockSignals(True)
        for item in self._items():
            status = self._status(str(item.data(0, Qt.ItemDataRole.UserRole)))
            theirs = status is not None and participant_id in status.participants
            item.setDisabled(bool(participant_id) and not theirs)
            if participant_id:
                item.setCheckState(0, Qt.CheckState.Checked if theirs else Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)
        self._refresh()
        self.changed.emit()

    def _item_changed(self, _item: QTreeWidgetItem, column: int) -> None:
        if column == 0:
            self._wanted = set(self.checked())
            self._refresh()
            self.changed.emit()

    def _refresh(self) -> None:
        """Status cells, colours and the warning under the list."""
        c = colours()
        self.tree.blockSignals(True)
        for item in self._items():
            status = self._status(str(item.data(0, Qt.ItemDataRole.UserRole)))
            if status is None:
                continue
            why = problem(status, self.identifiable, self.audio)
            text = describe(status, self.identifiable)
            item.setText(STATUS_COLUMN, ("⚠ " if why else "✓ ") + text)
            colour = c.muted if item.isDisabled() else (c.warning if why else c.ok)
            item.setForeground(STATUS_COLUMN, QBrush(QColor(colour)))
            item.setToolTip(STATUS_COLUMN, f"{status.session_id} {why}" if why else text)
        self.tree.blockSignals(False)
        if not self.ready:
            return
        ticked = self.checked()
        self.count.setText(
            f"{len(ticked)} of {len(self.lines)} session(s) selected"
            if self.lines
            else "This study has no sessions yet."
        )
        bad = self.problems()
        if not bad:
            self.warning.hide()
            self.warning.setText("")
            return
        what = "identifiable" if self.identifiable else "de-identified"
        head = (
            f"{len(bad)} ticked sessions cannot be exported {what}. Untick them, or:"
            if len(bad) > 1
            else f"1 ticked session cannot be exported {what}. Untick it, or:"
        )
        items = "".join(f"<br>• <b>{sid}</b> {html.escape(why)}" for sid, why in bad.items())
        self.warning.setText(f"<b>⚠ {html.escape(head)}</b>{items}")
        self.warning.show()
