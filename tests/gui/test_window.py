"""The window as a user meets it: edits saved to the store, undo, IME typing, paste, problems, dialogs."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit

from app.models.application import FacilityChoice, MonthRange
from app.models.yearmonth import YearMonth
from app.views import dialogs
from app.views.dialogs import HistoryDialog
from app.views.facility_picker import FacilityPickerDialog
from app.views.main_window import MainWindow
from tests.factories import COLUMNS
from tests.ime import commit_text

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from pytestqt.qtbot import QtBot

    from app.views.main_window import MainWindow

AGE, DIAGNOSIS = COLUMNS.index("age"), COLUMNS.index("diagnosis")


def _stored(window: MainWindow) -> object:
    assert window.app_id is not None
    return window.store.get(window.app_id)


def test_window_shows_the_application(window: MainWindow) -> None:
    """The open application's rows, counts and save state are on screen."""
    page = window.pages[0]
    assert page.model.data(page.model.index(0, DIAGNOSIS)) == "胃癌"
    assert window.tabs.tabText(0) == "申請2(1)（20件）"
    assert "登録件数 20 / 20〜25" in window.count_label.text()
    assert window.save_label.text().startswith("保存済み")
    assert window.problems.topLevelItemCount() == 0


def test_cell_edit_is_in_the_store_before_saved_shows(window: MainWindow) -> None:
    """An edit is committed to SQLite (a fresh read sees it) and the status says 保存済み."""
    page = window.pages[0]
    page.model.setData(page.model.index(0, AGE), "６６")
    app = window.store.get(window.app_id or 0)
    assert app.sections[0].cases[0].age == 66
    assert window.save_label.text().startswith("保存済み")


def test_undo_and_redo_restore_exact_states(window: MainWindow) -> None:
    """Ctrl+Z brings back the value before the edit, Ctrl+Y the edit again, in the store too."""
    page = window.pages[0]
    before = window.store.get(window.app_id or 0).sections[0].cases[0].diagnosis
    page.model.setData(page.model.index(0, DIAGNOSIS), "HCC")
    assert window.problems.topLevelItemCount() == 1
    window.undo_stack.undo()
    assert window.store.get(window.app_id or 0).sections[0].cases[0].diagnosis == before
    assert window.problems.topLevelItemCount() == 0
    window.undo_stack.redo()
    assert window.store.get(window.app_id or 0).sections[0].cases[0].diagnosis == "HCC"


def test_typing_japanese_through_the_ime(window: MainWindow, qtbot: QtBot) -> None:
    """F2 opens the cell editor; an IME commit of 肝細胞癌 and Enter store it."""
    page = window.pages[0]
    grid = page.grid
    grid.setFocus()
    grid.setCurrentIndex(page.model.index(2, DIAGNOSIS))
    qtbot.keyClick(grid, Qt.Key.Key_F2)
    editor = grid.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    commit_text(editor, "肝細胞癌")
    assert editor.text() == "肝細胞癌"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.store.get(window.app_id or 0).sections[0].cases[2].diagnosis == "肝細胞癌")


def test_paste_block_from_excel_is_one_undo_step(window: MainWindow) -> None:
    """Three rows pasted from Excel land in rows 21–23, read and checked; one undo removes them all."""
    page = window.pages[0]
    page.grid.setCurrentIndex(page.model.index(20, 0))
    QGuiApplication.clipboard().setText(
        "７０\t女性\t手術\t\t2024/5\tR6.8\t胆嚢癌\t腺癌\n"
        "61\tM\t薬物療法\t\t2023/04\t2023/09\t膵癌\t無し\n"
        "abc\t男\t放射線治療\t\t2025/01\t2025/03\t食道癌\t扁平上皮癌\n"
    )
    reports: list[tuple[int, list[str]]] = []
    page.grid.pasteReport.connect(lambda written, refused: reports.append((written, refused)))
    page.grid.paste()
    cases = window.store.get(window.app_id or 0).sections[0].cases
    assert (cases[20].age, cases[20].sex, cases[20].start, cases[20].end) == (
        70,
        "female",
        YearMonth(2024, 5),
        YearMonth(2024, 8),
    )
    assert cases[21].sex == "male"
    assert cases[22].diagnosis == "食道癌"
    assert cases[22].age is None
    [(written, refused)] = reports
    assert written > 0
    assert refused and refused[0].startswith("No.23 年齢")
    window.undo_stack.undo()
    assert len(window.store.get(window.app_id or 0).sections[0].filled_cases()) == 20


def test_delete_key_clears_the_selected_cells(window: MainWindow, qtbot: QtBot) -> None:
    """Delete empties the selection as one change."""
    page = window.pages[0]
    page.grid.setFocus()
    page.grid.setCurrentIndex(page.model.index(1, AGE))
    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)
    assert window.store.get(window.app_id or 0).sections[0].cases[1].age is None
    assert any(issue.code == "age-missing" for issue in window.issues)


def test_problem_click_jumps_to_the_cell(window: MainWindow) -> None:
    """Choosing a problem selects its tab and cell."""
    page = window.pages[0]
    page.model.setData(page.model.index(5, DIAGNOSIS), "胃K")
    item = window.problems.topLevelItem(0)
    assert item is not None
    window.problems.itemActivated.emit(item, 0)
    assert window.tabs.currentWidget() is page
    assert (page.grid.currentIndex().row(), page.grid.currentIndex().column()) == (5, DIAGNOSIS)


def test_rejected_cell_is_kept_and_not_saved(window: MainWindow) -> None:
    """An unreadable age stays visible and the status says it is not saved."""
    page = window.pages[0]
    page.model.setData(page.model.index(0, AGE), "六十")
    assert page.model.data(page.model.index(0, AGE)) == "六十"
    assert "未保存" in window.save_label.text()
    assert window.store.get(window.app_id or 0).sections[0].cases[0].age == 38


def test_choose_facility_through_the_picker(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """The picker's choice becomes the section's facility; a hand-typed one is shown as such."""
    monkeypatch.setattr(
        FacilityPickerDialog,
        "ask",
        classmethod(lambda cls, *a, **k: FacilityChoice(name="やまだ医院", manual=True)),
    )
    assert window.jbct is not None
    window.jbct.choose_facility(0)
    facility = window.store.get(window.app_id or 0).sections[0].facility
    assert facility is not None and facility.manual and facility.name == "やまだ医院"
    assert "手入力" in window.pages[0].facility_label.text()


def test_picker_searches_as_you_type_and_enter_chooses(window: MainWindow, qtbot: QtBot) -> None:
    """Typing 大津 (through the IME) finds 大津赤十字病院; Enter chooses it. The sample banner shows."""
    source = window.facility_source
    dialog = FacilityPickerDialog(
        source.search,  # type: ignore[attr-defined]
        None,
        manual_label="認定施設ではないため手入力する",
        sample_notice="現在の施設一覧はサンプルです",
    )
    qtbot.addWidget(dialog)
    dialog.show()
    commit_text(dialog.query, "大津")
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    chosen = dialog.chosen()
    assert chosen is not None and (chosen.cert_no, chosen.name) == ("20615", "大津赤十字病院")


def test_enrollment_periods_edit_the_store(window: MainWindow) -> None:
    """Adding a second period in the editor stores both, and the rules see them."""
    editor = window.pages[0].enrollment
    editor.rangesChanged.emit([MonthRange(start=YearMonth(2022, 4), end=YearMonth(2023, 3)),
                               MonthRange(start=YearMonth(2023, 3), end=YearMonth(2026, 9))])  # fmt: skip
    periods = window.store.get(window.app_id or 0).sections[0].enrollment
    assert [(str(p.start), str(p.end)) for p in periods] == [("2022-04", "2023-03"), ("2023-03", "2026-09")]
    assert any(issue.code == "enrollment-overlap" for issue in window.issues)
    assert "重なっています" in window.pages[0].enrollment._problems.text()


def test_accept_a_warning_with_a_reason(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warning at the cursor is kept with the reason typed; it then shows as accepted."""
    page = window.pages[0]
    page.model.setData(page.model.index(3, DIAGNOSIS), "褐色細胞腫")
    page.grid.setCurrentIndex(page.model.index(3, DIAGNOSIS))
    monkeypatch.setattr(dialogs, "ask_reason", lambda parent, message: "転移を伴い悪性と診断")
    window.accept_warning_at_cursor()
    [issue] = window.issues
    assert issue.accepted == "転移を伴い悪性と診断"


def test_history_restores_an_earlier_state(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """Choosing the state before two edits in 変更履歴 brings it back (and that, too, can be undone)."""
    page = window.pages[0]
    version = window.store.info(window.app_id or 0).version
    page.model.setData(page.model.index(0, AGE), "50")
    page.model.setData(page.model.index(1, AGE), "51")
    monkeypatch.setattr(HistoryDialog, "ask", classmethod(lambda cls, store, app_id, parent: version))
    window.show_history()
    cases = window.store.get(window.app_id or 0).sections[0].cases
    assert (cases[0].age, cases[1].age) == (38, 45)
    window.undo_stack.undo()
    assert window.store.get(window.app_id or 0).sections[0].cases[1].age == 51


def test_trash_asks_first_and_can_be_restored(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting asks for confirmation; a refusal keeps the application, a yes moves it to the trash."""
    app_id = window.app_id
    monkeypatch.setattr(dialogs, "confirm", lambda *a: False)
    window.trash_application()
    assert app_id in [info.id for info in window.store.applications.all()]
    monkeypatch.setattr(dialogs, "confirm", lambda *a: True)
    window.trash_application()
    assert [info.id for info in window.store.applications.in_trash()] == [app_id]
    assert window.app_id != app_id


def test_row_insert_and_move(window: MainWindow) -> None:
    """Ctrl+I inserts a blank row at the cursor; Alt+Down moves a row down."""
    page = window.pages[0]
    page.grid.setCurrentIndex(page.model.index(0, AGE))
    window.insert_row()
    cases = window.store.get(window.app_id or 0).sections[0].cases
    assert cases[0].is_blank() and cases[1].diagnosis == "胃癌"
    page.grid.setCurrentIndex(page.model.index(1, AGE))
    window.move_row(1)
    cases = window.store.get(window.app_id or 0).sections[0].cases
    assert cases[2].diagnosis == "胃癌"


def test_screenshot_command(tmp_path: Path, examples_dir: Path, shorei_home: Path) -> None:
    """`shorei gui FILE --screenshot PNG` opens the file, paints the window, saves a picture and exits 0."""
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "gui",
            str(examples_dir / "valid-20-cases.json"),
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        timeout=120,
        check=False,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "SHOREI_HOME": str(shorei_home)},
    )
    assert result.returncode == 0, result.stderr.decode()
    assert shot.stat().st_size > 20_000
    assert b"Traceback" not in result.stderr


def _failing_once(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The store's restore fails once as on a full disk, then works; the notices shown are returned."""
    from app.store.errors import StoreDiskError

    told: list[str] = []
    monkeypatch.setattr(dialogs, "notify", lambda parent, title, text, warning=False: told.append(text))
    restore = window.store.history.restore
    calls: list[int] = []

    def flaky(app_id: int, version: int) -> object:
        calls.append(version)
        if len(calls) == 1:
            raise StoreDiskError(window.store.home, "disk full", "full", saving=True)
        return restore(app_id, version)

    monkeypatch.setattr(window.store.history, "restore", flaky)
    return told


def test_a_failed_undo_keeps_its_step_to_try_again(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An undo the store refuses (a full disk) changes nothing and stays one step: the next 元に戻す
    takes back the last edit only, not two."""
    window.set_applicant_field("name", "甲")
    window.set_applicant_field("name", "乙")
    told = _failing_once(window, monkeypatch)
    window.undo_stack.undo()
    assert told and "ディスクの空き容量" in told[0]
    qtbot.waitUntil(lambda: window.undo_stack.index() == 2)
    assert window.store.get(window.app_id or 0).applicant.name == "乙"
    window.undo_stack.undo()
    assert window.store.get(window.app_id or 0).applicant.name == "甲"
    assert window.undo_stack.count() == 2


def test_a_failed_redo_keeps_its_step_to_try_again(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A redo the store refuses changes nothing and stays: the next やり直し makes that edit again."""
    window.set_applicant_field("name", "甲")
    window.set_applicant_field("name", "乙")
    window.undo_stack.undo()
    window.undo_stack.undo()
    told = _failing_once(window, monkeypatch)
    window.undo_stack.redo()
    assert told
    qtbot.waitUntil(lambda: window.undo_stack.index() == 0)
    window.undo_stack.redo()
    assert window.store.get(window.app_id or 0).applicant.name == "甲"
    assert window.undo_stack.count() == 2
