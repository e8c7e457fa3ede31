"""Draws a turn: its section heading when it starts one, time, speaker, the wrapped text with
unsure words, the playing word and redactions highlighted, and its verified/flag state.

Only visible rows are painted; row heights are cached per text and width, so a transcript of
thousands of turns opens and scrolls at the speed of a short one.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from recorder.core.durations import clock
from recorder.core.review.words import word_spans
from recorder.core.session import INTERVIEWER
from recorder.core.transcribe.flags import LOW_WORD_PROB
from recorder.core.transcribe.transcript import UNASSIGNED, Segment
from recorder.ui.review.turn_editor import TurnEditor
from recorder.ui.review.turns_model import (
    HEADING_ROLE,
    MARKS_ROLE,
    PLAYING_ROLE,
    SEGMENT_ROLE,
    SPEAKER_ROLE,
)
from recorder.ui.theme import colours

Index = QModelIndex | QPersistentModelIndex

PAD_X, PAD_Y = 14, 9
TIME_W, SPEAKER_W, STATUS_W, GAP = 62, 176, 30, 12
HEADING_H = 40
EDIT_EXTRA = 34  # room below a turn being edited, so the editor covers no other turn
FLAG_TEXT = {
    "low-confidence": "unsure words",
    "repetition": "possible repetition loop",
    "no-speech": "possible hallucination (no speech heard)",
}
#: Highlight colours of marks by kind (redaction categories fall back to "redaction").
MARK_COLOURS = {
    "proposed": "#f6d365",
    "accepted": "#f2a7a7",
    "rejected": "#d9dde4",
    "current": "#8fb3f0",
}


def tinted(colour: str, alpha: int) -> QColor:
    out = QColor(colour)
    out.setAlpha(alpha)
    return out


class TurnDelegate(QStyledItemDelegate):
    """Paints turns in ``view`` and opens a :class:`TurnEditor` on the text; ``command``
    forwards the editor's page keys (name, cursor offset)."""

    command = Signal(str, int)

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.view = view
        self.text_font = QFont(view.font())
        self.text_font.setPointSizeF(max(11.0, self.text_font.pointSizeF()))
        self.small_font = QFont(view.font())
        self.small_font.setPointSizeF(max(9.5, self.small_font.pointSizeF() - 1))
        self.bold_font = QFont(self.small_font)
        self.bold_font.setWeight(QFont.Weight.DemiBold)
        self.heading_font = QFont(view.font())
        self.heading_font.setPointSizeF(self.heading_font.pointSizeF() + 0.5)
        self.heading_font.setWeight(QFont.Weight.DemiBold)
        self._text_metrics = QFontMetrics(self.text_font)
        self._small_metrics = QFontMetrics(self.small_font)
        self._heights: dict[tuple[str, int], int] = {}
        self.editing_row = -1
        self._editing = QPersistentModelIndex()
        self.editor: TurnEditor | None = None
        #: Text may be selected but not changed (during the redaction review).
        self.read_only = False

    # -- geometry -----------------------------------------------------------------------------

    def text_width(self, width: int) -> int:
        return max(120, width - 2 * PAD_X - TIME_W - SPEAKER_W - STATUS_W - 3 * GAP)

    def _text_height(self, text: str, width: int) -> int:
        key = (text, width)
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) > 50_000:
                self._heights.clear()
            layout = self._layout(text, width)
            height = max(self._text_metrics.height(), round(layout.boundingRect().height()))
            self._heights[key] = height
        return height

    def _layout(self, text: str, width: int, formats: list[Any] | None = None) -> QTextLayout:
        layout = QTextLayout(text, self.text_font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        if formats:
            layout.setFormats(formats)
        layout.beginLayout()
        y = 0.0
        leading = self._text_metrics.leading() + 2
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, y))
            y += line.height() + leading
        layout.endLayout()
        return layout

    def _flag_line(self, segment: Segment) -> str:
        if not segment.flags or segment.verified:
            return ""
        return "Check: " + ", ".join(FLAG_TEXT.get(f, f) for f in segment.flags)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        width = self.view.viewport().width()
        segment: Segment = index.data(SEGMENT_ROLE)
        height = 2 * PAD_Y + self._text_height(segment.text or " ", self.text_width(width))
        if self._flag_line(segment):
            height += self._small_metrics.height() + 4
        if index.data(HEADING_ROLE):
            height += HEADING_H
        if index.row() == self.editing_row:
            height += EDIT_EXTRA
        return QSize(width, height)

    def rects(self, rect: QRect, index: Index) -> tuple[QRect, QRect]:
        """The turn's own rectangle (below any heading) and its text rectangle."""
        top = rect.top() + (HEADING_H if index.data(HEADING_ROLE) else 0)
        body = QRect(rect.left(), top, rect.width(), rect.bottom() - top + 1)
        x = rect.left() + PAD_X + TIME_W + GAP + SPEAKER_W + GAP
        text = QRect(x, top + PAD_Y, self.text_width(rect.width()), body.height() - 2 * PAD_Y)
        return body, text

    def offset_at(self, rect: QRect, index: Index, point: QPoint) -> int | None:
        """The character of the turn's text under ``point`` (None outside the text)."""
        _body, area = self.rects(rect, index)
        if not area.adjusted(-4, -4, 4, 4).contains(point):
            return None
        segment: Segment = index.data(SEGMENT_ROLE)
        layout = self._layout(segment.text, area.width())
        y = point.y() - area.top()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            if line.y() <= y < line.y() + line.height() + 2:
                return int(line.xToCursor(point.x() - area.left()))
        return None

    # -- painting -----------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        c = colours()
        segment: Segment = index.data(SEGMENT_ROLE)
        rect: QRect = option.rect
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        heading = index.data(HEADING_ROLE)
        if heading:
            self._paint_heading(painter, rect, heading)
        body, area = self.rects(rect, index)
        playing = index.data(PLAYING_ROLE)
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        card = body.adjusted(4, 2, -4, -2)
        if playing is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tinted(c.accent, 34))
            painter.drawRoundedRect(card, 6, 6)
            painter.setBrush(QColor(c.accent))
            painter.drawRoundedRect(QRect(card.left(), card.top() + 3, 4, card.height() - 6), 2, 2)
        if selected:
            painter.setBrush(Qt.BrushStyle.NoBrush if playing is not None else tinted(c.text, 12))
            pen_colour = tinted(c.accent, 200 if self.view.hasFocus() else 90)
            painter.setPen(pen_colour)
            painter.drawRoundedRect(card, 6, 6)
        self._paint_margin(painter, body, segment, index.data(SPEAKER_ROLE))
        if index.row() != self.editing_row:
            formats = self._formats(segment, playing, index.data(MARKS_ROLE) or [])
            layout = self._layout(segment.text, area.width(), formats)
            painter.setPen(QColor(c.text))
            layout.draw(painter, QPointF(area.topLeft()))
        flag_line = self._flag_line(segment)
        if flag_line:
            painter.setFont(self.small_font)
            painter.setPen(QColor(c.warning))
            y = body.bottom() - PAD_Y - self._small_metrics.height() + 2
            painter.drawText(
                QRect(area.left(), y, area.width(), self._small_metrics.height() + 2),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                flag_line,
            )
        self._paint_status(painter, body, segment)
        painter.restore()

    def _paint_heading(self, painter: QPainter, rect: QRect, heading: str) -> None:
        c = colours()
        band = QRect(rect.left() + PAD_X, rect.top() + 12, rect.width() - 2 * PAD_X, HEADING_H - 14)
        painter.setFont(self.heading_font)
        painter.setPen(QColor(c.accent))
        painter.drawText(band, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, heading)
        painter.setPen(QColor(c.border))
        painter.drawLine(band.left(), band.bottom() + 2, band.right(), band.bottom() + 2)

    def _paint_margin(self, painter: QPainter, body: QRect, segment: Segment, speaker: str) -> None:
        c = colours()
        top = body.top() + PAD_Y
        line_h = self._text_metrics.height()
        painter.setFont(self.small_font)
        painter.setPen(QColor(c.muted))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(
            QRect(body.left() + PAD_X, top, TIME_W, line_h), align, clock(segment.start)
        )
        x = body.left() + PAD_X + TIME_W + GAP
        if segment.speaker == UNASSIGNED:
            painter.setPen(QColor(c.muted))
            font = QFont(self.small_font)
            font.setItalic(True)
            painter.setFont(font)
            text = "Unassigned"
        else:
            colour = c.muted if segment.speaker == INTERVIEWER else c.accent
            painter.setPen(QColor(c.text if segment.speaker == INTERVIEWER else colour))
            painter.setFont(self.bold_font)
            text = speaker
        elided = QFontMetrics(painter.font()).elidedText(
            text, Qt.TextElideMode.ElideRight, SPEAKER_W
        )
        painter.drawText(QRect(x, top, SPEAKER_W, line_h), align, elided)

    def _paint_status(self, painter: QPainter, body: QRect, segment: Segment) -> None:
        c = colours()
        size = 16
        x = body.right() - PAD_X - size
        y = body.top() + PAD_Y + (self._text_metrics.height() - size) // 2
        box = QRect(x, y, size, size)
        if segment.verified:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c.ok))
            painter.drawEllipse(box)
            painter.setPen(QColor("#ffffff"))
            painter.setFont(self.bold_font)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "✓")
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QColor(c.warning if segment.flags else c.border))
            painter.drawEllipse(box.adjusted(1, 1, -1, -1))

    def _formats(
        self, segment: Segment, playing: int | None, marks: list[tuple[int, int, str]]
    ) -> list[Any]:
        c = colours()
        out: list[Any] = []

        def add(start: int, end: int, fmt: QTextCharFormat) -> None:
            if end > start:
                r = QTextLayout.FormatRange()
                r.start, r.length, r.format = start, end - start, fmt
                out.append(r)

        spans = word_spans(segment) if segment.words else []
        if not segment.verified:
            unsure = QTextCharFormat()
            unsure.setBackground(tinted(c.warning, 60))
            unsure.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            unsure.setUnderlineColor(QColor(c.warning))
            for word, (a, b) in zip(segment.words, spans, strict=False):
                if word.probability < LOW_WORD_PROB:
                    add(a, b, unsure)
        for start, end, kind in marks:
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(MARK_COLOURS.get(kind, MARK_COLOURS["proposed"])))
            if kind == "rejected":
                fmt.setForeground(QColor(c.muted))
            add(start, end, fmt)
        if playing is not None and 0 <= playing < len(spans):
            now = QTextCharFormat()
            now.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            now.setUnderlineColor(QColor(c.accent))
            now.setForeground(QColor(c.accent))
            add(*spans[playing], now)
        return out

    # -- editing ------------------------------------------------------------------------------

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = TurnEditor(parent)
        editor.setFont(self.text_font)
        editor.setReadOnly(self.read_only)
        if self.read_only:
            flags = Qt.TextInteractionFlag
            editor.setTextInteractionFlags(
                flags.TextSelectableByMouse | flags.TextSelectableByKeyboard
            )
        editor.commit.connect(lambda: self._finish(editor, keep=True))
        editor.cancel.connect(lambda: self._finish(editor, keep=False))
        editor.command.connect(self.command)
        self.editor = editor
        self.editing_row = index.row()
        self._editing = QPersistentModelIndex(index)
        editor.destroyed.connect(self._editor_gone)
        self.sizeHintChanged.emit(index)
        return editor

    def _finish(self, editor: TurnEditor, *, keep: bool) -> None:
        if editor is not self.editor:
            return
        if keep:
            self.commitData.emit(editor)
        self._editor_gone()
        hint = QAbstractItemDelegate.EndEditHint
        self.closeEditor.emit(editor, hint.NoHint if keep else hint.RevertModelCache)

    def commit_open_editor(self) -> bool:
        """Keep the text of an open editor and close it; False if none was open."""
        editor = self.editor
        if editor is None or not shiboken6.isValid(editor):
            return False
        self._finish(editor, keep=True)
        return True

    def _editor_gone(self) -> None:
        if self.editor is None:
            return
        self.editor = None
        self.editing_row = -1
        if self._editing.isValid():
            self.sizeHintChanged.emit(self._editing.model().index(self._editing.row(), 0))

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, TurnEditor)
        if editor.toPlainText() != index.data(Qt.ItemDataRole.EditRole):
            editor.setPlainText(index.data(Qt.ItemDataRole.EditRole))
            editor.moveCursor(editor.textCursor().MoveOperation.End)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, TurnEditor)
        if self.read_only:
            return
        model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        _body, area = self.rects(option.rect, index)
        editor.setGeometry(area.adjusted(-10, -9, 10, EDIT_EXTRA - 4))

    def forget_sizes(self) -> None:
        self._heights.clear()
