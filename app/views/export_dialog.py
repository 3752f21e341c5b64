"""「印刷用PDFとアップロード用ファイルを作成」: what will be written and where, the refusal with the list
of errors, and opening the folder or the PDF afterwards. The files are made by `app.export`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from pathlib import Path

    from app.export import ExportPlan, ExportResult

EXPORT, DRAFT = "export", "draft"


class ExportDialog(QDialog):
    """Shows an ExportPlan. Returns EXPORT (write as planned), DRAFT (print a draft instead) or None."""

    def __init__(self, plan: ExportPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice: str | None = None
        self.setWindowTitle(self.tr("印刷用PDFとアップロード用ファイルを作成"))
        self.resize(640, 380)
        layout = QVBoxLayout(self)
        lines = plan.describe()
        heading = QLabel(lines[0], self)
        heading.setWordWrap(True)
        if plan.refused:
            heading.setStyleSheet("color: #b3261e; font-weight: bold;")
        layout.addWidget(heading)
        details = QPlainTextEdit("\n".join(lines[1:]), self)
        details.setReadOnly(True)
        layout.addWidget(details, 1)
        buttons = QDialogButtonBox(self)
        if plan.refused:
            draft = buttons.addButton(self.tr("下書きを印刷"), QDialogButtonBox.ButtonRole.AcceptRole)
            draft.clicked.connect(lambda: self._finish(DRAFT))
        else:
            go = buttons.addButton(
                self.tr("下書きPDFを作成") if plan.draft else self.tr("作成"),
                QDialogButtonBox.ButtonRole.AcceptRole,
            )
            go.setDefault(True)
            go.clicked.connect(lambda: self._finish(EXPORT))
        close = buttons.addButton(self.tr("閉じる"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _finish(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, plan: ExportPlan) -> str | None:
        """Show the plan and return the user's choice (tests patch this)."""
        dialog = cls(plan, parent)
        return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else None


def open_local(path: Path) -> None:
    """Open a local file or folder with the system's program (a file: URL; nothing leaves the machine)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ExportDoneDialog(QDialog):
    """What was written, the 照合コード and the key fingerprint, with buttons to open the PDF or folder."""

    def __init__(self, result: ExportResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("作成しました"))
        layout = QVBoxLayout(self)
        lines = [self.tr("印刷用PDF: {p}").format(p=result.pdf_path)]
        if result.draft:
            lines.append(self.tr("下書きです。押印・提出には使えません。"))
        else:
            lines += [
                self.tr("アップロード用ファイル: {p}").format(p=result.package_path),
                self.tr("照合コード: {h}").format(h=result.short_hash),
                self.tr("署名鍵の指紋: {f}").format(f=result.fingerprint),
                self.tr("各施設のページを印刷して公印を受け、アップロード用ファイルを提出してください。"),
            ]
            if result.earlier is not None:
                lines.append(result.earlier.describe().replace("残します", "残しました"))
        text = QLabel("\n".join(lines), self)
        text.setWordWrap(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox(self)
        for label, target in (
            (self.tr("PDFを開く"), result.pdf_path),
            (self.tr("フォルダを開く"), result.folder),
        ):
            button = QPushButton(label, self)
            button.clicked.connect(lambda _=False, where=target: open_local(where))
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(self.tr("閉じる"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.accept)
        layout.addWidget(buttons)

    @classmethod
    def show_result(cls, parent: QWidget | None, result: ExportResult) -> None:
        """Show the result without blocking (tests patch this)."""
        dialog = cls(result, parent)
        dialog.setModal(False)
        dialog.show()
