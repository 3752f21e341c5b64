"""「印刷用PDFとアップロード用ファイルを作成」 from the window: the plan, the refusal, the files."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton

from app.cli import main
from app.export import ExportPlan, ExportResult
from app.views import dialogs, print_flow
from app.views.export_dialog import DRAFT, ExportDialog, ExportDoneDialog
from tests.export_support import pdf_text
from tests.factories import COLUMNS
from tests.ime import commit_text

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from app.views.main_window import MainWindow


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[object]:
    """Export dialogs answered as a user would; what they were shown is recorded (the suggested file
    names too, under `asked`)."""
    seen: list[object] = []

    def choose(parent: object, suggested: Path) -> Path:
        seen.append(("asked", suggested.name))
        return tmp_path / "out" / suggested.name

    monkeypatch.setattr(print_flow, "choose_export_file", choose)
    monkeypatch.setattr(
        ExportDoneDialog, "show_result", classmethod(lambda cls, parent, result: seen.append(result))
    )
    return seen


def test_export_writes_pdf_and_package_that_verify(
    window: MainWindow, shown: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A valid application asks only where, under a name a person understands; `shorei verify` accepts the
    files."""
    monkeypatch.setattr(ExportDialog, "ask", classmethod(lambda *args, **kwargs: pytest.fail("no errors")))
    window.export_files()
    asked, result = shown
    assert asked == ("asked", "症例一覧表_申請2(1)_山田太郎.pdf")
    assert isinstance(result, ExportResult) and result.package_path is not None
    assert result.pdf_path.name == "症例一覧表_申請2(1)_山田太郎.pdf"
    assert main(["verify", str(result.package_path), "--pdf", str(result.pdf_path)]) == 0


def test_export_with_errors_shows_them_before_asking_where(
    window: MainWindow, shown: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With an error, the errors come first (no folder asked yet); choosing 下書き then asks where and
    writes only a watermarked PDF."""
    page = window.pages[0]
    page.model.setData(page.model.index(0, COLUMNS.index("diagnosis")), "HCC")
    plans: list[ExportPlan] = []

    def ask(cls: type[ExportDialog], /, parent: object, plan: ExportPlan, go_to: object = None) -> str:
        assert shown == []  # nothing asked before the errors were shown
        plans.append(plan)
        return DRAFT

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
    window.export_files()
    [plan] = plans
    assert plan.refused
    assert any("HCC" in line for line in plan.describe())
    asked, result = shown
    assert asked == ("asked", "症例一覧表_申請2(1)_山田太郎-draft.pdf")
    assert isinstance(result, ExportResult)
    assert result.draft and result.package_path is None and result.pdf_path.exists()
    assert window.print_flow.label.text() == "印刷 未／アップロード 未"


def test_an_error_in_the_refusal_jumps_to_its_cell(window: MainWindow, tmp_path: Path) -> None:
    """Activating an error in the refusal closes it and puts the cursor on the cell of that error."""
    from app.export import plan_export

    page = window.pages[0]
    page.model.setData(page.model.index(4, COLUMNS.index("age")), "")
    page.grid.setCurrentIndex(page.model.index(0, 0))
    assert window.application is not None and window.form is not None
    plan = plan_export(
        window.application, window.form, window._facilities(), tmp_path, stem="x", issues=window.issues
    )
    dialog = ExportDialog(plan, window, go_to=window.go_to_issue)
    assert dialog.errors is not None and dialog.errors.count() == len(plan.errors)
    row = next(n for n, issue in enumerate(plan.errors) if issue.row == 5)
    dialog.errors.itemActivated.emit(dialog.errors.item(row))
    assert dialog.result() == ExportDialog.DialogCode.Rejected
    current = page.grid.currentIndex()
    assert (current.row(), current.column()) == (4, COLUMNS.index("age"))


def test_export_sets_the_print_state_and_an_edit_asks_to_print_again(
    window: MainWindow, shown: list[object], qtbot: QtBot
) -> None:
    """After export: 「印刷 済／アップロード 済」; an edit: 「印刷後に変更あり」 with the banner; undo clears it."""
    window.export_files()
    assert window.print_flow.label.text() == "印刷 済／アップロード 済"
    assert window.app_list.list_model.rows()[0].state == "印刷済"
    assert window.tabs.tabText(0) == "申請2(1)（20件）・印刷済"
    page = window.pages[0]
    page.model.setData(page.model.index(0, COLUMNS.index("age")), "70")
    assert "印刷後に変更あり" in window.print_flow.label.text()
    assert window.print_flow.banner.isVisibleTo(window)
    assert "申請2(1)" in window.print_flow.banner.text.text()
    assert window.app_list.list_model.rows()[0].state == "印刷後に変更あり"
    assert window.tabs.tabText(0) == "申請2(1)（20件）・印刷後に変更あり"
    window.undo_stack.undo()
    assert window.print_flow.label.text() == "印刷 済／アップロード 済"
    assert not window.print_flow.banner.isVisibleTo(window)


def test_open_pdf_without_a_viewer_says_where_the_file_is(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """When the system has no program for PDFs, a message names the file's path instead of nothing."""
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox

    from app.views.export_dialog import open_local

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    target = tmp_path / "症例一覧表_申請2(1)_山田太郎.pdf"
    assert not open_local(target, window)
    [box] = [b for b in window.findChildren(QMessageBox) if str(target) in b.text()]
    box.close()


def test_export_dialog_shows_the_plan(window: MainWindow, qtbot: object, tmp_path: Path) -> None:
    """The real dialog: a refused plan shows the errors in red and offers only 下書きを印刷."""
    from app.export import plan_export

    page = window.pages[0]
    page.model.setData(page.model.index(0, COLUMNS.index("age")), "")
    assert window.application is not None and window.form is not None
    plan = plan_export(
        window.application, window.form, window._facilities(), tmp_path, stem="x", issues=window.issues
    )
    dialog = ExportDialog(plan, window)
    texts = [button.text() for button in dialog.findChildren(QPushButton)]
    assert "下書きを印刷" in texts and "作成" not in texts
    dialog.close()


@pytest.mark.parametrize("answer", [True, False])
def test_export_over_an_earlier_pair_with_other_content_asks_and_keeps_it(
    window: MainWindow, shown: list[object], monkeypatch: pytest.MonkeyPatch, answer: bool
) -> None:
    """A second export after an edit names the earlier 照合コード and keeps that pair; 「いいえ」 writes nothing."""
    window.export_files()
    first = shown[-1]
    assert isinstance(first, ExportResult) and first.package_path is not None
    assert window.app_id is not None
    window.perform("年齢", lambda app_id: window.store.set_case_field(app_id, 0, 0, "age", 71))
    questions: list[str] = []

    def confirm(parent: object, title: str, text: str) -> bool:
        questions.append(text)
        return answer

    monkeypatch.setattr(dialogs, "confirm", confirm)
    shown.clear()
    window.export_files()
    assert first.short_hash is not None
    assert len(questions) == 1 and first.short_hash in questions[0]
    kept = sorted(path.name for path in first.pdf_path.parent.glob(f"*{first.short_hash}*"))
    if answer:
        second = shown[-1]
        assert isinstance(second, ExportResult) and second.short_hash != first.short_hash
        assert len(kept) == 2  # the earlier PDF and package, renamed with their code
    else:
        assert kept == [] and not any(isinstance(item, ExportResult) for item in shown)


def test_a_cell_still_being_typed_is_saved_before_the_files_are_made(
    window: MainWindow, shown: list[object], qtbot: QtBot
) -> None:
    """作成 while a 診断名 is still in its editor: the files hold what is on screen, not the old value."""
    page = window.pages[0]
    grid = page.grid
    grid.setFocus()
    grid.setCurrentIndex(page.model.index(0, COLUMNS.index("diagnosis")))
    qtbot.keyClick(grid, Qt.Key.Key_F2)
    editor = grid.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    commit_text(editor, "肝細胞癌")
    window.export_files()
    assert window.store.get(window.app_id or 0).sections[0].cases[0].diagnosis == "肝細胞癌"
    result = shown[-1]
    assert isinstance(result, ExportResult)
    assert "肝細胞癌" in pdf_text(result.pdf_path)
