"""What the window's central page answers, whatever the form: the JBCT sections (`JbctPage`) and the JSPM
case reports (`ReportsPage`) both take an application and its issues, say what the status bar and the
problems list show, go to an issue, and save what is still being typed. The window (`MainWindow`) is the
shell around one of them and never asks which one it holds.

`PageContext` is what a page needs of the window, passed explicitly so that a page can be tested alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from PySide6.QtCore import QSettings

    from app.models.application import Application
    from app.models.facility import Facility, FacilityLookup
    from app.store import Store
    from app.store.print_state import PrintState
    from app.validation import Issue
    from app.views.grid import Suggest

    Operation = Callable[[int], Application]


@dataclass(frozen=True)
class PageContext:
    """What a page needs of the window."""

    store: Store
    perform: Callable[[str, Operation], bool]
    """Run one store operation on the open application, recorded for undo (MainWindow.perform)."""
    confirm: Callable[[str, str], bool]
    notify: Callable[[str, str, bool], None]
    """(title, text, warning)"""
    show_status: Callable[[str], None]
    search_facilities: Callable[[str], Sequence[Facility]]
    facilities: Callable[[], FacilityLookup]
    settings: QSettings
    import_facility_list: Callable[[], None] | None = None
    today: Callable[[], dt.date] = dt.date.today
    ask_reason: Callable[[str], str | None] = lambda message: None
    """The reason for keeping a warning (None: cancelled)."""
    suggest_diagnosis: Suggest | None = None
    select_problem: Callable[[int, int, str], None] = lambda section, row, key: None
    """The problems list selects the issue of (section, row, key), 1-based as in `Issue`."""
    mark_saved: Callable[[], None] = lambda: None
    """保存済み again, counting the values on screen that were not taken."""


class ApplicationPage(QWidget):
    """The central page of the window for one form; the defaults are for a page without the feature."""

    inputRejected = Signal(str)
    """A typed value could not be taken; the message says what to type."""

    def show_application(self, application: Application, issues: Sequence[Issue]) -> None:
        raise NotImplementedError

    def count_text(self) -> str:
        """The status bar's summary of the application last shown."""
        raise NotImplementedError

    def listed_issues(self, issues: Sequence[Issue]) -> list[Issue]:
        """The lines of the problems list."""
        return list(issues)

    def go_to_issue(self, issue: Issue) -> bool:
        """Put the cursor where `issue` is; False when it is not on this page (the applicant's fields)."""
        return False

    def save_pending(self) -> None:
        """What is still being typed goes to the store now."""

    def rejected_count(self) -> int:
        """Values on screen that were not taken (shown in red, not saved)."""
        return 0

    def show_first_row(self) -> None:
        """A newly opened application shows its first row."""

    def show_changed(self, before: Application, after: Application) -> None:
        """Undo and redo put the cursor on what they changed."""

    def insert_row(self) -> None:
        raise NotImplementedError

    def delete_row(self) -> None:
        raise NotImplementedError

    def move_row(self, step: int) -> None:
        raise NotImplementedError

    def accept_warning(self, listed: Issue | None) -> None:
        """Ctrl+Shift+A: keep the warning chosen in the problems list (`listed`), or the cursor's."""

    def panes(self) -> list[QWidget]:
        """Where F6 stops on this page."""
        return [self]

    def focus_first(self) -> None:
        self.setFocus()

    def show_print_state(self, state: PrintState) -> None:
        """The print state where the page shows it per part (the JBCT section tabs)."""

    def current_section(self) -> int:
        """The section the user is looking at (0-based)."""
        return 0

    def show_section(self, section: int) -> None:
        """Bring `section` into view."""

    def import_approval_response(self, path: Path) -> bool:
        """A 承認結果ファイル dropped on the window; False when this page takes none."""
        return False
