"""Reading one typed, pasted or imported cell into a case field (JB-7 … JB-14).

The window's paste from Excel, the CSV/XLSX import and the grid's editors all read values here, so a
cell means the same thing wherever it was typed. A value that cannot be read is never dropped silently:
it comes back as a `CellProblem` with a Japanese message saying what to type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.models.text import (
    InputError,
    invalid_characters,
    normalize_text,
    parse_age_input,
    parse_date_input,
    parse_sex_input,
    parse_year_month_input,
)
from app.models.yearmonth import YearMonth

if TYPE_CHECKING:
    from app.models.forms import FieldSpec, FormDefinition

CellValue = str | int | YearMonth | dt.date | None


@dataclass(frozen=True, slots=True)
class CellProblem:
    """A cell that could not be taken, and why (Japanese, says what to type)."""

    key: str
    text: str
    message: str


def _choice(form: FormDefinition, spec: FieldSpec, text: str) -> str:
    assert spec.choices is not None
    choices = form.choices[spec.choices]
    for option in choices.options:
        if text in (option.value, option.label):
            return option.value
    if spec.key == "sex":
        return parse_sex_input(text)
    # An item outside the list is kept as typed: the rules report it (item-unknown) with the list.
    return text


def read_cell(form: FormDefinition, key: str, text: str) -> CellValue | CellProblem:
    """The stored value of `text` typed into field `key`; an empty cell is None (or "" for text)."""
    spec = form.field(key)
    value = normalize_text(text, multiline=spec.kind == "multiline")
    if not value:
        return "" if spec.kind in ("text", "multiline", "choice") and key != "sex" else None
    try:
        if spec.kind == "integer":
            return parse_age_input(value) if key == "age" else _integer(value)
        if spec.kind == "year-month":
            return parse_year_month_input(value)
        if spec.kind == "date":
            return parse_date_input(value)
        if spec.kind == "choice":
            return _choice(form, spec, value)
    except InputError as error:
        return CellProblem(key, text, f"{spec.label}: {error}")
    bad = invalid_characters(value, multiline=spec.kind == "multiline")
    if bad:
        codes = "、".join(dict.fromkeys(f"U+{ord(c):04X}" for c in bad))
        return CellProblem(key, text, f"{spec.label}: 使用できない制御文字（{codes}）が含まれています")
    if spec.max_length is not None and len(value) > spec.max_length:
        return CellProblem(
            key, text, f"{spec.label}: {spec.max_length}文字以内で入力してください（{len(value)}文字）"
        )
    return value


def _integer(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise InputError(f"数字で入力してください（入力: {value!r}）")
    return int(value)


@dataclass(frozen=True, slots=True)
class CellEdit:
    """One field of one case row set to a value: what the grid, paste and undo hand to the store."""

    section: int
    row: int
    key: str
    value: CellValue


def display_value(form: FormDefinition, key: str, value: CellValue) -> str:
    """How a stored value reads in the grid and on paper: labels for choices, 2024/05 for months."""
    if value is None:
        return ""
    if isinstance(value, YearMonth):
        return value.display()
    if isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    spec = form.field(key)
    if spec.kind == "choice" and spec.choices is not None and isinstance(value, str):
        option = form.choices[spec.choices].by_value(value)
        return option.label if option is not None else value
    return str(value)
