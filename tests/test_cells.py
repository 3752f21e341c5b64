"""Reading typed or pasted cells into case fields: conversions, and refusals that say what to type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.cells import CellProblem, choice_completions, complete_choice, read_cell, read_field
from app.models.text import InputError
from app.models.yearmonth import YearMonth
from tests.factories import jbct_form


@pytest.mark.parametrize(
    ("key", "typed", "value"),
    [
        ("age", "６５", 65),
        ("age", "65歳", 65),
        ("age", "", None),
        ("sex", "男性", "male"),
        ("sex", "女", "female"),
        ("sex", "M", "male"),
        ("sex", "", None),
        ("item", "手術", "手術"),
        ("item", "ＩＶＲ", "IVR"),
        ("item", "化学療法", "化学療法"),
        ("start", "2024/5", YearMonth(2024, 5)),
        ("end", "R6.5", YearMonth(2024, 5)),
        ("start", "", None),
        ("diagnosis", " 胃癌 ", "胃癌"),
        ("pathology", "無し", "無し"),
        ("note", "", ""),
    ],
)
def test_cells_are_read_as_clerks_type_them(key: str, typed: str, value: object) -> None:
    """Full-width digits, 男性/女/M, 2024/5 and R6.5, padded text: each becomes the stored value."""
    assert read_cell(jbct_form(), key, typed) == value


@pytest.mark.parametrize(
    ("key", "typed", "expected"),
    [
        ("age", "六十五", "年齢"),
        ("sex", "不明", "男性"),
        ("start", "来年の春", "R6.5"),
        ("diagnosis", "胃癌\u0007", "U+0007"),
        ("diagnosis", "癌" * 101, "100文字以内"),
    ],
)
def test_unreadable_cells_say_why(key: str, typed: str, expected: str) -> None:
    """A cell that cannot be taken comes back as a problem naming the field and what to type."""
    result = read_cell(jbct_form(), key, typed)
    assert isinstance(result, CellProblem)
    assert expected in result.message
    assert result.text == typed


@given(
    st.sampled_from(["age", "sex", "item", "item_other", "start", "end", "diagnosis", "pathology", "note"]),
    st.text(),
)
def test_any_text_in_any_cell_is_value_or_problem(key: str, typed: str) -> None:
    """No cell input raises: it is read, or refused with a message."""
    result = read_cell(jbct_form(), key, typed)
    assert result is None or isinstance(result, str | int | YearMonth | CellProblem)


@pytest.mark.parametrize(
    ("key", "typed"),
    [("diagnosis", "癌" * 101), ("diagnosis", "胃癌\u0007"), ("item_other", "\u202e温熱療法")],
)
def test_grid_refuses_what_the_store_keeps_for_the_rules(key: str, typed: str) -> None:
    """The one difference between the grid and the store: text over the form's length or with a control
    character is refused at once in the grid and kept by the store, for the rules to report (JB-14)."""
    assert isinstance(read_cell(jbct_form(), key, typed), CellProblem)
    assert read_field(jbct_form(), key, typed, keep_for_rules=True) == typed


@given(
    st.sampled_from(["age", "sex", "item", "item_other", "start", "end", "diagnosis", "pathology", "note"]),
    st.text(max_size=30),
)
def test_grid_and_store_read_alike(key: str, typed: str) -> None:
    """Whatever the grid takes, the store stores the same; what the store refuses, the grid refuses."""
    form = jbct_form()
    grid = read_cell(form, key, typed)
    try:
        stored = read_field(form, key, typed, keep_for_rules=True)
    except InputError:
        assert isinstance(grid, CellProblem)
        return
    if not isinstance(grid, CellProblem):
        assert grid == stored


@pytest.mark.parametrize(
    ("key", "typed", "completions", "taken"),
    [
        ("item", "手", ["手術"], "手術"),
        ("item", "や", ["薬物療法"], "薬物療法"),
        ("item", "ヤク", ["薬物療法"], "薬物療法"),
        ("item", "か", ["薬物療法", "緩和ケア"], "か"),
        ("item", "その他", ["その他"], "その他"),
        ("item", "xyz", [], "xyz"),
        ("sex", "お", ["男性", "女性"], "お"),
        ("sex", "F", ["女性"], "F"),
        ("sex", "2", ["女性"], "2"),
    ],
)
def test_choices_complete_by_label_value_and_reading(
    key: str, typed: str, completions: list[str], taken: str
) -> None:
    """A typed choice completes from the form's list by label, value or reading; one completion is taken."""
    form = jbct_form()
    assert choice_completions(form, key, typed) == completions
    assert complete_choice(form, key, typed) == taken
