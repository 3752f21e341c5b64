"""The main window: applications on the left, the applicant and the three sections in the middle, every
problem at the bottom. Every change goes through one store operation (`MainWindow.perform`), which the
undo stack records as the store versions before and after, so undo and redo are exact restores.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.models.case_table import list_problem
from app.models.document import DocumentError
from app.models.edits import apply_cell_edits
from app.models.facility import Facility, FacilityLookup
from app.models.form_packs import forms_for
from app.models.table import TableFileError
from app.store import FacilityListError, Store, active_facility_list, import_facility_list
from app.store.case_lists import read_case_list
from app.store.errors import StoreError
from app.validation import Issue, validate
from app.views import form_packs
from app.views.application_list import ApplicationListView
from app.views.banners import SampleListBanner
from app.views.case_model import COLUMNS, CaseTableModel
from app.views.enrollment import MonthCombo
from app.views.fit import available_geometry, fit_size
from app.views.grid import CaseTableView
from app.views.print_flow import PrintFlow
from app.views.problems import ProblemsPanel
from app.views.section_page import SectionPage
from app.views.submit_state import submit_state

if TYPE_CHECKING:
    from app.models.application import Application, Case, MonthRange
    from app.models.cells import CellEdit
    from app.models.forms import FormDefinition, FormRegistry
    from app.store.edits import FieldValue
    from app.store.store import ApplicationInfo
    from app.views.grid import Suggest
    from app.views.paste_report import PasteReportDialog
    from app.views.reports_page import ReportContext, ReportsPage
    from app.views.start_page import StartPage

SearchFacilities = Callable[[str], Sequence[Facility]]

PROBLEMS_HEIGHT = 96
"""The problems panel's first height: a few lines, so the grid keeps ten rows or more on a laptop."""
GRID_ROOM = 1100
"""Logical pixels the JBCT grid needs beside the list: its fixed columns, the row numbers, the scroll bar,
and 診断名 at a readable width."""
LIST_MIN_WIDTH = 180


class StoreVersionCommand(QUndoCommand):
    """An edit already made in the store, undone and redone by restoring the versions around it."""

    def __init__(self, window: MainWindow, app_id: int, before: int, after: int, text: str) -> None:
        super().__init__(text)
        self._window, self._app_id, self._before, self._after = window, app_id, before, after
        self._done = True

    def redo(self) -> None:
        if self._done:  # pushed after the store already made the change
            self._done = False
            return
        self._window.restore_version(self._app_id, self._after)

    def undo(self) -> None:
        self._window.restore_version(self._app_id, self._before)


class ApplicantPanel(QWidget):
    """氏名, 会員番号, and for a form in sections (JBCT) 申請年月 and 歯科口腔外科 — each change is one
    store operation."""

    def __init__(
        self, form: FormDefinition, save: Callable[[str, FieldValue], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._save = save
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(form.field("name").label)
        self.member_id = QLineEdit(self)
        self.member_id.setPlaceholderText(form.field("member_id").label)
        self.member_id.setMaximumWidth(130)
        fields: list[tuple[str, QWidget]] = [
            (form.field("name").label, self.name),
            (form.field("member_id").label, self.member_id),
        ]
        self.dental: QCheckBox | None = None
        self.month: MonthCombo | None = None
        if form.layout == "sections":
            self.dental = QCheckBox(self.tr("歯科口腔外科として申請"), self)
            self.month = MonthCombo(form.target_window().start, form.target_window().latest_end, self)
            self.month.setToolTip(form.field("application_month").hint)
            fields.append((form.field("application_month").label, self.month))
        for label, widget in fields:
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            layout.addWidget(caption)
            layout.addWidget(widget)
        if self.dental is not None:
            layout.addWidget(self.dental)
        layout.addStretch(1)
        order = [w for w in (self.name, self.member_id, self.month, self.dental) if w is not None]
        for first, second in itertools.pairwise(order):  # 申請年月 before 歯科, as on screen
            QWidget.setTabOrder(first, second)
        self._loading = False
        self.name.editingFinished.connect(lambda: self._changed("name", self.name.text()))
        self.member_id.editingFinished.connect(lambda: self._changed("member_id", self.member_id.text()))
        if self.dental is not None and self.month is not None:
            dental, month = self.dental, self.month
            dental.toggled.connect(lambda on: self._changed("dental", on))
            month.currentIndexChanged.connect(lambda _: self._changed("application_month", month.month()))

    def _changed(self, key: str, value: FieldValue) -> None:
        if not self._loading:
            self._save(key, value)

    def show_application(self, application: Application) -> None:
        self._loading = True
        try:
            applicant = application.applicant
            if self.name.text() != applicant.name:
                self.name.setText(applicant.name)
            if self.member_id.text() != applicant.member_id:
                self.member_id.setText(applicant.member_id)
            if self.dental is not None and self.month is not None:
                self.dental.setChecked(applicant.dental)
                self.month.set_month(applicant.application_month)
        finally:
            self._loading = False


class HistoryDialog(QDialog):
    """Earlier saved states of an application; choosing one restores it (an undoable change)."""

    def __init__(self, store: Store, app_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("変更履歴"))
        fit_size(self, 620, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr("戻したい時点を選び、「この時点に戻す」を押してください。戻す操作も元に戻せます。")
            )
        )
        self.list = QListWidget(self)
        for change in store.history(app_id, limit=500):
            when = change.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            item = QListWidgetItem(f"{when}　{change.summary}")
            item.setData(Qt.ItemDataRole.UserRole, change.version)
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("この時点に戻す"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("閉じる"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())

    def chosen_version(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    @classmethod
    def ask(cls, store: Store, app_id: int, parent: QWidget | None) -> int | None:
        dialog = cls(store, app_id, parent)
        return dialog.chosen_version() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_reason(parent: QWidget | None, message: str) -> str | None:
    """The reason for keeping a warning (tests patch this)."""
    text, ok = QInputDialog.getText(
        parent, "警告を承認", f"{message}\n\nこの警告を承認する理由を入力してください:"
    )
    return text.strip() if ok and text.strip() else None


def notify(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> None:
    """A message that does not block the window (the user keeps typing; tests are never stopped)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information, title, text, parent=parent
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask before anything destructive (tests patch this)."""
    answer = QMessageBox.question(
        parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    )
    return answer == QMessageBox.StandardButton.Yes


class MainWindow(QMainWindow):
    """Shorei's window over a `Store`."""

    def __init__(
        self,
        store: Store,
        forms: FormRegistry,
        facilities: Callable[[], FacilityLookup],
        search_facilities: SearchFacilities,
        settings: QSettings,
        *,
        suggest_diagnosis: Suggest | None = None,
        import_facility_list: Callable[[QWidget], bool] | None = None,
        facility_source_for: Callable[[str], ActiveFacilities] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.forms = forms
        self._facilities = facilities
        self._search = search_facilities
        self._settings = settings
        self._suggest = suggest_diagnosis
        self._import_facility_list = import_facility_list
        self._facility_source_for = facility_source_for
        self.undo_stack = QUndoStack(self)
        self.facility_source: object | None = None
        self.facility_sources: FacilitySources | None = None
        self.app_id: int | None = None
        self.application: Application | None = None
        self.form: FormDefinition | None = None
        self.issues: list[Issue] = []
        self.pages: list[SectionPage] = []
        self.reports: ReportsPage | None = None
        """The case list and editor, for a form laid out as case reports (JSPM)."""
        self._paste_report: PasteReportDialog | None = None
        self.sample_banner: SampleListBanner | None = None
        self.start_page: StartPage | None = None
        """Shown in place of the application while none is open."""
        self._main_area: QWidget | None = None
        self._dock_was_visible = True
        self.setWindowTitle("Shorei — 症例登録")

        self.app_list = ApplicationListView(self)
        self.app_list.applicationChosen.connect(self.open_application)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(QLabel(self.tr("申請一覧")))
        left_layout.addWidget(self.app_list, 1)
        for text, slot in (
            (self.tr("新規"), self.new_application),
            (self.tr("複製"), self.duplicate_application),
            (self.tr("名前変更"), self.rename_application),
            (self.tr("ゴミ箱へ"), self.trash_application),
            (self.tr("ゴミ箱…"), self.show_trash),
        ):
            button = QPushButton(text, left)
            button.clicked.connect(slot)
            left_layout.addWidget(button)

        self.center = QWidget(self)
        self.center_layout = QVBoxLayout(self.center)
        self.center_layout.setContentsMargins(0, 0, 0, 0)
        self.applicant: ApplicantPanel | None = None
        self.tabs = QTabWidget(self.center)
        self.center_layout.addWidget(self.tabs, 1)

        self.splitter = QSplitter(self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.center)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([self._list_width(), 1100])
        self.setCentralWidget(self.splitter)

        self.problems = ProblemsPanel(self)
        self.problems.issueActivated.connect(self.go_to_issue)
        dock = QDockWidget(self.tr("問題一覧"), self)
        dock.setObjectName("problems")
        dock.setWidget(self.problems)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.problems_dock = dock

        self.count_label = QLabel(self)
        self.save_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.save_label)
        self.print_flow = PrintFlow(self)
        self.app_list.count_later(self.print_flow.row)
        self._build_menus()
        self.setAcceptDrops(True)
        self.refresh_list()
        self._restore_window_state()

    # --- menus ------------------------------------------------------------------------------------

    def _action(
        self,
        menu_text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(menu_text, self)
        action.triggered.connect(lambda _=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("ファイル(&F)"))
        file_menu.addAction(
            self._action(self.tr("新しい申請(&N)"), self.new_application, QKeySequence.StandardKey.New)
        )
        file_menu.addAction(
            self._action(
                self.tr("申請データを開く…(&O)"), self.import_document, QKeySequence.StandardKey.Open
            )
        )
        file_menu.addAction(
            self._action(self.tr("申請データとして保存…(&S)"), self.export_document, "Ctrl+Shift+S")
        )
        file_menu.addSeparator()
        file_menu.addAction(self._action(self.tr("Excel/CSVから症例を取り込む…(&I)"), self.import_case_list))
        file_menu.addAction(self._action(self.tr("症例一覧をExcelに書き出す…(&E)"), self.export_case_list))
        file_menu.addSeparator()
        self._add_print_actions(file_menu)
        file_menu.addSeparator()
        file_menu.addAction(
            self._action(self.tr("承認依頼ファイルを開く（指導者）…"), self.open_review_request)
        )
        file_menu.addAction(self._action(self.tr("スタートページ"), self.show_start_page))
        file_menu.addSeparator()
        form_packs.add_menu_actions(self, file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self._action(self.tr("終了(&X)"), self.close, QKeySequence.StandardKey.Quit))

        edit_menu = bar.addMenu(self.tr("編集(&E)"))
        undo = self.undo_stack.createUndoAction(self, self.tr("元に戻す"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, self.tr("やり直し"))
        redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self._action(self.tr("行を挿入"), self.insert_row, "Ctrl+I"))
        edit_menu.addAction(self._action(self.tr("行を削除"), self.delete_row, "Ctrl+-"))
        edit_menu.addAction(self._action(self.tr("行を上へ"), lambda: self.move_row(-1), "Alt+Up"))
        edit_menu.addAction(self._action(self.tr("行を下へ"), lambda: self.move_row(1), "Alt+Down"))
        edit_menu.addSeparator()
        edit_menu.addAction(
            self._action(self.tr("警告を承認…"), self.accept_warning_at_cursor, "Ctrl+Shift+A")
        )
        edit_menu.addAction(self._action(self.tr("変更履歴…"), self.show_history, "Ctrl+H"))

        view_menu = bar.addMenu(self.tr("表示(&V)"))
        view_menu.addAction(self.problems_dock.toggleViewAction())
        view_menu.addAction(self._action(self.tr("次の問題へ"), self.next_problem, "F8"))

        self._add_keyboard_actions(edit_menu, view_menu)

        help_menu = bar.addMenu(self.tr("ヘルプ(&H)"))
        self._add_help_items(help_menu)
        help_menu.addAction(self._action(self.tr("この PC の署名鍵…"), self.show_signing_key))
        help_menu.addAction(self._action(self.tr("様式について…"), self.show_form_notes))

    def _add_print_actions(self, menu: QMenu) -> None:
        """印刷プレビュー (Ctrl+P) and 印刷… inside the program; writing the files is its own command."""
        menu.addAction(
            self._action(
                self.tr("印刷プレビュー…(&V)"), self.print_flow.preview, QKeySequence.StandardKey.Print
            )
        )
        menu.addAction(
            self._action(self.tr("印刷用PDFとアップロード用ファイルを作成…(&P)"), self.export_files, "Ctrl+E")
        )
        menu.addAction(self._action(self.tr("下書きPDFを作成…"), lambda: self.export_files(draft=True)))

    # --- applications -----------------------------------------------------------------------------

    def refresh_list(self, select: int | None = None) -> None:
        """The clerk's list, in the order the applications were created; counted after the window is up."""
        wanted = select if select is not None else self.app_id
        infos = sorted(self.store.list_applications(), key=lambda info: info.id)
        self.app_list.set_rows([self.print_flow.quick_row(info.id) for info in infos], select=wanted)

    def _list_width(self) -> int:
        """The clerk's list wide enough for its columns, but never taking the room the JBCT grid needs to
        show 診断名 (at 1280 logical pixels, 1920×1080 at 150 %, the list gets its narrowest width and
        scrolls; the splitter widens it)."""
        screen = available_geometry(self).width()
        return min(self.app_list.preferred_width(), max(LIST_MIN_WIDTH, screen - GRID_ROOM))

    def facilities_for(self, form: FormDefinition) -> FacilityLookup:
        """The facility list a form's rules check against (each form names its kind of list)."""
        if self._facility_source_for is None:
            return self._facilities()
        return self._facility_source_for(form.facility.list_kind).lookup()

    def open_application(self, app_id: int) -> None:
        if self.reports is not None and app_id != self.app_id:
            self.reports.editor.save_pending()  # a long field still being typed belongs to the open one
        try:
            application = self.store.get(app_id)
        except StoreError as error:
            # A stored application this version cannot read must not lock the user out (issue 15).
            title = next((i.title for i in self.store.list_applications() if i.id == app_id), str(app_id))
            notify(
                self,
                self.tr("開けません"),
                self.tr("申請「{title}」を開けません: {error}").format(title=title, error=error),
                warning=True,
            )
            return
        form = self.forms.get(application.form.id, application.form.version)
        if form is None:
            notify(
                self,
                self.tr("様式がありません"),
                self.tr("この申請の様式はインストールされていません。"),
                warning=True,
            )
            return
        from_start_page = self._leave_start_page()
        switched = app_id != self.app_id
        if switched:
            self.undo_stack.clear()
        self.app_id = app_id
        if form is not self.form:
            self._build_form_widgets(form)
        self.refresh_list(select=app_id)
        self._settings.setValue("last_application", app_id)
        self.show_application(application)
        # A second instance refuses every edit: it must not claim 保存済み (issue 15, item 15).
        self.save_label.setText(self.tr("読み取り専用") if self.store.read_only else self.tr("保存済み"))
        if switched:
            self._show_first_row()
        if from_start_page:
            (self.pages[0].grid if self.pages else self.reports or self).setFocus()

    def _build_form_widgets(self, form: FormDefinition) -> None:
        self.form = form
        if self._facility_source_for is not None:
            source = self._facility_source_for(form.facility.list_kind)
            self._facilities, self._search = source.lookup, source.search
            self._import_facility_list = source.import_file
        if self.applicant is not None:
            # The old panel must not save on losing focus once it is gone (its fields may still have it).
            for field in self.applicant.findChildren(QLineEdit):
                field.blockSignals(True)
            self.applicant.setParent(None)
            self.applicant.deleteLater()
        self.applicant = ApplicantPanel(form, self.set_applicant_field, self.center)
        self.center_layout.insertWidget(0, self.applicant)
        self._show_sample_banner()
        self.tabs.clear()
        self.pages = []
        if self.reports is not None:
            self.reports.setParent(None)
            self.reports.deleteLater()
            self.reports = None
        self.tabs.setVisible(form.layout == "sections")
        if form.layout == "case-reports":
            # Imported on first use, like the other pages only some forms need (start-up time).
            from app.views.reports_page import ReportsPage

            self.reports = ReportsPage(form, self._report_context(), self.center)
            self.reports.editor.inputRejected.connect(self._cell_rejected)
            self.center_layout.addWidget(self.reports, 1)
            self.reports.show()
            return
        self._show_target_period(form)
        labels = form.sections.labels if form.sections is not None else ["症例"]
        for index, _label in enumerate(labels):
            page = SectionPage(form, index, self.commit_cells, self._suggest, self.tabs)
            page.facilityRequested.connect(self.choose_facility)
            page.enrollmentChanged.connect(self.set_enrollment)
            page.model.cellRejected.connect(self._cell_rejected)
            page.grid.pasteReport.connect(self._paste_reported)
            self._follow_cursor(page)
            self.tabs.addTab(page, labels[index])
            self.pages.append(page)

    def facilities(self) -> FacilityLookup:
        """The facility list the open form's rules check against."""
        return self._facilities()

    def _report_context(self) -> ReportContext:
        from app.views.reports_page import ReportContext

        def import_list() -> None:
            self._import_list()

        return ReportContext(
            store=self.store,
            perform=self.perform,
            confirm=lambda title, text: confirm(self, title, text),
            notify=lambda title, text, warning: notify(self, title, text, warning=warning),
            show_status=lambda text: self.statusBar().showMessage(text, 10000),
            search_facilities=lambda text: self._search(text),
            facilities=lambda: self._facilities(),
            settings=self._settings,
            import_facility_list=import_list if self._import_facility_list is not None else None,
        )

    def show_application(self, application: Application) -> None:
        """Validate and show `application` everywhere (grid, tabs, problems, status)."""
        ref = (application.form.id, application.form.version)
        if self.form is None or ref != (self.form.id, self.form.version):  # moved, or moved back by undo
            form = self.forms.get(*ref)
            if form is not None:
                self._build_form_widgets(form)
        assert self.form is not None
        self.application = application
        self.issues = validate(application, self.form, self._facilities())
        assert self.applicant is not None
        self.applicant.show_application(application)
        if self.reports is not None:
            self.reports.show_application(application, self.issues)
            from app.views.coverage import coverage_in_one_line  # loaded with the reports page

            self.problems.set_issues(coverage_in_one_line(self.issues))
            self.count_label.setText(self.reports.count_text())
            self.problems_dock.setWindowTitle(self.tr("問題一覧（{n}件）").format(n=len(self.issues)))
            self.print_flow.refresh()
            return
        for page in self.pages:
            section = application.sections[page.index] if page.index < len(application.sections) else None
            page.set_section(section, self.issues)
            count = len(section.filled_cases()) if section is not None else 0
            errors = sum(1 for i in self.issues if i.section == page.index + 1 and i.is_error)
            mark = "  ⚠" if errors else ""
            text = f"{self.form.section_label(page.index)}（{count}件）{mark}"
            if self.tabs.tabText(page.index) != text:  # a new text lays the whole tab widget out again
                self.tabs.setTabText(page.index, text)
        self.problems.set_issues(self.issues)
        counts = self.form.counts
        self.count_label.setText(
            self.tr("登録件数 {n} / {lo}〜{hi}　{state}").format(
                n=application.case_count(), lo=counts.min, hi=counts.max, state=submit_state(self.issues)
            )
        )
        self.problems_dock.setWindowTitle(self.tr("問題一覧（{n}件）").format(n=len(self.issues)))
        self.print_flow.refresh()

    # --- every change goes through here -----------------------------------------------------------

    def perform(self, text: str, operation: Callable[[int], Application]) -> bool:
        """Run one store operation on the open application; record it for undo; show the result."""
        if self.app_id is None:
            return False
        app_id = self.app_id
        before = self.store.info(app_id).version
        try:
            application = operation(app_id)
        except StoreError as error:
            self.statusBar().showMessage(str(error), 10000)
            notify(self, self.tr("変更できません"), str(error), warning=True)
            return False
        after = self.store.info(app_id).version
        if after != before:
            self.undo_stack.push(StoreVersionCommand(self, app_id, before, after, text))
        self.show_application(application)
        self._mark_saved()
        return True

    def restore_version(self, app_id: int, version: int) -> None:
        before = self.application
        application = self.store.restore(app_id, version)
        if app_id == self.app_id:
            self.show_application(application)
            self._mark_saved()
            self._focus_changed_cell(before, application)
            if self.reports is not None and before is not None:
                self.reports.show_changed(before, application)

    def _mark_saved(self) -> None:
        if self.store.read_only:
            self.save_label.setText(self.tr("読み取り専用"))
            return
        rejected = sum(page.model.rejected_cells() for page in self.pages)
        if self.reports is not None:
            rejected += len(self.reports.editor.rejected)
        now = dt.datetime.now().strftime("%H:%M:%S")
        if rejected:
            self.save_label.setText(
                self.tr("保存済み {t}（赤いセル {n}件は未保存）").format(t=now, n=rejected)
            )
        else:
            self.save_label.setText(self.tr("保存済み {t}").format(t=now))

    def _ensure_section(self, app_id: int, section: int) -> None:
        shown = self.application
        if app_id == self.app_id and shown is not None and section < len(shown.sections):
            return  # the shown application is the stored one: no need to read it again (edit budget)
        while len(self.store.get(app_id).sections) <= section:
            self.store.add_section(app_id)

    def commit_cells(self, edits: Sequence[CellEdit]) -> None:
        """Cells from the grid: one edit as one cell, several (paste, Delete) as one change."""
        if not edits:
            return
        section = edits[0].section
        if len(edits) == 1:
            edit = edits[0]

            def one(app_id: int) -> Application:
                self._ensure_section(app_id, section)
                return self.store.set_case_field(app_id, edit.section, edit.row, edit.key, edit.value)

            self.perform(self.tr("No.{row} を変更").format(row=edit.row + 1), one)
            return

        def many(app_id: int) -> Application:
            self._ensure_section(app_id, section)
            current = self.store.get(app_id)
            changed = apply_cell_edits(current, edits)
            first = min(edit.row for edit in edits)
            last = max(edit.row for edit in edits)
            rows: list[Case] = changed.sections[section].cases[first : last + 1]
            return self.store.paste_cases(app_id, section, first, rows)

        rows = sorted({edit.row + 1 for edit in edits})
        self.perform(self.tr("No.{a}〜{b} を変更").format(a=rows[0], b=rows[-1]), many)

    def set_applicant_field(self, key: str, value: FieldValue) -> None:
        self.perform(
            self.tr("申請者情報を変更"), lambda app_id: self.store.set_applicant_field(app_id, key, value)
        )

    def set_enrollment(self, section: int, ranges: list[MonthRange]) -> None:
        def replace(app_id: int) -> Application:
            self._ensure_section(app_id, section)
            current = self.store.get(app_id).sections[section].enrollment
            application = self.store.get(app_id)
            for index, period in enumerate(ranges):
                if index < len(current):
                    if current[index] != period:
                        application = self.store.set_enrollment(
                            app_id, section, index, period.start, period.end
                        )
                else:
                    application = self.store.add_enrollment(app_id, section, period.start, period.end)
            for index in range(len(current) - 1, len(ranges) - 1, -1):
                application = self.store.remove_enrollment(app_id, section, index)
            return application

        self.perform(self.tr("施設在籍期間を変更"), replace)

    def choose_facility(self, section: int) -> None:
        assert self.form is not None and self.application is not None
        current = (
            self.application.sections[section].facility if section < len(self.application.sections) else None
        )
        info = self._facilities().info
        notice = (
            self.tr(
                "現在の施設一覧はサンプル（{name}）です。実際の認定施設一覧を取り込んでください。"
            ).format(name=info.name)
            if info.sample
            else None
        )
        from app.views.facility_picker import FacilityPickerDialog

        chosen = FacilityPickerDialog.ask(
            self,
            self._search,
            current,
            manual_label=self.form.facility.manual_label,
            sample_notice=notice,
            import_list=(lambda: self._import_list()) if self._import_facility_list is not None else None,
        )
        if chosen is None:
            return

        def set_facility(app_id: int) -> Application:
            self._ensure_section(app_id, section)
            return self.store.set_facility(app_id, section, chosen)

        self.perform(self.tr("施設を変更"), set_facility)

    def _import_list(self) -> None:
        if self._import_facility_list is not None and self._import_facility_list(self) and self.application:
            self.show_application(self.application)
            self._show_sample_banner()

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
        if self.reports is not None:
            self.reports.add_report()
            return
        where = self._current_cell()
        if where is None:
            return
        page, row, column = where
        if self.perform(
            self.tr("No.{row} に行を挿入").format(row=row + 1), lambda a: self._insert(a, page.index, row)
        ):
            page.grid.setCurrentIndex(page.model.index(row, column))

    def _insert(self, app_id: int, section: int, row: int) -> Application:
        self._ensure_section(app_id, section)
        cases = self.store.get(app_id).sections[section].cases
        while len(cases) < row:
            self.store.insert_case(app_id, section, len(cases))
            cases = self.store.get(app_id).sections[section].cases
        return self.store.insert_case(app_id, section, row)

    def delete_row(self) -> None:
        if self.reports is not None:
            self.reports.delete_report()
            return
        where = self._current_cell()
        if where is None or self.application is None:
            return
        page, row, _ = where
        sections = self.application.sections
        if page.index >= len(sections) or row >= len(sections[page.index].cases):
            return
        if not sections[page.index].cases[row].is_blank() and not confirm(
            self,
            self.tr("行を削除"),
            self.tr("No.{row} の症例を削除しますか？（元に戻すで復元できます）").format(row=row + 1),
        ):
            return
        self.perform(
            self.tr("No.{row} を削除").format(row=row + 1),
            lambda a: self.store.delete_case(a, page.index, row),
        )

    def move_row(self, step: int) -> None:
        if self.reports is not None:
            self.reports.move_report(step)
            return
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
        moved = self.perform(
            self.tr("No.{row} を移動").format(row=row + 1),
            lambda a: self.store.move_case(a, page.index, row, page.index, target),
        )
        if moved:
            page.grid.setCurrentIndex(page.model.index(target, column))

    # --- problems, warnings, history -----------------------------------------------------------------

    def go_to_issue(self, issue: Issue) -> None:
        if self.reports is not None and (issue.row is not None or issue.field == "category"):
            self.reports.go_to_issue(issue)
            return
        if issue.section is None:
            if issue.field is not None and self.applicant is not None:
                widget = {"name": self.applicant.name, "member_id": self.applicant.member_id,
                          "application_month": self.applicant.month}.get(issue.field)  # fmt: skip
                if widget is not None:
                    widget.setFocus()
            return
        page = self.pages[min(issue.section - 1, len(self.pages) - 1)]
        self.tabs.setCurrentWidget(page)
        if issue.row is None:
            (page.facility_button if issue.field == "facility" else page.enrollment).setFocus()
            return
        column = COLUMNS.index(issue.field) if issue.field in COLUMNS else 0
        index = page.model.index(issue.row - 1, column)
        page.grid.setCurrentIndex(index)
        page.grid.scrollTo(index)
        page.grid.setFocus()

    def next_problem(self) -> None:
        issues = self.problems.issues()
        if not issues:
            return
        current = self.problems.currentItem()
        position = 0 if current is None else (self.problems.indexOfTopLevelItem(current) + 1) % len(issues)
        item = self.problems.topLevelItem(position)
        if item is not None:
            self.problems.setCurrentItem(item)
        self.go_to_issue(issues[position])

    def accept_warning_at_cursor(self) -> None:
        if self.problems.hasFocus() and self._accept_listed_warning():
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
            self.statusBar().showMessage(
                self.tr("このセルに承認できる警告はありません（エラーは承認できません）"), 6000
            )
            return
        warning = warnings[0]
        reason = ask_reason(self, warning.message)
        if reason is None:
            return
        self.perform(
            self.tr("警告を承認"),
            lambda a: self.store.accept_warning(a, page.index, row, warning.code, reason),
        )

    def show_history(self) -> None:
        if self.app_id is None:
            return
        version = HistoryDialog.ask(self.store, self.app_id, self)
        if version is not None:
            self.perform(self.tr("変更履歴から復元"), lambda a: self.store.restore(a, version))

    # --- application list actions --------------------------------------------------------------------

    def new_application(self, form_id: str | None = None) -> None:
        """A new application under `form_id`, or under the form and with the name the user chooses (the
        same dialog as the start page's 新しい申請)."""
        if form_id is None:
            self.new_named_application()
            return
        info = self.store.create_application(form_id, "")
        self.refresh_list(select=info.id)
        self.open_application(info.id)

    def duplicate_application(self) -> None:
        if self.app_id is not None:
            info = self.store.duplicate(self.app_id)
            self.open_application(info.id)

    def rename_application(self) -> None:
        if self.app_id is None:
            return
        current = self.store.info(self.app_id).title
        title, ok = QInputDialog.getText(self, self.tr("名前変更"), self.tr("申請の名前:"), text=current)
        if ok and title.strip():
            self.store.rename(self.app_id, title.strip())
            self.refresh_list()

    def trash_application(self) -> None:
        if self.app_id is None:
            return
        info: ApplicationInfo = self.store.info(self.app_id)
        if not confirm(
            self,
            self.tr("ゴミ箱へ移動"),
            self.tr("「{t}」をゴミ箱へ移動しますか？（ゴミ箱から戻せます）").format(t=info.title),
        ):
            return
        self.store.move_to_trash(self.app_id)
        self.app_id = None
        remaining = self.store.list_applications()
        if remaining:
            self.open_application(remaining[0].id)
        else:
            self.show_start_page()

    def show_trash(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("ゴミ箱"))
        layout = QVBoxLayout(dialog)
        items = QListWidget(dialog)
        for info in self.store.list_trash():
            item = QListWidgetItem(
                f"{info.title}（{info.trashed_at.astimezone():%Y-%m-%d %H:%M} に削除）"
                if info.trashed_at
                else info.title
            )
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            items.addItem(item)
        layout.addWidget(items)
        restore = QPushButton(self.tr("元に戻す"), dialog)
        empty = QPushButton(self.tr("ゴミ箱を空にする…"), dialog)
        close = QPushButton(self.tr("閉じる"), dialog)
        row = QHBoxLayout()
        for button in (restore, empty, close):
            row.addWidget(button)
        layout.addLayout(row)

        def do_restore() -> None:
            item = items.currentItem()
            if item is not None:
                info = self.store.restore_from_trash(int(item.data(Qt.ItemDataRole.UserRole)))
                dialog.accept()
                self.open_application(info.id)

        def do_empty() -> None:
            if confirm(
                dialog,
                self.tr("ゴミ箱を空にする"),
                self.tr("ゴミ箱の申請を完全に削除します。元に戻せません。よろしいですか？"),
            ):
                self.store.empty_trash()
                dialog.accept()

        restore.clicked.connect(do_restore)
        empty.clicked.connect(do_empty)
        close.clicked.connect(dialog.reject)
        dialog.exec()

    # --- help, and files dropped on the window (Windows: also `Shorei.exe FILE`) -----------------------

    def _add_help_items(self, help_menu: QMenu) -> None:
        help_menu.addAction(
            self._action(self.tr("使い方(&G)"), self.show_guide, QKeySequence.StandardKey.HelpContents)
        )
        help_menu.addAction(self._action(self.tr("バージョン情報(&A)…"), self.show_about))
        help_menu.addSeparator()

    def show_guide(self) -> None:
        from app.views.help import GuideDialog

        GuideDialog.show_guide(self)

    def show_about(self) -> None:
        from app.views.help import AboutDialog

        AboutDialog.show_versions(self, self.store.home)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        for path in paths:
            self.open_path(path)

    def open_path(self, path: Path) -> bool:
        """Open a file as its menu item would, by what it is (`app.store.file_kinds`)."""
        from app.logs import logger
        from app.store.file_kinds import FileKind, file_kind

        kind = file_kind(path)
        logger().info("ファイルを開く: %s（拡張子 %s）", kind.value, path.suffix.lower() or "なし")
        if kind is FileKind.APPLICATION:
            return self.open_file(path)
        if kind is FileKind.CASE_LIST:
            if self.application is None:
                notify(
                    self,
                    self.tr("取り込めません"),
                    self.tr("症例一覧を取り込む申請を先に開いてください。"),
                    warning=True,
                )
                return False
            self.import_case_list(path)
            return True
        if kind is FileKind.FACILITY_LIST:
            return self._import_dropped_facility_list(path)
        if kind is FileKind.APPROVAL_REQUEST:
            from app.views.review_window import open_review

            return open_review(path, self) is not None
        if kind is FileKind.APPROVAL_RESPONSE:
            if self.reports is None:
                notify(
                    self,
                    self.tr("取り込めません"),
                    self.tr(
                        "承認結果ファイルです。承認を依頼した申請（専門医新規申請）を開いてから、もう一度ドロップしてください。"
                    ),
                    warning=True,
                )
                return False
            self.reports.flow.import_response(path)
            return True
        if kind is FileKind.FORM_PACK:
            return form_packs.import_form_pack(self, path)
        notify(
            self,
            self.tr("開けません"),
            self.tr(
                "{name} は Shorei で開けるファイルではありません。\n"
                "開けるのは申請データ（.json）、症例一覧・施設一覧（.xlsx / .csv）、承認依頼・承認結果ファイル、様式パック（.shoreipack）です。"
            ).format(name=path.name),
            warning=True,
        )
        return False

    def _import_dropped_facility_list(self, path: Path) -> bool:
        if self._facility_source_for is None or self.form is None:
            notify(
                self,
                self.tr("取り込めません"),
                self.tr("施設一覧を使う申請を先に開いてください。"),
                warning=True,
            )
            return False
        if not self._facility_source_for(self.form.facility.list_kind).import_file(self, path):
            return False
        if self.application is not None:
            self.show_application(self.application)
        return True

    def import_document(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("申請データを開く"), "", self.tr("申請データ (*.json)")
        )
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path) -> bool:
        """Import FILE as a new application and open it (or the one made from it before, if so chosen).
        False when it cannot be read (the reason shown)."""
        title = self._title_for_file(path)
        if title is None:
            return True
        if isinstance(title, int):
            self.open_application(title)
            return True
        try:
            info = self.store.import_document(path, title=title)
        except (DocumentError, StoreError) as error:
            notify(self, self.tr("開けません"), str(error), warning=True)
            return False
        self.open_application(info.id)
        return True

    def _title_for_file(self, path: Path) -> str | int | None:
        """The title for a new application from FILE; or the id of the one already made from it, when the
        user chooses to open that; None when cancelled. A second import is named 「…（2）」."""
        from app.views.open_again import OpenAgainDialog, copy_title

        titles = {info.title: info.id for info in self.store.list_applications()}
        if path.stem not in titles:
            return path.stem
        copy = copy_title(path.stem, titles)
        choice = OpenAgainDialog.ask(self, path.name, path.stem, copy)
        if choice == "open":
            return titles[path.stem]
        return copy if choice == "copy" else None

    def export_document(self) -> None:
        if self.app_id is None:
            return
        title = self.store.info(self.app_id).title
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("申請データとして保存"), f"{title}.json", self.tr("申請データ (*.json)")
        )
        if path:
            self.store.export_document(self.app_id, Path(path))
            self.statusBar().showMessage(self.tr("{p} に保存しました（備考を含みます）").format(p=path), 8000)

    # --- case lists from and to Excel ------------------------------------------------------------------

    def import_case_list(self, path: Path | None = None) -> None:
        """Choose a CSV/XLSX case list (or take the dropped `path`), map its columns, import it into a
        section as one undoable change."""
        from app.views.case_import import (
            CaseImportDialog,
            ImportReportDialog,
            choose_case_list,
            import_report,
        )

        if self.application is None or self.form is None:
            return
        if (problem := list_problem(self.form)) is not None:
            notify(self, self.tr("取り込めません"), problem, warning=True)
            return
        if path is None:
            path = choose_case_list(self, str(self._settings.value("case_list_folder", str(Path.home()))))
        if path is None:
            return
        self._settings.setValue("case_list_folder", str(path.parent))
        try:
            table = read_case_list(path)
        except TableFileError as error:
            notify(self, self.tr("取り込めません"), str(error), warning=True)
            return
        page = self.tabs.currentWidget()
        section = page.index if isinstance(page, SectionPage) else 0
        choice = CaseImportDialog.ask(self, self.form, self.application, table, section)
        if choice is None:
            return
        cases = choice.cases
        imported = self.perform(
            self.tr("{f} から症例を取り込み").format(f=path.name),
            lambda a: self.store.import_cases(
                a, choice.section, cases, replace=choice.replace, source=path.name
            ),
        )
        if imported:
            if choice.section < len(self.pages):
                self.tabs.setCurrentWidget(self.pages[choice.section])
            ImportReportDialog.show_report(self, import_report(self.form, choice, path.name))

    def export_case_list(self) -> None:
        """Write the case list to an XLSX file (備考 only when the user ticks it)."""
        from app.export import ExportError, default_stem
        from app.export.case_list import export_case_list
        from app.views.case_import import CaseExportDialog

        if self.application is None or self.form is None:
            return
        folder = Path(str(self._settings.value("export_folder", str(Path.home()))))
        stem = default_stem(self.application, self.form)
        choice = CaseExportDialog.ask(self, folder / f"{stem}-cases.xlsx")
        if choice is None:
            return
        try:
            count = export_case_list(
                self.application, self.form, choice.path, include_notes=choice.include_notes
            )
        except ExportError as error:
            notify(self, self.tr("書き出せません"), str(error), warning=True)
            return
        self._settings.setValue("export_folder", str(choice.path.parent))
        notes = self.tr("（備考を含みます）") if choice.include_notes else ""
        self.statusBar().showMessage(
            self.tr("{p} に{n}例を書き出しました{notes}").format(p=choice.path, n=count, notes=notes), 10000
        )

    # --- print and upload -------------------------------------------------------------------------------

    def export_files(self, *, draft: bool = False) -> None:
        """Errors first, then where; write the PDF and the upload file; record the print state."""
        self.print_flow.export_files(draft=draft)

    def open_review_request(self) -> None:
        """Supervisor mode: a 承認依頼ファイル from an applicant opens the review screen beside this window."""
        from app.views.review_window import choose_request_file, open_review

        path = choose_request_file(self)
        if path is not None:
            open_review(path, self)

    def show_signing_key(self) -> None:
        from app.export import KeyFileError, load_or_create_signing_key

        try:
            key = load_or_create_signing_key()
        except KeyFileError as error:
            notify(self, self.tr("署名鍵"), str(error), warning=True)
            return
        notify(
            self,
            self.tr("この PC の署名鍵"),
            self.tr(
                "署名鍵の指紋: {f}\n\nアップロード用ファイルはこの鍵で署名され、印刷用PDFの各ページにも指紋が印刷されます。"
                "署名は「このPCのShoreiで作成され、その後変更されていない」ことを示すもので、本人確認ではありません。"
            ).format(f=key.fingerprint),
        )

    def show_form_notes(self) -> None:
        if self.form is None:
            return
        notes = [f"{self.form.society}\n{self.form.title}（版 {self.form.version}）", ""]
        for name, choices in self.form.choices.items():
            if choices.source == "default":
                notes.append(
                    self.tr("既定値: {name} — {note}").format(
                        name=self._choices_label(name), note=choices.note
                    )
                )
        info = self._facilities().info
        notes.append(
            self.tr("施設一覧: {n}（{d}版）{s}").format(
                n=info.name, d=info.version_date, s="　※サンプル" if info.sample else ""
            )
        )
        notify(self, self.tr("様式について"), "\n".join(notes))

    # --- feedback -------------------------------------------------------------------------------------

    def _cell_rejected(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        self._mark_saved()

    def _paste_reported(self, written: int, refused: list[str]) -> None:
        if refused:
            self.paste_report().show_report(written, refused)
            self._mark_saved()
        else:
            self.statusBar().showMessage(self.tr("{n}セルを貼り付けました").format(n=written), 6000)

    # --- the start page and the sample-list banner (issue 13) -------------------------------------------

    def show_start_page(self) -> None:
        """The start page in place of the application area (the list, the grid and the problems)."""
        from app.views.start_page import StartPage, open_guide

        page = StartPage(self.store.list_applications(), self.forms, self)
        page.newRequested.connect(self.new_named_application)
        page.openFileRequested.connect(self.import_document)
        page.reviewRequested.connect(self.open_review_request)
        page.guideRequested.connect(lambda: open_guide(self))
        page.applicationChosen.connect(self.open_application)
        if self.start_page is None:
            self._main_area = self.takeCentralWidget()
            self._dock_was_visible = self.problems_dock.isVisible() or not self.isVisible()
        self.setCentralWidget(page)  # Qt deletes an earlier start page
        self.start_page = page
        self.problems_dock.hide()
        self.setWindowTitle("Shorei — 症例登録")
        page.buttons["new"].setFocus()

    def _leave_start_page(self) -> bool:
        """The application area back in place of the start page; False when it was not shown."""
        if self.start_page is None or self._main_area is None:
            return False
        self.start_page = None
        self.setCentralWidget(self._main_area)
        # takeCentralWidget() hid it explicitly, and a widget hidden so is not shown again by the layout:
        # without this the application area stayed hidden behind a problems panel filling the window.
        self._main_area.show()
        self._main_area = None
        self.problems_dock.setVisible(self._dock_was_visible)
        return True

    def save_open_edit(self) -> None:
        """What is still being typed (a grid cell's editor, a case report's field) goes to the store now,
        before the application is printed or written, so the sheet holds what is on screen."""
        if self.reports is not None:
            self.reports.editor.save_pending()
        for page in self.pages:
            grid = page.grid
            editor = QApplication.focusWidget()
            if grid.state() == grid.State.EditingState and editor is not None and grid.isAncestorOf(editor):
                grid.commitData(editor)
                grid.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def new_named_application(self) -> None:
        """新しい申請 with a form and a name (the start page's first button)."""
        from app.views.start_page import NewApplicationDialog

        chosen = NewApplicationDialog.ask(self, self.forms)
        if chosen is None:
            return
        info = self.store.create_application(chosen.form.id, chosen.title)
        self.refresh_list(select=info.id)
        self.open_application(info.id)

    def _show_sample_banner(self) -> None:
        """The banner over the application while only the bundled sample facility list is installed."""
        if self.sample_banner is None:
            self.sample_banner = SampleListBanner(
                (lambda: self._import_list()) if self._import_facility_list is not None else None, self.center
            )
        self.center_layout.removeWidget(self.sample_banner)
        self.center_layout.insertWidget(0, self.sample_banner)  # above the applicant's fields
        info = self._facilities().info
        self.sample_banner.show_list(info.name, info.sample)

    # --- keyboard: panes, copy and paste (issue 13) ------------------------------------------------------

    def _add_keyboard_actions(self, edit_menu: QMenu, view_menu: QMenu) -> None:
        edit_menu.addSeparator()
        for text, slot, key in (
            (self.tr("切り取り"), self._cut, QKeySequence.StandardKey.Cut),
            (self.tr("コピー"), self._copy, QKeySequence.StandardKey.Copy),
            (self.tr("貼り付け"), self._paste, QKeySequence.StandardKey.Paste),
        ):
            action = self._action(text, slot, key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # fields keep theirs
            self.center.addAction(action)
            edit_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self._action(self.tr("次の領域へ"), lambda: self.focus_pane(1), "F6"))
        view_menu.addAction(self._action(self.tr("前の領域へ"), lambda: self.focus_pane(-1), "Shift+F6"))

    def _focused_text(self) -> QLineEdit | QTextEdit | QPlainTextEdit | None:
        widget = QApplication.focusWidget()
        return widget if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit) else None

    def _focused_grid(self) -> CaseTableView | None:
        widget = QApplication.focusWidget()
        return widget if isinstance(widget, CaseTableView) else None

    def _cut(self) -> None:
        if (text := self._focused_text()) is not None:
            text.cut()
        elif (grid := self._focused_grid()) is not None:
            grid.copy_selection()
            grid.clear_selection()

    def _copy(self) -> None:
        if (text := self._focused_text()) is not None:
            text.copy()
        elif (grid := self._focused_grid()) is not None:
            grid.copy_selection()

    def _paste(self) -> None:
        if (text := self._focused_text()) is not None:
            text.paste()
        elif (grid := self._focused_grid()) is not None:
            grid.paste()

    def _panes(self) -> list[QWidget]:
        """Where F6 goes, in order: the list of applications, the applicant's fields, the page (the grid of
        the current tab, or the case list), the problems list."""
        panes: list[QWidget] = [self.app_list]
        if self.applicant is not None:
            panes.append(self.applicant.name)
        page = self.tabs.currentWidget()
        if isinstance(page, SectionPage):
            panes.append(page.grid)
        elif self.reports is not None:
            panes.append(self.reports.table)
        if self.problems_dock.isVisible():
            panes.append(self.problems)
        return [pane for pane in panes if pane.isVisible()]

    def focus_pane(self, step: int) -> None:
        """F6 / Shift+F6: the next (previous) pane gets the keyboard."""
        panes = self._panes()
        if not panes:
            return
        focus = QApplication.focusWidget()
        current = next(
            (
                i
                for i, pane in enumerate(panes)
                if focus is not None and (focus is pane or pane.isAncestorOf(focus))
            ),
            -1 if step > 0 else 0,
        )
        panes[(current + step) % len(panes)].setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_target_period(self, form: FormDefinition) -> None:
        """今回対象となる期間 beside the section tabs, where it is always in sight (it was in tooltips)."""
        if form.window is None:
            self.tabs.setCornerWidget(None)  # type: ignore[arg-type]  # Qt takes nullptr: no corner widget
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

    def _choices_label(self, name: str) -> str:
        """A choice list by the label of the field that uses it (実施した診療項目), not its key (items)."""
        assert self.form is not None
        return next((spec.label for spec in self.form.fields if spec.choices == name), name)

    # --- the cursor, the problems list and undo (issue 13) ---------------------------------------------

    def paste_report(self) -> PasteReportDialog:
        """The one panel listing the cells the last paste could not read."""
        if self._paste_report is None:
            from app.views.paste_report import PasteReportDialog

            self._paste_report = PasteReportDialog(self)
        return self._paste_report

    def _follow_cursor(self, page: SectionPage) -> None:
        """The problems list selects the issue of the cell the cursor is on."""

        def moved(current: QModelIndex, _previous: QModelIndex) -> None:
            if current.isValid() and self.tabs.currentWidget() is page:
                self.problems.select_cell(page.index + 1, current.row() + 1, COLUMNS[current.column()])

        page.grid.selectionModel().currentChanged.connect(moved)

    def _show_first_row(self) -> None:
        """A newly opened application shows its first row, with the cursor on it."""
        for page in self.pages:
            page.grid.setCurrentIndex(page.model.index(0, 0))
            page.grid.scrollToTop()
        if self.pages:
            self.tabs.setCurrentWidget(self.pages[0])

    def _focus_changed_cell(self, before: Application | None, after: Application) -> None:
        """Undo and redo put the cursor on the first cell they changed."""
        if before is None or not self.pages:
            return
        for section, page in enumerate(self.pages):
            old = before.sections[section].cases if section < len(before.sections) else []
            new = after.sections[section].cases if section < len(after.sections) else []
            for row in range(max(len(old), len(new))):
                was = old[row] if row < len(old) else None
                now = new[row] if row < len(new) else None
                if was == now:
                    continue
                column = next(
                    (c for c, key in enumerate(COLUMNS)
                     if was is None or now is None or getattr(was, key) != getattr(now, key)),
                    0,
                )  # fmt: skip
                self.tabs.setCurrentWidget(page)
                index = page.model.index(min(row, page.model.rowCount() - 1), column)
                page.grid.setCurrentIndex(index)
                page.grid.scrollTo(index)
                page.grid.setFocus()
                return

    def _accept_listed_warning(self) -> bool:
        """Ctrl+Shift+A on a line of the problems list accepts that warning; False when the line is not
        a warning of a case row (then the cursor's cell is used)."""
        issue = self.problems.current_issue()
        if issue is None or issue.row is None or issue.section is None or not self.pages:
            return False
        if issue.is_error or issue.accepted:
            self.statusBar().showMessage(
                self.tr("選んだ行は承認できる警告ではありません（エラーは承認できません）"), 6000
            )
            return True
        reason = ask_reason(self, issue.message)
        if reason is None:
            return True
        section, row, code = issue.section - 1, issue.row - 1, issue.code
        self.perform(
            self.tr("警告を承認"), lambda a: self.store.accept_warning(a, section, row, code, reason)
        )
        return True

    # --- window state -----------------------------------------------------------------------------------

    def _restore_window_state(self) -> None:
        geometry = self._settings.value("geometry")
        self.remembered_geometry = geometry is not None
        """Whether the window has a size of its own to come back to (else it opens maximised on a laptop)."""
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1340, 740)
        state = self._settings.value("window_state")
        if state is not None:
            self.restoreState(state)
        else:
            self.resizeDocks([self.problems_dock], [PROBLEMS_HEIGHT], Qt.Orientation.Vertical)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.reports is not None:
            self.reports.editor.save_pending()
        if self.start_page is not None:
            self.problems_dock.setVisible(self._dock_was_visible)
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("window_state", self.saveState())
        self._settings.sync()
        super().closeEvent(event)


def dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    """The local files in a drag (links and text are not files to open)."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class ActiveFacilities:
    """The facility list in use (imported, or the bundled sample), reopened after an import."""

    def __init__(self, home: Path, kind: str) -> None:
        self._home, self._kind = home, kind
        self.index = active_facility_list(home, kind)

    def lookup(self) -> FacilityLookup:
        return self.index

    def search(self, text: str) -> list[Facility]:
        return [hit.facility for hit in self.index.search(text, limit=200)]

    def reopen(self) -> None:
        self.index.close()
        self.index = active_facility_list(self._home, self._kind)

    def import_file(self, parent: QWidget, dropped: Path | None = None) -> bool:
        """Ask for the society's list (CSV or XLSX), or take the `dropped` one, and import it; the whole
        file or nothing."""
        path = str(dropped) if dropped is not None else ""
        if dropped is None:
            path, _ = QFileDialog.getOpenFileName(
                parent, "施設一覧を取り込む", "", "施設一覧 (*.csv *.xlsx);;すべてのファイル (*)"
            )
        if not path:
            return False
        try:
            result = import_facility_list(self._home, Path(path), kind=self._kind)
        except FacilityListError as error:
            QMessageBox.warning(parent, "取り込めません", str(error))
            return False
        self.reopen()
        QMessageBox.information(
            parent,
            "施設一覧",
            f"「{result.info.name}」（{result.count}施設）を取り込み、使用を開始しました。",
        )
        return True


class FacilitySources:
    """The facility list in use for each kind a form names (`[facility] list_kind`), opened on first use."""

    def __init__(self, home: Path) -> None:
        self._home = home
        self._open: dict[str, ActiveFacilities] = {}

    def get(self, kind: str) -> ActiveFacilities:
        if kind not in self._open:
            self._open[kind] = ActiveFacilities(self._home, kind)
        return self._open[kind]

    def close(self) -> None:
        for source in self._open.values():
            source.index.close()
        self._open.clear()


def build_main_window(home: Path, settings: QSettings, *, opening_file: bool = False) -> MainWindow:
    """The window over the store in `home`, with the active facility list and the diagnosis completer."""
    forms = forms_for(home)
    store = Store.open(home, forms=forms)
    kind = forms.all()[0].facility.list_kind
    sources = FacilitySources(home)
    facilities = sources.get(kind)

    def suggest(typed: str) -> list[str]:
        from app.validation.diagnosis import suggest_diagnoses  # its vocabulary loads on the first key

        return [suggestion.name for suggestion in suggest_diagnoses(typed, limit=12)]

    window = MainWindow(
        store,
        forms,
        facilities.lookup,
        facilities.search,
        settings,
        suggest_diagnosis=suggest,
        import_facility_list=facilities.import_file,
        facility_source_for=sources.get,
    )
    window.facility_source = facilities
    window.facility_sources = sources
    if store.read_only:
        window.setWindowTitle(window.windowTitle() + "（読み取り専用）")
        window.statusBar().showMessage(
            "別の Shorei がこのデータフォルダを使用中のため、読み取り専用で開いています", 0
        )
    if store.backup_problem:
        window.statusBar().showMessage(store.backup_problem, 15000)
    last = settings.value("last_application")
    existing = {info.id for info in store.list_applications()}
    if not existing and not opening_file:
        window.show_start_page()
    elif existing:
        wanted = (
            int(str(last))
            if last is not None and str(last).isdigit() and int(str(last)) in existing
            else min(existing)
        )
        window.open_application(wanted)
    return window
