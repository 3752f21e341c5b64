"""The whole first evening with Shorei, as one flow: from a new application to a complete 20-case list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit

from app.views import dialogs
from app.views.app import ensure_qt_app, window_settings
from app.views.facility_picker import FacilityPickerDialog, FacilityTableModel
from app.views.main_window import MainWindow, build_main_window
from app.views.start_page import NewApplication, NewApplicationDialog, StartPage
from tests.factories import COLUMNS, DIAGNOSES
from tests.ime import commit_text

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from pytestqt.modeltest import ModelTester
    from pytestqt.qtbot import QtBot

    from app.models.application import FacilityChoice


def _open(qtbot: QtBot, home: Path) -> MainWindow:
    window = build_main_window(home, window_settings(home))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def _close(window: MainWindow) -> None:
    window.close()
    window.store.close()
    window.facility_source.index.close()  # type: ignore[attr-defined]


def _type_cell(qtbot: QtBot, window: MainWindow, row: int, key: str, text: str) -> None:
    """Select the cell, open its editor with F2, type (ASCII by keys, Japanese by IME) and press Enter."""
    page = window.pages[0]
    grid = page.grid
    grid.setFocus()
    grid.setCurrentIndex(page.model.index(row, COLUMNS.index(key)))
    qtbot.keyClick(grid, Qt.Key.Key_F2)
    editor = grid.focusWidget()
    assert isinstance(editor, QLineEdit)  # every column, 性別 and 診療項目 too, is typed
    editor.clear()
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:
        commit_text(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: grid.state() != grid.State.EditingState)
    qtbot.waitUntil(lambda: page.model.data(page.model.index(row, COLUMNS.index(key))) not in ("", None))


def test_first_evening(qtbot: QtBot, shorei_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Create, pick the facility by typing, two enrollment periods, 20 cases typed in Japanese, paste 5 rows,
    undo the paste in one step, accept a warning, close and reopen: everything is still there."""
    ensure_qt_app()
    shorei_home.mkdir(parents=True)
    window = _open(qtbot, shorei_home)
    start = window.centralWidget()
    assert isinstance(start, StartPage) and not window.store.applications.all()  # nothing made by itself
    form = window.forms.get("jbct-renewal-2026")
    assert form is not None
    monkeypatch.setattr(
        NewApplicationDialog, "ask", classmethod(lambda cls, *a: NewApplication(form, "山田太郎"))
    )
    start.buttons["new"].click()
    assert window.app_id is not None and not isinstance(window.centralWidget(), StartPage)
    assert window.store.info(window.app_id).title == "山田太郎"
    assert "登録件数 0 / 20〜25" in window.count_label.text()

    def pick(
        cls: type[FacilityPickerDialog], /, parent: object, search: object, current: object, **options: object
    ) -> FacilityChoice | None:
        dialog = FacilityPickerDialog(search, current, **options)  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        dialog.show()
        commit_text(dialog.query, "伊勢")
        qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)
        qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
        return dialog.chosen()

    monkeypatch.setattr(FacilityPickerDialog, "ask", classmethod(pick))
    window.pages[0].facility_button.click()
    assert "伊勢赤十字病院（認定番号 20953）" in window.pages[0].facility_label.text()

    editor = window.pages[0].enrollment
    editor._rows[0][0].setCurrentText("2022/04")
    editor._rows[0][1].setCurrentText("2023/03")
    editor._add.click()
    editor._rows[1][0].setCurrentText("2024/04")
    editor._rows[1][1].setCurrentText("2026/09")
    app = window.store.get(window.app_id)
    assert [(str(p.start), str(p.end)) for p in app.sections[0].enrollment] == [
        ("2022-04", "2023-03"),
        ("2024-04", "2026-09"),
    ]

    window.applicant.name.setText("山田 太郎")  # type: ignore[union-attr]
    window.applicant.name.editingFinished.emit()  # type: ignore[union-attr]
    window.applicant.member_id.setText("123456")  # type: ignore[union-attr]
    window.applicant.member_id.editingFinished.emit()  # type: ignore[union-attr]
    window.applicant.month.setCurrentText("2026/09")  # type: ignore[union-attr]

    for row in range(20):
        _type_cell(qtbot, window, row, "age", str(40 + row))
        _type_cell(qtbot, window, row, "sex", "男性" if row % 2 else "女性")
        _type_cell(qtbot, window, row, "item", "手術")
        _type_cell(qtbot, window, row, "start", "2024/05" if row % 2 else "R6.6")
        _type_cell(qtbot, window, row, "end", "2024/08")
        _type_cell(qtbot, window, row, "diagnosis", DIAGNOSES[row])
        _type_cell(qtbot, window, row, "pathology", "腺癌" if row % 3 else "無し")
        if row == 18:
            assert "登録件数 19 / 20〜25" in window.count_label.text()
    assert "登録件数 20 / 20〜25　提出できます" in window.count_label.text(), [
        i.message for i in window.issues
    ]
    assert window.issues == []

    page = window.pages[0]
    page.grid.setCurrentIndex(page.model.index(20, 0))
    rows = "\n".join(
        f"{60 + n}\t女性\t薬物療法\t\t2025/0{n + 1}\t2025/09\t{DIAGNOSES[20 + n]}\t腺癌" for n in range(5)
    )
    QGuiApplication.clipboard().setText(rows + "\n")
    page.grid.paste()
    assert window.store.get(window.app_id).case_count() == 25
    window.undo_stack.undo()
    assert window.store.get(window.app_id).case_count() == 20
    window.undo_stack.redo()
    assert window.store.get(window.app_id).case_count() == 25

    _type_cell(qtbot, window, 21, "diagnosis", "褐色細胞腫")
    page.grid.setCurrentIndex(page.model.index(21, COLUMNS.index("diagnosis")))
    monkeypatch.setattr(dialogs, "ask_reason", lambda parent, message: "転移を伴う悪性褐色細胞腫")
    window.accept_warning_at_cursor()
    assert [issue.accepted for issue in window.issues] == ["転移を伴う悪性褐色細胞腫"]

    app_id = window.app_id
    saved = window.store.get(app_id)
    _close(window)

    reopened = _open(qtbot, shorei_home)
    assert reopened.app_id == app_id
    assert reopened.store.get(app_id) == saved
    assert (
        reopened.pages[0].model.data(reopened.pages[0].model.index(3, COLUMNS.index("diagnosis")))
        == DIAGNOSES[3]
    )
    assert "登録件数 25 / 20〜25" in reopened.count_label.text()
    _close(reopened)


def test_facility_table_model_passes_model_tester(qtmodeltester: ModelTester, qtbot: QtBot) -> None:
    """The picker's result model keeps Qt's contracts."""
    from tests.factories import facilities

    model = FacilityTableModel()
    model.set_rows(facilities().facilities)
    qtmodeltester.check(model)
    assert model.rowCount() == 10
