"""The smaller keyboard and wording items of issue 13: F6 between panes, コピー/貼り付け in 編集, Tab order,
the month a blank picker opens at, 提出できます, 変更履歴 and 様式について in words, 今回対象となる期間."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QLabel, QMenu

from app.models.yearmonth import YearMonth
from app.views import dialogs
from app.views.dialogs import HistoryDialog
from app.views.enrollment import MonthCombo
from tests.factories import COLUMNS

if TYPE_CHECKING:
    import pytest
    from pytestqt.qtbot import QtBot

    from app.views.main_window import MainWindow


def test_f6_moves_between_panes(window: MainWindow) -> None:
    """F6 goes list → applicant → grid → problems → list; Shift+F6 goes back."""
    window.activateWindow()
    window.app_list.setFocus()
    seen = []
    for _ in range(4):
        window.focus_pane(1)
        seen.append(QApplication.focusWidget())
    assert seen == [window.applicant.name, window.pages[0].grid, window.problems, window.app_list]  # type: ignore[union-attr]
    window.focus_pane(-1)
    assert QApplication.focusWidget() is window.problems


def test_edit_menu_copies_and_pastes_grid_cells(window: MainWindow) -> None:
    """編集 → コピー and 貼り付け act on the grid's cells when the grid has the keyboard."""
    page = window.pages[0]
    window.activateWindow()
    page.grid.setFocus()
    page.grid.setCurrentIndex(page.model.index(0, COLUMNS.index("diagnosis")))
    window._copy()
    assert QApplication.clipboard().text() == "胃癌\n"
    page.grid.setCurrentIndex(page.model.index(20, COLUMNS.index("diagnosis")))
    window._paste()
    assert window.store.get(window.app_id or 0).sections[0].cases[20].diagnosis == "胃癌"
    edit_menu = window.menuBar().actions()[1].menu()
    assert isinstance(edit_menu, QMenu)
    labels = [action.text() for action in edit_menu.actions()]
    assert {"コピー", "貼り付け", "切り取り"} <= set(labels)


def test_tab_goes_member_id_then_month_then_dental(window: MainWindow) -> None:
    """Tab order of the applicant's fields is the order on screen: 会員番号 → 申請年月 → 歯科."""
    applicant = window.applicant
    assert applicant is not None
    assert applicant.member_id.nextInFocusChain() is applicant.month
    assert applicant.month is not None and applicant.month.nextInFocusChain() is applicant.dental


def test_tab_goes_from_the_facility_into_the_enrollment_pickers(window: MainWindow) -> None:
    """From 認定施設検索 Tab reaches the enrollment period's pickers before the grid."""
    page = window.pages[0]
    start, end, _ = page.enrollment._rows[0]
    assert page.facility_button.nextInFocusChain() is start
    assert start.nextInFocusChain() is end


def test_a_blank_month_picker_opens_at_this_month_or_the_last(qtbot: QtBot) -> None:
    """A blank picker opens at today's month when it is in the list, else at the last month allowed."""
    combo = MonthCombo(YearMonth(2022, 4), YearMonth(2026, 9))
    qtbot.addWidget(combo)
    assert combo.itemText(combo.opening_row(dt.date(2024, 5, 17))) == "2024/05"
    assert combo.itemText(combo.opening_row(dt.date(2027, 1, 5))) == "2026/09"
    combo.set_month(YearMonth(2023, 1))
    assert combo.itemText(combo.opening_row(dt.date(2024, 5, 17))) == "2023/01"


def test_status_bar_says_it_can_be_submitted_with_the_open_warnings(window: MainWindow) -> None:
    """At 0 errors the status bar says 提出できます and counts the warnings not yet accepted."""
    assert window.count_label.text().endswith("提出できます")
    page = window.pages[0]
    page.model.setData(page.model.index(3, COLUMNS.index("diagnosis")), "褐色細胞腫")
    assert window.count_label.text().endswith("提出できます（未承認の警告 1件）")
    page.model.setData(page.model.index(3, COLUMNS.index("age")), "")
    assert window.count_label.text().endswith("エラー 1件")


def test_history_says_what_a_restore_changed(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """A restore's line in 変更履歴 names the cells it changed, not only the version."""
    page = window.pages[0]
    version = window.store.info(window.app_id or 0).version
    page.model.setData(page.model.index(2, COLUMNS.index("diagnosis")), "胃K")
    monkeypatch.setattr(HistoryDialog, "ask", classmethod(lambda cls, *a: version))
    window.show_history()
    summary = window.store.history.changes(window.app_id or 0, limit=1)[0].summary
    assert "申請2(1) No.3 診断名: 胃K → 非小細胞肺癌" in summary


def test_form_notes_name_fields_not_keys(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """様式について names the default list by its field (実施した診療項目), never the internal key."""
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "notify", lambda parent, title, text, **k: shown.append(text))
    window.show_form_notes()
    assert "既定値: 実施した診療項目" in shown[0] and "items" not in shown[0]


def test_target_period_is_in_sight(window: MainWindow) -> None:
    """今回対象となる期間 is shown beside the section tabs."""
    corner = window.tabs.cornerWidget()
    assert isinstance(corner, QLabel) and corner.isVisible()
    assert corner.text() == "今回対象となる期間: 2022/04〜2026/09（申請年月まで）"
