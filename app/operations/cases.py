"""Operations on the case rows of a form laid out in sections (JBCT, JB-6 … JB-14): one cell, rows inserted,
deleted, moved and pasted, a case list imported, and the warnings kept with a reason (SPEC §5).

A row past the last one is created with blank rows before it, as editing an empty numbered line of the
form does. `SetCells` (what the grid commits: one cell, or a paste or Delete over several) and
`ImportCases` are one change each, however many rows they touch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from app.models.application import AcceptedWarning, Case
from app.models.forms import CASE_ATTRIBUTES
from app.models.text import normalize_text
from app.operations.errors import EditError
from app.operations.patch import Edit
from app.operations.plan import (
    MAX_ROWS,
    MAX_SECTIONS,
    FieldValue,
    Labels,
    Plan,
    check_index,
    check_length,
    read_value,
    shown,
    stored,
    validated,
)
from app.operations.rows import apply_cell_edits, import_problem, import_start
from app.operations.sections import EnsureSection, empty_section, section_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import Application
    from app.models.cells import CellEdit
    from app.operations.patch import Json

CASE_FIELDS: Final = CASE_ATTRIBUTES

_TEXT_FIELDS: Final = frozenset({"item", "item_other", "diagnosis", "pathology", "note"})


def blank_case() -> Json:
    return Case().model_dump(mode="json")


def _pad(section: int, count: int, upto: int) -> list[Edit]:
    """Blank rows from `count` up to (not including) `upto`: editing an empty numbered row creates it."""
    return [
        Edit("insert", ("sections", section, "cases", index), after=blank_case())
        for index in range(count, upto)
    ]


def _case_json(case: Case | None, place: str) -> Json:
    if case is None:
        return blank_case()
    data = stored(case)
    for key in _TEXT_FIELDS:
        check_length(data[key], place)
    return validated(Case, data, place)


@dataclass(frozen=True)
class SetCaseField:
    """One cell (0-based section and row): `value` as typed (「６５歳」, 「男性」, 「R6.5」) or a typed value.
    A row past the last is created (with blank rows before it)."""

    section: int
    row: int
    key: str
    value: FieldValue

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        section, row, key = self.section, self.row, self.key
        cases = section_of(application, section, labels).cases
        place = labels.row(section, row)
        check_index(row, MAX_ROWS, place)
        if key not in CASE_FIELDS:
            raise EditError(f"{place}: 症例の項目「{key}」はありません")
        place = f"{place} {labels.field(key)}"
        value = read_value(labels.form, key, self.value, place)
        before = stored(cases[row]) if row < len(cases) else blank_case()
        after = validated(Case, {**before, key: value}, place)
        if after == before:
            return None
        summary = f"{place}: {labels.value(key, before.get(key))} → {labels.value(key, after.get(key))}"
        path = ("sections", section, "cases", row)
        if row < len(cases):
            return Plan("set_case_field", summary, [Edit("set", path, before, after)])
        return Plan(
            "set_case_field", summary, [*_pad(section, len(cases), row), Edit("insert", path, after=after)]
        )


@dataclass(frozen=True)
class InsertCase:
    """A row (blank, or `case`) inserted before `row`; `row` = the number of rows appends. With `pad`, a
    row past that is allowed: blank rows fill the section up to it first (inserting on an empty numbered
    line of the grid), in the same change."""

    section: int
    row: int
    case: Case | None = None
    pad: bool = False

    def plan(self, application: Application, labels: Labels) -> Plan:
        section, row = self.section, self.row
        cases = section_of(application, section, labels).cases
        place = labels.row(section, row)
        if len(cases) >= MAX_ROWS:
            raise EditError(f"{labels.section(section)}: これ以上行を追加できません（上限 {MAX_ROWS}行）")
        check_index(row, MAX_ROWS if self.pad else len(cases) + 1, place)
        edits = _pad(section, len(cases), row)
        edits.append(Edit("insert", ("sections", section, "cases", row), after=_case_json(self.case, place)))
        return Plan("insert_case", f"{place}に行を挿入", edits)


@dataclass(frozen=True)
class DeleteCase:
    section: int
    row: int

    def plan(self, application: Application, labels: Labels) -> Plan:
        cases = section_of(application, self.section, labels).cases
        place = labels.row(self.section, self.row)
        check_index(self.row, len(cases), place)
        case = cases[self.row]
        detail = f"（{shown(case.diagnosis)}）" if case.diagnosis else ""
        return Plan(
            "delete_case",
            f"{place}の行を削除{detail}",
            [Edit("delete", ("sections", self.section, "cases", self.row), before=stored(case))],
        )


@dataclass(frozen=True)
class MoveCase:
    """A row moved to `to_row` (its index after the move), in the same section or another one."""

    section: int
    row: int
    to_section: int
    to_row: int

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        section, row, to_section, to_row = self.section, self.row, self.to_section, self.to_row
        cases = section_of(application, section, labels).cases
        target_cases = section_of(application, to_section, labels).cases
        place = labels.row(section, row)
        check_index(row, len(cases), place)
        target = labels.row(to_section, to_row)
        if section == to_section:
            check_index(to_row, len(cases), target)
            if row == to_row:
                return None
            edits = [Edit("move", ("sections", section, "cases"), before=row, after=to_row)]
        else:
            if len(target_cases) >= MAX_ROWS:
                raise EditError(
                    f"{labels.section(to_section)}: これ以上行を追加できません（上限 {MAX_ROWS}行）"
                )
            check_index(to_row, len(target_cases) + 1, target)
            moved = stored(cases[row])
            edits = [
                Edit("delete", ("sections", section, "cases", row), before=moved),
                Edit("insert", ("sections", to_section, "cases", to_row), after=moved),
            ]
        return Plan("move_case", f"{place}を{target}へ移動", edits)


@dataclass(frozen=True)
class PasteCases:
    """Rows pasted from a spreadsheet: they replace the rows from `row` on, as one change."""

    section: int
    row: int
    cases: Sequence[Case]

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        section, row, cases = self.section, self.row, self.cases
        current = section_of(application, section, labels).cases
        place = labels.row(section, row)
        check_index(row, MAX_ROWS, place)
        if row + len(cases) > MAX_ROWS:
            raise EditError(f"{place}: 貼り付ける行が多すぎます（上限 {MAX_ROWS}行まで）")
        edits = _pad(section, len(current), row)
        for offset, case in enumerate(cases):
            index = row + offset
            after = _case_json(case, labels.row(section, index))
            if index < len(current):
                before = stored(current[index])
                if before != after:
                    edits.append(Edit("set", ("sections", section, "cases", index), before, after))
            else:
                edits.append(Edit("insert", ("sections", section, "cases", index), after=after))
        if not edits:
            return None
        last = labels.row(section, row + len(cases) - 1).rsplit(" ", 1)[-1]
        return Plan("paste_cases", f"{place}〜{last}に{len(cases)}行を貼り付け", edits)


@dataclass(frozen=True)
class SetCells:
    """Cells from the grid, all in one section: one cell as one cell, several (a paste, Delete over a
    selection) as rows pasted; sections up to it are added when missing. One change either way."""

    edits: Sequence[CellEdit]

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        if not self.edits:
            return None
        section = self.edits[0].section
        if any(edit.section != section for edit in self.edits):
            raise EditError("複数の施設欄にまたがる変更は一度にできません")
        if len(self.edits) == 1:
            one = self.edits[0]
            return EnsureSection(section, SetCaseField(section, one.row, one.key, one.value)).plan(
                application, labels
            )
        return EnsureSection(section, _PasteCells(self.edits)).plan(application, labels)


@dataclass(frozen=True)
class _PasteCells:
    edits: Sequence[CellEdit]

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        section = self.edits[0].section
        changed = apply_cell_edits(application, self.edits)
        first = min(edit.row for edit in self.edits)
        last = max(edit.row for edit in self.edits)
        return PasteCases(section, first, changed.sections[section].cases[first : last + 1]).plan(
            application, labels
        )


@dataclass(frozen=True)
class ImportCases:
    """Cases read from a case list (CSV/XLSX) put into a section (created when missing) as one change:
    after its last filled row, or in place of its cases. Refused, changing nothing, when they would not
    fit (JB-3). `source` names the file in the history; `replace_hint` says how to replace instead."""

    section: int
    cases: Sequence[Case]
    replace: bool
    source: str
    replace_hint: str | None = None

    def plan(self, application: Application, labels: Labels) -> Plan:
        section, cases = self.section, self.cases
        sections = application.sections
        form_sections = labels.form.sections if labels.form is not None else None
        allowed = len(form_sections.labels) if form_sections is not None else MAX_SECTIONS
        if not isinstance(section, int) or isinstance(section, bool) or not 0 <= section < allowed:
            raise EditError(
                f"取り込み先の施設欄は1〜{allowed}の番号で指定してください（指定: {section + 1}）"
            )
        label = labels.section(section)
        existing = sections[section].cases if section < len(sections) else []
        problem = import_problem(
            label,
            existing,
            len(cases),
            replace=self.replace,
            rows=labels.rows(),
            replace_hint=self.replace_hint,
        )
        if problem is not None:
            raise EditError(problem)
        start = import_start(existing, replace=self.replace)
        current = [stored(case) for case in existing]
        after = current[:start] + [
            _case_json(case, labels.row(section, start + n)) for n, case in enumerate(cases)
        ]
        edits = [
            Edit("insert", ("sections", index), after=empty_section())
            for index in range(len(sections), section + 1)
        ]
        edits.append(Edit("set", ("sections", section, "cases"), current, after))
        how = "置き換え" if self.replace else "追加"
        return Plan("import_cases", f"{label}に{self.source}から{len(cases)}件を取り込み（{how}）", edits)


# ---- accepted warnings (SPEC §5) ------------------------------------------------------------------


def _accepted_place(
    application: Application, labels: Labels, section: int, row: int | None
) -> tuple[tuple[Any, ...], Json, list[Json]]:
    """Where the accepted warnings are (the section's, or a case row's), the node the edit replaces, and
    the accepted warnings in it."""
    current = section_of(application, section, labels)
    if row is None:
        node = [stored(item) for item in current.accepted]
        return ("sections", section, "accepted"), node, node
    check_index(row, len(current.cases), labels.row(section, row))
    case = stored(current.cases[row])
    return ("sections", section, "cases", row), case, case["accepted"]


def _with_accepted(node: Json, row: int | None, accepted: list[Json]) -> Json:
    return accepted if row is None else {**node, "accepted": accepted}


@dataclass(frozen=True)
class AcceptWarning:
    """Keep warning `code` at a section (row None) or a case row, with the user's reason (it travels into
    the PDF's remarks and the package)."""

    section: int
    row: int | None
    code: str
    reason: str

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        place = labels.section(self.section) if self.row is None else labels.row(self.section, self.row)
        check_length(self.reason, place)
        text = normalize_text(self.reason)
        if not text:
            raise EditError(f"{place}: 警告をそのままにする理由を入力してください")
        accepted = AcceptedWarning(code=self.code, reason=text).model_dump(mode="json")
        path, node, items = _accepted_place(application, labels, self.section, self.row)
        after = _with_accepted(node, self.row, [*(i for i in items if i["code"] != self.code), accepted])
        if after == node:
            return None
        summary = f"{place}: 警告（{self.code}）を承知: {shown(accepted['reason'])}"
        return Plan("accept_warning", summary, [Edit("set", path, node, after)])


@dataclass(frozen=True)
class WithdrawWarning:
    section: int
    row: int | None
    code: str

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        place = labels.section(self.section) if self.row is None else labels.row(self.section, self.row)
        path, node, items = _accepted_place(application, labels, self.section, self.row)
        after = _with_accepted(node, self.row, [i for i in items if i["code"] != self.code])
        if after == node:
            return None
        return Plan(
            "withdraw_warning",
            f"{place}: 警告（{self.code}）の承知を取り消し",
            [Edit("set", path, node, after)],
        )
