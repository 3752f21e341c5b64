"""The JBCT page on its own (a PageContext, no window) and the window updating only what one edit changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from app.store import Store
from app.views.jbct_page import JbctPage
from app.views.page import PageContext
from tests.factories import COLUMNS

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import pytest
    from pytestqt.qtbot import QtBot

    from app.models.application import Application, Section
    from app.validation import Issue
    from app.views.main_window import MainWindow

AGE = COLUMNS.index("age")


def test_the_page_alone_commits_a_cell_through_its_context(
    qtbot: QtBot, tmp_path: Path, examples_dir: Path
) -> None:
    """A JbctPage over an explicit PageContext: a typed cell is one perform, stored, and shown back."""
    from app.store import active_facility_list
    from app.validation import validate

    store = Store.open(tmp_path / "home")
    info = store.applications.import_document(examples_dir / "valid-20-cases.json", title="A")
    application = store.get(info.id)
    form = store.forms.get(application.form.id, application.form.version)
    assert form is not None
    facilities = active_facility_list(tmp_path / "home", form.facility.list_kind)
    performed: list[str] = []
    page: JbctPage | None = None

    def perform(text: str, operation: Callable[[int], Application]) -> bool:
        performed.append(text)
        changed = operation(info.id)
        assert page is not None
        page.show_application(changed, validate(changed, form, facilities))
        return True

    context = PageContext(
        store=store,
        perform=perform,
        confirm=lambda title, text: True,
        notify=lambda title, text, warning: None,
        show_status=lambda text: None,
        search_facilities=lambda text: [],
        facilities=lambda: facilities,
        settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
    )
    page = JbctPage(form, context)
    qtbot.addWidget(page)
    page.show_application(application, validate(application, form, facilities))
    grid = page.pages[0]
    grid.model.setData(grid.model.index(0, AGE), "70")
    assert performed == ["No.1 を変更"]
    assert store.get(info.id).sections[0].cases[0].age == 70
    assert grid.model.data(grid.model.index(0, AGE)) == "70"
    assert page.count_text().startswith("登録件数 20 / 20〜25")
    facilities.close()
    store.close()


def test_one_cell_edit_sets_only_its_own_section(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit in 申請2(1) shows that section again, not the other two, and leaves the tabs' texts alone."""
    shown: list[int] = []
    for page in window.pages:

        def spy(
            section: Section | None,
            issues: list[Issue],
            index: int = page.index,
            call: Callable[[Section | None, list[Issue]], None] = page.set_section,
        ) -> None:
            shown.append(index)
            call(section, issues)

        monkeypatch.setattr(page, "set_section", spy)
    titles: list[str] = []
    monkeypatch.setattr(window.tabs, "setTabText", lambda index, text: titles.append(text))
    first = window.pages[0]
    first.model.setData(first.model.index(0, AGE), "70")
    assert shown == [0]
    assert titles == []


def test_the_problems_list_is_kept_when_the_issues_are_the_same(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that changes no issue does not build the problems list again (its selection stays)."""
    cleared: list[bool] = []
    monkeypatch.setattr(window.problems, "clear", lambda: cleared.append(True))
    first = window.pages[0]
    first.model.setData(first.model.index(0, AGE), "71")
    assert cleared == []
    first.model.setData(first.model.index(0, AGE), "")
    assert cleared == [True]
