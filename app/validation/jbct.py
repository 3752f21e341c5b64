"""The JBCT renewal rule set (SPEC §2.1, JB-1 … JB-14). Limits, lists and messages come from the form."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.models.text import text_problem
from app.validation.common import check_age, check_applicant_texts, check_text
from app.validation.diagnosis import check_diagnosis, check_pathology, normalize_diagnosis
from app.validation.privacy import check_privacy_jbct

if TYPE_CHECKING:
    from app.models.application import Application, Case, MonthRange, Section
    from app.models.yearmonth import YearMonth
    from app.validation.reporting import Reporter, RowReporter, Rule, ValidationContext

_WHICH = {"start": "開始", "end": "終了"}


@dataclass(frozen=True)
class _Window:
    """JB-1: the target period, ending at the application month (at most the form's latest end)."""

    start: YearMonth
    end: YearMonth


def _window(context: ValidationContext, application: Application) -> _Window:
    spec = context.form.target_window()
    month = application.applicant.application_month
    end = spec.latest_end if month is None else min(month, spec.latest_end)
    return _Window(spec.start, end)


def check_applicant(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JB-1, JB-14: the applicant's name, member number and application month."""
    check_applicant_texts(context, application, out)
    applicant = application.applicant
    month = applicant.application_month
    window = context.form.target_window()
    if month is None:
        out.add("applicant-missing", "error", field="application_month", label="申請年月")
    elif not window.start <= month <= window.latest_end:
        out.add(
            "application-month-outside-window",
            "error",
            field="application_month",
            month=month.display(),
            window_start=window.start.display(),
            window_end=window.latest_end.display(),
        )


def check_case_count(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JB-2: 20 to 25 cases over 申請2(1)+(2)+(3)."""
    counts = context.form.counts
    count = application.case_count()
    if count < counts.min:
        advice = f"あと{counts.min - count}例以上入力してください"
    elif count > counts.max:
        advice = f"{count - counts.max}例減らしてください（予備を含め{counts.max}例まで）"
    else:
        return
    out.add("case-count", "error", count=count, min=counts.min, max=counts.max, advice=advice)


def check_sections(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JB-3: sections used in order; 2(2)/2(3) only when 2(1) has fewer than 20 cases."""
    spec = context.form.sections
    assert spec is not None
    used = [section.is_used() for section in application.sections]
    for index, is_used in enumerate(used):
        if not is_used:
            continue
        if index >= len(spec.labels):
            out.add(
                "section-order",
                "error",
                section=index,
                message="section-too-many",
                labels="・".join(spec.labels),
                allowed=len(spec.labels),
                label=context.form.section_label(index),
            )
        elif not all(used[:index]):
            empty = next(i for i in range(index) if not used[i])
            out.add(
                "section-order",
                "error",
                section=index,
                label=spec.labels[index],
                previous=context.form.section_label(empty),
            )
    if not application.sections:
        return
    primary = len(application.sections[0].filled_cases())
    if primary >= context.form.counts.min:
        for index, section in enumerate(application.sections[1:], start=1):
            if used[index]:
                out.add(
                    "section-unneeded",
                    "warning",
                    section=index,
                    accepted=section.accepted_reason("section-unneeded"),
                    count=primary,
                    min=context.form.counts.min,
                    label=context.form.section_label(index),
                )


def check_facilities(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JB-4: each used section names a facility from the list, or one typed by hand."""
    spec = context.form.facility
    for index, section in enumerate(application.sections):
        if not section.is_used():
            continue
        facility = section.facility
        if (
            facility is None
            or (facility.manual and not facility.name)
            or (not facility.manual and not facility.cert_no)
        ):
            out.add(
                "facility-missing", "error", section=index, field="facility", manual_label=spec.manual_label
            )
            continue
        if facility.manual:
            if (problem := text_problem(facility.name, max_length=spec.max_length)) is not None:
                out.add(
                    "text-invalid", "error", section=index, field="facility", label="施設名", detail=problem
                )
        elif context.facilities is not None and not context.facilities.by_cert_no(facility.cert_no):
            out.add(
                "facility-unknown",
                "error",
                section=index,
                field="facility",
                cert_no=facility.cert_no,
                list_name=context.facilities.info.name,
            )


def _complete_ranges(section: Section) -> list[tuple[int, YearMonth, YearMonth]]:
    return [
        (index, period.start, period.end)
        for index, period in enumerate(section.enrollment)
        if period.start is not None and period.end is not None and period.start <= period.end
    ]


def _joined_ranges(section: Section) -> list[tuple[YearMonth, YearMonth]]:
    """JB-10: the section's complete enrollment ranges with those that overlap or touch (2023-12 and
    2024-01) joined into one, so a case may run from one range into the next."""
    joined: list[tuple[YearMonth, YearMonth]] = []
    for _, start, end in sorted(_complete_ranges(section), key=lambda item: item[1].ordinal):
        if joined and start.ordinal <= joined[-1][1].ordinal + 1:
            last_start, last_end = joined[-1]
            joined[-1] = (last_start, end if end.ordinal > last_end.ordinal else last_end)
        else:
            joined.append((start, end))
    return joined


def _is_blank(period: MonthRange) -> bool:
    return period.start is None and period.end is None


def check_enrollment(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JB-5: one or more 施設在籍期間, each ordered, inside the target period, none overlapping."""
    window = _window(context, application)
    for index, section in enumerate(application.sections):
        if not section.is_used() and not section.enrollment:
            continue
        if all(_is_blank(period) for period in section.enrollment):
            if section.is_used():
                out.add("enrollment-missing", "error", section=index, field="enrollment")
            continue
        for number, period in enumerate(section.enrollment, start=1):
            if _is_blank(period):
                continue
            if period.start is None or period.end is None:
                which = _WHICH["start" if period.start is None else "end"]
                out.add(
                    "enrollment-missing",
                    "error",
                    section=index,
                    field="enrollment",
                    message="enrollment-incomplete",
                    index=number,
                    which=which,
                )
                continue
            start, end = period.start.display(), period.end.display()
            if period.start > period.end:
                out.add(
                    "enrollment-order",
                    "error",
                    section=index,
                    field="enrollment",
                    index=number,
                    start=start,
                    end=end,
                )
            elif period.start < window.start or period.end > window.end:
                out.add(
                    "enrollment-outside-window",
                    "error",
                    section=index,
                    field="enrollment",
                    index=number,
                    start=start,
                    end=end,
                    window_start=window.start.display(),
                    window_end=window.end.display(),
                )
        ranges = _complete_ranges(section)
        for position, (later, start_b, end_b) in enumerate(ranges):
            for earlier, start_a, end_a in ranges[:position]:
                if start_a <= end_b and start_b <= end_a:
                    out.add(
                        "enrollment-overlap",
                        "error",
                        section=index,
                        field="enrollment",
                        index=later + 1,
                        start=start_b.display(),
                        end=end_b.display(),
                        other=earlier + 1,
                        other_start=start_a.display(),
                        other_end=end_a.display(),
                    )
                    break


def _check_text_fields(context: ValidationContext, case: Case, out: RowReporter) -> None:
    """JB-14: control characters and lengths of every text a case holds."""
    for key in ("item_other", "diagnosis", "pathology", "note"):
        check_text(context.form.field(key), getattr(case, key), out)


def _check_case(
    context: ValidationContext,
    application: Application,
    window: _Window,
    section_index: int,
    section: Section,
    ranges: list[tuple[YearMonth, YearMonth]],
    case: Case,
    out: RowReporter,
) -> None:
    form = context.form

    # JB-7
    check_age(form.field("age"), case.age, out)

    # JB-8
    if case.sex is None:
        out.add("sex-missing", "error", field="sex")

    # JB-9
    items = form.choices["items"]
    if not case.item:
        out.add("item-missing", "error", field="item")
    elif (choice := items.by_value(case.item)) is None:
        out.add("item-unknown", "error", field="item", item=case.item)
    else:
        if choice.requires_text and not case.item_other:
            out.add("item-other-text-missing", "error", field="item_other")
        if choice.dental_only and not application.applicant.dental:
            out.add("item-oral-care-not-dental", "error", field="item")

    # JB-10
    if case.start is None or case.end is None:
        for key in ("start", "end"):
            if getattr(case, key) is None:
                out.add("period-missing", "error", field=key, which=_WHICH[key])
    elif case.start > case.end:
        out.add("period-order", "error", field="start", start=case.start.display(), end=case.end.display())
    else:
        outside = False
        if case.start < window.start:
            outside = True
            out.add(
                "period-before-window",
                "error",
                field="start",
                start=case.start.display(),
                window_start=window.start.display(),
            )
        if case.end > window.end:
            outside = True
            out.add(
                "period-after-application",
                "error",
                field="end",
                end=case.end.display(),
                limit=window.end.display(),
            )
        if not outside and ranges and not any(s <= case.start and case.end <= e for s, e in ranges):
            out.add(
                "period-outside-enrollment",
                "error",
                field="start",
                start=case.start.display(),
                end=case.end.display(),
                label=form.section_label(section_index),
            )

    # JB-11, JB-12
    if not case.diagnosis:
        out.add("diagnosis-missing", "error", field="diagnosis")
    else:
        for finding in check_diagnosis(case.diagnosis, dental=application.applicant.dental):
            out.add(
                finding.code,
                finding.severity,
                field="diagnosis",
                detail=finding.message,
                accepted=case.accepted_reason(finding.code),
            )

    # JB-13
    if not case.pathology:
        out.add("pathology-missing", "error", field="pathology")
    else:
        for finding in check_pathology(case.pathology):
            out.add(
                finding.code,
                finding.severity,
                field="pathology",
                message="pathology-abbreviation",
                detail=finding.message,
                accepted=case.accepted_reason(finding.code),
            )

    _check_text_fields(context, case, out)


def check_cases(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JB-7 … JB-14, row by row."""
    window = _window(context, application)
    for section_index, section in enumerate(application.sections):
        ranges = _joined_ranges(section)  # once per section, not per case (a cell edit revalidates all 75)
        for row, case in section.filled_cases():
            _check_case(
                context,
                application,
                window,
                section_index,
                section,
                ranges,
                case,
                out.at_row(section_index, row),
            )


def check_duplicates(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JB-6: one case per patient. Same sex, age within 1, same diagnosis and overlapping periods look
    like the same patient: a warning on the later row."""
    groups: defaultdict[tuple[str, str], list[tuple[int, int, Case]]] = defaultdict(list)
    for section_index, section in enumerate(application.sections):
        for row, case in section.filled_cases():
            if case.sex and case.age is not None and case.diagnosis and case.start and case.end:
                groups[(case.sex, normalize_diagnosis(case.diagnosis))].append((section_index, row, case))
    for members in groups.values():
        for position, (section_index, row, case) in enumerate(members):
            for other_section, other_row, other in members[:position]:
                assert case.age is not None and other.age is not None
                assert case.start and case.end and other.start and other.end
                if abs(case.age - other.age) <= 1 and case.start <= other.end and other.start <= case.end:
                    out.add(
                        "duplicate-patient",
                        "warning",
                        section=section_index,
                        row=row,
                        field="diagnosis",
                        accepted=case.accepted_reason("duplicate-patient"),
                        other=other_row + 1,
                        other_place=context.form.section_label(other_section),
                    )
                    break


RULES: list[Rule] = [
    check_applicant,
    check_case_count,
    check_sections,
    check_facilities,
    check_enrollment,
    check_cases,
    check_duplicates,
    check_privacy_jbct,
]
