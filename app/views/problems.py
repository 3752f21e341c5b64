"""The problems panel: every issue of the application, errors first, and a jump to its cell on click."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from app.views.marks import issue_kind, mark_icon

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.validation import Issue


class ProblemsPanel(QTreeWidget):
    """Lists issues as 「種別 / 場所 / 内容」; activating one emits where it is."""

    issueActivated = Signal(object)
    """The Issue the user chose."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(3)
        self.setHeaderLabels([self.tr("種別"), self.tr("場所"), self.tr("内容")])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setColumnWidth(0, 140)
        self.setColumnWidth(1, 250)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self._issues: list[Issue] = []

    def set_issues(self, issues: Sequence[Issue]) -> None:
        """Errors first, then warnings not yet accepted, then accepted ones; each in form order."""
        rank = {True: 0, False: 1}
        ordered = sorted(issues, key=lambda i: (rank[i.is_error], i.accepted is not None))
        if ordered == self._issues:
            return  # the same lines: not built again (a cell edit that changes no issue; its budget)
        self._issues = ordered
        self.clear()
        for position, issue in enumerate(ordered):
            place, text = issue.place or "申請全体", issue.text
            kind = "エラー" if issue.is_error else ("警告（承認済み）" if issue.accepted else "警告")
            item = QTreeWidgetItem(
                [kind, place, text if not issue.accepted else f"{text}（理由: {issue.accepted}）"]
            )
            item.setIcon(0, mark_icon(issue_kind(issue)))
            item.setToolTip(2, item.text(2))
            if issue.accepted:
                for column in range(3):
                    item.setForeground(column, QColor("#666666"))
            item.setData(0, Qt.ItemDataRole.UserRole, position)
            self.addTopLevelItem(item)

    def issues(self) -> list[Issue]:
        return list(self._issues)

    def current_issue(self) -> Issue | None:
        """The issue of the selected line, if any."""
        item = self.currentItem()
        position = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return self._issues[position] if isinstance(position, int) and position < len(self._issues) else None

    def select_cell(self, section: int | None, row: int | None, field: str | None) -> None:
        """Select the first issue of the cell (1-based section and row) the cursor is on, without jumping
        to it (the cursor is already there); no issue there leaves the list as it is."""
        for position, issue in enumerate(self._issues):
            if (issue.section, issue.row, issue.field) == (section, row, field):
                item = self.topLevelItem(position)
                if item is not None and item is not self.currentItem():
                    self.setCurrentItem(item)
                    self.scrollToItem(item)
                return
        self.setCurrentIndex(QModelIndex())

    def _activated(self, item: QTreeWidgetItem, column: int = 0) -> None:
        position = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(position, int) and position < len(self._issues):
            self.issueActivated.emit(self._issues[position])
