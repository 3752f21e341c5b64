"""The window's central page for forms laid out in facility sections (JBCT): one tab per section (申請2(n))
with its facility, enrollment periods and 25-row grid.

Every change is one store operation run through the window's `perform` (so undo and redo work and
保存済み shows only after the store committed it): cells from the grid, the facility, the enrollment
periods, and the row operations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemDelegate, QApplication, QLabel, QTabWidget, QVBoxLayout, QWidget

from app.models.edits import apply_cell_edits
from app.store.print_state import CHANGED, PRINTED
from app.views.case_model import CaseTableModel
from app.views.page import ApplicationPage
from app.views.section_page import SectionPage
from app.views.submit_state import submit_state

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import Application, Case, MonthRange, Section
    from app.models.cells import CellEdit
    from app.models.forms import FormDefinition
    from app.store.print_state import PrintState
    from app.validation import Issue
    from app.views.page import PageContext
    from app.views.paste_report import PasteReportDialog


class JbctPage(ApplicationPage):
    """申請2(1)… as tabs, over one application's sections."""

    def __init__(self, form: FormDefinition, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.context = context
        self.application: Application | None = None
        self.issues: list[Issue] = []
        self._paste_report: PasteReportDialog | None = None
        self._shown: dict[int, tuple[Section | None, list[Issue]]] = {}
        """Each section and its issues as last shown."""
        self._print_state: PrintState | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs)
        self._show_target_period(form)
        self.pages: list[SectionPage] = []
        labels = form.sections.labels if form.sections is not None else ["症例"]
        for index, label in enumerate(labels):
            page = SectionPage(form, index, self.commit_cells, context.suggest_diagnosis, self.tabs)
            page.facilityRequested.connect(self.choose_facility)
            page.enrollmentChanged.connect(self.set_enrollment)
            page.model.cellRejected.connect(self.inputRejected)
            page.grid.pasteReport.connect(self._paste_reported)
            self._follow_cursor(page)
            self.tabs.addTab(page, label)
            self.pages.append(page)

    # --- showing ----------------------------------------------------------------------------------

    def show_application(self, application: Application, issues: Sequence[Issue]) -> None:
        """Each section in its tab, the tab saying how many cases it holds, whether it has errors and
        whether it was printed. A section whose content and issues are as shown is left as it is (one cell
        edit changes one section: one edit's budget)."""
        self.application = application
        self.issues = list(issues)
        for page in self.pages:
            section = application.sections[page.index] if page.index < len(application.sections) else None
            mine = [i for i in issues if i.section == page.index + 1]
            if self._shown.get(page.index) != (section, mine):
                self._shown[page.index] = (section, mine)
                page.set_section(section, mine)
            count = len(section.filled_cases()) if section is not None else 0
            mark = "  ⚠" if any(i.is_error for i in mine) else ""
            self._label_tab(page.index, f"{self.form.section_label(page.index)}（{count}件）{mark}")

    def _label_tab(self, index: int, text: str) -> None:
        """The tab's text with its print mark (「・印刷済」); an unchanged text is not set again: a new text
        lays the whole tab widget out again."""
        printed = self._print_state.section_label(index) if self._print_state is not None else ""
        text = f"{text}・{printed}" if printed else text
        if self.tabs.tabText(index) != text:
            self.tabs.setTabText(index, text)

    def count_text(self) -> str:
        application = self.application
        if application is None:
            return ""
        counts = self.form.counts
        return self.tr("登録件数 {n} / {lo}〜{hi}　{state}").format(
            n=application.case_count(), lo=counts.min, hi=counts.max, state=submit_state(self.issues)
        )

    def _show_target_period(self, form: FormDefinition) -> None:
        """今回対象となる期間 beside the section tabs, where it is always in sight (it was in tooltips)."""
        if form.window is None:
            return
        label = QLabel(
            self.tr("今回対象となる期間: {a}〜{b}（申請年月まで）").format(
                a=form.window.start.display(), b=form.window.latest_end.display()
            ),
            self.tabs,
        )
        label.setStyleSheet("color: #444444; padding: 0 6px;")
        label.setToolTip(form.field("application_month").hint)
        self.tabs.setCornerWidget(label, Qt.Corner.TopRightCorner)
        label.show()

    def show_print_state(self, state: PrintState) -> None:
        """Each section's tab says whether its sheets were printed and changed since."""
        self._print_state = state
        for page in self.pages:
            text = self.tabs.tabText(page.index)
            for earlier in (PRINTED, CHANGED):  # not split at 「・」: a form's section label may have one
                text = text.removesuffix(f"・{earlier}")
            self._label_tab(page.index, text)
            tip = state.section_label(page.index) or self.tr("未印刷")
            if self.tabs.tabToolTip(page.index) != tip:
                self.tabs.setTabToolTip(page.index, tip)

    def current_section(self) -> int:
        page = self.tabs.currentWidget()
        return page.index if isinstance(page, SectionPage) else 0

    def show_section(self, section: int) -> None:
        if section < len(self.pages):
            self.tabs.setCurrentWidget(self.pages[section])

    # --- cells, facility, enrollment: each one store operation --------------------------------------

    def _ensure_section(self, app_id: int, section: int) -> None:
        store = self.context.store
        shown = self.application
        if shown is not None and section < len(shown.sections):
            return  # the shown application is the stored one: no need to read it again (edit budget)
        while len(store.get(app_id).sections) <= section:
            store.add_section(app_id)

    def commit_cells(self, edits: Sequence[CellEdit]) -> None:
        """Cells from the grid: one edit as one cell, several (paste, Delete) as one change."""
        if not edits:
            return
        store = self.context.store
        section = edits[0].section
        if len(edits) == 1:
            edit = edits[0]

            def one(app_id: int) -> Application:
                self._ensure_section(app_id, section)
                return store.set_case_field(app_id, edit.section, edit.row, edit.key, edit.value)

            self.context.perform(self.tr("No.{row} を変更").format(row=edit.row + 1), one)
            return

        def many(app_id: int) -> Application:
            self._ensure_section(app_id, section)
            current = store.get(app_id)
            changed = apply_cell_edits(current, edits)
            first = min(edit.row for edit in edits)
            last = max(edit.row for edit in edits)
            rows: list[Case] = changed.sections[section].cases[first : last + 1]
            return store.paste_cases(app_id, section, first, rows)

        rows = sorted({edit.row + 1 for edit in edits})
        self.context.perform(self.tr("No.{a}〜{b} を変更").format(a=rows[0], b=rows[-1]), many)

    def set_enrollment(self, section: int, ranges: list[MonthRange]) -> None:
        store = self.context.store

        def replace(app_id: int) -> Application:
            self._ensure_section(app_id, section)
            current = store.get(app_id).sections[section].enrollment
            application = store.get(app_id)
            for index, period in enumerate(ranges):
                if index < len(current):
                    if current[index] != period:
                        application = store.set_enrollment(app_id, section, index, period.start, period.end)
                else:
                    application = store.add_enrollment(app_id, section, period.start, period.end)
            for index in range(len(current) - 1, len(ranges) - 1, -1):
                application = store.remove_enrollment(app_id, section, index)
            return application

        self.context.perform(self.tr("施設在籍期間を変更"), replace)

    def choose_facility(self, section: int) -> None:
        assert self.application is not None
        context = self.context
        current = (
            self.application.sections[section].facility if section < len(self.application.sections) else None
        )
        info = context.facilities().info
        notice = (
            self.tr(
                "現在の施設一覧はサンプル（{name}）です。実際の認定施設一覧を取り込んでください。"
            ).format(name=info.name)
            if info.sample
            else None
        )
        from app.views.facility_picker import FacilityPickerDialog

        chosen = FacilityPickerDialog.ask(
            self.window(),
            context.search_facilities,
            current,
            manual_label=self.form.facility.manual_label,
            sample_notice=notice,
            import_list=context.import_facility_list,
        )
        if chosen is None:
            return

        def set_facility(app_id: int) -> Application:
            self._ensure_section(app_id, section)
            return context.store.set_facility(app_id, section, chosen)

        context.perform(self.tr("施設を変更"), set_facility)

    # --- rows ---------------------------------------------------------------------------------------

    def _current_cell(self) -> tuple[SectionPage, int, int] | None:
        page = self.tabs.currentWidget()
        if not isinstance(page, SectionPage):
            return None
        index = page.grid.currentIndex()
        if not index.isValid():
            return None
        return page, index.row(), index.column()

    def insert_row(self) -> None:
        where = self._current_cell()
        if where is None:
            return
        page, row, column = where
        if self.context.perform(
            self.tr("No.{row} に行を挿入").format(row=row + 1), lambda a: self._insert(a, page.index, row)
        ):
            page.grid.setCurrentIndex(page.model.index(row, column))

    def _insert(self, app_id: int, section: int, row: int) -> Application:
        store = self.context.store
        self._ensure_section(app_id, section)
        cases = store.get(app_id).sections[section].cases
        while len(cases) < row:
            store.insert_case(app_id, section, len(cases))
            cases = store.get(app_id).sections[section].cases
        return store.insert_case(app_id, section, row)

    def delete_row(self) -> None:
        where = self._current_cell()
        if where is None or self.application is None:
            return
        page, row, _ = where
        sections = self.application.sections
        if page.index >= len(sections) or row >= len(sections[page.index].cases):
            return
        if not sections[page.index].cases[row].is_blank() and not self.context.confirm(
            self.tr("行を削除"),
            self.tr("No.{row} の症例を削除しますか？（元に戻すで復元できます）").format(row=row + 1),
        ):
            return
        store = self.context.store
        self.context.perform(
            self.tr("No.{row} を削除").format(row=row + 1), lambda a: store.delete_case(a, page.index, row)
        )

    def move_row(self, step: int) -> None:
        where = self._current_cell()
        if where is None or self.application is None:
            return
        page, row, column = where
        cases = (
            self.application.sections[page.index].cases if page.index < len(self.application.sections) else []
        )
        target = row + step
        if row >= len(cases) or not 0 <= target < len(cases):
            return
        store = self.context.store
        moved = self.context.perform(
            self.tr("No.{row} を移動").format(row=row + 1),
            lambda a: store.move_case(a, page.index, row, page.index, target),
        )
        if moved:
            page.grid.setCurrentIndex(page.model.index(target, column))

    # --- problems and warnings ------------------------------------------------------------------------

    def go_to_issue(self, issue: Issue) -> bool:
        if issue.section is None:
            return False
        page = self.pages[min(issue.section - 1, len(self.pages) - 1)]
        self.tabs.setCurrentWidget(page)
        if issue.row is None:
            (page.facility_button if issue.field == "facility" else page.enrollment).setFocus()
            return True
        columns = page.model.columns
        column = columns.index(issue.field) if issue.field in columns else 0
        index = page.model.index(issue.row - 1, column)
        page.grid.setCurrentIndex(index)
        page.grid.scrollTo(index)
        page.grid.setFocus()
        return True

    def accept_warning(self, listed: Issue | None) -> None:
        if listed is not None and self._accept_listed_warning(listed):
            return
        where = self._current_cell()
        if where is None:
            return
        page, row, column = where
        issues = page.model.data(page.model.index(row, column), CaseTableModel.IssuesRole)
        warnings = (
            [i for i in issues or [] if not i.is_error and not i.accepted] if isinstance(issues, list) else []
        )
        if not warnings:
            self.context.show_status(
                self.tr("このセルに承認できる警告はありません（エラーは承認できません）")
            )
            return
        warning = warnings[0]
        reason = self.context.ask_reason(warning.message)
        if reason is None:
            return
        store = self.context.store
        self.context.perform(
            self.tr("警告を承認"), lambda a: store.accept_warning(a, page.index, row, warning.code, reason)
        )

    def _accept_listed_warning(self, issue: Issue) -> bool:
        """Ctrl+Shift+A on a line of the problems list accepts that warning; False when the line is not
        a warning of a case row (then the cursor's cell is used)."""
        if issue.row is None or issue.section is None or not self.pages:
            return False
        if issue.is_error or issue.accepted:
            self.context.show_status(
                self.tr("選んだ行は承認できる警告ではありません（エラーは承認できません）")
            )
            return True
        reason = self.context.ask_reason(issue.message)
        if reason is None:
            return True
        section, row, code = issue.section - 1, issue.row - 1, issue.code
        store = self.context.store
        self.context.perform(
            self.tr("警告を承認"), lambda a: store.accept_warning(a, section, row, code, reason)
        )
        return True

    # --- the cursor, paste and undo ---------------------------------------------------------------------

    def _follow_cursor(self, page: SectionPage) -> None:
        """The problems list selects the issue of the cell the cursor is on."""

        def moved(current: QModelIndex, _previous: QModelIndex) -> None:
            if current.isValid() and self.tabs.currentWidget() is page:
                self.context.select_problem(
                    page.index + 1, current.row() + 1, page.model.columns[current.column()]
                )

        page.grid.selectionModel().currentChanged.connect(moved)

    def paste_report(self) -> PasteReportDialog:
        """The one panel listing the cells the last paste could not read."""
        if self._paste_report is None:
            from app.views.paste_report import PasteReportDialog

            self._paste_report = PasteReportDialog(self.window())
        return self._paste_report

    def _paste_reported(self, written: int, refused: list[str]) -> None:
        if refused:
            self.paste_report().show_report(written, refused)
            self.context.mark_saved()
        else:
            self.context.show_status(self.tr("{n}セルを貼り付けました").format(n=written))

    def show_first_row(self) -> None:
        for page in self.pages:
            page.grid.setCurrentIndex(page.model.index(0, 0))
            page.grid.scrollToTop()
        if self.pages:
            self.tabs.setCurrentWidget(self.pages[0])

    def show_changed(self, before: Application, after: Application) -> None:
        """Undo and redo put the cursor on the first cell they changed."""
        for section, page in enumerate(self.pages):
            old = before.sections[section].cases if section < len(before.sections) else []
            new = after.sections[section].cases if section < len(after.sections) else []
            for row in range(max(len(old), len(new))):
                was = old[row] if row < len(old) else None
                now = new[row] if row < len(new) else None
                if was == now:
                    continue
                column = next(
                    (c for c, key in enumerate(page.model.columns)
                     if was is None or now is None or getattr(was, key) != getattr(now, key)),
                    0,
                )  # fmt: skip
                self.tabs.setCurrentWidget(page)
                index = page.model.index(min(row, page.model.rowCount() - 1), column)
                page.grid.setCurrentIndex(index)
                page.grid.scrollTo(index)
                page.grid.setFocus()
                return

    def save_pending(self) -> None:
        """A grid cell's editor still open: its text goes to the store now."""
        editor = QApplication.focusWidget()
        for page in self.pages:
            grid = page.grid
            if grid.state() == grid.State.EditingState and editor is not None and grid.isAncestorOf(editor):
                grid.commitData(editor)
                grid.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def rejected_count(self) -> int:
        return sum(page.model.rejected_cells() for page in self.pages)

    def panes(self) -> list[QWidget]:
        page = self.tabs.currentWidget()
        return [page.grid] if isinstance(page, SectionPage) else []

    def focus_first(self) -> None:
        (self.pages[0].grid if self.pages else self).setFocus()
