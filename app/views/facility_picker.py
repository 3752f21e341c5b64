"""認定施設検索: search the facility list as you type and choose with Enter, or type a name by hand.

For case reports (JS-3) the same dialog is the 診療施設検索: every entry of a facility is listed with its
kind and certification period, an ended one marked 「（認定終了）」 and still selectable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.application import FacilityChoice
from app.models.facility import ENDED_LABEL, Facility
from app.views.fit import fit_size

if TYPE_CHECKING:
    import datetime as dt

ModelIndex = QModelIndex | QPersistentModelIndex
Search = Callable[[str], Sequence[Facility]]


def certification_text(facility: Facility, today: dt.date) -> str:
    """認定期間 as the society lists it, 「（認定終了）」 after it when the certification is over (JS-3)."""
    start = facility.cert_start.strftime("%Y/%m/%d") if facility.cert_start is not None else ""
    end = facility.cert_end.strftime("%Y/%m/%d") if facility.cert_end is not None else ""
    period = f"{start}〜{end}" if start or end else ""
    return f"{period}{ENDED_LABEL}" if facility.is_ended(today) else period


class FacilityTableModel(QAbstractTableModel):
    """Search results as 認定番号 / 施設名 / 住所 (the society's 認定施設検索 table); with `today`, each
    entry also shows its 種別 and 認定期間 (the 診療施設検索 of case reports)."""

    FacilityRole = Qt.ItemDataRole.UserRole + 1
    """The Facility of the row."""

    def __init__(self, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Facility] = []
        self._today = today
        self._headers = (
            ("認定番号", "施設名", "住所")
            if today is None
            else ("認定番号", "施設名", "種別", "認定期間", "住所")
        )

    def set_rows(self, rows: Sequence[Facility]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        facility = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if self._today is None:
                return (facility.cert_no, facility.name, facility.address)[index.column()]
            period = certification_text(facility, self._today)
            return (facility.cert_no, facility.name, facility.kind, period, facility.address)[index.column()]
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and self._today is not None
            and facility.is_ended(self._today)
        ):
            return QColor("#6b6b6b")
        if role == self.FacilityRole:
            return facility
        return None


@dataclass(frozen=True)
class FacilityPick:
    """What the 診療施設検索 returned: a list entry (with its kind and period), or a name typed by hand."""

    entry: Facility | None
    manual_name: str | None = None


class FacilityPickerDialog(QDialog):
    """Choose a facility for a section: from the list (Enter) or typed by hand (the seed's checkbox)."""

    def __init__(
        self,
        search: Search,
        current: FacilityChoice | None,
        *,
        manual_label: str,
        sample_notice: str | None,
        import_list: Callable[[], None] | None = None,
        parent: QWidget | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("認定施設検索") if today is None else self.tr("診療施設検索"))
        fit_size(self, 720 if today is None else 900, 480)
        self._search = search
        self._chosen: FacilityChoice | None = None
        self._entry: Facility | None = None

        layout = QVBoxLayout(self)
        if sample_notice:
            banner = QWidget(self)
            row = QHBoxLayout(banner)
            row.setContentsMargins(8, 6, 8, 6)
            text = QLabel(sample_notice, banner)
            text.setWordWrap(True)
            row.addWidget(text, 1)
            if import_list is not None:
                button = QPushButton(self.tr("施設一覧を取り込む…"), banner)
                button.clicked.connect(import_list)
                row.addWidget(button)
            banner.setStyleSheet("background: #fff3c4; border: 1px solid #e0c060;")
            layout.addWidget(banner)
        hint = QLabel(
            self.tr(
                "「認定研修施設」を検索できます。施設名・認定番号・住所の一部を入力し、Enter で選択します。"
            )
            if today is None
            else self.tr(
                "施設名・認定番号・住所の一部を入力し、Enter で選択します。同じ施設が認定種別・認定期間ごとに"
                "複数並ぶことがあります。「（認定終了）」の施設も、症例の期間が認定期間内なら選択できます。"
                "期間が複数の種別にまたがる場合は、主要な介入を行った期間の種別を選んでください。"
            )
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(self.tr("施設名・認定番号・住所"))
        self.query.setClearButtonEnabled(True)
        layout.addWidget(self.query)
        self.count = QLabel(self)
        layout.addWidget(self.count)
        self.model = FacilityTableModel(self, today=today)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 90)
        if today is None:
            self.table.setColumnWidth(2, 260)
        else:
            self.table.setWordWrap(False)
            self.table.setColumnWidth(2, 110)
            self.table.setColumnWidth(3, 262)
            self.table.setColumnWidth(4, 220)
        self.table.doubleClicked.connect(lambda _: self._choose_selected())
        layout.addWidget(self.table, 1)

        self.manual = QCheckBox(manual_label, self)
        self.manual_name = QLineEdit(self)
        self.manual_name.setPlaceholderText(self.tr("施設名を直接入力"))
        self.manual_name.setEnabled(False)
        self.manual.toggled.connect(self._manual_toggled)
        layout.addWidget(self.manual)
        layout.addWidget(self.manual_name)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("選択"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("閉じる"))
        buttons.accepted.connect(self._choose_selected)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        # Search as the user types, but let a burst of keystrokes settle first (and IME composition end).
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self.run_search)
        self.query.textChanged.connect(lambda _: self._timer.start())
        self.query.returnPressed.connect(self._choose_selected)

        if current is not None and current.manual:
            self.manual.setChecked(True)
            self.manual_name.setText(current.name)
        elif current is not None and current.cert_no:
            self.query.setText(current.cert_no)
        self.run_search()

    def run_search(self) -> None:
        rows = self._search(self.query.text())
        self.model.set_rows(rows)
        if rows:
            self.count.setText(self.tr("検索結果 {n}件").format(n=len(rows)))
            self.table.selectRow(0)
        else:
            self.count.setText(self.tr("検索条件を満たす認定施設がありません。"))

    def _manual_toggled(self, on: bool) -> None:
        self.manual_name.setEnabled(on)
        self.query.setEnabled(not on)
        self.table.setEnabled(not on)
        if on:
            self.manual_name.setFocus()

    def _choose_selected(self) -> None:
        if self.manual.isChecked():
            name = self.manual_name.text().strip()
            if not name:
                self.manual_name.setFocus()
                return
            self._chosen = FacilityChoice(cert_no="", name=name, manual=True)
            self.accept()
            return
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        facility = rows[0].data(FacilityTableModel.FacilityRole)
        assert isinstance(facility, Facility)
        self._entry = facility
        self._chosen = FacilityChoice(cert_no=facility.cert_no, name=facility.name, manual=False)
        self.accept()

    def chosen(self) -> FacilityChoice | None:
        return self._chosen

    def chosen_pick(self) -> FacilityPick | None:
        """The choice as a list entry (with its kind and period) or a typed name."""
        if self._chosen is None:
            return None
        if self._chosen.manual:
            return FacilityPick(entry=None, manual_name=self._chosen.name)
        return FacilityPick(entry=self._entry)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        search: Search,
        current: FacilityChoice | None,
        *,
        manual_label: str,
        sample_notice: str | None,
        import_list: Callable[[], None] | None = None,
    ) -> FacilityChoice | None:
        """Show the dialog and return the choice, or None when closed (tests patch this)."""
        dialog = cls(search, current, manual_label=manual_label, sample_notice=sample_notice,
                     import_list=import_list, parent=parent)  # fmt: skip
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def ask_entry(
        cls,
        parent: QWidget | None,
        search: Search,
        current: FacilityChoice | None,
        *,
        manual_label: str,
        sample_notice: str | None,
        today: dt.date,
        import_list: Callable[[], None] | None = None,
    ) -> FacilityPick | None:
        """The 診療施設検索 of a case report: the entry chosen, or None when closed (tests patch this)."""
        dialog = cls(search, current, manual_label=manual_label, sample_notice=sample_notice,
                     import_list=import_list, parent=parent, today=today)  # fmt: skip
        return dialog.chosen_pick() if dialog.exec() == QDialog.DialogCode.Accepted else None
