"""施設在籍期間 editor: year-month ranges, each picked from the months of the target period (JB-5)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.models.application import MonthRange
from app.models.yearmonth import YearMonth

if TYPE_CHECKING:
    from collections.abc import Sequence

BLANK = "選択"


class MonthCombo(QComboBox):
    """A month from `first` to `last`, or blank. Typing 2024/0 jumps to the month, as in a list."""

    def __init__(self, first: YearMonth, last: YearMonth, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._months = [YearMonth.from_ordinal(o) for o in range(first.ordinal, last.ordinal + 1)]
        self.addItem(BLANK)
        self.addItems([month.display() for month in self._months])
        self.setMaxVisibleItems(15)
        self.setMinimumContentsLength(7)

    def opening_row(self, today: dt.date | None = None) -> int:
        """Where a blank picker's list opens: this month when it is in the list, else the last month (the
        list starts years back, at the target period's first month)."""
        if self.currentIndex() > 0 or not self._months:
            return self.currentIndex()
        day = today or dt.date.today()
        wanted = YearMonth(day.year, day.month)
        if wanted in self._months:
            return self._months.index(wanted) + 1
        return len(self._months) if wanted > self._months[-1] else 1

    def showPopup(self) -> None:
        super().showPopup()
        row = self.opening_row()
        if row > 0 and self.currentIndex() <= 0:
            view = self.view()
            index = self.model().index(row, 0)
            view.setCurrentIndex(index)
            view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def month(self) -> YearMonth | None:
        index = self.currentIndex()
        return self._months[index - 1] if index > 0 else None

    def set_month(self, month: YearMonth | None) -> None:
        if month is None:
            self.setCurrentIndex(0)
            return
        found = self.findText(month.display())
        if found < 0:  # a month outside the pickers' range, from an imported document: show it anyway
            self.addItem(month.display())
            found = self.count() - 1
            self._months.append(month)
        self.setCurrentIndex(found)


class EnrollmentEditor(QWidget):
    """The list of ranges with add, remove and clear; emits the whole list after every change."""

    rangesChanged = Signal(list)
    """list[MonthRange]"""

    def __init__(self, first: YearMonth, last: YearMonth, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._first, self._last = first, last
        self._rows: list[tuple[MonthCombo, MonthCombo, QWidget]] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._add = QPushButton(self.tr("＋ 在籍期間を追加"))
        self._add.setToolTip(self.tr("継続しない複数の期間を登録できます"))
        self._add.clicked.connect(self._append_blank)
        self._add.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._problems = QLabel()
        self._problems.setStyleSheet("color: #b3261e;")
        self._problems.setWordWrap(True)
        self._problems.hide()
        self._layout.addWidget(self._add)
        self._layout.addWidget(self._problems)
        self._updating = False

    def take_add_button(self) -> QPushButton:
        """The 「＋ 在籍期間を追加」 button, for the caller to place beside the list (saves a line)."""
        self._layout.removeWidget(self._add)
        return self._add

    def period_count(self) -> int:
        return len(self._rows)

    def focus_chain(self) -> list[QWidget]:
        """The pickers and buttons of every period, in order, then 追加."""
        chain: list[QWidget] = []
        for _start, _end, row in self._rows:
            children = row.findChildren(QWidget, "", Qt.FindChildOption.FindDirectChildrenOnly)
            chain += [w for w in children if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
        return [*chain, self._add]

    def set_ranges(self, ranges: Sequence[MonthRange]) -> None:
        self._updating = True
        try:
            while len(self._rows) > max(1, len(ranges)):
                self._remove_row(len(self._rows) - 1, emit=False)
            while len(self._rows) < max(1, len(ranges)):
                self._add_row()
            for (start, end, _), period in zip(self._rows, [*ranges] or [MonthRange()], strict=False):
                start.set_month(period.start)
                end.set_month(period.end)
        finally:
            self._updating = False

    def set_problems(self, messages: Sequence[str]) -> None:
        """Show the section's enrollment issues under the list."""
        self._problems.setText("\n".join(messages))
        self._problems.setVisible(bool(messages))

    def ranges(self) -> list[MonthRange]:
        return [MonthRange(start=start.month(), end=end.month()) for start, end, _ in self._rows]

    def _add_row(self) -> None:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        start = MonthCombo(self._first, self._last, row)
        end = MonthCombo(self._first, self._last, row)
        clear = QPushButton(self.tr("クリア"), row)
        remove = QPushButton(self.tr("削除"), row)
        for button in (clear, remove):
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        for widget in (start, QLabel("〜", row), end, clear, remove):
            layout.addWidget(widget)
        layout.addStretch(1)
        start.setAccessibleName(self.tr("在籍期間の開始"))
        end.setAccessibleName(self.tr("在籍期間の終わり"))
        start.currentIndexChanged.connect(self._changed)
        end.currentIndexChanged.connect(self._changed)
        clear.clicked.connect(lambda: self._clear(row))
        remove.clicked.connect(lambda: self._remove_row(self._position(row), emit=True))
        self._rows.append((start, end, row))
        self._layout.insertWidget(len(self._rows) - 1, row)

    def _position(self, row: QWidget) -> int:
        return next(i for i, (_, _, widget) in enumerate(self._rows) if widget is row)

    def _append_blank(self) -> None:
        self._add_row()
        self._rows[-1][0].setFocus()

    def _clear(self, row: QWidget) -> None:
        start, end, _ = self._rows[self._position(row)]
        self._updating = True
        start.setCurrentIndex(0)
        end.setCurrentIndex(0)
        self._updating = False
        self._changed()

    def _remove_row(self, position: int, *, emit: bool) -> None:
        _, _, widget = self._rows.pop(position)
        widget.setParent(None)
        widget.deleteLater()
        if emit:
            if not self._rows:
                self._add_row()
            self._changed()

    def _changed(self) -> None:
        if not self._updating:
            self.rangesChanged.emit([r for r in self.ranges() if r.start is not None or r.end is not None])
