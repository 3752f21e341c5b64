"""The JSPM page on a laptop (issue 13 item 9): a wide editor, a case that opens at its top, banners that
match the state, read-only cases that look and say so, buttons that say what enables them, and the
missing 症例区分 said in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from app.views.report_editor import UNREGISTERED_ADVICE
from tests.gui.test_jspm_window import messages, open_application, window
from tests.jspm_factories import approve, jspm_application

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from app.views.main_window import MainWindow

__all__ = ["messages", "window"]  # the fixtures of the JSPM window tests


def test_editor_gets_at_least_half_the_page(window: MainWindow) -> None:
    """At 1366 px the case editor is at least as wide as the case list."""
    page = open_application(window, jspm_application())
    QApplication.processEvents()
    list_width, editor_width = page.splitter.sizes()
    assert editor_width >= list_width


def test_a_selected_case_opens_at_its_top(window: MainWindow) -> None:
    """Choosing another case shows its editor from the top, not where the last one was scrolled to."""
    page = open_application(window, jspm_application())
    bar = page.editor.scroll_area.verticalScrollBar()
    QApplication.processEvents()
    bar.setValue(bar.maximum())
    page.select_row(3)
    assert bar.value() == 0


def test_an_incomplete_case_is_called_unregistered_not_unapproved(window: MainWindow) -> None:
    """A 未登録 case's state line says 未登録 and what to do, not 「未承認です…」."""
    application = jspm_application()
    application.reports[2].diagnosis = ""
    page = open_application(window, application)
    page.select_row(2)
    assert page.model.status(2) == "未登録"
    text = page.editor.approval_problem.text()
    assert text == UNREGISTERED_ADVICE and "未承認です" not in text


def test_a_locked_case_looks_read_only_and_says_so_when_typed_into(
    window: MainWindow, qtbot: QtBot, messages: object
) -> None:
    """An approved case's fields are greyed, and a key typed into one is answered, not dropped silently."""
    application = jspm_application()
    approve(application.reports[0])
    page = open_application(window, application)
    page.select_row(0)
    said: list[str] = []
    page.editor.inputRejected.connect(said.append)
    assert "readOnly" in page.editor.styleSheet()
    qtbot.keyClicks(page.editor.diagnosis, "x")
    assert said and "承認済み" in said[0]


def test_disabled_buttons_say_what_enables_them(window: MainWindow) -> None:
    """承認依頼をする, greyed out with nothing ticked, says in its tooltip how to make it available."""
    page = open_application(window, jspm_application())
    assert not page.request_button.isEnabled()
    assert "チェックを付けると押せます" in page.request_button.toolTip()
    assert not page.reopen_button.isEnabled() and "承認済みの症例を選ぶと" in page.reopen_button.toolTip()


def test_missing_categories_are_said_once(window: MainWindow) -> None:
    """Several missing 症例区分 are one line in the problems list, pointing to the coverage panel."""
    application = jspm_application()
    del application.reports[3:]
    open_application(window, application)
    coverage = [issue for issue in window.problems.issues() if issue.code == "category-coverage"]
    assert len(coverage) == 1 and "「症例区分の充足」欄" in coverage[0].message
    assert sum(issue.code == "category-coverage" for issue in window.issues) > 1
