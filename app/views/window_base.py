"""What the window's parts (the file actions, the clerk's list, printing, form packs) use of the main window.

`MainWindow` is the one window; its parts are written against this base so that none of them imports the
module that assembles them (no import cycles in app.views). A base class rather than a Protocol: the parts
pass the window as the parent of their dialogs, so it must be a QWidget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QDockWidget, QVBoxLayout, QWidget

    from app.models.application import Application
    from app.models.facility import Facility, FacilityLookup
    from app.models.forms import FormDefinition, FormRegistry
    from app.store import Store
    from app.validation import Issue
    from app.views.applicant import ApplicantPanel
    from app.views.application_list import ApplicationListView
    from app.views.facility_sources import ActiveFacilities, FacilitySources
    from app.views.page import ApplicationPage
    from app.views.problems import ProblemsPanel
    from app.views.start_page import StartPage


class WindowBase(QMainWindow):
    """The main window as its parts see it; `MainWindow` implements the methods."""

    store: Store
    forms: FormRegistry
    app_id: int | None
    application: Application | None
    """The open application as last shown."""
    form: FormDefinition | None
    issues: list[Issue]
    page: ApplicationPage | None
    """The central page for the open form (JBCT sections or JSPM case reports)."""
    facility_sources: FacilitySources | None
    center: QWidget
    center_layout: QVBoxLayout
    app_list: ApplicationListView
    applicant: ApplicantPanel | None
    problems: ProblemsPanel
    problems_dock: QDockWidget
    start_page: StartPage | None
    """Shown in place of the application while none is open."""
    _main_area: QWidget | None
    _dock_was_visible: bool
    undo_stack: QUndoStack
    _settings: QSettings
    _facilities: Callable[[], FacilityLookup]
    _search: Callable[[str], Sequence[Facility]]
    _facility_source_for: Callable[[str], ActiveFacilities] | None

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

    def perform(self, text: str, operation: Callable[[int], Application]) -> bool:
        """Run one store operation on the open application, recorded for undo."""
        raise NotImplementedError

    def open_application(self, app_id: int) -> None:
        raise NotImplementedError

    def show_application(self, application: Application) -> None:
        raise NotImplementedError

    def show_start_page(self) -> None:
        raise NotImplementedError

    def refresh_list(self, select: int | None = None) -> None:
        raise NotImplementedError

    def facilities(self) -> FacilityLookup:
        """The facility list the open form's rules check against."""
        raise NotImplementedError

    def facilities_for(self, form: FormDefinition) -> FacilityLookup:
        raise NotImplementedError

    def import_document(self) -> None:
        raise NotImplementedError

    def open_review_request(self) -> None:
        raise NotImplementedError

    def save_open_edit(self) -> None:
        raise NotImplementedError

    def go_to_issue(self, issue: Issue) -> None:
        raise NotImplementedError
