"""Reading one typed, pasted or imported value into a field (JB-7 … JB-14).

The grid's editors, the window's paste from Excel, the CSV/XLSX case import and the store's operations
all read values here, so a value means the same thing wherever it was typed. There is one difference,
chosen by the caller (`keep_for_rules`):

- the grid, paste and import refuse at once what the rules would refuse (control characters, text over
  the form's length), so the user sees it where it was typed;
- the store keeps such text (up to a hard limit against runaway input) so that the rules report it and
  nothing typed is lost.

A value that cannot be read is never dropped silently: `read_cell` returns it as a `CellProblem`, and
`read_field` raises `InputError`, each with a Japanese message saying what to type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from app.models.text import (
    InputError,
    normalize_text,
    parse_age_input,
    parse_date_input,
    parse_sex_input,
    parse_year_month_input,
    text_problem,
)
from app.models.yearmonth import YearMonth

if TYPE_CHECKING:
    from app.models.forms import FieldKind, FieldSpec, FormDefinition

CellValue = str | int | YearMonth | dt.date | None

FieldValue = str | int | bool | YearMonth | dt.date | None
"""What an editor hands over: the typed text, or an already typed value (an int, a YearMonth, a date, a
bool)."""

MAX_TEXT: Final = 10_000
"""The hard limit on one text kept for the rules (a paste of a whole spreadsheet into one cell). The
form's own, much smaller limits are the rules' to report (JB-14)."""

_DOCUMENT_KINDS: Final[dict[str, FieldKind | None]] = {
    "age": "integer",
    "sex": "choice",
    "item": "choice",
    "item_other": "text",
    "start": "year-month",
    "end": "year-month",
    "diagnosis": "text",
    "pathology": "text",
    "note": "text",
    "name": "text",
    "member_id": "text",
    "application_month": "year-month",
    "dental": None,
}
"""How the document stores each field (app.models.application), for when the form is not installed.
`dental` is a flag and is read as one."""


@dataclass(frozen=True, slots=True)
class CellProblem:
    """A cell that could not be taken, and why (Japanese, says what to type)."""

    key: str
    text: str
    message: str


def _spec(form: FormDefinition | None, key: str) -> FieldSpec | None:
    if form is None:
        return None
    try:
        return form.field(key)
    except KeyError:
        return None


def _choice(form: FormDefinition | None, spec: FieldSpec | None, key: str, text: str) -> str:
    if form is not None and spec is not None and spec.choices is not None:
        for option in form.choices[spec.choices].options:
            if text in (option.value, option.label):
                return option.value
    if key == "sex":
        return parse_sex_input(text)
    # An item outside the list is kept as typed: the rules report it (item-unknown) with the list.
    return text


def _wrong_kind(value: FieldValue) -> InputError:
    return InputError(f"値の種類が違います（{type(value).__name__}）")


def read_field(
    form: FormDefinition | None, key: str, value: FieldValue, *, keep_for_rules: bool
) -> CellValue | bool:
    """The stored value of `value` (typed text, or an already typed value) for field `key`.

    An empty value is None (or "" for text). `keep_for_rules` keeps control characters and text over the
    form's length for the rules to report (the store); without it they are refused at once (the grid).
    Raises `InputError` with a message that does not name the field (the caller names the place).
    """
    spec = _spec(form, key)
    if key == "dental":
        if isinstance(value, bool):
            return value
        raise _wrong_kind(value)
    kind = spec.kind if spec is not None else _DOCUMENT_KINDS.get(key)
    if kind is None:
        raise InputError(f"この項目は変更できません（{key}）")
    if isinstance(value, bool):
        raise _wrong_kind(value)
    multiline = kind == "multiline"
    if value is None or (isinstance(value, str) and not normalize_text(value, multiline=multiline)):
        return "" if kind in ("text", "multiline", "choice") and key != "sex" else None
    if kind == "integer":
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            return parse_age_input(value) if key == "age" else _integer(normalize_text(value))
        raise _wrong_kind(value)
    if kind == "year-month":
        if isinstance(value, YearMonth):
            return value
        if isinstance(value, str):
            return parse_year_month_input(value)
        raise _wrong_kind(value)
    if kind == "date":
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            return parse_date_input(value)
        raise _wrong_kind(value)
    if not isinstance(value, str):
        raise _wrong_kind(value)
    text = normalize_text(value, multiline=multiline)
    if kind == "choice":
        text = _choice(form, spec, key, text)
        if key == "sex":
            return text
    if keep_for_rules:
        if len(text) > MAX_TEXT:
            raise InputError(
                f"入力が長すぎます（{len(text)}文字、上限 {MAX_TEXT}文字）。内容を確認してください"
            )
        return text
    problem = text_problem(
        text, max_length=spec.max_length if spec is not None else None, multiline=multiline
    )
    if problem is not None:
        raise InputError(problem)
    return text


def read_cell(form: FormDefinition, key: str, text: str) -> CellValue | CellProblem:
    """The stored value of `text` typed into field `key` of the grid; an empty cell is None (or "")."""
    try:
        value = read_field(form, key, text, keep_for_rules=False)
    except InputError as error:
        return CellProblem(key, text, f"{form.field(key).label}: {error}")
    assert not isinstance(value, bool)  # only `dental` is a flag, and it is not a cell
    return value


def _integer(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise InputError(f"数字で入力してください（入力: {value!r}）")
    # Checked before converting: Python refuses over 4,300 digits with a ValueError, and a signature holds
    # integers up to 2^53 − 1 only (issue 15, items 1 and 4).
    if len(value.lstrip("0")) > 15:
        raise InputError(f"数が大きすぎます（入力: {value[:20]}{'…' if len(value) > 20 else ''}）")
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


_KANA: Final = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
"""Katakana to hiragana, so ヤ and や complete alike."""


def choice_completions(form: FormDefinition, key: str, text: str) -> list[str]:
    """The labels of choice field `key` that `text` may be the start of: by label, value or reading
    (手 → 手術, や → 薬物療法, m → 男性), in the form's order. Empty text lists them all."""
    spec = _spec(form, key)
    if spec is None or spec.choices is None:
        return []
    typed = normalize_text(text).lower().translate(_KANA)
    options = form.choices[spec.choices].options
    if not typed:
        return [option.label for option in options]
    found: list[str] = []
    for option in options:
        words = [option.label.lower(), option.value.lower(), *option.reading.split()]
        if any(word.startswith(typed) for word in words):
            found.append(option.label)
    if key == "sex" and not found:
        try:
            value = parse_sex_input(text)
        except InputError:
            return []
        option_found = form.choices[spec.choices].by_value(value)
        return [option_found.label] if option_found is not None else []
    return found


def complete_choice(form: FormDefinition, key: str, text: str) -> str:
    """What a typed choice stands for: the text itself when it is a choice (or reads as one), else the one
    label it completes to (手 → 手術); text that completes to none or to several is kept as typed, for the
    rules to report with the list."""
    typed = normalize_text(text)
    spec = _spec(form, key)
    if not typed or spec is None or spec.choices is None:
        return text
    if key == "sex" and not isinstance(read_cell(form, key, text), CellProblem):
        return text
    if any(typed in (option.value, option.label) for option in form.choices[spec.choices].options):
        return text
    found = choice_completions(form, key, text)
    return found[0] if len(found) == 1 else text
