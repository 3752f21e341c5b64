"""The line under the grid: the current cell's problems (icon and message, and an accepted warning's
reason), or the field's hint when it has none, so a cell's problem can be read from the keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.views.case_model import CaseTableModel
from app.views.marks import LABELS, issue_kind, kind_of, mark_icon

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

    from app.models.forms import FormDefinition
    from app.validation import Issue

ModelIndex = QModelIndex | QPersistentModelIndex

HINT_STYLE = "color: #555555;"


def issue_text(issue: Issue) -> str:
    """「警告（承認済み）: 内容（理由: …）」 — the kind in words, the message without its place."""
    text = issue.text
    reason = f"（理由: {issue.accepted}）" if issue.accepted else ""
    return f"{LABELS[issue_kind(issue)]}: {text}{reason}"


class ElidedLabel(QLabel):
    """One line that ends in 「…」 when the window is too narrow for it (the whole text is in its tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 40))
        if shown != self.text():
            self.setText(shown)


class CellLine(QWidget):
    """Shows what is wrong with the grid's current cell, in one line."""

    def __init__(self, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = form
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.setSpacing(6)
        self.icon = QLabel(self)
        self.icon.setFixedSize(QSize(16, 16))
        self.text = ElidedLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)

    def show_cell(self, index: ModelIndex) -> None:
        """The problems of the cell at `index` (a CaseTableModel index), else its field's hint."""
        model = index.model()
        if not index.isValid() or not isinstance(model, CaseTableModel):
            self.icon.clear()
            self.text.set_full_text("")
            return
        key = model.columns[index.column()]
        issues = index.data(CaseTableModel.IssuesRole)
        issues = issues if isinstance(issues, list) else []
        rejected = index.data(CaseTableModel.RejectedRole)
        place = f"No.{index.row() + 1} {self._form.field(key).label}"
        lines = [f"エラー: {rejected}（保存されていません）"] if isinstance(rejected, str) else []
        lines += [issue_text(issue) for issue in issues]
        kind = kind_of(issues, isinstance(rejected, str))
        if kind is None:
            self.icon.clear()
            hint = self._form.field(key).hint
            self.text.set_full_text(f"{place}: {hint}" if hint else place)
            self._style(HINT_STYLE)
        else:
            self.icon.setPixmap(mark_icon(kind).pixmap(QSize(16, 16)))
            self.text.set_full_text(f"{place} — " + "　".join(lines))
            self._style("")
        self.text.setToolTip("\n".join(lines) or self.text.full_text())

    def _style(self, style: str) -> None:
        if (
            self.text.styleSheet() != style
        ):  # setting a style sheet re-polishes and re-lays out, even if equal
            self.text.setStyleSheet(style)
