"""Qt's own words are Japanese: the physician never meets a Yes/Cancel in an otherwise Japanese window."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from app.views.app import ensure_qt_app


def test_standard_buttons_read_in_japanese() -> None:
    ensure_qt_app()
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Yes)
    assert sorted(button.text() for button in box.buttons()) == sorted(["キャンセル", "はい(&Y)"])
