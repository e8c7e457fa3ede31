"""The participant window: what it shows for each kind of prompt (never an ID, never the
interviewer's notes), its text-size keys, and where it goes with one screen or two."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from recorder.core.protocol import load_default_protocol
from recorder.core.protocol_model import ItemType, Prompt
from recorder.ui.participant_window import (
    DEFAULT_POINTS,
    LISTEN,
    MAX_POINTS,
    MIN_POINTS,
    WELCOME,
    ParticipantWindow,
)
from tests.conftest import ROOT
from tests.ui.helpers import visible_text

pytestmark = [pytest.mark.gui]

ID = re.compile(r"\b[PS]-[0-9A-Z]{5}\b")
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def participant(qtbot: QtBot) -> ParticipantWindow:
    window = ParticipantWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def all_prompts() -> list[Prompt]:
    protocol = load_default_protocol()
    return [p for kind in protocol.kinds for p in protocol.prompts(kind)]


def test_each_kind_of_prompt_shows_what_participants_may_read(
    participant: ParticipantWindow,
) -> None:
    assert participant.shown_text() == WELCOME
    assert WELCOME in visible_text(participant)
    prompts = all_prompts()
    assert any(p.item.notes for p in prompts) and any(p.item.probes for p in prompts)
    kinds = {(p.item.type, p.is_escalation) for p in prompts}
    assert {
        (ItemType.QUESTION, False),
        (ItemType.VIGNETTE, False),
        (ItemType.VIGNETTE, True),
        (ItemType.INSTRUCTION, False),
    } <= kinds
    for prompt in prompts:
        participant.show_prompt(prompt)
        item = prompt.item
        seen = visible_text(participant)
        if item.type is ItemType.QUESTION:
            assert participant.shown_text() == LISTEN
            assert item.text.strip() not in seen  # the interviewer reads questions aloud
        elif item.type is ItemType.VIGNETTE and prompt.is_escalation:
            assert participant.shown_text() == item.escalation.strip()
            assert participant.body.text() == item.escalation.strip()
            assert item.title in participant.heading.text()
            assert participant.heading.isVisibleTo(participant)
        elif item.type is ItemType.VIGNETTE:
            assert participant.body.text() == item.text.strip()
            assert participant.heading.text() == item.title.strip()
            assert participant.heading.isVisibleTo(participant)
            assert item.escalation.strip() not in seen  # what happens next stays hidden
        else:
            assert participant.shown_text() == item.text.strip()
        assert not ID.search(seen), f"an ID on the participant screen: {seen!r}"
        if item.notes.strip():
            assert item.notes.strip() not in seen
        for probe in item.probes:
            assert probe.strip() not in seen


def test_text_size_keys_stay_within_bounds(qtbot: QtBot, participant: ParticipantWindow) -> None:
    participant.activateWindow()
    qtbot.waitUntil(participant.isActiveWindow, timeout=5000)
    participant.show_prompt(next(p for p in all_prompts() if p.item.type is ItemType.VIGNETTE))
    assert participant.points == DEFAULT_POINTS

    qtbot.keyClick(participant, Qt.Key.Key_Equal, CTRL)
    assert participant.points == DEFAULT_POINTS + 2
    assert participant.body.font().pointSizeF() == pytest.approx(DEFAULT_POINTS + 2)
    for _ in range((MAX_POINTS - DEFAULT_POINTS) // 2 + 3):
        qtbot.keyClick(participant, Qt.Key.Key_Equal, CTRL)
    assert participant.points == MAX_POINTS
    assert participant.body.font().pointSizeF() == pytest.approx(MAX_POINTS)

    qtbot.keyClick(participant, Qt.Key.Key_Minus, CTRL)
    assert participant.points == MAX_POINTS - 2
    for _ in range((MAX_POINTS - MIN_POINTS) // 2 + 3):
        qtbot.keyClick(participant, Qt.Key.Key_Minus, CTRL)
    assert participant.points == MIN_POINTS
    assert participant.body.font().pointSizeF() == pytest.approx(MIN_POINTS)
    # the heading keeps its proportion at the bounds too
    assert participant.heading.font().pointSizeF() > participant.body.font().pointSizeF()


PRESENT = """
import json
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication
from recorder.ui.participant_window import ParticipantWindow

app = QApplication([])
window = ParticipantWindow()
went_full_screen = window.present()
for _ in range(20):
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
handle = window.windowHandle()
g, h = window.geometry(), handle.geometry()
print(json.dumps({
    "returned": went_full_screen,
    "full_screen": window.isFullScreen(),
    "visible": window.isVisible(),
    "screens": [s.name() for s in app.screens()],
    "screen": handle.screen().name(),
    "screen_geometry": list(handle.screen().geometry().getRect()),
    "geometry": [g.x(), g.y(), g.width(), g.height()],
    "handle_geometry": [h.x(), h.y(), h.width(), h.height()],
}))
"""

SCREENS = {
    "screens": [
        {
            "name": "laptop",
            "x": 0,
            "y": 0,
            "width": 1280,
            "height": 800,
            "logicalDpi": 96,
            "logicalBaseDpi": 96,
            "dpr": 1,
        },
        {
            "name": "participant",
            "x": 1280,
            "y": 0,
            "width": 1920,
            "height": 1080,
            "logicalDpi": 96,
            "logicalBaseDpi": 96,
            "dpr": 1,
        },
    ]
}


def present_in_child(platform: str) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": platform, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PRESENT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_present_goes_full_screen_on_the_second_screen(tmp_path: Path) -> None:
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(SCREENS), encoding="utf-8")
    shown = present_in_child(f"offscreen:configfile={config}")
    assert shown["screens"] == ["laptop", "participant"]
    assert shown["returned"] is True
    assert shown["full_screen"] is True and shown["visible"] is True
    assert shown["screen"] == "participant"
    assert shown["screen_geometry"] == [1280, 0, 1920, 1080]
    assert shown["handle_geometry"] == [1280, 0, 1920, 1080]
    x, y, width, height = shown["geometry"]
    assert (width, height) == (1920, 1080)
    assert 1280 <= x < 1280 + 1920 and 0 <= y < 1080  # on the participants' screen


def test_present_with_one_screen_is_an_ordinary_window() -> None:
    shown = present_in_child("offscreen")
    assert len(shown["screens"]) == 1
    assert shown["returned"] is False
    assert shown["visible"] is True and shown["full_screen"] is False
    assert shown["geometry"][2:] == [960, 640]
