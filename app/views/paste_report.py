"""After a paste: the cells that could not be read, in a panel that stays open beside the window and whose
text can be copied (the cells themselves stay on screen in red, as typed)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.views.fit import fit_size


class PasteReportDialog(QDialog):
    """Lists the refused cells of the last paste; non-modal, so the user fixes them while it is open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("貼り付けで読み取れなかったセル"))
        self.setWindowModality(Qt.WindowModality.NonModal)
        fit_size(self, 560, 260)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        layout.addWidget(self.text, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.copy_button = QPushButton(self.tr("コピー"), self)
        self.copy_button.clicked.connect(self.copy)
        close = QPushButton(self.tr("閉じる"), self)
        close.clicked.connect(self.close)
        row.addWidget(self.copy_button)
        row.addWidget(close)
        layout.addLayout(row)

    def show_report(self, written: int, refused: list[str]) -> None:
        self.summary.setText(
            self.tr(
                "{n}セルを貼り付けました。次の{m}セルは読み取れなかったため保存していません。"
                "赤いセルに入力どおり残っています。直して Enter を押すと保存されます。"
            ).format(n=written, m=len(refused))
        )
        self.text.setPlainText("\n".join(refused))
        self.show()
        self.raise_()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
