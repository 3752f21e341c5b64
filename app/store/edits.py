"""The named operations as pure functions: (document, arguments) → a `Plan` of invertible edits.

Each planner reads its input the way a person types it (app.models.text: full-width digits, 65歳, 男性,
R6.5 …), refuses what cannot be read with an `EditError` that names the place, and describes the change
in one Japanese line for the history. The store applies the plan, checks the result against the document
types and commits it; nothing here touches the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel, ValidationError

from app.models.application import AcceptedWarning, Applicant, Case, FacilityChoice, MonthRange
from app.models.cells import MAX_TEXT as MAX_TEXT  # re-exported for the store's callers
from app.models.cells import FieldValue as FieldValue
from app.models.cells import read_field
from app.models.document import describe_validation_error
from app.models.edits import import_problem, import_start
from app.models.facility import Facility
from app.models.forms import CASE_ATTRIBUTES
from app.models.text import InputError, normalize_text
from app.models.yearmonth import YearMonth
from app.store.errors import EditError
from app.store.patch import Edit, Json

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.forms import FormDefinition

MAX_SECTIONS: Final = 20
MAX_ROWS: Final = 500
MAX_ENROLLMENTS: Final = 50
"""Hard limits against runaway input; with `MAX_TEXT` (app.models.cells) for one text."""

CASE_FIELDS: Final = CASE_ATTRIBUTES
APPLICANT_FIELDS: Final = ("name", "member_id", "dental", "application_month")

_TEXT_FIELDS: Final = frozenset({"item", "item_other", "diagnosis", "pathology", "note", "name", "member_id"})


@dataclass(frozen=True)
class Plan:
    """A change to make: its operation name, a one-line Japanese summary, and the edits."""

    operation: str
    summary: str
    edits: list[Edit]


class Labels:
    """Names of places as the form shows them (申請2(1) No.3 年齢), with plain fallbacks when the
    application's form is not installed."""

    def __init__(self, form: FormDefinition | None) -> None:
        self.form = form

    def section(self, index: int) -> str:
        return self.form.section_label(index) if self.form is not None else f"施設{index + 1}"

    def field(self, key: str) -> str:
        if key in ("start", "end"):
            return "実施期間（開始）" if key == "start" else "実施期間（終了）"
        if self.form is not None:
            try:
                return self.form.field(key).label
            except KeyError:
                pass
        return {"dental": "歯科口腔外科", "facility": "症例を経験した施設"}.get(key, key)

    def value(self, key: str, value: Json) -> str:
        """A stored value as the form shows it: 男性 for "male", 2024/05 for "2024-05"."""
        if self.form is not None and isinstance(value, str) and value:
            with contextlib.suppress(KeyError):
                spec = self.form.field(key)
                if spec.choices is not None:
                    choice = self.form.choices[spec.choices].by_value(value)
                    if choice is not None:
                        return shown(choice.label)
        return shown(value)

    def facility(self) -> str:
        return self.form.facility.label if self.form is not None else "施設"

    def row(self, section: int, row: int) -> str:
        return f"{self.section(section)} No.{row + 1}"

    def rows(self) -> int:
        """Numbered rows per section on the form (JB-3), or the hard limit without a form."""
        if self.form is not None and self.form.sections is not None:
            return self.form.sections.rows
        return MAX_ROWS

    def report(self, row: int) -> str:
        """A case report by its number in the list (症例3), as the validation messages name it."""
        return f"症例{row + 1}"

    def report_field(self, key: str) -> str:
        """A case report's field as its form labels it (主に緩和医療を提供した期間（開始）, 診療施設名)."""
        if self.form is not None:
            if key == "facility":
                return self.form.facility.label
            with contextlib.suppress(KeyError):
                return self.form.field(key).label
        return {"facility": "診療施設", "start": "期間（開始）", "end": "期間（終了）"}.get(key, key)


_STORED_DATE: Final = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
"""A year-month (2024-05) or a date (2024-05-01) as stored; shown with slashes as the form does."""


def shown(value: Json) -> str:
    """A stored value in a one-line history summary: （空）, はい/いいえ, 2024/05, cut at 20 characters."""
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "はい"
    if value is False:
        return "いいえ"
    text = " ".join(str(value).split("\n"))
    if isinstance(value, str) and _STORED_DATE.fullmatch(value):
        text = value.replace("-", "/")
    return text if len(text) <= 20 else text[:19] + "…"


# ---- reading typed values -------------------------------------------------------------------------


def read_value(form: FormDefinition | None, key: str, value: FieldValue, place: str) -> Json:
    """`value` for field `key` as the document stores it (JSON), or EditError naming `place`.

    The same reading as the grid's (app.models.cells), except that text over the form's length is kept
    for the rules to report (JB-14)."""
    try:
        stored = read_field(form, key, value, keep_for_rules=True)
    except InputError as error:
        raise EditError(f"{place}: {error}") from None
    return str(stored) if isinstance(stored, YearMonth | dt.date) else stored


def check_length(text: str, place: str) -> None:
    if len(text) > MAX_TEXT:
        raise EditError(
            f"{place}: 入力が長すぎます（{len(text)}文字、上限 {MAX_TEXT}文字）。内容を確認してください"
        )


def validated(model: type[BaseModel], data: Json, place: str) -> Json:
    """`data` checked by the document type `model`, in its stored (JSON) form; EditError naming `place`."""
    try:
        return model.model_validate(data).model_dump(mode="json")
    except ValidationError as error:
        raise EditError(f"{place}: {describe_validation_error(error)}") from None


# ---- where things are -----------------------------------------------------------------------------


def _sections(document: Json) -> list[Json]:
    sections: list[Json] = document["sections"]
    return sections


def _section(document: Json, index: int, labels: Labels) -> Json:
    sections = _sections(document)
    if not isinstance(index, int) or not 0 <= index < len(sections):
        raise EditError(f"{labels.section(index)}はありません（施設は{len(sections)}件です）")
    return sections[index]


def _check_row(row: int, limit: int, place: str) -> None:
    if not isinstance(row, int) or isinstance(row, bool) or not 0 <= row < limit:
        raise EditError(f"{place}: 行番号が範囲外です（1〜{limit}）")


def blank_case() -> Json:
    return Case().model_dump(mode="json")


def _pad(section: int, cases: list[Json], upto: int) -> list[Edit]:
    """Blank rows up to (not including) `upto`: editing an empty numbered row of the form creates it."""
    return [
        Edit("insert", ("sections", section, "cases", index), after=blank_case())
        for index in range(len(cases), upto)
    ]


# ---- applicant, facility, sections ----------------------------------------------------------------


def set_applicant_field(document: Json, labels: Labels, key: str, value: FieldValue) -> Plan | None:
    """申請者の項目（氏名、会員番号、歯科口腔外科、申請年月）."""
    place = labels.field(key)
    if key not in APPLICANT_FIELDS:
        raise EditError(f"申請者の項目「{key}」はありません")
    before = document["applicant"]
    after = validated(Applicant, {**before, key: read_value(labels.form, key, value, place)}, place)
    if after == before:
        return None
    return Plan(
        "set_applicant_field",
        f"{place}: {labels.value(key, before.get(key))} → {labels.value(key, after.get(key))}",
        [Edit("set", ("applicant",), before, after)],
    )


def set_facility(
    document: Json, labels: Labels, section: int, facility: FacilityChoice | Facility | None
) -> Plan | None:
    """JB-4: the section's facility, picked from the list (a Facility) or typed (a manual choice)."""
    current = _section(document, section, labels)
    place = f"{labels.section(section)} {labels.facility()}"
    after: Json
    if facility is None:
        after = None
    else:
        if isinstance(facility, Facility):
            data: Json = {"cert_no": facility.cert_no, "name": facility.name, "manual": False}
        else:
            data = facility.model_dump(mode="json")
        for key in ("cert_no", "name"):
            check_length(data[key], place)
        after = validated(FacilityChoice, data, place)
    before = current["facility"]
    if after == before:
        return None
    if after is None:
        label = "（空）"
    elif after["manual"]:
        label = f"{after['name']}（手入力）"
    else:
        label = f"{after['name']}（{after['cert_no']}）"
    return Plan(
        "set_facility", f"{place}: {label}", [Edit("set", ("sections", section, "facility"), before, after)]
    )


def empty_section() -> Json:
    return {"facility": None, "enrollment": [], "cases": [], "accepted": []}


def add_section(document: Json, labels: Labels) -> Plan:
    index = len(_sections(document))
    if index >= MAX_SECTIONS:
        raise EditError(f"施設はこれ以上追加できません（上限 {MAX_SECTIONS}）")
    return Plan(
        "add_section",
        f"{labels.section(index)}を追加",
        [Edit("insert", ("sections", index), after=empty_section())],
    )


def remove_section(document: Json, labels: Labels, section: int) -> Plan:
    current = _section(document, section, labels)
    return Plan(
        "remove_section",
        f"{labels.section(section)}を削除（症例{len(current['cases'])}行）",
        [Edit("delete", ("sections", section), before=current)],
    )


# ---- enrollment periods (JB-5) --------------------------------------------------------------------


def _month_range(labels: Labels, start: FieldValue, end: FieldValue, place: str) -> Json:
    data = {
        "start": read_value(labels.form, "start", start, place),
        "end": read_value(labels.form, "end", end, place),
    }
    return MonthRange.model_validate(data).model_dump(mode="json")


def add_enrollment(
    document: Json, labels: Labels, section: int, start: FieldValue = None, end: FieldValue = None
) -> Plan:
    periods = _section(document, section, labels)["enrollment"]
    place = f"{labels.section(section)} 施設在籍期間"
    if len(periods) >= MAX_ENROLLMENTS:
        raise EditError(f"{place}: これ以上追加できません（上限 {MAX_ENROLLMENTS}件）")
    value = _month_range(labels, start, end, place)
    return Plan(
        "add_enrollment",
        f"{place}を追加: {shown(value['start'])}〜{shown(value['end'])}",
        [Edit("insert", ("sections", section, "enrollment", len(periods)), after=value)],
    )


def set_enrollment(
    document: Json, labels: Labels, section: int, index: int, start: FieldValue, end: FieldValue
) -> Plan | None:
    periods = _section(document, section, labels)["enrollment"]
    place = f"{labels.section(section)} 施設在籍期間 {index + 1}"
    _check_row(index, len(periods), place)
    before = periods[index]
    after = _month_range(labels, start, end, place)
    if after == before:
        return None
    return Plan(
        "set_enrollment",
        f"{place}: {shown(after['start'])}〜{shown(after['end'])}",
        [Edit("set", ("sections", section, "enrollment", index), before, after)],
    )


def remove_enrollment(document: Json, labels: Labels, section: int, index: int) -> Plan:
    periods = _section(document, section, labels)["enrollment"]
    place = f"{labels.section(section)} 施設在籍期間 {index + 1}"
    _check_row(index, len(periods), place)
    return Plan(
        "remove_enrollment",
        f"{place}を削除",
        [Edit("delete", ("sections", section, "enrollment", index), before=periods[index])],
    )


# ---- cases ----------------------------------------------------------------------------------------


def set_case_field(
    document: Json, labels: Labels, section: int, row: int, key: str, value: FieldValue
) -> Plan | None:
    """One cell of a case row. A row beyond the last is created (with blank rows before it)."""
    cases = _section(document, section, labels)["cases"]
    place = labels.row(section, row)
    _check_row(row, MAX_ROWS, place)
    if key not in CASE_FIELDS:
        raise EditError(f"{place}: 症例の項目「{key}」はありません")
    place = f"{place} {labels.field(key)}"
    stored = read_value(labels.form, key, value, place)
    before = cases[row] if row < len(cases) else blank_case()
    after = validated(Case, {**before, key: stored}, place)
    if after == before:
        return None
    summary = f"{place}: {labels.value(key, before.get(key))} → {labels.value(key, after.get(key))}"
    if row < len(cases):
        return Plan(
            "set_case_field", summary, [Edit("set", ("sections", section, "cases", row), before, after)]
        )
    edits = [*_pad(section, cases, row), Edit("insert", ("sections", section, "cases", row), after=after)]
    return Plan("set_case_field", summary, edits)


def _case_json(case: Case | None, place: str) -> Json:
    if case is None:
        return blank_case()
    data = case.model_dump(mode="json")
    for key in _TEXT_FIELDS & set(data):
        check_length(data[key], place)
    return validated(Case, data, place)


def insert_case(document: Json, labels: Labels, section: int, row: int, case: Case | None = None) -> Plan:
    """A row inserted before `row` (or appended when `row` is the number of rows)."""
    cases = _section(document, section, labels)["cases"]
    place = labels.row(section, row)
    if len(cases) >= MAX_ROWS:
        raise EditError(f"{labels.section(section)}: これ以上行を追加できません（上限 {MAX_ROWS}行）")
    _check_row(row, len(cases) + 1, place)
    return Plan(
        "insert_case",
        f"{place}に行を挿入",
        [Edit("insert", ("sections", section, "cases", row), after=_case_json(case, place))],
    )


def delete_case(document: Json, labels: Labels, section: int, row: int) -> Plan:
    cases = _section(document, section, labels)["cases"]
    place = labels.row(section, row)
    _check_row(row, len(cases), place)
    diagnosis = cases[row].get("diagnosis") or ""
    detail = f"（{shown(diagnosis)}）" if diagnosis else ""
    return Plan(
        "delete_case",
        f"{place}の行を削除{detail}",
        [Edit("delete", ("sections", section, "cases", row), before=cases[row])],
    )


def move_case(
    document: Json, labels: Labels, section: int, row: int, to_section: int, to_row: int
) -> Plan | None:
    """A row moved to `to_row` (its index after the move), in the same section or another one."""
    cases = _section(document, section, labels)["cases"]
    target_cases = _section(document, to_section, labels)["cases"]
    place = labels.row(section, row)
    _check_row(row, len(cases), place)
    target = labels.row(to_section, to_row)
    if section == to_section:
        _check_row(to_row, len(cases), target)
        if row == to_row:
            return None
        edits = [Edit("move", ("sections", section, "cases"), before=row, after=to_row)]
    else:
        if len(target_cases) >= MAX_ROWS:
            raise EditError(f"{labels.section(to_section)}: これ以上行を追加できません（上限 {MAX_ROWS}行）")
        _check_row(to_row, len(target_cases) + 1, target)
        edits = [
            Edit("delete", ("sections", section, "cases", row), before=cases[row]),
            Edit("insert", ("sections", to_section, "cases", to_row), after=cases[row]),
        ]
    return Plan("move_case", f"{place}を{target}へ移動", edits)


def paste_cases(document: Json, labels: Labels, section: int, row: int, cases: Sequence[Case]) -> Plan | None:
    """Rows pasted from a spreadsheet: they replace the rows from `row` on, as one change."""
    current = _section(document, section, labels)["cases"]
    place = labels.row(section, row)
    _check_row(row, MAX_ROWS, place)
    if row + len(cases) > MAX_ROWS:
        raise EditError(f"{place}: 貼り付ける行が多すぎます（上限 {MAX_ROWS}行まで）")
    edits = _pad(section, current, row)
    for offset, case in enumerate(cases):
        index = row + offset
        after = _case_json(case, labels.row(section, index))
        if index < len(current):
            if current[index] != after:
                edits.append(Edit("set", ("sections", section, "cases", index), current[index], after))
        else:
            edits.append(Edit("insert", ("sections", section, "cases", index), after=after))
    if not edits:
        return None
    last = labels.row(section, row + len(cases) - 1).rsplit(" ", 1)[-1]
    return Plan("paste_cases", f"{place}〜{last}に{len(cases)}行を貼り付け", edits)


def import_cases(
    document: Json,
    labels: Labels,
    section: int,
    cases: Sequence[Case],
    *,
    replace: bool,
    source: str,
    replace_hint: str | None = None,
) -> Plan:
    """Cases read from a case list (CSV/XLSX) put into a section as one change: after its last filled
    row, or in place of its cases. Refused, changing nothing, when they would not fit (JB-3)."""
    sections = _sections(document)
    form_sections = labels.form.sections if labels.form is not None else None
    allowed = len(form_sections.labels) if form_sections is not None else MAX_SECTIONS
    if not isinstance(section, int) or isinstance(section, bool) or not 0 <= section < allowed:
        raise EditError(f"取り込み先の施設欄は1〜{allowed}の番号で指定してください（指定: {section + 1}）")
    label = labels.section(section)
    current: list[Json] = sections[section]["cases"] if section < len(sections) else []
    existing = [_validated_case(case, labels.row(section, row)) for row, case in enumerate(current)]
    problem = import_problem(
        label, existing, len(cases), replace=replace, rows=labels.rows(), replace_hint=replace_hint
    )
    if problem is not None:
        raise EditError(problem)
    start = import_start(existing, replace=replace)
    after = current[:start] + [
        _case_json(case, labels.row(section, start + n)) for n, case in enumerate(cases)
    ]
    edits = [
        Edit("insert", ("sections", index), after=empty_section())
        for index in range(len(sections), section + 1)
    ]
    edits.append(Edit("set", ("sections", section, "cases"), current, after))
    how = "置き換え" if replace else "追加"
    return Plan("import_cases", f"{label}に{source}から{len(cases)}件を取り込み（{how}）", edits)


def _validated_case(data: Json, place: str) -> Case:
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        raise EditError(f"{place}: {describe_validation_error(error)}") from None


# ---- accepted warnings (SPEC §5) ------------------------------------------------------------------


def _accepted_path(
    document: Json, labels: Labels, section: int, row: int | None
) -> tuple[tuple[Any, ...], Json]:
    current = _section(document, section, labels)
    if row is None:
        return ("sections", section, "accepted"), current["accepted"]
    _check_row(row, len(current["cases"]), labels.row(section, row))
    return ("sections", section, "cases", row), current["cases"][row]


def accept_warning(
    document: Json, labels: Labels, section: int, row: int | None, code: str, reason: str
) -> Plan | None:
    """Keep a warning with a reason (it travels into the PDF's remarks and the package)."""
    place = labels.section(section) if row is None else labels.row(section, row)
    check_length(reason, place)
    text = normalize_text(reason)
    if not text:
        raise EditError(f"{place}: 警告をそのままにする理由を入力してください")
    accepted = AcceptedWarning(code=code, reason=text).model_dump(mode="json")
    path, node = _accepted_path(document, labels, section, row)
    summary = f"{place}: 警告（{code}）を承知: {shown(accepted['reason'])}"
    if row is None:
        others = [item for item in node if item["code"] != code]
        after = [*others, accepted]
        return None if after == node else Plan("accept_warning", summary, [Edit("set", path, node, after)])
    others = [item for item in node["accepted"] if item["code"] != code]
    case_after = {**node, "accepted": [*others, accepted]}
    if case_after == node:
        return None
    return Plan("accept_warning", summary, [Edit("set", path, node, case_after)])


def withdraw_warning(document: Json, labels: Labels, section: int, row: int | None, code: str) -> Plan | None:
    place = labels.section(section) if row is None else labels.row(section, row)
    path, node = _accepted_path(document, labels, section, row)
    summary = f"{place}: 警告（{code}）の承知を取り消し"
    if row is None:
        after = [item for item in node if item["code"] != code]
        return None if after == node else Plan("withdraw_warning", summary, [Edit("set", path, node, after)])
    case_after = {**node, "accepted": [item for item in node["accepted"] if item["code"] != code]}
    if case_after == node:
        return None
    return Plan("withdraw_warning", summary, [Edit("set", path, node, case_after)])


# ---- whole documents ------------------------------------------------------------------------------


def describe_difference(current: Json, target: Json, labels: Labels, *, shown_at_most: int = 2) -> str:
    """What putting `target` in place of `current` changes, for the history (「申請2(1) No.3 診断名: 胃癌 →
    胃K ほか2件」): the first changes by place, then how many more."""
    changes: list[str] = []

    def place(path: tuple[str | int, ...]) -> str:
        match path:
            case ("sections", int(s), "cases", int(r), str(key), *_):
                return f"{labels.row(s, r)} {labels.field(key)}"
            case ("sections", int(s), "cases", *_):
                return f"{labels.section(s)} の行"
            case ("sections", int(s), str(key), *_):
                return f"{labels.section(s)} {labels.field(key)}"
            case ("reports", int(r), "narrative", str(key), *_) | ("reports", int(r), str(key), *_):
                return f"{labels.report(r)} {labels.report_field(key)}"
            case ("reports", *_):
                return "症例の並び"
            case ("applicant", str(key), *_):
                return labels.field(key)
        return "申請"

    def walk(a: Json, b: Json, path: tuple[str | int, ...]) -> None:
        if a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in [*a, *(k for k in b if k not in a)]:
                walk(a.get(key), b.get(key), (*path, key))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, (*path, index))
        elif isinstance(a, dict | list) or isinstance(b, dict | list):
            changes.append(f"{place(path)}を変更")
        else:
            key = next((str(part) for part in reversed(path) if isinstance(part, str)), "")
            changes.append(f"{place(path)}: {labels.value(key, a)} → {labels.value(key, b)}")

    walk(current, target, ())
    if not changes:
        return "変更なし"
    more = len(changes) - shown_at_most
    return "、".join(changes[:shown_at_most]) + (f" ほか{more}件" if more > 0 else "")


def replace_document(document: Json, target: Json, operation: str, summary: str) -> Plan | None:
    """The whole document at once (restoring an earlier state)."""
    if target == document:
        return None
    return Plan(operation, summary, [Edit("set", (), document, target)])
