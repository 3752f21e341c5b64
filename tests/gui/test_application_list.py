"""The clerk's list of applications as a table (issue 13 item 6): names, counts, state, a stable order."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from app.views.application_list import ApplicationListModel, ApplicationRow, distinct_names
from app.views.start_page import NewApplication, NewApplicationDialog
from tests.factories import COLUMNS
from tests.ime import commit_text

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from pytestqt.modeltest import ModelTester
    from pytestqt.qtbot import QtBot

    from app.views.main_window import MainWindow

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def _row(app_id: int, name: str, **changes: object) -> ApplicationRow:
    values: dict[str, object] = {
        "id": app_id,
        "name": name,
        "form": "がん治療認定医",
        "cases": 20,
        "errors": 0,
        "warnings": 0,
        "state": "提出できます",
        "print_label": "印刷 未／アップロード 未",
        "updated_at": NOW,
    }
    values.update(changes)
    return ApplicationRow(**values)  # type: ignore[arg-type]


def _shown(window: MainWindow) -> list[list[str]]:
    view = window.app_list
    return [
        [str(view.proxy.index(row, column).data()) for column in range(view.proxy.columnCount())]
        for row in range(view.proxy.rowCount())
    ]


def _counted(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: all(row.counted for row in window.app_list.list_model.rows()))


def test_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    """The table model keeps Qt's model contract, also across a reset and a row update."""
    model = ApplicationListModel()
    model.set_rows(
        [_row(1, "山田太郎"), _row(2, "佐藤花子", errors=None, state="…"), _row(3, "山田太郎", copy_of=1)]
    )
    qtmodeltester.check(model)
    model.update_row(_row(2, "佐藤花子", errors=3, state="下書き"))
    qtmodeltester.check(model)


def test_a_copy_is_told_from_its_original() -> None:
    """A 複製 with its original's name is marked; names alike otherwise get their number."""
    rows = distinct_names(
        [_row(1, "山田太郎"), _row(2, "山田太郎", copy_of=1), _row(3, "佐藤"), _row(4, "佐藤")]
    )
    assert [row.name for row in rows] == ["山田太郎", "【複製】山田太郎", "佐藤（No.3）", "佐藤（No.4）"]


def test_list_shows_name_form_cases_errors_state_and_last_change(window: MainWindow, qtbot: QtBot) -> None:
    """Each application is a row: its 氏名, the form in a few words, cases, errors, state and when changed."""
    _counted(window, qtbot)
    [row] = _shown(window)
    assert row[:5] == ["山田 太郎", "がん治療認定医", "20", "0", "提出できます"]
    assert row[5].count(":") == 1


def test_name_follows_the_applicant_typed(window: MainWindow, qtbot: QtBot) -> None:
    """Typing 氏名 (through the IME) renames the row of an application the user has not named."""
    assert window.applicant is not None
    window.applicant.name.setFocus()
    window.applicant.name.selectAll()
    commit_text(window.applicant.name, "鈴木一郎")
    window.applicant.name.editingFinished.emit()
    assert _shown(window)[0][0] == "鈴木一郎"


def test_new_asks_for_a_name_and_a_duplicate_is_distinguishable(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """新規 asks the form and a name; 複製 of an application shows 「（複製）」 beside its original."""
    form = window.forms.all()[0]
    monkeypatch.setattr(
        NewApplicationDialog,
        "ask",
        classmethod(lambda cls, parent, forms: NewApplication(form, "田中先生の更新")),
    )
    window.new_application()
    assert window.app_id is not None
    names = [row[0] for row in _shown(window)]
    assert names == ["山田 太郎", "田中先生の更新"]
    window.open_application(window.app_list.list_model.rows()[0].id)
    window.duplicate_application()
    names = [row[0] for row in _shown(window)]
    assert names == ["山田 太郎", "田中先生の更新", "【複製】山田 太郎"]


def test_order_is_stable_while_editing_and_sortable_by_the_user(
    window: MainWindow, qtbot: QtBot, examples_dir: Path
) -> None:
    """Rows stay in the order they were made as one is edited; a click on 症例 sorts by the case count."""
    assert window.open_file(examples_dir / "valid-25-cases-1-section.json")
    _counted(window, qtbot)
    first = [row[0] for row in _shown(window)]
    page = window.pages[0]
    page.model.setData(page.model.index(0, COLUMNS.index("age")), "71")
    assert [row[0] for row in _shown(window)] == first
    header = window.app_list.horizontalHeader()
    window.app_list.sortByColumn(ApplicationListModel.CASES, Qt.SortOrder.DescendingOrder)
    assert [row[2] for row in _shown(window)] == ["25", "20"]
    assert header.isSortIndicatorShown() or header.sortIndicatorSection() == ApplicationListModel.CASES


def test_errors_and_state_follow_an_edit(window: MainWindow, qtbot: QtBot) -> None:
    """An edit that makes an error is counted in the row at once, and the state becomes 下書き."""
    page = window.pages[0]
    page.model.setData(page.model.index(0, COLUMNS.index("age")), "")
    [row] = _shown(window)
    assert int(row[3]) >= 1 and row[4] == "下書き"


def test_choosing_a_row_opens_its_application(window: MainWindow, qtbot: QtBot, examples_dir: Path) -> None:
    """Selecting another row opens that application."""
    first = window.app_id
    assert window.open_file(examples_dir / "valid-25-cases-1-section.json")
    view = window.app_list
    position = view.list_model.position(first)  # type: ignore[arg-type]
    assert position is not None
    view.setCurrentIndex(view.proxy.mapFromSource(view.list_model.index(position, 0)))
    assert window.app_id == first
