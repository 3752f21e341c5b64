"""「Excel/CSVから症例を取り込む」: the dialogs (the export's is `app.views.case_list_export`).

The import dialog adapts `app.models.case_list`: it shows the file's columns with the field each is read
into (a drop-down per column, or 「取り込まない」), the rows as they will be read (values that cannot be
read in red, with the reason), the target section and whether the cases are added or replace the
section's. It changes nothing itself: the window hands the choice to `Store.import_cases` (one change,
one undo step). Dialogs are opened through classmethods (`ask`, `show_report`) that tests patch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.case_list import (
    IGNORED,
    CaseListError,
    CaseListReading,
    Column,
    find_header,
    propose_mapping,
    read_cases,
)
from app.models.cells import display_value
from app.models.table import ErrorValue, Formula
from app.operations.rows import import_problem
from app.views.case_model import ERROR_TINT
from app.views.fit import fit_size

if TYPE_CHECKING:
    from app.models.application import Application, Case
    from app.models.forms import FormDefinition
    from app.models.table import TableFile, TableSheet

ModelIndex = QModelIndex | QPersistentModelIndex
PREVIEW_ROWS = 200
"""Rows shown in the preview (a case list has 25; a longer sheet is read whole all the same)."""
_MUTED = QBrush(Qt.GlobalColor.gray)
_REFUSALS_SHOWN = 5


def choose_case_list(parent: QWidget | None, start: str) -> Path | None:
    """The case list to import (tests patch this)."""
    path, _ = QFileDialog.getOpenFileName(
        parent,
        "症例一覧を選択",
        start,
        "症例一覧 (*.xlsx *.csv *.txt);;すべてのファイル (*)",
    )
    return Path(path) if path else None


@dataclass(frozen=True)
class CaseImportChoice:
    """What the user chose: the cases read, into which section, added or replacing."""

    section: int
    replace: bool
    table: CaseListReading

    @property
    def cases(self) -> list[Case]:
        return self.table.cases()


class CasePreviewModel(QAbstractTableModel):
    """The rows of a `CaseListReading` as they will be read: the file's row number, then each mapped field.
    A value that cannot be read shows the file's text on red, with the reason as its tooltip; a row of
    which nothing can be read is grey."""

    RefusalRole = Qt.ItemDataRole.UserRole + 1
    """The refusal message of a cell (str) or None."""

    def __init__(self, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = form
        self._table: CaseListReading | None = None
        self._keys: list[str] = []

    def set_table(self, table: CaseListReading | None) -> None:
        self.beginResetModel()
        self._table = table
        mapped = {column.key for column in table.columns} if table is not None else set()
        self._keys = [spec.key for spec in self._form.fields if spec.key in mapped]
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._table is None:
            return 0
        return min(len(self._table.rows), PREVIEW_ROWS)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(self._keys)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return "行" if section == 0 else self._form.field(self._keys[section - 1]).label

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self._table is None:
            return None
        row = self._table.rows[index.row()]
        if index.column() == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(row.number)
            if role == Qt.ItemDataRole.ForegroundRole and not row.imported:
                return _MUTED
            return None
        key = self._keys[index.column() - 1]
        refusal = row.refused.get(key)
        if role == Qt.ItemDataRole.DisplayRole:
            if refusal is not None:
                return refusal.text
            return display_value(self._form, key, row.values.get(key))
        if role == Qt.ItemDataRole.BackgroundRole and refusal is not None:
            return QBrush(ERROR_TINT)
        if role == Qt.ItemDataRole.ForegroundRole and not row.imported:
            return _MUTED
        if role in (Qt.ItemDataRole.ToolTipRole, self.RefusalRole) and refusal is not None:
            return refusal.message
        return None


def _sample(sheet: TableSheet, header: int | None, index: int) -> str:
    """The first value under a column, to help the user tell what it holds."""
    for row in sheet.rows:
        if header is not None and row.number <= header:
            continue
        cell = row.cells[index] if index < len(row.cells) else None
        if isinstance(cell, Formula | ErrorValue):
            return cell.text
        if cell is not None and str(cell).strip():
            return str(cell).strip()
    return ""


class CaseImportDialog(QDialog):
    """Map the columns of a case list to the form's fields, see the rows as they will be read, choose
    the section and whether to add or replace; returns a `CaseImportChoice`."""

    MAPPING_COLUMNS = ("列", "見出し", "最初の値", "取り込み先")

    def __init__(
        self,
        form: FormDefinition,
        application: Application,
        table: TableFile,
        *,
        section: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Excel/CSVから症例を取り込む"))
        fit_size(self, 1180, 680)
        self._form, self._application, self._file = form, application, table
        self._sheet: TableSheet = table.sheets[0]
        self._header: int | None = None
        self._columns: list[Column] = []
        self.result_table: CaseListReading | None = None
        self._problem: str | None = None
        self._loading = False

        layout = QVBoxLayout(self)
        source = QFormLayout()
        kind = "Excel" if table.format == "xlsx" else f"CSV・{table.encoding}"
        source.addRow(self.tr("ファイル:"), QLabel(f"{Path(table.source).name}（{kind}）", self))
        where = QHBoxLayout()
        self.sheet_combo = QComboBox(self)
        for sheet in table.sheets:
            self.sheet_combo.addItem(sheet.name or Path(table.source).name)
        self.sheet_combo.setEnabled(len(table.sheets) > 1)
        where.addWidget(QLabel(self.tr("シート"), self))
        where.addWidget(self.sheet_combo)
        where.addSpacing(16)
        where.addWidget(QLabel(self.tr("見出しの行"), self))
        self.header_spin = QSpinBox(self)
        self.header_spin.setSpecialValueText(self.tr("なし"))
        where.addWidget(self.header_spin)
        where.addStretch(1)
        source.addRow(self.tr("読む場所:"), where)
        target = QHBoxLayout()
        self.section_combo = QComboBox(self)
        labels = form.sections.labels if form.sections is not None else [form.section_label(0)]
        for index, label in enumerate(labels):
            count = (
                len(application.sections[index].filled_cases()) if index < len(application.sections) else 0
            )
            self.section_combo.addItem(self.tr("{label}（現在{n}件）").format(label=label, n=count))
        self.section_combo.setCurrentIndex(min(max(section, 0), len(labels) - 1))
        self.append_radio = QRadioButton(self.tr("最後の症例の後に追加"), self)
        self.replace_radio = QRadioButton(self.tr("施設欄の症例を置き換える"), self)
        self.append_radio.setChecked(True)
        mode = QButtonGroup(self)
        mode.addButton(self.append_radio)
        mode.addButton(self.replace_radio)
        target.addWidget(self.section_combo)
        target.addSpacing(16)
        target.addWidget(self.append_radio)
        target.addWidget(self.replace_radio)
        target.addStretch(1)
        source.addRow(self.tr("取り込み先:"), target)
        layout.addLayout(source)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("列の割り当て（ファイルの列 → 様式の項目）"), left))
        self.mapping = QTableWidget(0, len(self.MAPPING_COLUMNS), left)
        self.mapping.setHorizontalHeaderLabels(list(self.MAPPING_COLUMNS))
        self.mapping.verticalHeader().setVisible(False)
        self.mapping.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.mapping.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.mapping.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.mapping.setColumnWidth(1, 110)
        self.mapping.setColumnWidth(2, 110)
        left_layout.addWidget(self.mapping, 1)
        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(
            QLabel(self.tr("読み取り結果（赤いセルは取り込めない値: セルに重ねると理由を表示）"), right)
        )
        self.preview_model = CasePreviewModel(form, self)
        self.preview = QTableView(right)
        self.preview.setModel(self.preview_model)
        self.preview.verticalHeader().setVisible(False)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        right_layout.addWidget(self.preview, 1)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 740])
        layout.addWidget(splitter, 1)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.refusals = QLabel(self)
        self.refusals.setWordWrap(True)
        self.refusals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refusals.setStyleSheet("color: #b3261e;")
        layout.addWidget(self.refusals)
        buttons = QDialogButtonBox(self)
        self.import_button = buttons.addButton(self.tr("取り込む"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setDefault(True)
        cancel = buttons.addButton(self.tr("キャンセル"), QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

        self.sheet_combo.currentIndexChanged.connect(self._sheet_changed)
        self.header_spin.valueChanged.connect(self._header_changed)
        self.section_combo.currentIndexChanged.connect(lambda _: self._update_status())
        self.append_radio.toggled.connect(lambda _: self._update_status())
        start = next((n for n, sheet in enumerate(table.sheets) if find_header(form, sheet) is not None), 0)
        self.sheet_combo.setCurrentIndex(start)
        self._sheet_changed(start)
        self.mapping.setFocus()

    # --- the steps -------------------------------------------------------------------------------

    def _sheet_changed(self, index: int) -> None:
        self._sheet = self._file.sheets[max(index, 0)]
        last = max((row.number for row in self._sheet.rows), default=0)
        self._loading = True
        try:
            self.header_spin.setRange(0, max(last, 1))
            self.header_spin.setValue(find_header(self._form, self._sheet) or 0)
        finally:
            self._loading = False
        self._header_changed(self.header_spin.value())

    def _header_changed(self, value: int) -> None:
        if self._loading:
            return
        self._header = value or None
        self._columns = propose_mapping(self._form, self._sheet, self._header)
        self._fill_mapping()
        self._read()

    def _fill_mapping(self) -> None:
        self.mapping.setRowCount(len(self._columns))
        for position, column in enumerate(self._columns):
            for place, text in enumerate(
                (column.letter, column.header, _sample(self._sheet, self._header, column.index))
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.mapping.setItem(position, place, item)
            combo = QComboBox(self.mapping)
            combo.addItem(IGNORED, None)
            for spec in self._form.fields:
                combo.addItem(spec.label, spec.key)
            combo.setCurrentIndex(max(combo.findData(column.key), 0) if column.key is not None else 0)
            combo.currentIndexChanged.connect(lambda _, at=position: self._mapping_changed(at))
            self.mapping.setCellWidget(position, 3, combo)

    def mapping_combo(self, index: int) -> QComboBox:
        """The drop-down of the file's column `index` (0-based)."""
        widget = self.mapping.cellWidget(index, 3)
        assert isinstance(widget, QComboBox)
        return widget

    def _mapping_changed(self, position: int) -> None:
        column = self._columns[position]
        key = self.mapping_combo(position).currentData()
        self._columns[position] = Column(column.index, column.header, key)
        self._read()

    def _read(self) -> None:
        try:
            self.result_table = read_cases(self._form, self._sheet, self._header, self._columns)
            self._problem = None
        except CaseListError as error:
            self.result_table = None
            self._problem = str(error)
        self.preview_model.set_table(self.result_table)
        self.preview.resizeColumnsToContents()
        for column in range(self.preview_model.columnCount()):
            self.preview.setColumnWidth(column, min(self.preview.columnWidth(column), 220))
        self._update_status()

    def _update_status(self) -> None:
        problem = self._problem
        table = self.result_table
        if problem is None and table is not None:
            section = self.section_combo.currentIndex()
            existing = (
                self._application.sections[section].cases if section < len(self._application.sections) else []
            )
            rows = self._form.sections.rows if self._form.sections is not None else len(existing) + 10_000
            problem = import_problem(
                self._form.section_label(section),
                existing,
                len(table.imported()),
                replace=self.replace_radio.isChecked(),
                rows=rows,
            )
        refused = table.refusals() if table is not None else []
        lines = [refusal.describe() for refusal in refused[:_REFUSALS_SHOWN]]
        if len(refused) > _REFUSALS_SHOWN:
            lines.append(
                self.tr("ほか{n}件（取り込み後の結果にすべて表示します）").format(
                    n=len(refused) - _REFUSALS_SHOWN
                )
            )
        self.refusals.setText("\n".join(lines))
        self.refusals.setVisible(bool(lines))
        if problem is not None:
            self.status.setText(problem)
            self.status.setStyleSheet("color: #b3261e; font-weight: bold;")
            self.import_button.setEnabled(False)
            return
        assert table is not None
        self.status.setText(
            table.summary() + self.tr("。取り込めない値の項目は空のままになります")
            if refused
            else table.summary()
        )
        self.status.setStyleSheet("font-weight: bold;")
        self.import_button.setEnabled(True)

    def choice(self) -> CaseImportChoice | None:
        if self.result_table is None or not self.import_button.isEnabled():
            return None
        return CaseImportChoice(
            self.section_combo.currentIndex(), self.replace_radio.isChecked(), self.result_table
        )

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        form: FormDefinition,
        application: Application,
        table: TableFile,
        section: int,
    ) -> CaseImportChoice | None:
        """Show the mapping step and return the user's choice, or None (tests patch this)."""
        dialog = cls(form, application, table, section=section, parent=parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


def import_report(form: FormDefinition, choice: CaseImportChoice, source: str) -> str:
    """The final report: how many cases went where, then the table's report (each value not taken and
    why, blank rows, what was taken per row), to keep or copy into a mail to whoever made the list."""
    table = choice.table
    how = "置き換え" if choice.replace else "追加"
    heading = f"{source} から {form.section_label(choice.section)}に {len(table.imported())}件を取り込みました（{how}）。"
    refused = len(table.refusals())
    counted = f"{refused}件の値は取り込めませんでした。" if refused else "すべての値を取り込みました。"
    return "\n".join([heading + counted, "", *table.report(form)])


class ImportReportDialog(QDialog):
    """The import's report, selectable and with a button to copy it all."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("取り込み結果"))
        fit_size(self, 760, 460)
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit(text, self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(self)
        copy = QPushButton(self.tr("コピー"), self)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(self.tr("閉じる"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.accept)
        layout.addWidget(buttons)

    @classmethod
    def show_report(cls, parent: QWidget | None, text: str) -> None:
        """Show the report without blocking (tests patch this)."""
        dialog = cls(text, parent)
        dialog.setModal(False)
        dialog.show()
