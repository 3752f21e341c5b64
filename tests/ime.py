"""Typing Japanese in tests the way an input method does: `qtbot.keyClicks` aborts on non-ASCII text."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def commit_text(widget: QWidget, text: str) -> None:
    """Deliver `text` as an IME commit (after composition) to `widget`."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
