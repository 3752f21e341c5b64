"""Typing Japanese in tests the way an input method does: `qtbot.keyClicks` aborts on non-ASCII text."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def commit_text(widget: QWidget, text: str) -> None:
    """Deliver `text` as an IME commit (after composition) to `widget`."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def compose_then_commit(widget: QWidget, reading: str, text: str) -> None:
    """As a real IME does: the reading as a preedit (composition), then the converted `text` committed."""
    preedit = QInputMethodEvent(reading, [])
    QApplication.sendEvent(widget, preedit)
    commit = QInputMethodEvent()
    commit.setCommitString(text)
    QApplication.sendEvent(widget, commit)
