"""One tab of the window: a facility section (申請2(n)) with its facility, enrollment periods and grid."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.views.case_model import CaseTableModel
from app.views.cell_line import CellLine
from app.views.enrollment import EnrollmentEditor
from app.views.grid import CaseTableView, Suggest

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from app.models.application import Section
    from app.models.cells import CellEdit
    from app.models.forms import FormDefinition
    from app.validation import Issue


class SectionPage(QWidget):
    """申請2(n): 症例を経験した施設, 施設在籍期間 and the 25-row grid."""

    facilityRequested = Signal(int)
    """The user asked to choose the facility of this section (its 0-based index)."""
    enrollmentChanged = Signal(int, list)
    """(section index, list[MonthRange])"""

    def __init__(
        self,
        form: FormDefinition,
        index: int,
        commit: Callable[[Sequence[CellEdit]], None],
        suggest_diagnosis: Suggest | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.index = index
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        top = QGridLayout()
        top.setHorizontalSpacing(10)
        top.setVerticalSpacing(2)
        top.setColumnStretch(1, 1)
        caption = QLabel(form.facility.label, self)
        self.facility_label = QLabel(self)
        self.facility_label.setTextFormat(Qt.TextFormat.PlainText)
        self.facility_button = QPushButton(self.tr("認定施設検索…"), self)
        self.facility_button.clicked.connect(lambda: self.facilityRequested.emit(self.index))
        caption.setBuddy(self.facility_button)
        top.addWidget(caption, 0, 0)
        top.addWidget(self.facility_label, 0, 1)
        top.addWidget(self.facility_button, 0, 2)
        self.facility_problem = QLabel(self)
        self.facility_problem.setStyleSheet("color: #b3261e;")
        self.facility_problem.setWordWrap(True)
        self.facility_problem.hide()
        top.addWidget(self.facility_problem, 1, 1, 1, 2)
        enrollment_caption = QLabel(self.tr("施設在籍期間"), self)
        enrollment_caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.enrollment = EnrollmentEditor(form.target_window().start, form.target_window().latest_end, self)
        self.enrollment.rangesChanged.connect(lambda ranges: self.enrollmentChanged.emit(self.index, ranges))
        top.addWidget(enrollment_caption, 2, 0)
        top.addWidget(self.enrollment, 2, 1)
        top.addWidget(self.enrollment.take_add_button(), 2, 2, Qt.AlignmentFlag.AlignTop)
        header = QWidget(self)
        header.setLayout(top)
        header.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout.addWidget(header)
        self.model = CaseTableModel(form, index, commit, self)
        self.grid = CaseTableView(form, commit, suggest_diagnosis, self)
        self.grid.setModel(self.model)
        layout.addWidget(self.grid, 1)
        self._focus_chain: list[QWidget] = []
        self._chained_periods = -1
        self.cell_line = CellLine(form, self)
        layout.addWidget(self.cell_line)
        self.grid.selectionModel().currentChanged.connect(
            lambda current, _: self.cell_line.show_cell(current)
        )
        self.model.dataChanged.connect(self._cell_changed)

    def _cell_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: object = None) -> None:
        current = self.grid.currentIndex()
        if (
            current.isValid()
            and top_left.row() <= current.row() <= bottom_right.row()
            and top_left.column() <= current.column() <= bottom_right.column()
        ):
            self.cell_line.show_cell(current)

    def set_section(self, section: Section | None, issues: Sequence[Issue]) -> None:
        self.model.set_section(section, issues)
        facility = section.facility if section is not None else None
        if facility is None or facility.is_empty():
            self.facility_label.setText(self.tr("未選択 — 「認定施設検索」で選んでください"))
        elif facility.manual:
            self.facility_label.setText(
                self.tr("{name}（手入力・認定施設ではない）").format(name=facility.name)
            )
        else:
            self.facility_label.setText(
                self.tr("{name}（認定番号 {no}）").format(name=facility.name, no=facility.cert_no)
            )
        mine = [i for i in issues if i.section == self.index + 1 and i.row is None]
        facility_messages = [i.text for i in mine if i.field == "facility"]
        self.facility_problem.setText("\n".join(facility_messages))
        self.facility_problem.setVisible(bool(facility_messages))
        self.enrollment.set_ranges(section.enrollment if section is not None else [])
        self._chain_focus()
        self.enrollment.set_problems([i.text for i in mine if i.field == "enrollment"])

    def _chain_focus(self) -> None:
        """Tab goes facility → each enrollment period's pickers and buttons → 追加 → the grid (the period rows
        are made after the grid, so Qt's order of creation would skip them)."""
        if self.enrollment.period_count() == self._chained_periods:
            return  # the same period rows as before: the order stands
        self._chained_periods = self.enrollment.period_count()
        chain = [self.facility_button, *self.enrollment.focus_chain(), self.grid]
        self._focus_chain = chain
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
