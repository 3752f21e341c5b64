"""The main window, the shell around one page: applications on the left, the applicant and the form's page
in the middle (`JbctPage` for the JBCT sections, `ReportsPage` for the JSPM case reports, both answering
`app.views.page.ApplicationPage`), every problem at the bottom, and the menus. Every change goes through
one store operation (`MainWindow.perform`), which the undo stack records as the store versions before and
after, so undo and redo are exact restores.

This module is longer than most (~590 lines) because it is the one place that builds the shell, its menus
and the path every change takes (perform → show_application → the page). The window's other parts are
their own modules: the files (`file_actions`), the clerk's list and the start page (`list_actions`), the
keyboard (`keyboard`), ヘルプ (`help_actions`), printing (`print_flow`), the small dialogs (`dialogs`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QKeySequence,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.facility import Facility, FacilityLookup
from app.models.form_packs import forms_for
from app.operations.sections import SetApplicantField
from app.store import Store
from app.store.errors import FormRemovedError, StoreError
from app.validation import Issue, validate
from app.views import dialogs, form_packs
from app.views.applicant import ApplicantPanel
from app.views.application_list import ApplicationListView
from app.views.banners import SampleListBanner
from app.views.dialogs import HistoryDialog
from app.views.facility_sources import ActiveFacilities, FacilitySources
from app.views.file_actions import FileActions
from app.views.fit import available_geometry
from app.views.help_actions import HelpActions
from app.views.jbct_page import JbctPage
from app.views.keyboard import KeyboardActions
from app.views.list_actions import ListActions
from app.views.page import PageContext
from app.views.print_flow import PrintFlow
from app.views.problems import ProblemsPanel

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.application import Application
    from app.models.forms import FormDefinition, FormRegistry
    from app.operations.plan import FieldValue
    from app.views.grid import Suggest
    from app.views.page import ApplicationPage
    from app.views.reports_page import ReportsPage
    from app.views.section_page import SectionPage
    from app.views.start_page import StartPage

SearchFacilities = Callable[[str], Sequence[Facility]]

PROBLEMS_HEIGHT = 96
"""The problems panel's first height: a few lines, so the grid keeps ten rows or more on a laptop."""
GRID_ROOM = 1100
"""Logical pixels the JBCT grid needs beside the list: its fixed columns, the row numbers, the scroll bar,
and 診断名 at a readable width."""
LIST_MIN_WIDTH = 180


class Restored(enum.Enum):
    """What an undo or redo did (`MainWindow.restore_version`)."""

    DONE = enum.auto()
    GONE = enum.auto()  # the state's form was removed with its pack: the step can never be taken again
    FAILED = enum.auto()  # nothing changed (a full disk, a busy folder …): the step stays, to try again


class StoreVersionCommand(QUndoCommand):
    """An edit already made in the store, undone and redone by restoring the versions around it."""

    def __init__(self, window: MainWindow, app_id: int, before: int, after: int, text: str) -> None:
        super().__init__(text)
        self._window, self._app_id, self._before, self._after = window, app_id, before, after
        self._done = True
        self._skip = False

    def redo(self) -> None:
        if self._done:  # pushed after the store already made the change
            self._done = False
            return
        if self._skip:  # only moving the stack back over a failed undo
            self._skip = False
            return
        self._settle(
            self._window.restore_version(self._app_id, self._after), back=self._window.undo_stack.undo
        )

    def undo(self) -> None:
        if self._skip:  # only moving the stack back over a failed redo
            self._skip = False
            return
        self._settle(
            self._window.restore_version(self._app_id, self._before), back=self._window.undo_stack.redo
        )

    def _settle(self, result: Restored, *, back: Callable[[], None]) -> None:
        if result is Restored.GONE:
            self.setObsolete(True)  # the stack drops this step
        elif result is Restored.FAILED:
            # The stack has already moved past this step although nothing changed; once it has, move it
            # back without restoring, so that the same 元に戻す can be tried again and undo stays one step.
            self._skip = True
            QTimer.singleShot(0, back)


class MainWindow(FileActions, ListActions, KeyboardActions, HelpActions):
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
        self.page: ApplicationPage | None = None
        self.jbct: JbctPage | None = None
        """The page, for a form laid out in facility sections (JBCT)."""
        self.reports: ReportsPage | None = None
        """The page, for a form laid out as case reports (JSPM)."""
        self.sample_banner: SampleListBanner | None = None
        self.start_page: StartPage | None = None
        """Shown in place of the application while none is open."""
        self._main_area: QWidget | None = None
        self._dock_was_visible = True
        self.setWindowTitle("Shorei — 症例登録")

        self.app_list = ApplicationListView(self)
        self.app_list.applicationChosen.connect(self.open_application)
        left = self._build_list_pane()

        self.center = QWidget(self)
        self.center_layout = QVBoxLayout(self.center)
        self.center_layout.setContentsMargins(0, 0, 0, 0)
        self.applicant: ApplicantPanel | None = None

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
        # The list is filled by the first open_application (start-up time: each row reads its application).
        self._restore_window_state()

    @property
    def pages(self) -> list[SectionPage]:
        """The JBCT page's section tabs (none for another form), for scripts and tests."""
        return self.jbct.pages if self.jbct is not None else []

    @property
    def tabs(self) -> QTabWidget:
        """The JBCT page's tab widget, for scripts and tests."""
        assert self.jbct is not None, "no form in sections is open"
        return self.jbct.tabs

    # --- menus ------------------------------------------------------------------------------------

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
        infos = sorted(self.store.applications.all(), key=lambda info: info.id)
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
        if self.page is not None and app_id != self.app_id:
            self.page.save_pending()  # a long field still being typed belongs to the open one
        try:
            application = self.store.get(app_id)
        except StoreError as error:
            # A stored application this version cannot read must not lock the user out (issue 15).
            title = next((i.title for i in self.store.applications.all() if i.id == app_id), str(app_id))
            dialogs.notify(
                self,
                self.tr("開けません"),
                self.tr("申請「{title}」を開けません: {error}").format(title=title, error=error),
                warning=True,
            )
            return
        form = self.forms.get(application.form.id, application.form.version)
        if form is None:
            dialogs.notify(
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
            self._build_page(form)
        self.refresh_list(select=app_id)
        self._settings.setValue("last_application", app_id)
        self.show_application(application)
        # A second instance refuses every edit: it must not claim 保存済み (issue 15, item 15).
        self.save_label.setText(self.tr("読み取り専用") if self.store.read_only else self.tr("保存済み"))
        assert self.page is not None
        if switched:
            self.page.show_first_row()
        if from_start_page:
            self.page.focus_first()

    def _build_page(self, form: FormDefinition) -> None:
        """The applicant's fields and the page for `form`, in place of those of the form shown before."""
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
        if self.page is not None:
            self.page.setParent(None)
            self.page.deleteLater()
        self.jbct = self.reports = None
        page: ApplicationPage
        if form.layout == "case-reports":
            # Imported on first use, like the other pages only some forms need (start-up time).
            from app.views.reports_page import ReportsPage

            page = self.reports = ReportsPage(form, self._page_context(), self.center)
        else:
            page = self.jbct = JbctPage(form, self._page_context(), self.center)
        page.inputRejected.connect(self._cell_rejected)
        self.center_layout.addWidget(page, 1)
        page.show()
        self.page = page

    def facilities(self) -> FacilityLookup:
        """The facility list the open form's rules check against."""
        return self._facilities()

    def _page_context(self) -> PageContext:
        def import_list() -> None:
            self._import_list()

        return PageContext(
            store=self.store,
            perform=self.perform,
            confirm=lambda title, text: dialogs.confirm(self, title, text),
            notify=lambda title, text, warning: dialogs.notify(self, title, text, warning=warning),
            show_status=lambda text: self.statusBar().showMessage(text, 10000),
            search_facilities=lambda text: self._search(text),
            facilities=lambda: self._facilities(),
            settings=self._settings,
            import_facility_list=import_list if self._import_facility_list is not None else None,
            ask_reason=lambda message: dialogs.ask_reason(self, message),
            suggest_diagnosis=self._suggest,
            select_problem=self.problems.select_cell,
            mark_saved=self._mark_saved,
        )

    def show_application(self, application: Application) -> None:
        """Validate and show `application` everywhere (the applicant, the page, problems, status)."""
        ref = (application.form.id, application.form.version)
        if self.form is None or ref != (self.form.id, self.form.version):  # moved, or moved back by undo
            form = self.forms.get(*ref)
            if form is not None:
                self._build_page(form)
        assert self.form is not None and self.applicant is not None and self.page is not None
        self.application = application
        self.issues = validate(application, self.form, self._facilities())
        self.applicant.show_application(application)
        self.page.show_application(application, self.issues)
        self.problems.set_issues(self.page.listed_issues(self.issues))
        self.count_label.setText(self.page.count_text())
        self.problems_dock.setWindowTitle(self.tr("問題一覧（{n}件）").format(n=len(self.issues)))
        self.print_flow.refresh()

    # --- every change goes through here -----------------------------------------------------------

    def perform(self, text: str, operation: Callable[[int], Application]) -> bool:
        """Run one store operation on the open application; record it for undo; show the result."""
        if self.app_id is None:
            return False
        app_id = self.app_id
        before = self.store.version(app_id)
        try:
            application = operation(app_id)
        except StoreError as error:
            self.statusBar().showMessage(str(error), 10000)
            dialogs.notify(self, self.tr("変更できません"), str(error), warning=True)
            return False
        after = self.store.version(app_id)
        if after != before:
            self.undo_stack.push(StoreVersionCommand(self, app_id, before, after, text))
        self.show_application(application)
        self._mark_saved()
        return True

    def restore_version(self, app_id: int, version: int) -> Restored:
        """Undo or redo: bring back `version`, or say why not and change nothing."""
        before = self.application
        try:
            application = self.store.history.restore(app_id, version)
        except StoreError as error:
            dialogs.notify(self, self.tr("元に戻せません"), str(error), warning=True)
            return Restored.GONE if isinstance(error, FormRemovedError) else Restored.FAILED
        if app_id == self.app_id:
            self.show_application(application)
            self._mark_saved()
            if before is not None and self.page is not None:
                self.page.show_changed(before, application)
        return Restored.DONE

    def _mark_saved(self) -> None:
        if self.store.read_only:
            self.save_label.setText(self.tr("読み取り専用"))
            return
        rejected = self.page.rejected_count() if self.page is not None else 0
        now = dt.datetime.now().strftime("%H:%M:%S")
        if rejected:
            self.save_label.setText(
                self.tr("保存済み {t}（赤いセル {n}件は未保存）").format(t=now, n=rejected)
            )
        else:
            self.save_label.setText(self.tr("保存済み {t}").format(t=now))

    def set_applicant_field(self, key: str, value: FieldValue) -> None:
        self.perform(
            self.tr("申請者情報を変更"),
            lambda app_id: self.store.apply(app_id, SetApplicantField(key, value)),
        )

    def _import_list(self) -> None:
        if self._import_facility_list is not None and self._import_facility_list(self) and self.application:
            self.show_application(self.application)
            self._show_sample_banner()

    # --- rows, problems, warnings, history: the page's ---------------------------------------------

    def insert_row(self) -> None:
        if self.page is not None:
            self.page.insert_row()

    def delete_row(self) -> None:
        if self.page is not None:
            self.page.delete_row()

    def move_row(self, step: int) -> None:
        if self.page is not None:
            self.page.move_row(step)

    def go_to_issue(self, issue: Issue) -> None:
        if self.page is not None and self.page.go_to_issue(issue):
            return
        if issue.section is None and issue.field is not None and self.applicant is not None:
            widget = {"name": self.applicant.name, "member_id": self.applicant.member_id,
                      "application_month": self.applicant.month}.get(issue.field)  # fmt: skip
            if widget is not None:
                widget.setFocus()

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
        """Ctrl+Shift+A: the warning chosen in the problems list (when it has the keyboard), or the
        cursor's."""
        if self.page is not None:
            self.page.accept_warning(self.problems.current_issue() if self.problems.hasFocus() else None)

    def show_history(self) -> None:
        if self.app_id is None:
            return
        version = HistoryDialog.ask(self.store, self.app_id, self)
        if version is not None:
            self.perform(self.tr("変更履歴から復元"), lambda a: self.store.history.restore(a, version))

    # --- print and upload -------------------------------------------------------------------------------

    def export_files(self, *, draft: bool = False) -> None:
        """Errors first, then where; write the PDF and the upload file; record the print state."""
        self.print_flow.export_files(draft=draft)

    # --- feedback -------------------------------------------------------------------------------------

    def _cell_rejected(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        self._mark_saved()

    # --- the sample-list banner (issue 13) ---------------------------------------------------------------

    def save_open_edit(self) -> None:
        """What is still being typed (a grid cell's editor, a case report's field) goes to the store now,
        before the application is printed or written, so the sheet holds what is on screen."""
        if self.page is not None:
            self.page.save_pending()

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
        if self.page is not None:
            self.page.save_pending()
        if self.start_page is not None:
            self.problems_dock.setVisible(self._dock_was_visible)
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("window_state", self.saveState())
        self._settings.sync()
        super().closeEvent(event)


def build_main_window(home: Path, settings: QSettings, *, opening_file: bool = False) -> MainWindow:
    """The window over the store in `home`, with the active facility list and the diagnosis completer."""
    forms = forms_for(home)
    store = Store.open(home, forms=forms)
    kind = forms.all()[0].facility.list_kind
    sources = FacilitySources(home)
    facilities = sources.get(kind)

    def suggest(typed: str) -> list[str]:
        # The vocabulary of the open application's form (as its rules read it) loads on the first key.
        from app.validation.diagnosis_suggest import suggest_diagnoses

        vocabulary = window.form.vocabulary if window.form is not None else None
        return [s.name for s in suggest_diagnoses(typed, limit=12, vocabulary=vocabulary)]

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
    existing = {info.id for info in store.applications.all()}
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
