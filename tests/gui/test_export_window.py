"""「印刷用PDFとアップロード用ファイルを作成」 from the window: the plan, the refusal, the files."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtWidgets import QPushButton

from app.cli import main
from app.export import ExportPlan, ExportResult
from app.views import main_window as main_window_module
from app.views.case_model import COLUMNS
from app.views.export_dialog import DRAFT, EXPORT, ExportDialog, ExportDoneDialog

if TYPE_CHECKING:
    from pathlib import Path

    from app.views.main_window import MainWindow


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[object]:
    """Export dialogs answered as a user would; what they were shown is recorded."""
    seen: list[object] = []
    monkeypatch.setattr(main_window_module, "choose_export_folder", lambda parent, start: tmp_path / "out")
    monkeypatch.setattr(
        ExportDoneDialog, "show_result", classmethod(lambda cls, parent, result: seen.append(result))
    )
    return seen


def test_export_writes_pdf_and_package_that_verify(
    window: MainWindow, shown: list[object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A valid application: the plan names both files; they are written and `shorei verify` accepts them."""
    plans: list[ExportPlan] = []

    def ask(cls: type[ExportDialog], /, parent: object, plan: ExportPlan) -> str:
        plans.append(plan)
        return EXPORT

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
    window.export_files()
    [plan] = plans
    assert not plan.refused
    assert any("アップロード用ファイル（署名付き）" in line for line in plan.describe())
    [result] = shown
    assert isinstance(result, ExportResult) and result.package_path is not None
    assert main(["verify", str(result.package_path), "--pdf", str(result.pdf_path)]) == 0


def test_export_with_errors_is_refused_and_offers_a_draft(
    window: MainWindow, shown: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With an error, the dialog lists it; choosing 下書き writes only a watermarked PDF."""
    page = window.pages[0]
    page.model.setData(page.model.index(0, COLUMNS.index("diagnosis")), "HCC")
    plans: list[ExportPlan] = []

    def ask(cls: type[ExportDialog], /, parent: object, plan: ExportPlan) -> str:
        plans.append(plan)
        return DRAFT

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
    window.export_files()
    [plan] = plans
    assert plan.refused
    assert any("HCC" in line for line in plan.describe())
    [result] = shown
    assert isinstance(result, ExportResult)
    assert result.draft and result.package_path is None and result.pdf_path.exists()


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
