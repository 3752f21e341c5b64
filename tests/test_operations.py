"""app.operations: each composite change is one history entry (one undo), the typed result is the one a
fresh reader parses, and the same operations serve a document outside the store."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

import pytest

from app.models.application import Application, Case, FacilityChoice, MonthRange
from app.models.cells import CellEdit
from app.models.forms import bundled_forms
from app.models.yearmonth import YearMonth
from app.operations.cases import ImportCases, InsertCase, SetCaseField, SetCells
from app.operations.errors import EditError
from app.operations.patch import Edit
from app.operations.plan import Labels
from app.operations.sections import AddEnrollment, EnsureSection, SetEnrollment, SetFacility
from app.operations.typed import apply_edits, apply_plan
from app.store import Store
from app.store.layout import database_path

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from app.operations.plan import Operation
    from app.store import Change

FORM = "jbct-renewal-2026"


@pytest.fixture
def store(shorei_home: Path) -> Iterator[Store]:
    with Store.open(shorei_home) as opened:
        yield opened


@pytest.fixture
def app_id(store: Store) -> int:
    return store.applications.create(FORM, "山田先生").id


def _fresh(home: Path, app_id: int) -> Application:
    with Store.open(home, read_only=True) as reader:
        return reader.get(app_id)


def _one_change(store: Store, app_id: int, operation: Operation) -> tuple[Application, Change]:
    """Apply `operation`; it must make exactly one history entry, which undo (restore) takes back whole.
    The application after it, and that entry."""
    before = store.get(app_id)
    version = store.version(app_id)
    after = store.apply(app_id, operation)
    assert store.version(app_id) == store.info(app_id).version == version + 1
    change, previous = store.history.changes(app_id, limit=2)
    assert (change.version, previous.version) == (version + 1, version)
    assert store.history.restore(app_id, version) == before
    assert store.history.restore(app_id, version + 1) == after
    return after, change


def _range(start: str, end: str) -> MonthRange:
    return MonthRange(start=YearMonth.parse(start), end=YearMonth.parse(end))


def test_a_cell_on_a_section_not_yet_made_is_one_change(store: Store, app_id: int, shorei_home: Path) -> None:
    """Typing into 申請2(3) before it exists makes the sections and the row in one change (one undo)."""
    after, change = _one_change(store, app_id, SetCells([CellEdit(2, 4, "diagnosis", "胃癌")]))
    assert len(after.sections) == 3 and len(after.sections[2].cases) == 5
    assert after.sections[2].cases[4].diagnosis == "胃癌"
    assert change.operation == "set_case_field" and change.summary.endswith("（空） → 胃癌")
    assert _fresh(shorei_home, app_id) == after


def test_cells_pasted_over_several_rows_are_one_change(store: Store, app_id: int, shorei_home: Path) -> None:
    """A paste (or Delete over a selection) of cells in several rows, past the last row, is one change."""
    store.apply(app_id, SetCaseField(0, 0, "age", "60"))
    cells = [CellEdit(1, row, "age", 40 + row) for row in (1, 2, 3)] + [CellEdit(1, 3, "sex", "female")]
    after, _ = _one_change(store, app_id, SetCells(cells))
    assert [case.age for case in after.sections[1].cases] == [None, 41, 42, 43]
    assert after.sections[1].cases[3].sex == "female"
    assert _fresh(shorei_home, app_id) == after


def test_cells_of_two_sections_are_refused(store: Store, app_id: int) -> None:
    """The grid commits one section at a time: cells of two sections in one change are refused."""
    with pytest.raises(EditError, match="複数の施設欄"):
        store.apply(app_id, SetCells([CellEdit(0, 0, "age", 1), CellEdit(1, 0, "age", 2)]))


def test_padded_insert_is_one_change(store: Store, app_id: int, shorei_home: Path) -> None:
    """Inserting on an empty numbered line below the last row fills the rows above it in the same change."""
    store.apply(app_id, SetCaseField(0, 0, "diagnosis", "胃癌"))
    after, _ = _one_change(store, app_id, EnsureSection(1, InsertCase(1, 3, pad=True)))
    assert len(after.sections[1].cases) == 4 and all(case.is_blank() for case in after.sections[1].cases)
    with pytest.raises(EditError, match="範囲外"):
        store.apply(app_id, InsertCase(0, 5))  # without pad, past the end is refused as before
    assert _fresh(shorei_home, app_id) == after


def test_enrollment_ranges_replaced_in_one_change(store: Store, app_id: int, shorei_home: Path) -> None:
    """The period editor's ranges (one changed, one added, one removed) are set as one change."""
    for start, end in (("2022-04", "2023-03"), ("2023-06", "2024-03"), ("2024-06", "2025-03")):
        store.apply(app_id, AddEnrollment(0, start, end))
    ranges = [_range("2022-04", "2023-12"), _range("2025-01", "2026-03")]
    after, change = _one_change(store, app_id, SetEnrollment(0, ranges))
    assert after.sections[0].enrollment == ranges
    assert change.summary == "申請2(1) 施設在籍期間: 2022/04〜2023/12、2025/01〜2026/03"
    assert _fresh(shorei_home, app_id) == after


def test_enrollment_unchanged_records_nothing(store: Store, app_id: int) -> None:
    """Setting the ranges the section already has records nothing."""
    store.apply(app_id, AddEnrollment(0, "2022-04", "2023-03"))
    version = store.version(app_id)
    store.apply(app_id, SetEnrollment(0, [_range("2022-04", "2023-03")]))
    assert store.version(app_id) == version


def test_facility_of_a_section_not_yet_made_is_one_change(store: Store, app_id: int) -> None:
    """Choosing the facility of 申請2(2) before it exists adds it in the same change."""
    after, _ = _one_change(
        store, app_id, EnsureSection(1, SetFacility(1, FacilityChoice(name="手入力病院", manual=True)))
    )
    assert after.sections[1].facility is not None and after.sections[1].facility.name == "手入力病院"


def test_import_into_a_missing_section_is_one_change(store: Store, app_id: int) -> None:
    """A case list imported into 申請2(2) before it exists is one change."""
    cases = [Case(age=60, diagnosis="胃癌"), Case(age=61, diagnosis="肺癌")]
    after, _ = _one_change(store, app_id, ImportCases(1, cases, replace=False, source="list.csv"))
    assert [case.diagnosis for case in after.sections[1].cases] == ["胃癌", "肺癌"]


def test_typed_result_shares_what_did_not_change(store: Store, app_id: int, shorei_home: Path) -> None:
    """A cell edit copies only its row's spine (other rows stay shared) and equals what a reader parses."""
    store.apply(app_id, SetCells([CellEdit(0, row, "age", 50 + row) for row in range(3)]))
    before = store.get(app_id)
    first = store.apply(app_id, SetCaseField(0, 0, "age", "70"))
    second = store.apply(app_id, SetCaseField(0, 1, "age", "71"))
    assert second.sections[0].cases[0] is first.sections[0].cases[0]
    assert second.sections[0].cases[2] is first.sections[0].cases[2]
    assert first.sections[0].cases[1].age == 51 and before.sections[0].cases[1].age == 51
    assert _fresh(shorei_home, app_id) == second


def test_typed_apply_checks_each_new_part_by_its_type() -> None:
    """An edit that would put a value of the wrong type anywhere is refused, naming what is wrong."""
    form = bundled_forms().get(FORM)
    assert form is not None
    application = Application.model_validate(
        {"form": {"id": FORM, "version": form.version}, "sections": [{}]}
    )
    with pytest.raises(EditError):
        apply_edits(application, [Edit("insert", ("sections", 0, "cases", 0), after={"age": "六十"})])
    with pytest.raises(EditError):
        apply_edits(application, [Edit("set", ("applicant",), after={"name": 3})])
    changed = apply_edits(application, [Edit("insert", ("sections", 0, "cases", 0), after={"age": 60})])
    assert changed.sections[0].cases == [Case(age=60)] and application.sections[0].cases == []


def test_the_same_operation_serves_a_document_outside_the_store() -> None:
    """A document outside the store is changed by the very operation the store applies (the CLI's way)."""
    form = bundled_forms().get(FORM)
    assert form is not None
    application = Application.model_validate({"form": {"id": form.id, "version": form.version}})
    operation = SetCells([CellEdit(1, 0, "age", "６５歳")])
    changed = apply_plan(application, operation.plan(application, Labels(form)))
    assert len(changed.sections) == 2 and changed.sections[1].cases[0].age == 65
    assert application.sections == []


def test_history_records_what_was_stored_so_undo_restores_it_exactly(shorei_home: Path) -> None:
    """A row an older Shorei wrote (not normalized, a field missing) is undone to exactly what was stored."""
    with Store.open(shorei_home) as store:
        app_id = store.applications.create(FORM, "山田先生").id
        store.apply(app_id, SetCaseField(0, 0, "diagnosis", "胃癌"))
    old = '{"age":null,"sex":null,"item":"","item_other":"","start":null,"end":null,"diagnosis":" 胃癌 ","pathology":"","note":""}'
    with sqlite3.connect(database_path(shorei_home)) as connection:
        connection.execute("UPDATE cases SET data = ? WHERE app_id = ?", (old, app_id))
    connection.close()
    with Store.open(shorei_home) as store:
        version = store.version(app_id)
        assert store.apply(app_id, SetCaseField(0, 0, "age", "65")).sections[0].cases[0].diagnosis == "胃癌"
        assert store.history.changes(app_id)[0].edits[0].before == json.loads(old)
        store.history.restore(app_id, version)
        stored = (
            store.database.db().execute("SELECT data FROM cases WHERE app_id = ?", (app_id,)).fetchone()[0]
        )
    assert json.loads(stored) == json.loads(old)
