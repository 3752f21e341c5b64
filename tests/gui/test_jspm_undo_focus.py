"""Undo and redo put the cursor on what they changed in JSPM case reports too (issue 13 item 3): the case
list selects the changed case and the editor focuses the changed field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.gui.test_jspm_window import messages, open_application, stored, type_line, window
from tests.jspm_factories import jspm_application

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from app.views.main_window import MainWindow

__all__ = ["messages", "window"]  # the fixtures of the JSPM window tests


def test_undo_and_redo_select_the_changed_case_and_field(window: MainWindow, qtbot: QtBot) -> None:
    """After editing case 4's 診断名 and then case 2's 年齢, moving to case 7: undo selects case 2 with the
    cursor in 年齢, the next undo case 4 in 診断名, and redo case 4 in 診断名 again."""
    page = open_application(window, jspm_application())
    page.select_row(3)
    type_line(qtbot, page.editor.diagnosis, "肺癌")
    page.select_row(1)
    type_line(qtbot, page.editor.age, "71")
    assert stored(window).reports[3].diagnosis == "肺癌" and stored(window).reports[1].age == 71
    page.select_row(6)
    page.table.setFocus()

    window.undo_stack.undo()
    assert page.current_row() == 1 and page.table.currentIndex().row() == 1
    assert page.editor.age.hasFocus() and page.editor.age.text() != "71"

    page.select_row(6)
    page.table.setFocus()
    window.undo_stack.undo()
    assert page.current_row() == 3 and page.editor.diagnosis.hasFocus()
    assert page.editor.diagnosis.text() == "慢性心不全"

    page.select_row(0)
    page.table.setFocus()
    window.undo_stack.redo()
    assert page.current_row() == 3 and page.editor.diagnosis.hasFocus()
    assert page.editor.diagnosis.text() == "肺癌"


def test_undoing_an_added_case_selects_where_it_was(window: MainWindow, qtbot: QtBot) -> None:
    """Undoing 追加 selects the last case left (the list's place of the change), with the list focused."""
    page = open_application(window, jspm_application())
    count = page.model.rowCount()
    page.add_report()
    assert page.model.rowCount() == count + 1
    page.select_row(0)
    window.undo_stack.undo()
    assert page.model.rowCount() == count
    assert page.current_row() == count - 1 and page.table.hasFocus()
