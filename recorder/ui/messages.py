"""Errors and questions as human sentences: never a traceback in front of a user.

Message boxes open window-modal without blocking (``open()``), so the GUI keeps painting and
tests can answer them like a user would.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from recorder.core.errors import RecorderError

if TYPE_CHECKING:  # QMessageBox loads on first use: its many enums slow the first window
    from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


def explain(exc: BaseException) -> tuple[str, str]:
    """The sentence and the next step for an error."""
    if isinstance(exc, RecorderError):
        return str(exc), exc.hint or ""
    if isinstance(exc, MemoryError):
        return "The computer ran out of memory.", "Close other programs and try again."
    if isinstance(exc, OSError):
        return (
            f"The system refused the operation ({exc.strerror or type(exc).__name__}).",
            "Check that the folder exists, is writable and that the disk has space.",
        )
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    return (
        "Something unexpected went wrong; nothing was deleted.",
        "Try again. If it keeps happening, run 'python main.py verify' on the study folder.",
    )


def sentence(exc: BaseException) -> str:
    """The error and its next step as one line, for an inline message."""
    message, hint = explain(exc)
    return f"{message} {hint}".strip()


def show_error(parent: QWidget | None, exc: BaseException, title: str = "") -> QMessageBox:
    """Show an error with its hint; returns the (already open) box."""
    from PySide6.QtWidgets import QMessageBox

    message, hint = explain(exc)
    box = QMessageBox(
        QMessageBox.Icon.Warning, title or "Interview Recorder", message, parent=parent
    )
    box.setObjectName("errorBox")
    if hint:
        box.setInformativeText(hint)
    box.open()
    return box


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    confirm: str,
    on_confirm: Callable[[], None],
    detail: str = "",
    cancel: str = "Cancel",
    destructive: bool = False,
) -> QMessageBox:
    """Ask a yes/no question without blocking; ``on_confirm`` runs only on the confirm button."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setObjectName("question")
    if detail:
        box.setInformativeText(detail)
    role = (
        QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    )
    yes = box.addButton(confirm, role)
    no = box.addButton(cancel, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no if destructive else yes)
    box.setEscapeButton(no)

    def finished() -> None:
        if box.clickedButton() is yes:
            on_confirm()

    box.finished.connect(finished)
    box.open()
    return box
