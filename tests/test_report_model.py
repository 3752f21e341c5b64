"""ReportTableModel and CoveragePanel without a window: the 症例一覧 columns, states, checks and coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from app.export import export_application
from app.models.application import CaseReport
from app.validation.jspm import REGISTERED
from app.views.case_model import ERROR_TINT, PRIVATE_TINT
from app.views.coverage import CoveragePanel
from app.views.report_model import ReportTableModel, period_text
from tests import export_support as support
from tests.approval_support import DECIDED
from tests.jspm_factories import (
    CERTIFIED_NEW,
    TRANSITION,
    approve,
    jspm_application,
    jspm_facilities,
    jspm_form,
    jspm_issues,
    report,
)

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.modeltest import ModelTester
    from pytestqt.qtbot import QtBot

    from app.models.application import Application

M = ReportTableModel


def shown(app: Application, form_id: str | None = None) -> ReportTableModel:
    model = ReportTableModel(jspm_form(form_id or app.form.id))
    model.set_reports(app, jspm_issues(app))
    return model


def text(model: ReportTableModel, row: int, column: int) -> object:
    return model.index(row, column).data()


def test_model_passes_qt_model_tester(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    """The model keeps Qt's contracts (rows, columns, data, headers, check states)."""
    qtmodeltester.check(shown(jspm_application()))


def test_columns_as_on_the_societys_list(qtbot: QtBot) -> None:
    """選択, 番号, 症例区分, 診療施設, 期間, 備考, 状態, 指導者, 承認日 — 備考 tinted as private."""
    app = jspm_application()
    app.reports[0].note = "自分用のメモ"
    model = shown(app)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["選択", "番号", "症例区分", "診療施設", "期間", "備考※", "状態", "指導者", "承認日"]
    assert [text(model, 0, c) for c in (M.NUMBER, M.CATEGORY, M.FACILITY, M.PERIOD, M.NOTE)] == [
        "1", "痛み", "東都中央病院（サンプル）", "2023/04/01〜06/30", "自分用のメモ"]  # fmt: skip
    background = model.index(0, M.NOTE).data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(background, QBrush) and background.color() == PRIVATE_TINT
    assert "送信されず" in str(
        model.headerData(M.NOTE, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    )


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2023-04-01", "2023-06-30", "2023/04/01〜06/30"),
        ("2023-12-01", "2024-01-31", "2023/12/01〜2024/01/31"),
        ("2023-04-01", None, "2023/04/01〜"),
        (None, None, ""),
    ],
)
def test_period_is_compact_within_one_year(start: str | None, end: str | None, expected: str) -> None:
    """The period column leaves out the end's year only when both dates are in the same year."""
    case = CaseReport.model_validate(report(0, start=start, end=end), strict=False)
    assert period_text(case) == expected


def test_states_come_from_validation_and_the_approval(qtbot: QtBot) -> None:
    """未登録 (blank or with errors, 番号 tinted only for errors), 未承認, 承認依頼中, 承認 (with 指導者
    and 承認日), 非承認; a form without approval calls a complete case 登録済み."""
    app = jspm_application()
    app.reports[0] = CaseReport(id=app.reports[0].id)
    app.reports[1].diagnosis = ""
    approve(app.reports[2], state="requested")
    approve(app.reports[3])
    assert app.reports[3].approval is not None
    app.reports[3].approval.decided_at = "2026-10-23T09:00:00+00:00"
    approve(app.reports[4], state="rejected")
    model = shown(app)
    assert model.statuses()[:6] == ["未登録", "未登録", "承認依頼中", "承認", "非承認", "未承認"]
    assert model.index(0, M.NUMBER).data(Qt.ItemDataRole.BackgroundRole) is None
    tint = model.index(1, M.NUMBER).data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(tint, QBrush) and tint.color() == ERROR_TINT
    assert "診断名が未入力です" in str(model.index(1, M.STATUS).data(Qt.ItemDataRole.ToolTipRole))
    assert (text(model, 3, M.SUPERVISOR), text(model, 3, M.DECIDED)) == ("指導 一郎", "2026/10/23")
    assert text(model, 4, M.DECIDED) == ""

    certified = jspm_application(form_id=CERTIFIED_NEW)
    assert set(shown(certified).statuses()) == {"登録済み"}


def test_screen_and_paper_call_a_complete_case_alike(qtbot: QtBot, tmp_path: Path) -> None:
    """JS-6: a form without approval calls a complete case 登録済み in the list and on the printed 症例一覧."""
    app = jspm_application([report(n) for n in range(7)], TRANSITION)
    result = export_application(
        app, jspm_form(TRANSITION), jspm_facilities(), tmp_path, stem="t", now=DECIDED
    )
    assert result.pdf_path is not None
    listed = [line for line in support.pdf_text(result.pdf_path).split("\f")[0].splitlines() if "〜" in line]
    assert REGISTERED == "登録済み"
    assert shown(app).statuses() == [REGISTERED] * 7
    assert [line.rsplit(" ", 1)[-1] for line in listed] == [REGISTERED] * 7


def test_checks_follow_the_case_when_it_moves(qtbot: QtBot) -> None:
    """The 選択 checkbox is remembered by case id, so moving cases keeps the same cases checked."""
    app = jspm_application()
    model = shown(app)
    assert model.setData(
        model.index(2, M.SELECT), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert model.index(2, M.SELECT).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert model.flags(model.index(2, M.SELECT)) & Qt.ItemFlag.ItemIsUserCheckable
    moved = app.model_copy(deep=True)
    moved.reports.insert(0, moved.reports.pop(2))
    model.set_reports(moved, jspm_issues(moved))
    assert model.checked_rows() == [0]
    del moved.reports[0]
    model.set_reports(moved, jspm_issues(moved))
    assert model.checked_rows() == []


def test_coverage_panel_ticks_counts_and_names_what_is_missing(qtbot: QtBot) -> None:
    """Each of the seven categories shows ✓ and its count, or ✗ when missing; その他 is not counted;
    専門医移行申請 flags a category with two cases."""
    reports = [report(n) for n in range(5)] + [report(5, category="その他")]
    app = jspm_application(reports)
    panel = CoveragePanel(jspm_form())
    qtbot.addWidget(panel)
    panel.show_application(app, jspm_issues(app))
    assert panel.cells["痛み"].text() == "✓ 痛み 1"
    assert panel.cells["社会的な関わり"].text() == "✗ 社会的な関わり 0"
    assert "社会的な関わり、スピリチュアルな関わり" in panel.summary.text()
    assert "その他" not in panel.cells

    transition = jspm_application([report(n) for n in range(6)] + [report(7)], form_id=TRANSITION)
    panel = CoveragePanel(jspm_form(TRANSITION))
    qtbot.addWidget(panel)
    panel.show_application(transition, jspm_issues(transition))
    assert "ちょうど1例" in panel.title.text()
    assert panel.cells["痛み"].text() == "! 痛み 2"
    assert "多すぎる区分: 痛み" in panel.summary.text() and "スピリチュアルな関わり" in panel.summary.text()
