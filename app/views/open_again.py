"""Opening a file that was opened before: open the application made from it, or import a new copy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from collections.abc import Collection

OpenAgain = Literal["open", "copy"]


def copy_title(title: str, taken: Collection[str]) -> str:
    """The first of 「title（2）」, 「title（3）」 … that no application has yet."""
    number = 2
    while f"{title}（{number}）" in taken:
        number += 1
    return f"{title}（{number}）"


class OpenAgainDialog(QMessageBox):
    """Asks whether to open the application already made from a file, or to import the file as a copy."""

    def __init__(self, parent: QWidget | None, file_name: str, title: str, copy: str) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("すでに開いた申請データです"))
        self.setText(self.tr("{f} から作った申請「{t}」がすでにあります。").format(f=file_name, t=title))
        self.setInformativeText(
            self.tr(
                "その申請を開くか、ファイルをもう一度取り込んで「{c}」として開くかを選んでください。"
            ).format(c=copy)
        )
        self.open_button = self.addButton(self.tr("今ある申請を開く"), QMessageBox.ButtonRole.AcceptRole)
        self.copy_button = self.addButton(self.tr("コピーとして取り込む"), QMessageBox.ButtonRole.ActionRole)
        self.addButton(self.tr("キャンセル"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.open_button)

    @classmethod
    def ask(cls, parent: QWidget | None, file_name: str, title: str, copy: str) -> OpenAgain | None:
        """ "open", "copy", or None when cancelled (tests patch this)."""
        dialog = cls(parent, file_name, title, copy)
        dialog.exec()
        clicked = dialog.clickedButton()
        if clicked is dialog.open_button:
            return "open"
        if clicked is dialog.copy_button:
            return "copy"
        return None
