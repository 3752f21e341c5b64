"""新規: which society's form the new application is drafted under."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.models.forms import FormDefinition, FormRegistry


def form_summary(form: FormDefinition) -> str:
    """One line per form for the choice: society, title, the count, and whether approval is needed."""
    counts = form.counts
    count = f"{counts.min}例" if counts.min == counts.max else f"{counts.min}〜{counts.max}例"
    extras = [count]
    if form.approval is not None and form.approval.required:
        extras.append("指導者の承認が必要")
    if counts.source == "default":
        extras.append("症例数は既定値")
    return f"{form.society}　{form.title}（{'、'.join(extras)}）"


class FormChoiceDialog(QDialog):
    """Choose the form of a new application (the newest version of each installed form)."""

    def __init__(self, forms: FormRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("新しい申請"))
        self.resize(620, 300)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("申請の種類（様式）を選んでください。"), self))
        self.list = QListWidget(self)
        for form_id in forms.ids():
            form = forms.get(form_id)
            if form is None:
                continue
            item = QListWidgetItem(form_summary(form))
            item.setData(Qt.ItemDataRole.UserRole, form)
            item.setToolTip(f"{form.source}\n様式 {form.id}（版 {form.version}）")
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("作成"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> FormDefinition | None:
        item = self.list.currentItem()
        form = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return form if form is not None else None

    @classmethod
    def ask(cls, parent: QWidget | None, forms: FormRegistry) -> FormDefinition | None:
        """The form chosen, or None when cancelled (tests patch this)."""
        dialog = cls(forms, parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
