"""Operations on the applicant and the facility sections of a form laid out in sections (JBCT): 申請者の
項目, a section's facility (JB-4), sections added and removed (JB-3), enrollment periods (JB-5).

Each reads its input the way a person types it (app.models.text: full-width digits, R6.5 …), refuses what
cannot be read with an `EditError` that names the place, and describes the change in one Japanese line
for the history. `EnsureSection` and `SetEnrollment` are composites: one change (one undo step) however
many edits they make.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from app.models.application import Applicant, FacilityChoice, MonthRange, Section
from app.models.facility import Facility
from app.operations.errors import EditError
from app.operations.patch import Edit
from app.operations.plan import (
    MAX_ENROLLMENTS,
    MAX_SECTIONS,
    FieldValue,
    Labels,
    Operation,
    Plan,
    check_index,
    check_length,
    read_value,
    shown,
    stored,
    validated,
)
from app.operations.typed import apply_edits

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import Application
    from app.operations.patch import Json

APPLICANT_FIELDS: Final = ("name", "member_id", "dental", "application_month")


def empty_section() -> Json:
    return {"facility": None, "enrollment": [], "cases": [], "accepted": []}


def section_of(application: Application, index: int, labels: Labels) -> Section:
    sections = application.sections
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(sections):
        raise EditError(f"{labels.section(index)}はありません（施設は{len(sections)}件です）")
    return sections[index]


# ---- applicant and facility -----------------------------------------------------------------------


@dataclass(frozen=True)
class SetApplicantField:
    """申請者の項目（氏名 name、会員番号 member_id、歯科口腔外科 dental、申請年月 application_month）."""

    key: str
    value: FieldValue

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        key = self.key
        place = labels.field(key)
        if key not in APPLICANT_FIELDS:
            raise EditError(f"申請者の項目「{key}」はありません")
        before = stored(application.applicant)
        after = validated(Applicant, {**before, key: read_value(labels.form, key, self.value, place)}, place)
        if after == before:
            return None
        return Plan(
            "set_applicant_field",
            f"{place}: {labels.value(key, before.get(key))} → {labels.value(key, after.get(key))}",
            [Edit("set", ("applicant",), before, after)],
        )


@dataclass(frozen=True)
class SetFacility:
    """JB-4: the section's facility, picked from the list (a `Facility`), typed (a `FacilityChoice` with
    `manual=True`), or None to clear it."""

    section: int
    facility: FacilityChoice | Facility | None

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        current = section_of(application, self.section, labels)
        place = f"{labels.section(self.section)} {labels.facility()}"
        after: Json = None
        if isinstance(self.facility, Facility):
            data: Json = {"cert_no": self.facility.cert_no, "name": self.facility.name, "manual": False}
        elif self.facility is not None:
            data = stored(self.facility)
        if self.facility is not None:
            for key in ("cert_no", "name"):
                check_length(data[key], place)
            after = validated(FacilityChoice, data, place)
        before = stored(current.facility)
        if after == before:
            return None
        if after is None:
            label = "（空）"
        elif after["manual"]:
            label = f"{after['name']}（手入力）"
        else:
            label = f"{after['name']}（{after['cert_no']}）"
        return Plan(
            "set_facility",
            f"{place}: {label}",
            [Edit("set", ("sections", self.section, "facility"), before, after)],
        )


# ---- sections -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddSection:
    """One more facility section (申請2(2), 2(3) …) at the end."""

    def plan(self, application: Application, labels: Labels) -> Plan:
        index = len(application.sections)
        if index >= MAX_SECTIONS:
            raise EditError(f"施設はこれ以上追加できません（上限 {MAX_SECTIONS}）")
        return Plan(
            "add_section",
            f"{labels.section(index)}を追加",
            [Edit("insert", ("sections", index), after=empty_section())],
        )


@dataclass(frozen=True)
class RemoveSection:
    section: int

    def plan(self, application: Application, labels: Labels) -> Plan:
        current = section_of(application, self.section, labels)
        return Plan(
            "remove_section",
            f"{labels.section(self.section)}を削除（症例{len(current.cases)}行）",
            [Edit("delete", ("sections", self.section), before=stored(current))],
        )


@dataclass(frozen=True)
class EnsureSection:
    """`then` on section `section`, adding the sections up to it first when they are missing (the window
    shows 申請2(2) before it exists): one change, one undo step, named as `then` names it."""

    section: int
    then: Operation

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        missing = range(len(application.sections), self.section + 1)
        if self.section >= MAX_SECTIONS:
            raise EditError(f"施設はこれ以上追加できません（上限 {MAX_SECTIONS}）")
        added = [Edit("insert", ("sections", index), after=empty_section()) for index in missing]
        inner = self.then.plan(apply_edits(application, added) if added else application, labels)
        if inner is None:
            return None
        return Plan(inner.operation, inner.summary, [*added, *inner.edits], inner.records)


# ---- enrollment periods (JB-5) --------------------------------------------------------------------


def _month_range(labels: Labels, start: FieldValue, end: FieldValue, place: str) -> Json:
    data = {
        "start": read_value(labels.form, "start", start, place),
        "end": read_value(labels.form, "end", end, place),
    }
    return validated(MonthRange, data, place)


def _enrollment_place(labels: Labels, section: int) -> str:
    return f"{labels.section(section)} 施設在籍期間"


@dataclass(frozen=True)
class AddEnrollment:
    """A 施設在籍期間 appended to the section (JB-5); months as typed (2022/04, R4.4 …) or YearMonth."""

    section: int
    start: FieldValue = None
    end: FieldValue = None

    def plan(self, application: Application, labels: Labels) -> Plan:
        periods = section_of(application, self.section, labels).enrollment
        place = _enrollment_place(labels, self.section)
        if len(periods) >= MAX_ENROLLMENTS:
            raise EditError(f"{place}: これ以上追加できません（上限 {MAX_ENROLLMENTS}件）")
        value = _month_range(labels, self.start, self.end, place)
        return Plan(
            "add_enrollment",
            f"{place}を追加: {shown(value['start'])}〜{shown(value['end'])}",
            [Edit("insert", ("sections", self.section, "enrollment", len(periods)), after=value)],
        )


@dataclass(frozen=True)
class ChangeEnrollment:
    """The `index`-th 施設在籍期間 of the section, replaced."""

    section: int
    index: int
    start: FieldValue
    end: FieldValue

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        periods = section_of(application, self.section, labels).enrollment
        place = f"{_enrollment_place(labels, self.section)} {self.index + 1}"
        check_index(self.index, len(periods), place)
        before = stored(periods[self.index])
        after = _month_range(labels, self.start, self.end, place)
        if after == before:
            return None
        return Plan(
            "set_enrollment",
            f"{place}: {shown(after['start'])}〜{shown(after['end'])}",
            [Edit("set", ("sections", self.section, "enrollment", self.index), before, after)],
        )


@dataclass(frozen=True)
class RemoveEnrollment:
    section: int
    index: int

    def plan(self, application: Application, labels: Labels) -> Plan:
        periods = section_of(application, self.section, labels).enrollment
        place = f"{_enrollment_place(labels, self.section)} {self.index + 1}"
        check_index(self.index, len(periods), place)
        return Plan(
            "remove_enrollment",
            f"{place}を削除",
            [
                Edit(
                    "delete",
                    ("sections", self.section, "enrollment", self.index),
                    before=stored(periods[self.index]),
                )
            ],
        )


@dataclass(frozen=True)
class SetEnrollment:
    """The section's 施設在籍期間 become `ranges` (the window's period editor): the periods that differ are
    replaced, added or removed, as one change."""

    section: int
    ranges: Sequence[MonthRange]

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        current = section_of(application, self.section, labels).enrollment
        steps: list[Operation] = []
        for index, period in enumerate(self.ranges):
            if index >= len(current):
                steps.append(AddEnrollment(self.section, period.start, period.end))
            elif current[index] != period:
                steps.append(ChangeEnrollment(self.section, index, period.start, period.end))
        steps += [
            RemoveEnrollment(self.section, index)
            for index in range(len(current) - 1, len(self.ranges) - 1, -1)
        ]
        plans = sequence(application, labels, steps)
        if not plans:
            return None
        if len(plans) == 1:
            return plans[0]
        periods = "、".join(f"{shown(str(p.start or ''))}〜{shown(str(p.end or ''))}" for p in self.ranges)
        summary = f"{_enrollment_place(labels, self.section)}: {periods or '（なし）'}"
        return Plan("set_enrollment", summary, [edit for plan in plans for edit in plan.edits])


def sequence(application: Application, labels: Labels, steps: Sequence[Operation]) -> list[Plan]:
    """The plans of `steps`, each planned on the application as the ones before it leave it."""
    plans: list[Plan] = []
    for step in steps:
        plan = step.plan(application, labels)
        if plan is not None:
            plans.append(plan)
            application = apply_edits(application, plan.edits)
    return plans
