"""The window's central page for forms laid out as case reports (JSPM): the 症例一覧 as on the society's
page, the 症例編集 beside it, the coverage of the seven categories, and the approval actions.

Every change is one store operation run through the window's `perform` (so undo and redo work and
保存済み shows only after the store committed it). Approval by files is in `app.views.approval_flow`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.application import FacilityChoice
from app.operations.reports import AddReport, DeleteReport, MoveReport, SetReportFacility, SetReportField
from app.views.approval_flow import ApprovalFlow
from app.views.coverage import CoveragePanel, coverage_in_one_line
from app.views.facility_picker import FacilityPickerDialog
from app.views.page import ApplicationPage
from app.views.report_banners import comment_label
from app.views.report_editor import ReportEditor
from app.views.report_model import APPROVED, PRIVATE_FRAME, REQUESTED, PrivateFrameDelegate, ReportTableModel
from app.views.submit_state import submit_state

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from PySide6.QtGui import QShowEvent

    from app.models.application import Application, CaseReport
    from app.models.forms import FormDefinition
    from app.store import FieldValue
    from app.validation import Issue
    from app.views.page import PageContext


class ReportsPage(ApplicationPage):
    """症例一覧 + 症例編集 + 症例区分の充足, over one application's case reports."""

    def __init__(self, form: FormDefinition, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.context = context
        self.application: Application | None = None
        self.issues: list[Issue] = []
        self._row: int | None = None
        self.approval_required = form.approval is not None and form.approval.required

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        layout.addWidget(self.splitter)

        left = QWidget(self.splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        self.model = ReportTableModel(form, self)
        self.table = QTableView(left)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        font = self.table.font()
        font.setPointSizeF(font.pointSizeF() - 1)
        self.table.setFont(font)
        widths = {
            ReportTableModel.SELECT: 34,
            ReportTableModel.NUMBER: 34,
            ReportTableModel.CATEGORY: 120,
            ReportTableModel.FACILITY: 92,
            ReportTableModel.PERIOD: 134,
            ReportTableModel.NOTE: 70,
            ReportTableModel.STATUS: 72,
            ReportTableModel.SUPERVISOR: 68,
            ReportTableModel.DECIDED: 82,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(ReportTableModel.SELECT, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(ReportTableModel.NUMBER, QHeaderView.ResizeMode.Fixed)
        self.table.setItemDelegateForColumn(ReportTableModel.NOTE, PrivateFrameDelegate(self.table))
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        left_layout.addWidget(self.table, 1)
        legend = QLabel(
            self.tr(
                "※青枠の備考は自分用のメモです。指導者には送信されず、印刷・アップロード用ファイルにも出力されません。"
            ),
            left,
        )
        legend.setStyleSheet(f"color: {PRIVATE_FRAME.name()}; font-size: 9pt;")
        legend.setWordWrap(True)
        left_layout.addWidget(legend)

        rows = QHBoxLayout()
        self.add_button = self._button(left, rows, self.tr("追加"), self.add_report)
        self.delete_button = self._button(left, rows, self.tr("削除"), self.delete_report)
        self.up_button = self._button(left, rows, self.tr("上へ"), lambda: self.move_report(-1))
        self.down_button = self._button(left, rows, self.tr("下へ"), lambda: self.move_report(1))
        self.flow = ApprovalFlow(self, self)
        # Beside 削除, as it acts on the selected case; the approval row stays narrow enough for the
        # editor to get half of a 1366-pixel window.
        self.reopen_button = self._button(
            left, rows, self.tr("削除して再依頼…"), lambda: self.flow.reopen(self.current_row())
        )
        rows.addStretch(1)
        self.registry_button = self._button(left, rows, self.tr("指導者登録…"), self.flow.open_registry)
        left_layout.addLayout(rows)

        approval = QHBoxLayout()
        self.request_button = self._button(left, approval, self.tr("承認依頼をする…"), self.flow.request)
        self.withdraw_button = self._button(
            left, approval, self.tr("承認依頼の取り下げをする…"), self.flow.withdraw
        )
        self.import_button = self._button(
            left, approval, self.tr("承認結果を取り込む…"), self.flow.import_response
        )
        approval.addStretch(1)
        self.approval_row = QWidget(left)
        self.approval_row.setLayout(approval)
        approval.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.approval_row)
        for widget in (self.registry_button, self.reopen_button, self.approval_row):
            widget.setVisible(self.approval_required)

        self.coverage = CoveragePanel(form, left)
        self.coverage.setVisible(form.coverage is not None)
        left_layout.addWidget(self.coverage)

        self.editor = ReportEditor(form, self.splitter)
        self.editor.fieldEdited.connect(self.set_field)
        self.editor.facilityRequested.connect(self.choose_facility)
        self.editor.inputRejected.connect(self.inputRejected)
        self.editor.reopenRequested.connect(lambda: self.flow.reopen(self.current_row()))
        self.editor.withdrawRequested.connect(
            lambda: self.flow.withdraw([row] if (row := self.current_row()) is not None else [])
        )
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.editor)
        # The editor holds 600–800-character narratives: at least half the width; the list scrolls sideways.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([480, 520])
        self._split_done = False
        self.model.checkedChanged.connect(self._update_buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._split_done:  # sizes given before the page had a width are not kept by QSplitter
            self._split_done = True
            width = self.splitter.width()
            self.splitter.setSizes([width * 9 // 20, width - width * 9 // 20])

    @staticmethod
    def _button(parent: QWidget, layout: QHBoxLayout, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, parent)
        button.clicked.connect(lambda _=False: slot())
        layout.addWidget(button)
        return button

    # --- showing ----------------------------------------------------------------------------------

    def show_application(self, application: Application, issues: Sequence[Issue]) -> None:
        """Show the application's reports, their issues, the coverage, and the selected case."""
        self.application = application
        self.issues = list(issues)
        row = self._row
        self.model.set_reports(application, issues)
        self.coverage.show_application(application, issues)
        count = self.model.rowCount()
        if count == 0:
            row = None
        elif row is None or row >= count:
            row = 0 if row is None else count - 1
        self._row = row
        if row is not None and self.table.currentIndex().row() != row:
            self.table.setCurrentIndex(self.model.index(row, ReportTableModel.NUMBER))
        self._show_editor()
        self._update_buttons()

    def _show_editor(self) -> None:
        row = self._row
        report = self.model.report(row) if row is not None else None
        self.editor.show_report(
            row if report is not None else None,
            report,
            self.model.status(row) if row is not None else "",
            self.model.row_issues(row) if row is not None else [],
        )

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not current.isValid() or current.row() == self._row:
            return
        self.editor.save_pending()
        self._row = current.row()
        self._show_editor()
        self.editor.scroll_area.verticalScrollBar().setValue(0)  # a case opens at its top (its comments)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self._row
        report = self.model.report(row) if row is not None else None
        count = self.model.rowCount()
        locked = report is not None and report.is_locked()
        self.delete_button.setEnabled(report is not None and not locked)
        self.up_button.setEnabled(row is not None and row > 0)
        self.down_button.setEnabled(row is not None and row + 1 < count)
        chosen = self.flow.chosen_rows()
        statuses = [self.model.status(r) for r in chosen]
        self.request_button.setEnabled(bool(chosen))
        self.withdraw_button.setEnabled(REQUESTED in statuses)
        self.reopen_button.setEnabled(row is not None and self.model.status(row) == APPROVED)
        self.request_button.setText(
            self.tr("承認依頼をする（{n}件）…").format(n=len(chosen))
            if chosen
            else self.tr("承認依頼をする…")
        )
        self._explain_buttons(locked)

    def _explain_buttons(self, locked: bool) -> None:
        """A disabled button's tooltip says what makes it available; an enabled one says what it does."""
        tips = {
            self.delete_button: (
                self.tr("選んだ症例を削除します"),
                self.tr(
                    "承認依頼中・承認済みの症例は削除できません（取り下げるか「削除して再依頼」をしてください）"
                )
                if locked
                else self.tr("一覧で症例を選ぶと押せます"),
            ),
            self.up_button: (self.tr("選んだ症例を1つ上へ"), self.tr("2番目以降の症例を選ぶと押せます")),
            self.down_button: (self.tr("選んだ症例を1つ下へ"), self.tr("最後以外の症例を選ぶと押せます")),
            self.request_button: (
                self.tr("チェックを付けた症例の承認依頼ファイルを作ります"),
                self.tr(
                    "一覧の「選択」欄で、承認を依頼する症例（未承認・非承認）にチェックを付けると押せます"
                ),
            ),
            self.withdraw_button: (
                self.tr("チェックを付けた承認依頼中の症例の依頼を取り下げます"),
                self.tr("承認依頼中の症例にチェックを付けると押せます"),
            ),
            self.reopen_button: (
                self.tr("承認済みの症例を、コピーを残して編集できる状態に戻します"),
                self.tr("一覧で承認済みの症例を選ぶと押せます"),
            ),
        }
        for button, (enabled, disabled) in tips.items():
            button.setToolTip(enabled if button.isEnabled() else disabled)

    def current_row(self) -> int | None:
        return self._row

    def current_report(self) -> CaseReport | None:
        return self.model.report(self._row) if self._row is not None else None

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(row, ReportTableModel.NUMBER))
            self.table.scrollTo(self.model.index(row, ReportTableModel.NUMBER))

    def show_changed(self, before: Application, after: Application) -> None:
        """Undo and redo select the first case they changed and put the cursor in its first changed field
        (a whole case added, removed or moved: the case alone)."""
        old, new = before.reports, after.reports
        for row in range(max(len(old), len(new))):
            was = old[row] if row < len(old) else None
            now = new[row] if row < len(new) else None
            if was == now:
                continue
            self.select_row(min(row, self.model.rowCount() - 1))
            if was is not None and now is not None and was.id == now.id:
                self.editor.focus_field(self._changed_field(was, now))
            else:
                self.table.setFocus()
            return

    def _changed_field(self, was: CaseReport, now: CaseReport) -> str | None:
        """The first field, in the editor's order, whose value differs; None when only the state did."""
        narrative = [spec.key for spec in self.form.fields if spec.kind == "multiline"]
        for key in ("category", "facility", "start", "end", "age", "sex", "diagnosis", *narrative, "note"):
            if key in narrative:
                if was.narrative.get(key, "") != now.narrative.get(key, ""):
                    return key
            elif getattr(was, key) != getattr(now, key):
                return key
        return None

    def count_text(self) -> str:
        """The status bar's summary: cases entered of the form's count, approved ones, errors."""
        application = self.application
        if application is None:
            return ""
        counts = self.form.counts
        wanted = f"{counts.min}" if counts.min == counts.max else f"{counts.min}〜{counts.max}"
        parts = [self.tr("症例 {n} / {want}").format(n=application.case_count(), want=wanted)]
        if self.approval_required:
            approved = self.model.statuses().count(APPROVED)
            parts.append(self.tr("承認 {n} / {want}").format(n=approved, want=wanted))
        parts.append(submit_state(self.issues))
        return "　".join(parts)

    def go_to_issue(self, issue: Issue) -> bool:
        """The problems panel's jump: select the case, put the cursor in the field."""
        if issue.row is not None:
            self.select_row(issue.row - 1)
            self.editor.focus_field(issue.field)
        elif issue.field == "category":
            self.coverage.setFocus()
        else:
            return False
        return True

    # --- list operations ----------------------------------------------------------------------------

    def _number(self, row: int) -> str:
        return self.tr("症例{n}").format(n=row + 1)

    def add_report(self) -> None:
        store = self.context.store
        if self.context.perform(self.tr("症例を追加"), lambda a: store.apply(a, AddReport())):
            self.select_row(self.model.rowCount() - 1)

    def delete_report(self) -> None:
        row, report = self._row, self.current_report()
        if row is None or report is None:
            return
        if not report.is_blank() and not self.context.confirm(
            self.tr("症例の削除"),
            self.tr("{n}（{category}）を削除しますか？（元に戻すで復元できます）").format(
                n=self._number(row), category=report.category or self.tr("症例区分未選択")
            ),
        ):
            return
        store = self.context.store
        self.context.perform(
            self.tr("{n} を削除").format(n=self._number(row)), lambda a: store.apply(a, DeleteReport(row))
        )

    def move_report(self, step: int) -> None:
        row = self._row
        if row is None or not 0 <= row + step < self.model.rowCount():
            return
        target = row + step
        store = self.context.store
        if self.context.perform(
            self.tr("{n} を移動").format(n=self._number(row)),
            lambda a: store.apply(a, MoveReport(row, target)),
        ):
            self.select_row(target)

    # --- editing --------------------------------------------------------------------------------------

    def set_field(self, key: str, value: FieldValue) -> None:
        row = self.editor.row
        if row is None:
            return
        store = self.context.store
        label = comment_label(self.form, key)
        self.context.perform(
            self.tr("{n} の{label}を変更").format(n=self._number(row), label=label),
            lambda a: store.apply(a, SetReportField(row, key, value)),
        )

    def choose_facility(self) -> None:
        row, report = self._row, self.current_report()
        if row is None or report is None:
            return
        facility = report.facility
        current = (
            FacilityChoice(cert_no=facility.cert_no, name=facility.name, manual=facility.manual)
            if facility is not None
            else None
        )
        info = self.context.facilities().info
        notice = (
            self.tr("現在の施設一覧はサンプル（{name}）です。学会の一覧を取り込んでください。").format(
                name=info.name
            )
            if info.sample
            else None
        )
        pick = FacilityPickerDialog.ask_entry(
            self,
            self.context.search_facilities,
            current,
            manual_label=self.form.facility.manual_label,
            sample_notice=notice,
            today=self.context.today(),
            import_list=self.context.import_facility_list,
        )
        if pick is None:
            return
        store = self.context.store
        self.context.perform(
            self.tr("{n} の診療施設を変更").format(n=self._number(row)),
            lambda a: store.apply(a, SetReportFacility(row, pick.entry, pick.manual_name)),
        )

    # --- the window's page (app.views.page) ------------------------------------------------------------

    def listed_issues(self, issues: Sequence[Issue]) -> list[Issue]:
        return coverage_in_one_line(issues)

    def save_pending(self) -> None:
        self.editor.save_pending()

    def rejected_count(self) -> int:
        return len(self.editor.rejected)

    def insert_row(self) -> None:
        self.add_report()

    def delete_row(self) -> None:
        self.delete_report()

    def move_row(self, step: int) -> None:
        self.move_report(step)

    def panes(self) -> list[QWidget]:
        return [self.table]

    def import_approval_response(self, path: Path) -> bool:
        self.flow.import_response(path)
        return True
