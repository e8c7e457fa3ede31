"""The side panel of the redaction review: the proposals with filters, accept / reject (for
all occurrences too), a redaction from the selected text, and the de-identified transcript."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recorder.core.deid import Category, Decision, Proposal
from recorder.ui.review.redactions import RedactionModel
from recorder.ui.review.turn_delegate import MARK_COLOURS
from recorder.ui.theme import colours
from recorder.ui.widgets import button, label

DECIDED = {
    Decision.PROPOSED: "to decide",
    Decision.ACCEPTED: "accepted",
    Decision.REJECTED: "rejected",
}
FILTERS = (
    ("All", ""),
    ("To decide", "proposed"),
    ("Accepted", "accepted"),
    ("Rejected", "rejected"),
)


class RedactionPanel(QFrame):
    """Shows a :class:`RedactionModel`; ``focus(proposal)`` when one is chosen."""

    focus = Signal(object)  # Proposal

    def __init__(self, model: RedactionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("card")
        self.setMinimumWidth(330)
        self.setMaximumWidth(380)
        self.heading = label("Redactions", "heading")
        self.counts = label("Finding names, places and numbers…", "muted", wrap=True)
        self.decision_filter = QComboBox()
        for text, value in FILTERS:
            self.decision_filter.addItem(text, value)
        self.category_filter = QComboBox()
        self.category_filter.addItem("Every kind", "")
        for category in Category:
            self.category_filter.addItem(category.value.capitalize(), category.value)
        for combo in (self.decision_filter, self.category_filter):
            combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setStyleSheet("QListWidget::item { padding: 5px 4px; }")
        self.list.currentItemChanged.connect(self._chosen)
        self.accept_button = button("Accept", tip="Redact this (A)")
        self.reject_button = button("Reject", tip="Keep this text (R)")
        self.next_button = button("Next", tip="Next proposal to decide (N)")
        self.everywhere = QCheckBox("Apply to all occurrences")
        self.everywhere.setToolTip("Decide, or redact, the same text everywhere in the transcript")
        self.category = QComboBox()
        for category in Category:
            if category is not Category.CANDIDATE:
                self.category.addItem(category.value.capitalize(), category.value)
        self.category.setCurrentIndex(self.category.findData(Category.PERSON.value))
        self.add_button = button("Redact selection", tip="Select text in a turn (Enter), then D")
        self.create_button = button("Create de-identified transcript", primary=True)
        self.create_button.setToolTip("Apply the accepted redactions (the review stays stored)")
        for widget in (
            self.accept_button,
            self.reject_button,
            self.next_button,
            self.everywhere,
            self.category,
            self.add_button,
            self.create_button,
        ):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        filters = QHBoxLayout()
        filters.addWidget(self.decision_filter, 1)
        filters.addWidget(self.category_filter, 1)
        decide_row = QHBoxLayout()
        for widget in (self.accept_button, self.reject_button, self.next_button):
            decide_row.addWidget(widget)
        add_row = QHBoxLayout()
        add_row.addWidget(self.category, 1)
        add_row.addWidget(self.add_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(14, 12, 14, 12)
        column.setSpacing(8)
        column.addWidget(self.heading)
        column.addWidget(self.counts)
        column.addLayout(filters)
        column.addWidget(self.list, 1)
        column.addLayout(decide_row)
        column.addWidget(self.everywhere)
        column.addLayout(add_row)
        column.addWidget(self.create_button)
        model.loaded.connect(self.refresh)
        model.changed.connect(self.refresh)
        self.refresh()

    def chosen_category(self) -> Category:
        """The category a new redaction gets."""
        return Category(self.category.currentData())

    def shown(self) -> list[Proposal]:
        wanted = self.decision_filter.currentData()
        kind = self.category_filter.currentData()
        return [
            p
            for p in self.model.proposals()
            if (not wanted or p.decision.value == wanted) and (not kind or p.category.value == kind)
        ]

    def refresh(self) -> None:
        chosen = self.current_id()
        proposals = self.model.proposals()
        if self.model.ready:
            pending = sum(1 for p in proposals if p.decision is Decision.PROPOSED)
            accepted = sum(1 for p in proposals if p.decision is Decision.ACCEPTED)
            self.counts.setText(
                f"{len(proposals)} proposed · {pending} to decide · {accepted} accepted"
            )
        self.list.blockSignals(True)
        self.list.clear()
        c = colours()
        for p in self.shown():
            about = f"{p.category.value} · {p.source} · {DECIDED[p.decision]}"
            item = QListWidgetItem(f"{p.text}  →  {p.replacement}\n{about}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            colour = QColor(MARK_COLOURS.get(p.decision.value, MARK_COLOURS["proposed"]))
            colour.setAlpha(110)
            item.setBackground(QBrush(colour))
            if p.decision is Decision.REJECTED:
                item.setForeground(QBrush(QColor(c.muted)))
            self.list.addItem(item)
            if p.id == chosen:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        ready = self.model.ready
        for widget in (self.accept_button, self.reject_button, self.next_button, self.add_button):
            widget.setEnabled(ready)
        self.create_button.setEnabled(ready)

    def current_id(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def select(self, proposal_id: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == proposal_id:
                self.list.setCurrentItem(item)
                self.list.scrollToItem(item)
                return

    def _chosen(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None or self.model.review is None:
            return
        self.focus.emit(self.model.review.proposal(str(item.data(Qt.ItemDataRole.UserRole))))
