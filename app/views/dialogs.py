"""The window's small dialogs: a message that does not block, a question before anything destructive, the
reason for keeping a warning, and the history of an application. Tests patch `notify`, `confirm` and
`ask_reason` here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.views.fit import fit_size

if TYPE_CHECKING:
    from app.store import Store


class HistoryDialog(QDialog):
    """Earlier saved states of an application; choosing one restores it (an undoable change)."""

    def __init__(self, store: Store, app_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("変更履歴"))
        fit_size(self, 620, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr("戻したい時点を選び、「この時点に戻す」を押してください。戻す操作も元に戻せます。")
            )
        )
        self.list = QListWidget(self)
        for change in store.history.changes(app_id, limit=500):
            when = change.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            item = QListWidgetItem(f"{when}　{change.summary}")
            item.setData(Qt.ItemDataRole.UserRole, change.version)
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("この時点に戻す"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("閉じる"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())

    def chosen_version(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    @classmethod
    def ask(cls, store: Store, app_id: int, parent: QWidget | None) -> int | None:
        dialog = cls(store, app_id, parent)
        return dialog.chosen_version() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_reason(parent: QWidget | None, message: str) -> str | None:
    """The reason for keeping a warning (tests patch this)."""
    text, ok = QInputDialog.getText(
        parent, "警告を承認", f"{message}\n\nこの警告を承認する理由を入力してください:"
    )
    return text.strip() if ok and text.strip() else None


def notify(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> None:
    """A message that does not block the window (the user keeps typing; tests are never stopped)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information, title, text, parent=parent
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask before anything destructive (tests patch this)."""
    answer = QMessageBox.question(
        parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    )
    return answer == QMessageBox.StandardButton.Yes
