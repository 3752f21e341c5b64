"""The clerk's list of applications (issue 13 item 6): a table of name, form, cases, errors, state and last
change, in a stable order (as created) that the user can sort by any column; rows do not jump while one
is edited. `ApplicationListModel` adapts a list of `ApplicationRow`; the window builds the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.store.print_state import CHANGED, DRAFT, PRINTED, READY

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from app.models.forms import FormDefinition

Index = QModelIndex | QPersistentModelIndex


def form_label(form: FormDefinition | None, fallback: str = "") -> str:
    """The form in one word for a narrow column (がん治療認定医, 専門医移行申請); the tooltip has the title."""
    if form is None:
        return fallback
    return form.title.split()[0]


def when_text(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """A time in few characters: 09:49 today, 12/05 on another day, 2025/12/05 in another year."""
    local = moment.astimezone()
    today = (now or dt.datetime.now(dt.UTC)).astimezone()
    if local.date() == today.date():
        return local.strftime("%H:%M")
    return local.strftime("%m/%d" if local.year == today.year else "%Y/%m/%d")


@dataclass(frozen=True)
class ApplicationRow:
    """One application as the list shows it. `errors` is None until counted."""

    id: int
    name: str
    form: str
    cases: int
    errors: int | None
    warnings: int | None
    state: str
    print_label: str
    updated_at: dt.datetime
    copy_of: int | None = None
    title: str = ""
    form_title: str = ""

    @property
    def counted(self) -> bool:
        return self.errors is not None


def distinct_names(rows: Sequence[ApplicationRow]) -> list[ApplicationRow]:
    """The rows with names that tell them apart: a 複製 that has its original's name is marked
    「【複製】」 in front (seen however narrow the column), and names still alike get their number."""
    seen: dict[str, int] = {}
    for row in rows:
        seen[row.name] = seen.get(row.name, 0) + 1
    named = [
        replace(row, name=f"【複製】{row.name}") if row.copy_of is not None and seen[row.name] > 1 else row
        for row in rows
    ]
    again: dict[str, int] = {}
    for row in named:
        again[row.name] = again.get(row.name, 0) + 1
    return [replace(row, name=f"{row.name}（No.{row.id}）") if again[row.name] > 1 else row for row in named]


STATE_COLOURS: Final = {DRAFT: "#8a5a00", READY: "#1b5e20", PRINTED: "#0d47a1", CHANGED: "#b3261e"}


class ApplicationListModel(QAbstractTableModel):
    """Adapts `ApplicationRow`s to a table: one row per application, in the order given."""

    NAME, FORM, CASES, ERRORS, STATE, UPDATED = range(6)
    HEADERS: ClassVar[tuple[str, ...]] = ("名前", "様式", "症例", "エラー", "状態", "最終変更")
    IdRole: ClassVar[int] = Qt.ItemDataRole.UserRole + 1
    """The application's id (int)."""
    SortRole: ClassVar[int] = Qt.ItemDataRole.UserRole + 2
    """A value that sorts as the column means it (numbers as numbers, times as times)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._given: list[ApplicationRow] = []
        self._rows: list[ApplicationRow] = []
        """`_given` with names told apart (`distinct_names`): what the table shows."""

    def rows(self) -> list[ApplicationRow]:
        return list(self._given)

    def set_rows(self, rows: Sequence[ApplicationRow]) -> None:
        self.beginResetModel()
        self._given = list(rows)
        self._rows = distinct_names(self._given)
        self.endResetModel()

    def update_row(self, row: ApplicationRow) -> None:
        """Replace the row of `row.id`; only the rows whose shown cells change are signalled."""
        if self.position(row.id) is None:
            return
        before = self._rows
        self._given = [row if r.id == row.id else r for r in self._given]
        self._rows = distinct_names(self._given)
        roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, self.SortRole]
        for index, (old, new) in enumerate(zip(before, self._rows, strict=True)):
            if old != new:
                self.dataChanged.emit(self.index(index, 0), self.index(index, self.UPDATED), roles)

    def position(self, app_id: int) -> int | None:
        for position, row in enumerate(self._rows):
            if row.id == app_id:
                return position
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == self.SortRole:
            return self._sort_value(row, column)
        if role == self.IdRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.CASES, self.ERRORS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.STATE and row.state in STATE_COLOURS:
                return QBrush(QColor(STATE_COLOURS[row.state]))
            if column == self.ERRORS and row.errors:
                return QBrush(QColor(STATE_COLOURS[CHANGED]))
        return None

    def _display(self, row: ApplicationRow, column: int) -> str:
        if column == self.NAME:
            return row.name
        if column == self.FORM:
            return row.form
        if column == self.CASES:
            return str(row.cases)
        if column == self.ERRORS:
            return "…" if row.errors is None else str(row.errors)
        if column == self.STATE:
            return row.state
        return when_text(row.updated_at)

    def _sort_value(self, row: ApplicationRow, column: int) -> object:
        if column == self.CASES:
            return row.cases
        if column == self.ERRORS:
            return -1 if row.errors is None else row.errors
        if column == self.UPDATED:
            return row.updated_at.timestamp()
        if column == self.STATE:
            return (DRAFT, READY, PRINTED, CHANGED).index(row.state) if row.state in STATE_COLOURS else 9
        return self._display(row, column)

    def _tooltip(self, row: ApplicationRow) -> str:
        lines = [row.name]
        if row.title and row.title != row.name:
            lines.append(self.tr("名前: {t}").format(t=row.title))
        lines.append(row.form_title or row.form)
        if row.errors is not None:
            lines.append(
                self.tr("症例 {c}件　エラー {e}件　警告 {w}件").format(
                    c=row.cases, e=row.errors, w=row.warnings
                )
            )
        lines.append(row.print_label)
        lines.append(
            self.tr("最終変更: {t}").format(t=row.updated_at.astimezone().strftime("%Y-%m-%d %H:%M"))
        )
        if row.copy_of is not None:
            lines.append(self.tr("No.{n} から複製").format(n=row.copy_of))
        return "\n".join(lines)


class ApplicationListView(QTableView):
    """The list as a sortable, resizable table. `applicationChosen` carries the id the user selected;
    rows not yet counted are counted one at a time after the window is up (`count_later`)."""

    applicationChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list_model = ApplicationListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.list_model)
        self.proxy.setSortRole(ApplicationListModel.SortRole)
        self.proxy.setDynamicSortFilter(False)  # a row edited stays where it is until the user sorts again
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.proxy.sort(-1)  # the order the rows were created in until a header is clicked
        self.horizontalHeader().setSortIndicatorShown(False)
        self.horizontalHeader().sectionClicked.connect(
            lambda _: self.horizontalHeader().setSortIndicatorShown(True)
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(ApplicationListModel.NAME, QHeaderView.ResizeMode.Stretch)
        text = self.fontMetrics()
        for column, sample in (
            (ApplicationListModel.FORM, "がん治療認定医"),
            (ApplicationListModel.CASES, "症例"),
            (ApplicationListModel.ERRORS, "エラー"),
            (ApplicationListModel.STATE, "印刷後に変更あり"),
            (ApplicationListModel.UPDATED, "最終変更"),
        ):
            self.setColumnWidth(column, text.horizontalAdvance(sample) + 12)
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        self._count: Callable[[int], ApplicationRow] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._count_next)
        self._quiet = False

    def preferred_width(self) -> int:
        """Wide enough for a name of about eight characters and the columns after 様式 (which shows only
        when the applications are of several forms)."""
        header = self.horizontalHeader()
        columns = range(ApplicationListModel.CASES, ApplicationListModel.UPDATED + 1)
        name = self.fontMetrics().horizontalAdvance("【複製】山田太郎") + 12
        return name + sum(header.sectionSize(column) for column in columns) + 24

    def set_rows(self, rows: Sequence[ApplicationRow], select: int | None = None) -> None:
        self._quiet = True
        try:
            self.list_model.set_rows(rows)
            self.proxy.invalidate()
            self._show_form_column()
            if select is not None:
                self.select_id(select)
        finally:
            self._quiet = False
        if self._count is not None and any(not row.counted for row in rows):
            self._timer.start()

    def update_row(self, row: ApplicationRow) -> None:
        self.list_model.update_row(row)

    def _show_form_column(self) -> None:
        # One form for every application says nothing per row; with several, the column shows when the
        # pane has room for it beside a readable name (the form's title is in every row's tooltip).
        forms = {row.form for row in self.list_model.rows()}
        room = self.viewport().width() >= self.preferred_width() + self.columnWidth(ApplicationListModel.FORM)
        self.setColumnHidden(ApplicationListModel.FORM, len(forms) <= 1 or not room)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_form_column()

    def count_later(self, count: Callable[[int], ApplicationRow]) -> None:
        """Rows without counts get them from `count(app_id)`, one per turn of the event loop."""
        self._count = count

    def _count_next(self) -> None:
        if self._count is None:
            return
        for row in self.list_model.rows():
            if not row.counted:
                self.list_model.update_row(self._count(row.id))
                self._timer.start()
                return

    def select_id(self, app_id: int) -> None:
        position = self.list_model.position(app_id)
        if position is None:
            return
        index = self.proxy.mapFromSource(self.list_model.index(position, 0))
        quiet, self._quiet = self._quiet, True
        try:
            self.setCurrentIndex(index)
            self.scrollTo(index)
        finally:
            self._quiet = quiet

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._quiet and current.isValid():
            self.applicationChosen.emit(int(self.proxy.data(current, ApplicationListModel.IdRole)))
