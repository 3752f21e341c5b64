"""CaseTableModel: the 25-row grid over a section — display, issues, edits, rejected input, paste."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from app.models.cells import CellEdit
from app.models.edits import apply_cell_edits
from app.models.forms import CASE_ATTRIBUTES, FormDefinition
from app.models.yearmonth import YearMonth
from app.views.case_model import ERROR_TINT, CaseTableModel
from tests.factories import COLUMNS, application, case, issues_of, jbct_form, section

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pytestqt.modeltest import ModelTester
    from pytestqt.qtbot import QtBot

    from app.models.application import Application

AGE, SEX, ITEM, DIAGNOSIS, NOTE = (COLUMNS.index(k) for k in ("age", "sex", "item", "diagnosis", "note"))


class Harness:
    """An in-memory document, edited through the model the way the window edits the store."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.commits: list[list[CellEdit]] = []
        self.model = CaseTableModel(jbct_form(), 0, self.commit)
        self.refresh()

    def commit(self, edits: Sequence[CellEdit]) -> None:
        self.commits.append(list(edits))
        self.app = apply_cell_edits(self.app, edits)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_section(self.app.sections[0], issues_of(self.app))


@pytest.fixture
def harness(qtbot: QtBot) -> Harness:
    return Harness(application([section([case(n) for n in range(18)])]))


def test_model_passes_qt_model_tester(harness: Harness, qtmodeltester: ModelTester) -> None:
    """The model keeps Qt's contracts (rows, columns, data, headers)."""
    qtmodeltester.check(harness.model)


def test_columns_follow_the_form(qtbot: QtBot) -> None:
    """The columns are the form's case fields, in its order and under its labels: a form that orders
    them otherwise or leaves one out changes the grid, and a field a case cannot hold is refused."""
    form = jbct_form()
    assert CaseTableModel(form, 0, lambda _edits: None).columns == form.case_fields == CASE_ATTRIBUTES
    data = form.model_dump()
    data["fields"] = [form.field(key).model_dump() for key in ("diagnosis", "age", "sex")]
    model = CaseTableModel(FormDefinition.model_validate(data), 0, lambda _edits: None)
    assert model.columns == ("diagnosis", "age", "sex")
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == [
        "診断名", "年齢", "性別"]  # fmt: skip
    data["fields"].append({**form.field("age").model_dump(), "key": "weight"})
    with pytest.raises(ValueError, match="field weight: a case row has no such field"):
        FormDefinition.model_validate(data)


def test_grid_has_the_forms_25_rows_and_columns(harness: Harness) -> None:
    """Rows are numbered 1–25 as on the society's form; 備考 is marked as never exported."""
    model = harness.model
    assert model.rowCount() == 25
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"
    assert model.headerData(DIAGNOSIS, Qt.Orientation.Horizontal) == "診断名"
    assert model.headerData(NOTE, Qt.Orientation.Horizontal) == "備考\n（出力されません）"


def test_values_show_as_labels(harness: Harness) -> None:
    """Sex shows 男性/女性, months show 2023/04, empty rows are blank."""
    model = harness.model
    assert model.data(model.index(1, SEX)) == "男性"
    assert model.data(model.index(0, COLUMNS.index("start"))) == "2023/04"
    assert model.data(model.index(24, AGE)) == ""


def test_edit_commits_the_read_value(harness: Harness) -> None:
    """Typing ６５ in 年齢 stores 65 through the commit path."""
    model = harness.model
    assert model.setData(model.index(0, AGE), "６５")
    assert harness.commits == [[CellEdit(0, 0, "age", 65)]]
    assert model.data(model.index(0, AGE)) == "65"


def test_unchanged_value_commits_nothing(harness: Harness) -> None:
    """Re-typing the same value is not an edit (no undo step, no write)."""
    model = harness.model
    model.setData(model.index(0, AGE), str(harness.app.sections[0].cases[0].age))
    assert harness.commits == []


def _tint(model: CaseTableModel, row: int, column: int) -> QColor:
    brush = model.data(model.index(row, column), Qt.ItemDataRole.BackgroundRole)
    assert isinstance(brush, QBrush)
    return brush.color()


def _tooltip(model: CaseTableModel, row: int, column: int) -> str:
    return str(model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole))


def test_rejected_input_stays_visible_with_the_reason(harness: Harness, qtbot: QtBot) -> None:
    """An unreadable age is kept on screen, tinted, with why — and is not written."""
    model = harness.model
    with qtbot.waitSignal(model.cellRejected) as signal:
        model.setData(model.index(0, AGE), "六十五")
    assert "0〜120" in signal.args[0]
    index = model.index(0, AGE)
    assert model.data(index) == "六十五"
    assert _tint(model, 0, AGE) == ERROR_TINT
    assert "保存されていません" in _tooltip(model, 0, AGE)
    assert harness.commits == []
    assert model.rejected_cells() == 1
    model.setData(index, "65")
    assert model.rejected_cells() == 0
    assert harness.app.sections[0].cases[0].age == 65


def test_cell_with_issue_is_tinted_with_message(harness: Harness) -> None:
    """A cell whose row breaks a rule is tinted and carries the message as its tooltip."""
    model = harness.model
    model.setData(model.index(2, DIAGNOSIS), "HCC")
    assert _tint(model, 2, DIAGNOSIS) == ERROR_TINT
    assert "肝細胞癌" in _tooltip(model, 2, DIAGNOSIS)
    issues = model.data(model.index(2, DIAGNOSIS), CaseTableModel.IssuesRole)
    assert isinstance(issues, list)
    assert [i.code for i in issues] == ["diagnosis-abbreviation"]


def test_only_changed_cells_are_signalled(harness: Harness, qtbot: QtBot) -> None:
    """An edit signals the edited cell (and cells whose issues changed), not the whole grid."""
    model = harness.model
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, roles=(): changed.append((top.row(), top.column())))
    model.setData(model.index(3, COLUMNS.index("pathology")), "扁平上皮癌")
    assert changed == [(3, COLUMNS.index("pathology"))]


def test_paste_block_reads_every_cell_and_reports_refusals(harness: Harness) -> None:
    """A block copied from Excel: each cell normalised; unreadable cells listed with their row."""
    block = [
        ["７０", "女性", "手術"],
        ["abc", "M", "放射線治療"],
        ["55", "不明", "手術", "余分", "x", "y", "z", "w", "v", "extra"],
    ]
    edits, refused = harness.model.edits_for_block(18, 0, block)
    assert CellEdit(0, 18, "age", 70) in edits
    assert CellEdit(0, 19, "sex", "male") in edits
    assert CellEdit(0, 20, "item", "手術") in edits
    assert any(r.startswith("No.20 年齢") for r in refused)
    assert any(r.startswith("No.21 性別") for r in refused)
    assert any("列が多すぎます" in r for r in refused)


def test_grid_grows_for_documents_with_more_rows(qtbot: QtBot) -> None:
    """A section holding more than 25 rows shows them all (the rules then report the count)."""
    h = Harness(application([section([case(n) for n in range(27)])]))
    assert h.model.rowCount() == 27


def test_month_edit_reads_japanese_era(harness: Harness) -> None:
    """R6.5 typed in 開始 is stored as 2024-05."""
    harness.model.setData(harness.model.index(0, COLUMNS.index("start")), "R6.5")
    assert harness.app.sections[0].cases[0].start == YearMonth(2024, 5)
