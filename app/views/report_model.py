"""ReportTableModel: adapts an application's case reports (JSPM) to the society's 症例一覧.

Columns as on the society's page: 選択 (the cases an approval request or a withdrawal acts on), 番号,
症例区分, 診療施設, 期間, 備考 (private: never sent to the 指導者, drawn in a blue frame), 状態, 指導者,
承認日. The checked cases are remembered by report id, so they stay checked when cases are moved.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.models.cells import display_value
from app.validation.jspm import REGISTERED, shown_status
from app.views.case_model import ERROR_TINT, PRIVATE_TINT

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import Application, CaseReport
    from app.models.forms import FormDefinition
    from app.validation import Issue

ModelIndex = QModelIndex | QPersistentModelIndex

UNREGISTERED: Final = "未登録"
UNAPPROVED: Final = "未承認"
COMPLETE: Final = REGISTERED
REQUESTED: Final = "承認依頼中"
APPROVED: Final = "承認"
REJECTED: Final = "非承認"
VOIDED: Final = "承認無効"

PRIVATE_FRAME = QColor("#3b6fd4")
"""The seed's 青枠: what is drawn in it is never sent to the 指導者."""

STATUS_COLORS: Final = {
    UNREGISTERED: QColor("#8a8a8a"),
    UNAPPROVED: QColor("#1f1f1f"),
    COMPLETE: QColor("#1f1f1f"),
    REQUESTED: QColor("#a15c00"),
    APPROVED: QColor("#1e7b34"),
    REJECTED: QColor("#b3261e"),
    VOIDED: QColor("#b3261e"),
}


def period_text(report: CaseReport) -> str:
    """The period as the list shows it: 2023/04/01〜2023/06/30, the end's year left out within one year
    (2023/04/01〜06/30) so that the column stays narrow; the editor shows both dates in full."""
    start, end = report.start, report.end
    if start is None and end is None:
        return ""
    first = start.strftime("%Y/%m/%d") if start is not None else ""
    if end is None:
        return f"{first}〜"
    last = end.strftime("%m/%d") if start is not None and start.year == end.year else end.strftime("%Y/%m/%d")
    return f"{first}〜{last}"


def facility_text(report: CaseReport) -> str:
    facility = report.facility
    if facility is None or not facility.name:
        return ""
    return f"{facility.name}（手入力）" if facility.manual else facility.name


def decided_on(report: CaseReport) -> str:
    """The day the 指導者 decided (承認日), as 2024/05/01."""
    approval = report.approval
    if approval is None or approval.decided_at is None:
        return ""
    try:
        return dt.datetime.fromisoformat(approval.decided_at).strftime("%Y/%m/%d")
    except ValueError:
        return approval.decided_at


class ReportTableModel(QAbstractTableModel):
    """One row per case report, in the application's order (番号 = row + 1)."""

    SELECT, NUMBER, CATEGORY, FACILITY, PERIOD, NOTE, STATUS, SUPERVISOR, DECIDED = range(9)
    HEADERS: Final = ("選択", "番号", "症例区分", "診療施設", "期間", "備考※", "状態", "指導者", "承認日")

    ReportRole = Qt.ItemDataRole.UserRole + 1
    """The CaseReport of the row."""
    StatusRole = Qt.ItemDataRole.UserRole + 2
    """The row's JS-6 state as shown (未登録, 未承認, 承認依頼中, 承認, 非承認)."""

    checkedChanged = Signal()
    """The set of checked cases changed."""

    def __init__(self, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = form
        self._approval_required = form.approval is not None and form.approval.required
        self._reports: list[CaseReport] = []
        self._statuses: list[str] = []
        self._issues: dict[int, list[Issue]] = {}
        self._checked: set[str] = set()

    # --- data in --------------------------------------------------------------------------------

    def set_reports(self, application: Application, issues: Sequence[Issue]) -> None:
        """Show the application's reports and their issues (rows are 1-based in issues)."""
        self._issues = {}
        for issue in issues:
            if issue.section is None and issue.row is not None:
                self._issues.setdefault(issue.row - 1, []).append(issue)
        reports = list(application.reports)
        statuses: list[str] = [
            shown_status(report, self._issues.get(row, []), approval_required=self._approval_required)
            for row, report in enumerate(reports)
        ]
        ids = {report.id for report in reports}
        dropped = bool(self._checked - ids)
        self._checked &= ids
        if len(reports) != len(self._reports):
            self.beginResetModel()
            self._reports, self._statuses = reports, statuses
            self.endResetModel()
        else:
            changed = [
                row
                for row, (old, new) in enumerate(zip(self._reports, reports, strict=True))
                if old != new or self._statuses[row] != statuses[row]
            ]
            self._reports, self._statuses = reports, statuses
            if changed:
                self.dataChanged.emit(
                    self.index(min(changed), 0), self.index(max(changed), self.columnCount() - 1)
                )
        if dropped:
            self.checkedChanged.emit()

    def report(self, row: int) -> CaseReport | None:
        return self._reports[row] if 0 <= row < len(self._reports) else None

    def status(self, row: int) -> str:
        return self._statuses[row] if 0 <= row < len(self._statuses) else ""

    def statuses(self) -> list[str]:
        return list(self._statuses)

    def row_issues(self, row: int) -> list[Issue]:
        return list(self._issues.get(row, []))

    def checked_rows(self) -> list[int]:
        """0-based rows of the checked cases, in list order."""
        return [row for row, report in enumerate(self._reports) if report.id in self._checked]

    def set_checked(self, rows: Sequence[int], checked: bool = True) -> None:
        for row in rows:
            report = self.report(row)
            if report is None:
                continue
            if checked:
                self._checked.add(report.id)
            else:
                self._checked.discard(report.id)
            index = self.index(row, self.SELECT)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit()

    # --- Qt model ---------------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._reports)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == self.NOTE:
            return self._form.field("note").hint
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.SELECT:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._reports):
            return None
        row, column = index.row(), index.column()
        report = self._reports[row]
        if role == self.ReportRole:
            return report
        if role == self.StatusRole:
            return self._statuses[row]
        if role == Qt.ItemDataRole.CheckStateRole and column == self.SELECT:
            return Qt.CheckState.Checked if report.id in self._checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, report, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, report, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS:
            return QBrush(STATUS_COLORS.get(self._statuses[row], QColor("#1f1f1f")))
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == self.NOTE:
                return QBrush(PRIVATE_TINT)
            if column == self.NUMBER and self._statuses[row] == UNREGISTERED and not report.is_blank():
                return QBrush(ERROR_TINT)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.NUMBER, self.DECIDED):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _text(self, row: int, report: CaseReport, column: int) -> str:
        approval = report.approval
        match column:
            case self.NUMBER:
                return str(row + 1)
            case self.CATEGORY:
                return display_value(self._form, "category", report.category)
            case self.FACILITY:
                return facility_text(report)
            case self.PERIOD:
                return period_text(report)
            case self.NOTE:
                return report.note
            case self.STATUS:
                return self._statuses[row]
            case self.SUPERVISOR:
                return approval.supervisor.name if approval is not None else ""
            case self.DECIDED:
                return decided_on(report) if approval is not None and approval.state == "approved" else ""
        return ""

    def _tooltip(self, row: int, report: CaseReport, column: int) -> str | None:
        if column == self.NOTE:
            return self._form.field("note").hint
        if column == self.STATUS:
            issues = self._issues.get(row, [])
            errors = [i.text for i in issues if i.is_error]
            if report.is_blank():
                return "まだ何も入力されていません"
            if errors:
                return "\n".join(errors[:8])
            if report.approval is not None and report.approval.state == "rejected":
                return f"非承認（{decided_on(report)}）: 症例を開くと指導者のコメントが表示されます"
        if column == self.FACILITY and report.facility is not None and report.facility.kind:
            return f"{report.facility.name}（{report.facility.kind}）"
        return None

    def setData(self, index: ModelIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.SELECT or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        self.set_checked([index.row()], checked)
        return True


class PrivateFrameDelegate(QStyledItemDelegate):
    """Draws the 備考 cells in the seed's blue frame (青枠: never sent to the 指導者)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        super().paint(painter, option, index)
        painter.save()
        painter.setPen(QPen(PRIVATE_FRAME, 1.5))
        rect: QRect = option.rect.adjusted(1, 1, -2, -2)
        painter.drawRect(rect)
        painter.restore()
