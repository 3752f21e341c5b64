"""The start page: what the window shows when no application is open (the first start, or after the last
one went to the trash), instead of making an application by itself. Four ways in — a new application
(form and name), an application file, a 承認依頼ファイル for a 指導者, the guide — and the recent
applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.resources import project_root
from app.views.fit import fit_size
from app.views.new_application import form_summary

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.forms import FormDefinition, FormRegistry
    from app.store.applications import ApplicationInfo

RECENT = 12
"""How many recent applications the page lists."""


def guide_path() -> Path:
    """The user's guide (docs/guide-ja.md), in the source tree and in the bundle alike."""
    return project_root() / "docs" / "guide-ja.md"


def open_guide(parent: QWidget | None) -> None:
    """Open 使い方 in the PC's viewer for text files; without one, say where the file is."""
    path = guide_path()
    if path.is_file() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return
    QMessageBox.information(
        parent,
        "使い方",
        f"使い方の説明は次のファイルにあります。メモ帳などで開いてください。\n\n{path}",
    )


@dataclass(frozen=True)
class NewApplication:
    form: FormDefinition
    title: str


class NewApplicationDialog(QDialog):
    """新しい申請: the form (the society's) and a name for the list (the applicant's name, as a rule)."""

    def __init__(self, forms: FormRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("新しい申請"))
        fit_size(self, 640, 320)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("申請の種類（様式）を選び、名前を付けてください。"), self))
        self.list = QListWidget(self)
        for form_id in forms.ids():
            form = forms.get(form_id)
            if form is None:
                continue
            item = QListWidgetItem(form_summary(form))
            item.setData(Qt.ItemDataRole.UserRole, form)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        layout.addWidget(self.list, 1)
        fields = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(
            self.tr("例: 山田太郎 更新申請（空欄なら申請者の氏名が一覧に表示されます）")
        )
        fields.addRow(self.tr("名前(&N)"), self.name)
        layout.addLayout(fields)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("作成"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())

    def chosen(self) -> NewApplication | None:
        item = self.list.currentItem()
        form = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return None if form is None else NewApplication(form, self.name.text().strip())

    @classmethod
    def ask(cls, parent: QWidget | None, forms: FormRegistry) -> NewApplication | None:
        """The form and name chosen, or None when cancelled (tests patch this)."""
        dialog = cls(forms, parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


class StartPage(QWidget):
    """Big buttons for the four ways in, and the recent applications (double-click or Enter opens one)."""

    newRequested = Signal()
    openFileRequested = Signal()
    reviewRequested = Signal()
    guideRequested = Signal()
    applicationChosen = Signal(int)

    def __init__(
        self, recent: list[ApplicationInfo], forms: FormRegistry, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("start_page")
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(12)
        outer.addLayout(column, 4)
        outer.addStretch(1)
        title = QLabel(self.tr("Shorei — 症例登録"), self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        column.addStretch(1)
        column.addWidget(title)
        column.addWidget(
            QLabel(self.tr("はじめに、することを選んでください。入力した内容は自動で保存されます。"), self)
        )
        style = self.style()
        buttons = QGridLayout()
        buttons.setSpacing(10)
        specs = [
            ("new", self.tr("新しい申請…"), self.tr("様式を選び、名前を付けて始めます"),
             QStyle.StandardPixmap.SP_FileIcon, self.newRequested),
            ("open", self.tr("ファイルを開く…"), self.tr("申請データ（.json）を開きます"),
             QStyle.StandardPixmap.SP_DialogOpenButton, self.openFileRequested),
            ("review", self.tr("承認依頼ファイルを開く（指導者）…"), self.tr("申請者から届いた依頼に回答します"),
             QStyle.StandardPixmap.SP_DialogApplyButton, self.reviewRequested),
            ("guide", self.tr("使い方"), self.tr("入力のしかたと提出までの流れ"),
             QStyle.StandardPixmap.SP_MessageBoxQuestion, self.guideRequested),
        ]  # fmt: skip
        self.buttons: dict[str, QPushButton] = {}
        for position, (key, text, note, icon, signal) in enumerate(specs):
            button = QPushButton(style.standardIcon(icon), f"{text}\n{note}", self)
            button.setIconSize(QSize(24, 24))
            button.setMinimumHeight(56)
            button.setStyleSheet("text-align: left; padding: 6px 12px;")
            button.clicked.connect(signal.emit)
            buttons.addWidget(button, position // 2, position % 2)
            self.buttons[key] = button
        column.addLayout(buttons)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        column.addWidget(line)
        caption = QLabel(self.tr("最近の申請(&R)"), self)
        column.addWidget(caption)
        self.recent = QListWidget(self)
        caption.setBuddy(self.recent)
        for info in recent[:RECENT]:
            form = forms.get(info.form_id, info.form_version)
            form_name = form.title if form is not None else info.form_id
            who = (
                f"　{info.applicant_name}"
                if info.applicant_name and info.applicant_name != info.title
                else ""
            )
            item = QListWidgetItem(
                f"{info.title}{who}　—　{form_name}　（更新 {info.updated_at.astimezone():%Y-%m-%d %H:%M}）"
            )
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            self.recent.addItem(item)
        if not recent:
            self.recent.addItem(self.tr("（まだありません）"))
            self.recent.setEnabled(False)
        self.recent.itemActivated.connect(self._chosen)
        self.recent.itemDoubleClicked.connect(self._chosen)
        column.addWidget(self.recent, 2)
        column.addStretch(1)

    def _chosen(self, item: QListWidgetItem) -> None:
        app_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(app_id, int):
            self.applicationChosen.emit(app_id)
