"""「症例一覧をExcelに書き出す」: where to write the case list, and whether 備考 (private) goes with it.

The workbook itself is written by `app.export.case_list`; the dialog is opened through the classmethod
`ask`, which tests patch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.views.fit import fit_size


@dataclass(frozen=True)
class CaseExportChoice:
    path: Path
    include_notes: bool


class CaseExportDialog(QDialog):
    """Where to write the case list, and whether 備考 (private) goes with it — off unless ticked."""

    def __init__(self, suggested: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("症例一覧をExcelに書き出す"))
        fit_size(self, 620, 180)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.path = QLineEdit(str(suggested), self)
        browse = QPushButton(self.tr("参照…"), self)
        browse.clicked.connect(self._browse)
        row.addWidget(QLabel(self.tr("保存先:"), self))
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.include_notes = QCheckBox(self.tr("備考（自分用のメモ）も書き出す"), self)
        self.include_notes.setToolTip(
            self.tr("備考は自分用のメモです。人に渡すファイルには含めないでください。")
        )
        layout.addWidget(self.include_notes)
        note = QLabel(
            self.tr(
                "施設欄ごとに1枚のシートに、様式と同じ見出しで書き出します。年月は 2024/05 の形の文字です。"
            ),
            self,
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(self)
        go = buttons.addButton(self.tr("書き出す"), QDialogButtonBox.ButtonRole.AcceptRole)
        go.setDefault(True)
        go.clicked.connect(self.accept)
        cancel = buttons.addButton(self.tr("キャンセル"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("保存先"), self.path.text(), self.tr("Excel ブック (*.xlsx)")
        )
        if path:
            self.path.setText(path if path.lower().endswith(".xlsx") else f"{path}.xlsx")

    def choice(self) -> CaseExportChoice | None:
        text = self.path.text().strip()
        if not text:
            return None
        return CaseExportChoice(Path(text), self.include_notes.isChecked())

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: Path) -> CaseExportChoice | None:
        """Ask where to write and whether with 備考 (tests patch this)."""
        dialog = cls(suggested, parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
