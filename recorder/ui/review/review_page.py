"""The review page: the turns grouped under the protocol's sections, the player under them,
and every action on the keyboard. It drives core objects only (document, storage, player)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QVBoxLayout, QWidget

from recorder.core.deid import Decision, Proposal
from recorder.core.durations import clock
from recorder.core.errors import RecorderError
from recorder.core.review.document import Change, ReviewDocument
from recorder.core.review.storage import finish_review, open_review, save_review
from recorder.core.session import INTERVIEWER, SessionState
from recorder.core.study import Study
from recorder.core.transcribe.transcript import UNASSIGNED, Segment
from recorder.ui.messages import ask, sentence, show_error
from recorder.ui.review.autosave import Autosaver
from recorder.ui.review.keys import describe, keys, shortcuts_sheet
from recorder.ui.review.playback import PlaybackModel
from recorder.ui.review.player_bar import PlayerBar
from recorder.ui.review.redaction_panel import RedactionPanel
from recorder.ui.review.redactions import RedactionModel
from recorder.ui.review.turn_list import TurnList
from recorder.ui.review.turns_model import TurnsModel
from recorder.ui.widgets import button, label

log = logging.getLogger(__name__)

SAVE_TEXT = {
    "saved": "All changes saved",
    "pending": "Unsaved changes…",
    "saving": "Saving…",
    "failed": "Could not save — retrying",
}


def open_review_page(
    study: Study, session_id: str, codemap: object | None = None, parent: QWidget | None = None
) -> ReviewPage:
    """The review page of a transcribed session; its audio is decrypted in the background.

    ``codemap`` (an unlocked :class:`CodeMap`) enables the de-identification review.
    """
    document = open_review(study, session_id)
    playback = PlaybackModel()
    page = ReviewPage(study, document, playback, codemap=codemap, parent=parent)
    playback.load(study, session_id)
    return page


def playing_word(segment: Segment, seconds: float) -> int:
    """Index of the word being spoken at ``seconds`` (-1 before the first)."""
    found = -1
    for i, word in enumerate(segment.words):
        if word.start > seconds:
            break
        found = i
    return found


class ReviewPage(QWidget):
    """Review one transcript; ``closed`` when the reviewer leaves, ``reviewed(state)`` when
    the whole transcript has been marked verified."""

    closed = Signal()
    reviewed = Signal(object)  # SessionState
    deidentified = Signal()

    def __init__(
        self,
        study: Study,
        document: ReviewDocument,
        playback: PlaybackModel,
        *,
        codemap: object | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPage")
        self.study = study
        self.document = document
        self.playback = playback
        self.codemap = codemap
        self.model = TurnsModel(document)
        self.autosave = Autosaver(document, lambda t: save_review(study, t), self)
        self._closed = False

        self.title = label("Transcript review", "heading")
        self.summary = label("", "muted")
        self.save_state = label("", "muted")
        self.message = label("", "warning")
        self.message.hide()
        self.progress = label("", "muted")

        self.list = TurnList(self.model)
        self.delegate = self.list.turn_delegate
        self.player = PlayerBar(playback)

        self.speaker_button = button("Speaker", tip=describe("speaker"))
        self.speaker_menu = QMenu(self)
        self.speaker_button.setMenu(self.speaker_menu)
        self.split_button = button("Split", tip=describe("split"))
        self.merge_button = button("Merge with next", tip=describe("merge"))
        self.verify_button = button("Verified ✓", tip=describe("verify"))
        self.flag_button = button("Next to check", tip=describe("next-flag"))
        self.undo_button = button("Undo", tip=describe("undo"))
        self.redo_button = button("Redo", tip=describe("redo"))
        self.corrections_button = button("Corrections…", tip="The human corrections so far")
        self.help_button = button("Keys", tip=describe("help"))
        self.finish_button = button(
            "Transcript verified", primary=True, tip="Mark the whole transcript reviewed"
        )
        self.close_button = button("Close", tip="Save and go back to the study")
        self.redactions_button = button("Redactions", tip="Review the proposed redactions")
        self.redactions_button.setCheckable(True)
        self.redactions_button.setEnabled(codemap is not None)
        if codemap is None:
            self.redactions_button.setToolTip("Unlock the code map to review redactions")
        self.redactions_button.toggled.connect(self.show_redactions)
        self.redactions: RedactionModel | None = None
        self.redaction_panel: RedactionPanel | None = None
        self.redacting = False
        for widget in self._buttons():
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.split_button.clicked.connect(partial(self.split, -1))
        self.merge_button.clicked.connect(self.merge)
        self.verify_button.clicked.connect(self.toggle_verified)
        self.flag_button.clicked.connect(partial(self.next_flag, backwards=False))
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.corrections_button.clicked.connect(self.show_corrections)
        self.help_button.clicked.connect(lambda: shortcuts_sheet(self))
        self.finish_button.clicked.connect(self.finish)
        self.close_button.clicked.connect(self.close_review)

        self._layout()
        self._build_speaker_menu()
        self._bind_keys()

        self.list.clicked_at.connect(self.play_from)
        self.list.play_pressed.connect(playback.toggle)
        self.list.selectionModel().currentChanged.connect(lambda *_a: self._update_buttons())
        self.delegate.command.connect(self._editor_command)
        self.model.edit_failed.connect(self._refused)
        document.subscribe(self._changed)
        self.autosave.state_changed.connect(self._show_save_state)
        playback.position_changed.connect(self._follow)
        playback.ready_changed.connect(lambda _r: self._show_sections())
        self._show_save_state(self.autosave.state)
        self._show_summary()
        self._update_buttons()
        if len(document):
            self.list.go_to(0)

    def _buttons(self) -> list[QPushButton]:
        return [
            self.speaker_button,
            self.split_button,
            self.merge_button,
            self.verify_button,
            self.flag_button,
            self.undo_button,
            self.redo_button,
            self.corrections_button,
            self.help_button,
            self.finish_button,
            self.close_button,
            self.redactions_button,
        ]

    def _layout(self) -> None:
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.title)
        titles.addWidget(self.summary)
        header.addLayout(titles, 1)
        header.addWidget(self.save_state)
        header.addSpacing(8)
        header.addWidget(self.corrections_button)
        header.addWidget(self.redactions_button)
        header.addWidget(self.finish_button)
        header.addWidget(self.close_button)
        tools = QHBoxLayout()
        tools.setSpacing(6)
        for widget in (
            self.speaker_button,
            self.split_button,
            self.merge_button,
            self.verify_button,
            self.flag_button,
        ):
            tools.addWidget(widget)
        tools.addSpacing(10)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.redo_button)
        tools.addStretch(1)
        tools.addWidget(self.progress)
        tools.addWidget(self.help_button)
        self.body = QHBoxLayout()
        self.body.setSpacing(12)
        self.body.addWidget(self.list, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(18, 14, 18, 14)
        column.setSpacing(10)
        column.addLayout(header)
        column.addLayout(tools)
        column.addWidget(self.message)
        column.addLayout(self.body, 1)
        column.addWidget(self.player)

    def _bind_keys(self) -> None:
        bindings: dict[str, Callable[[], object]] = {
            "play": self.playback.toggle,
            "back": self.playback.skip_back,
            "faster": lambda: self.player.step_speed(1),
            "slower": lambda: self.player.step_speed(-1),
            "play-turn": self.play_current,
            "verify": self.toggle_verified,
            "next-flag": self.next_flag,
            "previous-flag": lambda: self.next_flag(backwards=True),
            "split": self.split,
            "merge": self.merge,
            "undo": self.undo,
            "redo": self.redo,
            "help": lambda: shortcuts_sheet(self),
        }
        self.shortcuts: list[QShortcut] = []
        for name, slot in bindings.items():
            for sequence in keys(name):
                self._shortcut(sequence.toString(), slot)
        self._shortcut("Ctrl+Enter", self.toggle_verified)  # the keypad's Enter
        self.redaction_keys: list[QShortcut] = []
        for letter, slot in (
            ("A", lambda: self.decide(Decision.ACCEPTED)),
            ("R", lambda: self.decide(Decision.REJECTED)),
            ("N", self.next_proposal),
            ("D", self.redact_selection),
        ):
            self._shortcut(letter, slot)
            self.shortcuts[-1].setEnabled(False)
            self.redaction_keys.append(self.shortcuts[-1])
        for n in range(1, 10):
            self._shortcut(f"Ctrl+{n}", partial(self.assign_speaker, n - 1))
            self._shortcut(f"Alt+{n}", partial(self.assign_speaker, n - 1, to_marker=True))

    def _shortcut(self, sequence: str, slot: Callable[[], object]) -> None:
        shortcut = QShortcut(sequence, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        self.shortcuts.append(shortcut)

    # -- showing ------------------------------------------------------------------------------

    @property
    def current_row(self) -> int:
        index = self.list.currentIndex()
        return index.row() if index.isValid() else -1

    def _show_summary(self) -> None:
        doc = self.document
        segments = doc.segments
        length = clock(segments[-1].end) if segments else "00:00"
        words = sum(len(s.text.split()) for s in segments)
        self.title.setText(f"Transcript review · Session {doc.session_id}")
        self.summary.setText(f"{len(doc):,} turns · {words:,} words · {length} of speech")
        self.progress.setText(f"{doc.verified_count:,} of {len(doc):,} turns verified")

    def _show_sections(self) -> None:
        rate = self.document.transcript.sample_rate
        self.player.wave.set_marks(
            [s.start_sample / rate for s in self.document.transcript.sections]
        )

    def _show_save_state(self, state: str) -> None:
        self.save_state.setText(SAVE_TEXT.get(state, state))
        self.save_state.setObjectName("warning" if state == "failed" else "muted")
        self.save_state.style().unpolish(self.save_state)
        self.save_state.style().polish(self.save_state)

    def _update_buttons(self) -> None:
        row = self.current_row
        doc = self.document
        have = 0 <= row < len(doc)
        for widget in (self.speaker_button, self.split_button, self.verify_button):
            widget.setEnabled(have)
        self.merge_button.setEnabled(have and row + 1 < len(doc))
        self.verify_button.setText(
            "Unverify" if have and doc.segments[row].verified else "Verified ✓"
        )
        self.undo_button.setEnabled(doc.can_undo)
        self.redo_button.setEnabled(doc.can_redo)
        self.undo_button.setToolTip(f"Undo {doc.undo_label.lower()} (Ctrl+Z)".replace("  ", " "))
        self.redo_button.setToolTip(f"Redo {doc.redo_label.lower()} (Ctrl+Shift+Z)")
        self.flag_button.setEnabled(doc.next_flag(row) is not None)

    def _build_speaker_menu(self) -> None:
        menu = self.speaker_menu
        menu.clear()
        bulk = QMenu("From here to the next marker", menu)
        for n, (key, text) in enumerate(self.speaker_choices()):
            one = menu.addAction(f"{text}\tCtrl+{n + 1}" if n < 9 else text)
            one.triggered.connect(lambda _c=False, k=key: self.set_speaker(k))
            many = bulk.addAction(f"{text}\tAlt+{n + 1}" if n < 9 else text)
            many.triggered.connect(lambda _c=False, k=key: self.set_speaker(k, to_marker=True))
        menu.addSeparator()
        menu.addMenu(bulk)

    def speaker_choices(self) -> list[tuple[str, str]]:
        """(key, label) of every speaker: the interviewer, the participants, unassigned."""
        speakers = sorted(
            self.document.transcript.speakers.items(), key=lambda kv: (kv[0] != INTERVIEWER, kv[0])
        )
        return [*speakers, (UNASSIGNED, "Unassigned")]

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _refused(self, exc: BaseException) -> None:
        self._say(sentence(exc))

    # -- following the audio ------------------------------------------------------------------

    def _follow(self, seconds: float) -> None:
        row = self.document.turn_at(seconds)
        if row is None:
            self.model.set_playing(-1, -1)
            return
        previous = self.model.playing_row
        self.model.set_playing(row, playing_word(self.document.segments[row], seconds))
        follow = self.player.follow.isChecked() and self.playback.playing
        if follow and row != previous and not self.list.editing:
            self.list.go_to(row)

    def play_from(self, row: int, offset: int = -1) -> None:
        """Play from turn ``row`` (from the word at character ``offset`` if given)."""
        from recorder.core.review.words import time_at

        if not 0 <= row < len(self.document):
            return
        segment = self.document.segments[row]
        at = time_at(segment, offset) if offset >= 0 else segment.start
        self.playback.seek(at, play=True)

    def play_current(self) -> None:
        self.play_from(self.current_row)

    # -- editing ------------------------------------------------------------------------------

    def _do(self, edit: Callable[[], Change | None], *, text: bool = True) -> Change | None:
        self.delegate.commit_open_editor()
        if text and self.redacting:
            self._say("Close the redactions to change the text or the turns.")
            return None
        try:
            change = edit()
        except RecorderError as exc:
            self._say(sentence(exc))
            return None
        self._say("")
        return change

    def _changed(self, change: Change) -> None:
        if change.inserted != change.removed:
            self.delegate.forget_sizes()
        self._show_summary()
        self._update_buttons()

    def _editor_command(self, name: str, offset: int) -> None:
        if name == "split":
            self.split(offset)
        elif name == "verify":
            self.toggle_verified()
        elif name == "play":
            self.playback.toggle()
        elif name == "back":
            self.playback.skip_back()
        elif name == "next-flag":
            self.next_flag()

    def toggle_verified(self) -> None:
        row = self.current_row
        if row < 0:
            return
        now = not self.document.segments[row].verified
        self._do(lambda: self.document.set_verified(row, now), text=False)
        if now and row + 1 < len(self.document):
            self.list.go_to(row + 1)
        self.list.setFocus()

    def split(self, offset: int = -1) -> None:
        """Split the current turn at ``offset``, or at the open editor's cursor."""
        row = self.current_row
        if row < 0:
            return
        editor = self.delegate.editor
        if offset < 0 and editor is not None and self.delegate.editing_row == row:
            offset = editor.textCursor().position()
        if offset < 0:
            self._say("Edit the turn (Enter), put the cursor where it should split, then split.")
            self.list.edit(self.list.currentIndex())
            return
        if self._do(lambda: self.document.split(row, offset)) is not None:
            self.list.go_to(row + 1)
            self.list.setFocus()

    def merge(self) -> None:
        row = self.current_row
        if row >= 0 and self._do(lambda: self.document.merge(row)) is not None:
            self.list.go_to(row)

    def set_speaker(self, key: str, *, to_marker: bool = False) -> None:
        row = self.current_row
        if row < 0:
            return
        if to_marker:
            change = self._do(lambda: self.document.set_speaker_to_marker(row, key), text=False)
            if change is not None and change.inserted:
                self.list.go_to(min(len(self.document) - 1, row + change.inserted))
        else:
            self._do(lambda: self.document.set_speaker(row, key), text=False)

    def assign_speaker(self, n: int, *, to_marker: bool = False) -> None:
        choices = self.speaker_choices()
        if 0 <= n < len(choices):
            self.set_speaker(choices[n][0], to_marker=to_marker)

    def next_flag(self, *, backwards: bool = False) -> None:
        self.delegate.commit_open_editor()
        row = self.document.next_flag(self.current_row, backwards=backwards)
        if row is None:
            self._say("Nothing left to check: every flagged turn is verified.")
            return
        self._say("")
        self.list.go_to(row, center=True)
        self.playback.seek(self.document.segments[row].start)
        self.list.setFocus()

    def undo(self) -> None:
        change = self._do(self.document.undo)
        if change is not None:
            self.list.go_to(change.start)

    def redo(self) -> None:
        change = self._do(self.document.redo)
        if change is not None:
            self.list.go_to(change.start)

    # -- the whole transcript -----------------------------------------------------------------

    def finish(self) -> None:
        """Mark the transcript reviewed (asks first if some turns are not verified yet)."""
        self.delegate.commit_open_editor()
        left = len(self.document) - self.document.verified_count
        if left:
            ask(
                self,
                "Some turns are not verified",
                f"{left:,} turn(s) are not marked verified yet.",
                detail="Mark them all verified and the transcript reviewed?",
                confirm="Mark all verified",
                on_confirm=self._verify_all_and_finish,
            )
            return
        self._finish()

    def _verify_all_and_finish(self) -> None:
        self._do(self.document.verify_all)
        self._finish()

    def _finish(self) -> None:
        try:
            self.autosave.flush()
            state = finish_review(self.study, self.document)
        except RecorderError as exc:
            show_error(self, exc)
            return
        self.autosave.saved_revision = self.document.revision
        done = "reviewed" if state is SessionState.REVIEWED else state.value
        self._say("")
        self.progress.setText(f"All {len(self.document):,} turns verified · session {done}")
        self.reviewed.emit(state)

    def show_corrections(self) -> None:
        from recorder.ui.review.corrections_dialog import CorrectionsDialog

        self.delegate.commit_open_editor()
        CorrectionsDialog(self.document, self).open()

    # -- redactions --------------------------------------------------------------------------

    def show_redactions(self, on: bool) -> None:
        """Open (or close) the redaction review beside the turns; the text is read-only then."""
        if on == self.redacting:
            return
        if not on:
            self._close_redactions()
            return
        self.delegate.commit_open_editor()
        self.autosave.flush()  # the review refers to the saved text
        self.redacting = True
        self.delegate.read_only = True
        model = RedactionModel(self.study, self.codemap, self.document.session_id)
        panel = RedactionPanel(model)
        panel.focus.connect(self._focus_proposal)
        panel.accept_button.clicked.connect(lambda: self.decide(Decision.ACCEPTED))
        panel.reject_button.clicked.connect(lambda: self.decide(Decision.REJECTED))
        panel.next_button.clicked.connect(self.next_proposal)
        panel.add_button.clicked.connect(self.redact_selection)
        panel.create_button.clicked.connect(self.create_deidentified)
        model.loaded.connect(self._redactions_loaded)
        model.changed.connect(self._show_marks)
        model.created.connect(self._deidentified)
        model.failed.connect(lambda exc: show_error(self, exc))
        self.redactions, self.redaction_panel = model, panel
        self.body.addWidget(panel)
        for shortcut in self.redaction_keys:
            shortcut.setEnabled(True)
        model.load()

    def _close_redactions(self) -> None:
        self.delegate.commit_open_editor()
        self.redacting = False
        self.delegate.read_only = False
        for shortcut in self.redaction_keys:
            shortcut.setEnabled(False)
        if self.redaction_panel is not None:
            self.body.removeWidget(self.redaction_panel)
            self.redaction_panel.deleteLater()
        self.redactions = self.redaction_panel = None
        self.model.set_marks({})
        self.redactions_button.setChecked(False)

    def _redactions_loaded(self) -> None:
        self._show_marks()
        if self.redactions is not None and self.redactions.fresh_proposals:
            self._say("")
        self.next_proposal()

    def _show_marks(self) -> None:
        if self.redactions is not None and self.redaction_panel is not None:
            self.model.set_marks(self.redactions.marks(self.redaction_panel.current_id()))

    def _focus_proposal(self, proposal: Proposal) -> None:
        self._show_marks()
        self.list.go_to(proposal.segment, center=True)

    def current_proposal(self) -> Proposal | None:
        panel, model = self.redaction_panel, self.redactions
        if panel is None or model is None or model.review is None or not panel.current_id():
            return None
        return model.review.proposal(panel.current_id())

    def decide(self, decision: Decision) -> None:
        """Accept or reject the proposal in focus (everywhere, if asked), then the next."""
        proposal, panel = self.current_proposal(), self.redaction_panel
        if proposal is None or self.redactions is None or panel is None:
            return
        try:
            self.redactions.decide(
                proposal.id, decision, all_occurrences=panel.everywhere.isChecked()
            )
        except RecorderError as exc:
            self._say(sentence(exc))
            return
        self.next_proposal()

    def next_proposal(self) -> None:
        """Focus the next proposal still to decide (after the one in focus)."""
        panel, model = self.redaction_panel, self.redactions
        if panel is None or model is None:
            return
        proposals = model.proposals()
        current = panel.current_id()
        ids = [p.id for p in proposals]
        start = ids.index(current) + 1 if current in ids else 0
        ordered = list(proposals[start:]) + list(proposals[:start])
        for p in ordered:
            if p.decision is Decision.PROPOSED:
                panel.select(p.id)
                self._focus_proposal(p)
                self._say("")
                return
        self._show_marks()
        self._say("Every proposal has a decision.")

    def redact_selection(self) -> None:
        """Redact the text selected in the open turn with the panel's category."""
        editor, panel, model = self.delegate.editor, self.redaction_panel, self.redactions
        row = self.delegate.editing_row
        if (
            editor is None
            or panel is None
            or model is None
            or not editor.textCursor().hasSelection()
        ):
            self._say("Select the text first: Enter opens the turn, Shift+arrows select.")
            if editor is None and self.current_row >= 0:
                self.list.edit(self.list.currentIndex())
            return
        cursor = editor.textCursor()
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        self.delegate.commit_open_editor()
        try:
            model.add(
                row,
                start,
                end,
                panel.chosen_category(),
                all_occurrences=panel.everywhere.isChecked(),
            )
        except RecorderError as exc:
            self._say(sentence(exc))
            return
        self._say("")
        self.list.setFocus()

    def create_deidentified(self) -> None:
        if self.redactions is not None:
            self.redactions.create()

    def _deidentified(self, _transcript: object) -> None:
        self._say("")
        self.progress.setText("De-identified transcript created")
        self.deidentified.emit()

    # -- leaving ------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Save what is left and stop the audio (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.delegate.commit_open_editor()
        if self.redacting:
            self._close_redactions()
        try:
            self.autosave.flush()
        except RecorderError as exc:
            log.warning("saving the review on close failed: %s", type(exc).__name__)
            show_error(self, exc)
        self.playback.close()

    def close_review(self) -> None:
        self.shutdown()
        self.closed.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def index_of(self, row: int) -> QModelIndex:
        return self.model.index(row, 0)
