"""Look and feel: a calm light and dark palette that follow the system, and one style sheet.

``RECORDER_THEME=light|dark`` overrides the system choice (used for screenshots).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Colours:
    """The few colours every view draws with."""

    window: str
    surface: str
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    record: str
    warning: str
    ok: str
    meter_back: str


LIGHT = Colours(
    window="#f4f5f7",
    surface="#ffffff",
    text="#1d2330",
    muted="#5c6577",
    border="#d5d9e0",
    accent="#2f5fb3",
    accent_text="#ffffff",
    record="#c62f3a",
    warning="#a35a00",
    ok="#2e7d4f",
    meter_back="#e3e6eb",
)

DARK = Colours(
    window="#1b1e24",
    surface="#252932",
    text="#e8eaee",
    muted="#a2a9b6",
    border="#3a404c",
    accent="#6f9be8",
    accent_text="#0f1420",
    record="#ef5b64",
    warning="#f0a74a",
    ok="#63c08a",
    meter_back="#343a46",
)

_in_use = [LIGHT]


def colours() -> Colours:
    """The colours of the theme in use."""
    return _in_use[0]


def system_prefers_dark() -> bool:
    """True when the override or the desktop asks for a dark theme."""
    choice = os.environ.get("RECORDER_THEME", "").lower()
    if choice in ("light", "dark"):
        return choice == "dark"
    # The desktop's palette, not styleHints().colorScheme(): reading a Qt.* enum makes
    # PySide build the whole Qt namespace (12 ms of startup), and every platform theme that
    # reports a dark scheme also gives a dark window colour.
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def apply_theme(app: QApplication, *, dark: bool | None = None) -> Colours:
    """Style the whole app; follows the system colour scheme unless ``dark`` is given."""
    c = DARK if (system_prefers_dark() if dark is None else dark) else LIGHT
    _in_use[0] = c
    app.setStyle("Fusion")
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.5))
    app.setFont(font)
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window,
        QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.surface,
        QPalette.ColorRole.AlternateBase: c.window,
        QPalette.ColorRole.Text: c.text,
        QPalette.ColorRole.Button: c.surface,
        QPalette.ColorRole.ButtonText: c.text,
        QPalette.ColorRole.Highlight: c.accent,
        QPalette.ColorRole.HighlightedText: c.accent_text,
        QPalette.ColorRole.ToolTipBase: c.surface,
        QPalette.ColorRole.ToolTipText: c.text,
        QPalette.ColorRole.PlaceholderText: c.muted,
        QPalette.ColorRole.Link: c.accent,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):  # fmt: skip
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.muted))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet(c))
    return c


def style_sheet(c: Colours) -> str:
    """The app-wide style sheet; widgets opt in with object names and properties."""
    return f"""
    QWidget {{ color: {c.text}; }}
    QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
    QToolTip {{ background: {c.surface}; color: {c.text}; border: 1px solid {c.border};
                padding: 4px; }}
    QFrame#card {{ background: {c.surface}; border: 1px solid {c.border}; border-radius: 8px; }}
    QLabel#title {{ font-size: 20pt; font-weight: 600; }}
    QLabel#heading {{ font-size: 13pt; font-weight: 600; }}
    QLabel#muted, QLabel[muted="true"] {{ color: {c.muted}; }}
    QLabel#warning {{ color: {c.warning}; font-weight: 600; }}
    QLabel#error {{ color: {c.record}; font-weight: 600; }}
    QLabel#elapsed {{ font-size: 28pt; font-weight: 600; font-family: "DejaVu Sans Mono"; }}
    QLabel#promptTitle {{ font-size: 15pt; font-weight: 600; }}
    QLabel#promptText {{ font-size: 13pt; }}
    QPushButton {{ padding: 6px 14px; border: 1px solid {c.border}; border-radius: 6px;
                   background: {c.surface}; }}
    QPushButton:hover {{ border-color: {c.accent}; }}
    QPushButton:focus {{ border: 2px solid {c.accent}; }}
    QPushButton:disabled {{ color: {c.muted}; background: {c.window}; }}
    QPushButton[primary="true"] {{ background: {c.accent}; color: {c.accent_text};
                                  border-color: {c.accent}; font-weight: 600; }}
    QPushButton[primary="true"]:disabled {{ background: {c.border}; color: {c.muted}; }}
    QPushButton[big="true"] {{ font-size: 13pt; padding: 12px 22px; min-width: 120px; }}
    QPushButton#record {{ background: {c.record}; color: white; border-color: {c.record}; }}
    QPushButton#record:disabled {{ background: {c.border}; color: {c.muted}; }}
    QLineEdit, QPlainTextEdit, QTextEdit {{
        padding: 5px; border: 1px solid {c.border}; border-radius: 5px; background: {c.surface};
    }}
    QLineEdit:focus, QPlainTextEdit:focus {{ border: 2px solid {c.accent}; }}
    QTableView, QListWidget, QTreeWidget {{ background: {c.surface}; border: 1px solid {c.border};
        border-radius: 6px; gridline-color: {c.border}; }}
    QHeaderView::section {{ background: {c.window}; padding: 6px; border: none;
        border-bottom: 1px solid {c.border}; font-weight: 600; }}
    QProgressBar {{ border: 1px solid {c.border}; border-radius: 5px; background: {c.meter_back};
        text-align: center; min-height: 16px; }}
    QProgressBar::chunk {{ background: {c.accent}; border-radius: 4px; }}
    QGroupBox {{ font-weight: 600; border: 1px solid {c.border}; border-radius: 8px;
        margin-top: 14px; padding: 12px 10px 10px 10px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; }}
    QStatusBar {{ color: {c.muted}; }}
    """
