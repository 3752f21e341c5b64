"""Typing the grid from the keyboard (issue 13): every column typeable, Excel's moves, each cell's problem
readable at the cursor, and a paste that keeps what it could not read."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QGuiApplication, QIcon
from PySide6.QtWidgets import QLineEdit

from app.views import dialogs
from app.views.case_model import ERROR_TINT, CaseTableModel
from app.views.marks import ACCEPTED, ERROR, WARNING, mark_icon
from tests.factories import COLUMNS
from tests.ime import commit_text, compose_then_commit

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from app.models.application import Case
    from app.views.main_window import MainWindow

AGE, SEX, ITEM, DIAGNOSIS, NOTE = (COLUMNS.index(k) for k in ("age", "sex", "item", "diagnosis", "note"))
EMPTY_ROW = 20
"""The example holds 20 cases: row 21 (index 20) is the first empty one."""


def _case(window: MainWindow, row: int) -> Case:
    return window.store.get(window.app_id or 0).sections[0].cases[row]


def _at(window: MainWindow, row: int, column: int) -> None:
    page = window.pages[0]
    page.grid.setFocus()
    page.grid.setCurrentIndex(page.model.index(row, column))


def _cursor(window: MainWindow) -> tuple[int, int]:
    index = window.pages[0].grid.currentIndex()
    return index.row(), index.column()


@pytest.mark.parametrize(
    ("typed", "stored"), [("M", "male"), ("F", "female"), ("1", "male"), ("2", "female")]
)
def test_sex_takes_letters_and_digits_and_tab_moves_on(
    window: MainWindow, qtbot: QtBot, typed: str, stored: str
) -> None:
    """性別: a typed M/F/1/2 opens the cell's editor with that key; Tab stores it and goes to the next column."""
    _at(window, 0, SEX)
    grid = window.pages[0].grid
    qtbot.keyClicks(grid, typed)
    editor = grid.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == typed
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert _case(window, 0).sex == stored
    assert _cursor(window) == (0, ITEM)


@pytest.mark.parametrize(("typed", "stored"), [("女", "female"), ("男性", "male")])
def test_sex_takes_an_ime_commit(window: MainWindow, qtbot: QtBot, typed: str, stored: str) -> None:
    """性別: an IME commit of 女 on the grid (no editor open yet) is stored as 女性; Tab moves on."""
    _at(window, 0, SEX)
    grid = window.pages[0].grid
    commit_text(grid, typed)
    editor = grid.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == typed
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert _case(window, 0).sex == stored
    assert _cursor(window) == (0, ITEM)


def test_sex_takes_a_composed_ime_entry(window: MainWindow, qtbot: QtBot) -> None:
    """性別: a composition (おとこ) converted and committed as 男 replaces 女性; Tab stores 男性."""
    _at(window, 0, SEX)
    grid = window.pages[0].grid
    compose_then_commit(grid, "おとこ", "男")
    editor = grid.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "男"
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert _case(window, 0).sex == "male"
    assert _cursor(window) == (0, ITEM)


@pytest.mark.parametrize(
    ("typed", "stored"), [("手", "手術"), ("や", "薬物療法"), ("ほう", "放射線治療"), ("その他", "その他")]
)
def test_item_completes_what_is_typed(window: MainWindow, qtbot: QtBot, typed: str, stored: str) -> None:
    """実施した診療項目: typed text completes from the form's list (手 → 手術, や → 薬物療法); Tab takes it."""
    _at(window, 0, ITEM)
    grid = window.pages[0].grid
    qtbot.keyClick(grid, Qt.Key.Key_F2)
    editor = grid.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    commit_text(editor, typed)
    editor.textEdited.emit(editor.text())  # an IME commit edits the text as typing does
    completer = editor.completer()
    assert completer is not None and stored in completer.model().index(0, 0).data()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert _case(window, 0).item == stored
    assert _cursor(window) == (0, ITEM + 1)


def test_enter_after_a_run_of_tabs_goes_to_the_next_rows_first_column(
    window: MainWindow, qtbot: QtBot
) -> None:
    """Typing a row with Tab between cells, Enter goes to the next row's column where the typing began."""
    _at(window, EMPTY_ROW, AGE)
    grid = window.pages[0].grid
    qtbot.keyClick(grid, "7")
    qtbot.keyClicks(grid.focusWidget(), "0")
    qtbot.keyClick(grid.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(grid.focusWidget(), "F")
    qtbot.keyClick(grid.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(grid.focusWidget(), "S")
    qtbot.keyClick(grid.focusWidget(), Qt.Key.Key_Return)  # Qt closes the editor on the next event
    qtbot.waitUntil(lambda: _cursor(window) == (EMPTY_ROW + 1, AGE))
    assert (_case(window, EMPTY_ROW).age, _case(window, EMPTY_ROW).sex) == (70, "female")


def test_enter_in_the_last_column_goes_to_the_next_rows_first_column(
    window: MainWindow, qtbot: QtBot
) -> None:
    """Enter in 備考 (the last column) goes to the next row's 年齢; elsewhere Enter goes down."""
    _at(window, 3, NOTE)
    qtbot.keyClick(window.pages[0].grid, Qt.Key.Key_Return)
    assert _cursor(window) == (4, AGE)
    _at(window, 3, DIAGNOSIS)
    qtbot.keyClick(window.pages[0].grid, Qt.Key.Key_Return)
    assert _cursor(window) == (4, DIAGNOSIS)


def test_undo_and_redo_put_the_cursor_on_the_changed_cell(window: MainWindow) -> None:
    """Undo and redo move the cursor to the cell they changed, wherever it was."""
    page = window.pages[0]
    page.model.setData(page.model.index(7, DIAGNOSIS), "膵癌")
    _at(window, 0, AGE)
    window.undo_stack.undo()
    assert _cursor(window) == (7, DIAGNOSIS)
    _at(window, 15, AGE)
    window.undo_stack.redo()
    assert _cursor(window) == (7, DIAGNOSIS)


def test_switching_applications_shows_row_one(window: MainWindow, examples_dir: Path) -> None:
    """Opening another application (and back) shows its first row with the cursor on it."""
    first = window.app_id or 0
    page = window.pages[0]
    page.grid.setCurrentIndex(page.model.index(24, DIAGNOSIS))
    page.grid.scrollToBottom()
    assert window.open_file(examples_dir / "valid-25-cases-1-section.json")
    window.open_application(first)
    assert _cursor(window) == (0, AGE)
    assert window.pages[0].grid.rowAt(0) == 0


def test_cells_show_a_mark_of_a_different_shape_for_each_kind(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error, a warning and an accepted warning carry different marks, not only different tints."""
    page = window.pages[0]
    page.model.setData(page.model.index(5, DIAGNOSIS), "胃K")
    page.model.setData(page.model.index(3, DIAGNOSIS), "褐色細胞腫")
    page.model.setData(page.model.index(4, DIAGNOSIS), "褐色細胞腫")
    _at(window, 4, DIAGNOSIS)
    monkeypatch.setattr(dialogs, "ask_reason", lambda parent, message: "悪性と診断")
    window.accept_warning_at_cursor()
    icons = [
        page.model.data(page.model.index(row, DIAGNOSIS), Qt.ItemDataRole.DecorationRole) for row in (5, 3, 4)
    ]
    marks = [icon.cacheKey() for icon in icons if isinstance(icon, QIcon)]
    assert marks == [
        mark_icon(ERROR).cacheKey(),
        mark_icon(WARNING).cacheKey(),
        mark_icon(ACCEPTED).cacheKey(),
    ]
    assert page.model.data(page.model.index(0, DIAGNOSIS), Qt.ItemDataRole.DecorationRole) is None


def test_the_line_under_the_grid_reads_the_current_cells_problem(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cell line shows the current cell's problem with its mark, and an accepted warning's reason."""
    page = window.pages[0]
    page.model.setData(page.model.index(3, DIAGNOSIS), "褐色細胞腫")
    _at(window, 3, DIAGNOSIS)
    line = page.cell_line.text.full_text()
    assert line.startswith("No.4 診断名") and "警告: " in line
    assert not page.cell_line.icon.pixmap().isNull()
    monkeypatch.setattr(dialogs, "ask_reason", lambda parent, message: "転移を伴い悪性と診断")
    window.accept_warning_at_cursor()
    assert "警告（承認済み）" in page.cell_line.text.full_text()
    assert "理由: 転移を伴い悪性と診断" in page.cell_line.text.full_text()
    _at(window, 0, AGE)
    assert "警告" not in page.cell_line.text.full_text() and page.cell_line.icon.pixmap().isNull()


def test_the_problems_list_follows_the_cursor(window: MainWindow) -> None:
    """Moving the cursor onto a cell with a problem selects that problem in the list."""
    page = window.pages[0]
    page.model.setData(page.model.index(5, DIAGNOSIS), "胃K")
    page.model.setData(page.model.index(2, AGE), "")
    _at(window, 2, AGE)
    issue = window.problems.current_issue()
    assert issue is not None and (issue.row, issue.field) == (3, "age")
    _at(window, 5, DIAGNOSIS)
    issue = window.problems.current_issue()
    assert issue is not None and (issue.row, issue.field) == (6, "diagnosis")
    _at(window, 0, AGE)
    assert window.problems.current_issue() is None


def test_ctrl_shift_a_accepts_the_warning_selected_in_the_problems_list(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the problems list focused, Ctrl+Shift+A accepts its selected warning (the cursor is elsewhere)."""
    page = window.pages[0]
    page.model.setData(page.model.index(3, DIAGNOSIS), "褐色細胞腫")
    _at(window, 0, AGE)
    monkeypatch.setattr(dialogs, "ask_reason", lambda parent, message: "悪性と診断")
    window.activateWindow()
    window.problems.setFocus()
    item = window.problems.topLevelItem(0)
    assert item is not None
    window.problems.setCurrentItem(item)
    qtbot.keyClick(
        window.problems, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert [issue.accepted for issue in window.issues] == ["悪性と診断"]


def test_paste_keeps_unreadable_values_in_red_and_lists_them(window: MainWindow) -> None:
    """六十五 and 2025/13 pasted stay in their cells, in red and unsaved; a panel lists them for copying."""
    page = window.pages[0]
    page.grid.setCurrentIndex(page.model.index(EMPTY_ROW, AGE))
    QGuiApplication.clipboard().setText("六十五\t女性\t手術\t\t2025/13\t2025/12\t胃癌\t腺癌\n")
    page.grid.paste()
    age, start = page.model.index(EMPTY_ROW, AGE), page.model.index(EMPTY_ROW, COLUMNS.index("start"))
    assert (page.model.data(age), page.model.data(start)) == ("六十五", "2025/13")
    tint = page.model.data(age, Qt.ItemDataRole.BackgroundRole)
    assert isinstance(tint, QBrush) and tint.color() == ERROR_TINT
    assert page.model.data(start, CaseTableModel.RejectedRole)
    assert _case(window, EMPTY_ROW).sex == "female" and _case(window, EMPTY_ROW).age is None
    assert "赤いセル 2件は未保存" in window.save_label.text()
    assert window.jbct is not None
    report = window.jbct.paste_report()
    assert report.isVisible()
    listed = report.text.toPlainText().splitlines()
    assert len(listed) == 2 and "六十五" in listed[0] and "2025/13" in listed[1]
    report.copy()
    assert QGuiApplication.clipboard().text() == report.text.toPlainText()


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Tab])
def test_keys_are_not_swallowed_while_completions_are_shown(
    window: MainWindow, qtbot: QtBot, key: Qt.Key
) -> None:
    """With the completion list open (手 → 手術) and holding the keyboard, Enter and Tab still store the cell
    and move on."""
    _at(window, 0, ITEM)
    grid = window.pages[0].grid
    commit_text(grid, "手")
    editor = grid.focusWidget()
    assert isinstance(editor, QLineEdit)
    completer = editor.completer()
    popup = completer.popup() if completer is not None else None
    assert popup is not None and popup.isVisible()
    qtbot.keyClick(popup, key)  # an open list has the keyboard, as on a real desktop
    moved = (1, ITEM) if key == Qt.Key.Key_Return else (0, ITEM + 1)
    qtbot.waitUntil(lambda: _cursor(window) == moved)
    assert _case(window, 0).item == "手術"
