"""CaseTableModel: adapts one section's cases (and their issues) to the 25-row grid of the society's form.

Edits are read with `app.models.cells.read_cell` and handed to `commit` (the window routes them through
the undo stack to the store); the model shows what the store returns. A cell that cannot be read is kept
on screen as typed, tinted, with the reason: nothing the user typed disappears unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.models.cells import CellEdit, CellProblem, CellValue, display_value, read_cell
from app.views.marks import kind_of, mark_icon

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from app.models.application import Case, Section
    from app.models.forms import FormDefinition
    from app.validation import Issue

ModelIndex = QModelIndex | QPersistentModelIndex

ERROR_TINT = QColor("#fde0dc")
WARNING_TINT = QColor("#fff3c4")
ACCEPTED_TINT = QColor("#eef6e8")
PRIVATE_TINT = QColor("#e8f0fb")


_HEADERS = {
    "start": "実施期間\n開始",
    "end": "実施期間\n終了",
    "item": "実施した\n診療項目",
    "item_other": "その他の内容",
}
"""Two-line headers where the form's label is wider than its column."""


@dataclass(frozen=True)
class RejectedCell:
    text: str
    message: str


class CaseTableModel(QAbstractTableModel):
    """Rows are the form's numbered lines (25 for JBCT); columns are `columns`, the form's case fields."""

    IssuesRole = Qt.ItemDataRole.UserRole + 1
    """list[Issue] of the cell."""
    KeyRole = Qt.ItemDataRole.UserRole + 2
    """The field key of the column (str)."""
    RejectedRole = Qt.ItemDataRole.UserRole + 3
    """The reason a typed value was not taken (str) or None."""

    cellRejected = Signal(str)
    """A typed value could not be read; the message says what to type."""

    def __init__(
        self,
        form: FormDefinition,
        section_index: int,
        commit: Callable[[Sequence[CellEdit]], None],
        parent: object | None = None,
    ) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._form = form
        self._section_index = section_index
        self._commit = commit
        self._cases: list[Case] = []
        self._issues: dict[tuple[int, str], list[Issue]] = {}
        self._rejected: dict[tuple[int, str], RejectedCell] = {}
        self._rows = form.sections.rows if form.sections is not None else 25
        self.columns: tuple[str, ...] = form.case_fields
        """The field key of each column: the form's case fields, in its order (`FormDefinition.case_fields`)."""

    # --- data in --------------------------------------------------------------------------------

    @property
    def section_index(self) -> int:
        return self._section_index

    def set_section(self, section: Section | None, issues: Sequence[Issue]) -> None:
        """Show `section` and the issues of its rows; signal only the cells that changed."""
        old_cases, old_issues = self._cases, self._issues
        cases = list(section.cases) if section is not None else []
        grow = max(self._rows, len(cases)) - self.rowCount()
        if grow > 0:
            self.beginInsertRows(QModelIndex(), self.rowCount(), self.rowCount() + grow - 1)
        self._cases = cases
        self._issues = {}
        for issue in issues:
            if (
                issue.section == self._section_index + 1
                and issue.row is not None
                and issue.field in self.columns
            ):
                self._issues.setdefault((issue.row - 1, issue.field), []).append(issue)
        if grow > 0:
            self.endInsertRows()
        roles = [
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.ToolTipRole,
            self.IssuesRole,
        ]
        for row, column in sorted(self._changed_cells(old_cases, old_issues)):
            index = self.index(row, column)
            self.dataChanged.emit(index, index, roles)

    def _changed_cells(
        self, old_cases: list[Case], old_issues: dict[tuple[int, str], list[Issue]]
    ) -> set[tuple[int, int]]:
        """The cells whose value or issues differ from before: rows compared whole first, as one edit
        changes one row of 75 (one cell edit's budget)."""
        changed: set[tuple[int, int]] = set()
        cases = self._cases
        for row in range(max(len(old_cases), len(cases))):
            was = old_cases[row] if row < len(old_cases) else None
            now = cases[row] if row < len(cases) else None
            if was is now or was == now:
                continue
            for column, key in enumerate(self.columns):
                if getattr(was, key, None) != getattr(now, key, None):
                    changed.add((row, column))
        for cell in old_issues.keys() | self._issues.keys():
            before = [(i.place, i.text, i.accepted) for i in old_issues.get(cell, [])]
            after = [(i.place, i.text, i.accepted) for i in self._issues.get(cell, [])]
            if before != after:
                changed.add((cell[0], self.columns.index(cell[1])))
        return changed

    def case(self, row: int) -> Case | None:
        return self._cases[row] if row < len(self._cases) else None

    def value(self, row: int, key: str) -> CellValue:
        case = self.case(row)
        return None if case is None else getattr(case, key)

    def _text(self, row: int, key: str) -> str:
        rejected = self._rejected.get((row, key))
        if rejected is not None:
            return rejected.text
        return display_value(self._form, key, self.value(row, key))

    def rejected_cells(self) -> int:
        return len(self._rejected)

    # --- Qt model ---------------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else max(self._rows, len(self._cases))

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            return None
        key = self.columns[section]
        spec = self._form.field(key)
        if role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS.get(key, f"{spec.label}\n（出力されません）" if spec.private else spec.label)
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.hint or spec.label
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, key = index.row(), self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(row, key)
        if role == self.KeyRole:
            return key
        issues = self._issues.get((row, key), [])
        rejected = self._rejected.get((row, key))
        if role == self.IssuesRole:
            return issues
        if role == self.RejectedRole:
            return None if rejected is None else rejected.message
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [rejected.message + "（保存されていません）"] if rejected else []
            lines += [self._issue_line(issue) for issue in issues]
            return "\n".join(lines) or None
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._tint(key, issues, rejected)
        if role == Qt.ItemDataRole.DecorationRole:
            kind = kind_of(issues, rejected is not None)
            return None if kind is None else mark_icon(kind)
        return None

    @staticmethod
    def _issue_line(issue: Issue) -> str:
        text = issue.text
        if issue.accepted:
            return f"警告（承認済み: {issue.accepted}）: {text}"
        return f"{'エラー' if issue.is_error else '警告'}: {text}"

    def _tint(self, key: str, issues: list[Issue], rejected: RejectedCell | None) -> QBrush | None:
        if rejected is not None or any(issue.is_error for issue in issues):
            return QBrush(ERROR_TINT)
        if any(not issue.accepted for issue in issues):
            return QBrush(WARNING_TINT)
        if issues:
            return QBrush(ACCEPTED_TINT)
        if self._form.field(key).private:
            return QBrush(PRIVATE_TINT)
        return None

    def setData(self, index: ModelIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row, key = index.row(), self.columns[index.column()]
        text = "" if value is None else str(value)
        result = read_cell(self._form, key, text)
        if isinstance(result, CellProblem):
            self._rejected[(row, key)] = RejectedCell(text, result.message)
            self.dataChanged.emit(index, index)
            self.cellRejected.emit(result.message)
            return True
        had_rejected = self._rejected.pop((row, key), None) is not None
        if result == self.value(row, key):
            if had_rejected:
                self.dataChanged.emit(index, index)
            return True
        self._commit([CellEdit(self._section_index, row, key, result)])
        if had_rejected:
            self.dataChanged.emit(index, index)
        return True

    def edits_for_block(
        self, top: int, left: int, block: list[list[str]]
    ) -> tuple[list[CellEdit], list[str]]:
        """Read a pasted block (rows of cells) at (top, left): the edits to make and the cells refused."""
        edits: list[CellEdit] = []
        refused: list[str] = []
        for r, cells in enumerate(block):
            for c, text in enumerate(cells):
                row, column = top + r, left + c
                if column >= len(self.columns):
                    refused.append(f"No.{row + 1}: 列が多すぎます（「{text}」は取り込みませんでした）")
                    continue
                key = self.columns[column]
                result = read_cell(self._form, key, text)
                if isinstance(result, CellProblem):
                    refused.append(f"No.{row + 1} {result.message}（入力: {text}）")
                    self._keep_rejected(row, column, RejectedCell(text, result.message))
                    continue
                self._keep_rejected(row, column, None)
                if result != self.value(row, key):
                    edits.append(CellEdit(self._section_index, row, key, result))
        return edits, refused

    def _keep_rejected(self, row: int, column: int, rejected: RejectedCell | None) -> None:
        """Paste keeps an unreadable value on screen, in red, as typing does (and clears an old one)."""
        if row >= self.rowCount():
            return
        key = self.columns[column]
        if rejected is None:
            if self._rejected.pop((row, key), None) is None:
                return
        else:
            self._rejected[(row, key)] = rejected
        index = self.index(row, column)
        self.dataChanged.emit(index, index)
