"""ヘルプ → 使い方 (the Japanese guide shipped inside the program) and ヘルプ → バージョン情報."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.about import component_versions
from app.resources import user_guide
from app.views.fit import fit_size

if TYPE_CHECKING:
    from pathlib import Path


class GuideDialog(QDialog):
    """The guide (docs/guide-ja.md) rendered from Markdown; no browser and no network: links that leave the
    document are not followed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Shorei の使い方"))
        fit_size(self, 860, 680)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(lambda url: self.browser.scrollToAnchor(url.fragment()))
        try:
            text = user_guide().read_text(encoding="utf-8")
        except OSError:
            text = self.tr("# 使い方\n\n使い方のファイルが見つかりません。Shorei を入れ直してください。")
        self.browser.setMarkdown(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)

    @classmethod
    def show_guide(cls, parent: QWidget | None) -> None:
        cls(parent).exec()


def version_rows(home: Path) -> list[tuple[str, str]]:
    """Every component's version (`app.about`) and the Qt the window runs on."""
    return [*component_versions(home), ("Qt", qVersion()), ("PySide6", pyside_version)]


class AboutDialog(QDialog):
    """The versions of Shorei, each form, the vocabulary, the facility lists in use, Qt and Python: what the
    society's office asks for when something looks wrong."""

    def __init__(self, home: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("バージョン情報"))
        fit_size(self, 640, 420)
        self.rows = rows = version_rows(home)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("項目"), self.tr("版")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (label, version) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(label))
            self.table.setItem(row, 1, QTableWidgetItem(version))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("Shorei 症例登録 — 学会の症例登録をオフラインで作成・点検します。"), self)
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The table as lines 「項目: 版」 (for tests and for copying into a question to the office)."""
        return "\n".join(f"{label}: {version}" for label, version in self.rows)

    @classmethod
    def show_versions(cls, parent: QWidget | None, home: Path) -> None:
        cls(home, parent).exec()
