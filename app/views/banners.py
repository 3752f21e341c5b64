"""A banner across the top of the window while only the bundled sample facility list is installed: the
rules cannot tell a real certified facility from a sample one until the society's list is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

if TYPE_CHECKING:
    from collections.abc import Callable

SAMPLE_BANNER = "background: #fff3c4; border: 1px solid #e0c060; border-radius: 3px;"


class SampleListBanner(QFrame):
    """「施設一覧はサンプルです」 with a button that imports the real list."""

    def __init__(self, import_list: Callable[[], None] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sample_banner")
        self.setStyleSheet(f"#sample_banner {{{SAMPLE_BANNER}}}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 8, 3)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        layout.addWidget(self.text, 1)
        self.button = QPushButton(self.tr("施設一覧を取り込む…"), self)
        self.button.setEnabled(import_list is not None)
        if import_list is not None:
            self.button.clicked.connect(lambda _=False: import_list())
        layout.addWidget(self.button)
        self.hide()

    def show_list(self, name: str, sample: bool) -> None:
        self.text.setText(
            self.tr("⚠ 施設一覧はサンプルです。認定施設を正しく確認するには学会の一覧を取り込んでください。")
        )
        self.text.setToolTip(name)
        self.setVisible(sample)
