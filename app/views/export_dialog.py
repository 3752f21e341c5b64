"""「印刷用PDFとアップロード用ファイルを作成」: what will be written and where, the refusal with the list
of errors, and opening the folder or the PDF afterwards. The files are made by `app.export`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.views.fit import fit_size

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from app.export import ExportPlan, ExportResult
    from app.validation import Issue

EXPORT, DRAFT = "export", "draft"


class ExportDialog(QDialog):
    """Shows an ExportPlan. Returns EXPORT (write as planned), DRAFT (print a draft instead) or None.
    A refused plan lists its errors; activating one closes the dialog and `go_to` shows its cell."""

    def __init__(
        self,
        plan: ExportPlan,
        parent: QWidget | None = None,
        go_to: Callable[[Issue], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.choice: str | None = None
        self._go_to = go_to
        self.errors: QListWidget | None = None
        self.setWindowTitle(self.tr("印刷用PDFとアップロード用ファイルを作成"))
        fit_size(self, 960, 460)  # most error lines whole, within 1280 logical pixels
        layout = QVBoxLayout(self)
        lines = plan.describe()
        heading = QLabel(lines[0], self)
        heading.setWordWrap(True)
        if plan.refused:
            heading.setStyleSheet("color: #b3261e; font-weight: bold;")
        layout.addWidget(heading)
        if plan.refused:
            hint = QLabel(
                self.tr("エラーをダブルクリック（または Enter）すると、その場所へ移動します。"), self
            )
            layout.addWidget(hint)
            self.errors = QListWidget(self)
            for issue in plan.errors:
                item = QListWidgetItem(issue.message)
                item.setToolTip(issue.message)
                self.errors.addItem(item)
            errors, found = self.errors, plan.errors
            errors.itemActivated.connect(lambda item: self._jump(found[errors.row(item)]))
            layout.addWidget(self.errors, 1)
        else:
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

    def _jump(self, issue: Issue) -> None:
        self.reject()
        if self._go_to is not None:
            self._go_to(issue)

    @classmethod
    def ask(
        cls, parent: QWidget | None, plan: ExportPlan, go_to: Callable[[Issue], None] | None = None
    ) -> str | None:
        """Show the plan and return the user's choice (tests patch this)."""
        dialog = cls(plan, parent, go_to)
        return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else None


def open_local(path: Path, parent: QWidget | None = None) -> bool:
    """Open a local file or folder with the system's program (a file: URL; nothing leaves the machine).
    Without a program for it (no PDF viewer), says so with the file's path; False then."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "開けません",
        f"この種類のファイルを開くプログラムが見つかりません。\n\n{path}\n\n"
        "PDF を表示するソフト（Adobe Acrobat Reader など）で上のファイルを開いてください。"
        "パスは選択してコピーできます。",
        parent=parent,
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()
    return False


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
            button.clicked.connect(lambda _=False, where=target: open_local(where, self))
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(self.tr("閉じる"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.accept)
        layout.addWidget(buttons)
        fit_size(self, 640)

    @classmethod
    def show_result(cls, parent: QWidget | None, result: ExportResult) -> None:
        """Show the result without blocking (tests patch this)."""
        dialog = cls(result, parent)
        dialog.setModal(False)
        dialog.show()
