"""ファイル → Excel/CSVから症例を取り込む / 症例一覧をExcelに書き出す, as a clerk uses them in the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QPushButton

from app.views import case_list_import as case_import_module
from app.views import dialogs
from app.views.case_list_export import CaseExportChoice, CaseExportDialog
from app.views.case_list_import import (
    CaseImportChoice,
    CaseImportDialog,
    CasePreviewModel,
    ImportReportDialog,
)
from tests.case_lists import clerk_workbook, expected_cases

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.modeltest import ModelTester
    from pytestqt.qtbot import QtBot

    from app.models.application import Application
    from app.models.forms import FormDefinition
    from app.models.table import TableFile
    from app.views.main_window import MainWindow


@pytest.fixture
def reports(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The final reports the window shows (not blocking the test)."""
    shown: list[str] = []
    monkeypatch.setattr(
        ImportReportDialog, "show_report", classmethod(lambda cls, parent, text: shown.append(text))
    )
    return shown


@pytest.fixture
def clerk_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The clerk's workbook, chosen in the file dialog."""
    path = tmp_path / "症例一覧.xlsx"
    path.write_bytes(clerk_workbook())
    monkeypatch.setattr(case_import_module, "choose_case_list", lambda parent, start: path)
    return path


def test_mapping_changed_imported_and_undone_in_one_step(
    window: MainWindow,
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    clerk_file: Path,
    reports: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Into 申請2(1), which holds 20 cases: adding 25 is refused in the dialog; the user chooses to replace,
    leaves メモ out, imports; the report lists what was not taken; one Ctrl+Z brings the 20 cases back."""
    before: Application | None = window.application
    assert before is not None
    undo_steps = window.undo_stack.count()
    seen: dict[str, object] = {}

    def ask(
        cls: type[CaseImportDialog], /, parent: object, form: FormDefinition, application: Application,
        table: TableFile, section: int,
    ) -> CaseImportChoice | None:  # fmt: skip
        dialog = CaseImportDialog(form, application, table, section=section)
        qtbot.addWidget(dialog)
        dialog.show()
        qtmodeltester.check(dialog.preview_model)
        assert dialog.section_combo.currentText() == "申請2(1)（現在20件）"
        assert not dialog.import_button.isEnabled()
        seen["refused"] = dialog.status.text()
        preview = dialog.preview_model
        sex = next(
            c
            for c in range(preview.columnCount())
            if preview.headerData(c, Qt.Orientation.Horizontal) == "性別"
        )
        eleventh = next(r for r in range(preview.rowCount()) if preview.data(preview.index(r, 0)) == "11")
        seen["red"] = preview.data(preview.index(eleventh, sex), CasePreviewModel.RefusalRole)
        qtbot.mouseClick(dialog.replace_radio, Qt.MouseButton.LeftButton)
        assert dialog.import_button.isEnabled()
        notes = dialog.mapping_combo(9)
        assert notes.currentText() == "備考"
        notes.setFocus()
        qtbot.keyClick(notes, Qt.Key.Key_Home)  # the first choice: 取り込まない
        assert notes.currentText() == "取り込まない"
        assert "備考" not in [
            preview.headerData(c, Qt.Orientation.Horizontal) for c in range(preview.columnCount())
        ]
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert dialog.result() == QDialog.DialogCode.Accepted
        return dialog.choice()

    monkeypatch.setattr(CaseImportDialog, "ask", classmethod(ask))
    window.import_case_list()

    assert "申請2(1)は25行までです。今ある20行の後に25件を追加すると45行になります" in str(seen["refused"])
    assert "性別は「男性」か「女性」で入力してください" in str(seen["red"])
    assert window.application is not None
    assert window.application.sections[0].cases == [
        c.model_copy(update={"note": ""}) for c in expected_cases()
    ]
    assert window.undo_stack.count() == undo_steps + 1
    [report] = reports
    assert report.startswith(
        "症例一覧.xlsx から 申請2(1)に 25件を取り込みました（置き換え）。2件の値は取り込めませんでした。"
    )
    assert "11行目 C列（性）" in report and "20行目 F列（開始年月）" in report
    assert "空の行をとばします: 16行目" in report
    assert "登録件数 25" in window.count_label.text()

    window.undo_stack.undo()
    assert window.application == before
    assert window.store.get(window.app_id).sections[0].cases == before.sections[0].cases  # type: ignore[arg-type]
    window.undo_stack.redo()
    assert len(window.application.sections[0].cases) == 25


def test_cancel_changes_nothing(
    window: MainWindow, clerk_file: Path, reports: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing the mapping step with キャンセル leaves the application and the undo stack as they were."""
    assert window.app_id is not None
    version = window.store.info(window.app_id).version
    monkeypatch.setattr(CaseImportDialog, "ask", classmethod(lambda cls, *args: None))
    window.import_case_list()
    assert window.store.info(window.app_id).version == version
    assert reports == [] and window.undo_stack.count() == 0


def test_unreadable_file_is_one_message_and_no_dialog(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A truncated workbook: one warning naming the file; the mapping step never opens; nothing changes."""
    path = tmp_path / "壊れた.xlsx"
    path.write_bytes(clerk_workbook()[:2000])
    monkeypatch.setattr(case_import_module, "choose_case_list", lambda parent, start: path)
    messages: list[str] = []
    monkeypatch.setattr(dialogs, "notify", lambda parent, title, text, warning=False: messages.append(text))
    monkeypatch.setattr(CaseImportDialog, "ask", classmethod(lambda cls, *args: pytest.fail("dialog opened")))
    assert window.app_id is not None
    version = window.store.info(window.app_id).version
    window.import_case_list()
    [message] = messages
    assert message.startswith(f"{path}: Excel ファイルとして読めません")
    assert window.store.info(window.app_id).version == version


def test_import_into_an_empty_second_section(
    window: MainWindow, qtbot: QtBot, clerk_file: Path, reports: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Choosing 申請2(2) in the dialog fills it (made on the way) and shows its tab; 2(1) is untouched."""
    before = window.application
    assert before is not None

    def ask(cls: type[CaseImportDialog], /, parent: object, form: FormDefinition, application: Application,
            table: TableFile, section: int) -> CaseImportChoice | None:  # fmt: skip
        dialog = CaseImportDialog(form, application, table, section=section)
        qtbot.addWidget(dialog)
        dialog.section_combo.setCurrentIndex(1)
        assert dialog.import_button.isEnabled()
        dialog.import_button.click()
        return dialog.choice()

    monkeypatch.setattr(CaseImportDialog, "ask", classmethod(ask))
    window.import_case_list()
    assert window.application is not None
    assert window.application.sections[0] == before.sections[0]
    assert window.application.sections[1].cases == expected_cases()
    assert window.tabs.currentIndex() == 1


def test_report_can_be_copied(qtbot: QtBot) -> None:
    """The report's コピー button puts the whole text on the clipboard."""
    dialog = ImportReportDialog("1行目\n2行目")
    qtbot.addWidget(dialog)
    [button] = [b for b in dialog.findChildren(QPushButton) if b.text() == "コピー"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "1行目\n2行目"


def test_export_case_list_from_the_window(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """症例一覧をExcelに書き出す: the workbook is written; 備考 stays out unless ticked."""
    target = tmp_path / "cases.xlsx"
    asked: list[object] = []

    def ask(cls: type[CaseExportDialog], /, parent: object, suggested: Path) -> CaseExportChoice:
        asked.append(suggested)
        dialog = CaseExportDialog(suggested)
        assert not dialog.include_notes.isChecked()
        dialog.deleteLater()
        return CaseExportChoice(target, include_notes=False)

    monkeypatch.setattr(CaseExportDialog, "ask", classmethod(ask))
    window.export_case_list()
    [suggested] = asked
    assert str(suggested).endswith("-cases.xlsx")
    sheet = openpyxl.load_workbook(target)["申請2(1)"]
    assert sheet.max_column == 9 and sheet["B2"].value == "年齢"
    assert sheet.max_row == 22
    assert str(target) in window.statusBar().currentMessage()
