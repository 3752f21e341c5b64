"""The JSPM case-report rule set (SPEC §2.2, JS-1 … JS-7). Counts, categories, limits and messages come
from the form data; an empty numbered line of the list (未登録, nothing entered) is not yet a case.

Issues of a case report carry `section=None` and `row` = its 番号 (1-based).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from app.models.approval import report_hash
from app.models.text import text_problem
from app.validation.common import check_age, check_applicant_texts, check_text
from app.validation.privacy import check_privacy_jspm

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from app.models.application import Application, CaseReport
    from app.models.forms import Choice, FormDefinition
    from app.validation.issue import Issue
    from app.validation.reporting import Reporter, RowReporter, Rule, ValidationContext

Status = Literal["未登録", "未承認", "承認依頼中", "承認", "非承認", "承認無効"]
"""JS-6 as the society's list shows it, plus 承認無効: approved, but the content changed since (only a
document edited outside Shorei can get there; the store refuses to edit an approved case)."""

APPROVAL_CODES: Final = frozenset(
    {
        "not-approved",
        "supervisor-self",
        "supervisor-period-mismatch",
        "supervisor-qualification",
        "message-too-long",
        "approval-reused",
    }
)
"""Codes about the approval, not the case's content: they do not make a case 未登録."""

_WHICH: Final = {"start": "開始", "end": "終了"}
_STATE_STATUS: Final[dict[str, Status]] = {
    "requested": "承認依頼中",
    "approved": "承認",
    "rejected": "非承認",
}
_STATE_ADVICE: Final = {
    None: "未承認です。指導者を選んで「承認依頼をする」で承認を依頼してください",
    "requested": "承認依頼中です。指導者の結果ファイルを「承認結果を取り込む」で取り込んでください",
    "rejected": "非承認です。指導者のコメントに沿って修正し、再度承認依頼をしてください",
}


def _day(value: dt.date) -> str:
    return value.strftime("%Y/%m/%d")


def _inside(start: dt.date, end: dt.date, first: dt.date | None, last: dt.date | None) -> bool:
    return (first is None or first <= start) and (last is None or end <= last)


def check_applicant(context: ValidationContext, application: Application, out: Reporter) -> None:
    check_applicant_texts(context, application, out)


def check_case_count(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JS-2: the number of cases the form asks for (20 for 専門医新規申請, exactly 7 for 移行申請)."""
    counts = context.form.counts
    count = application.case_count()
    rule = f"{counts.min}例" if counts.min == counts.max else f"{counts.min}〜{counts.max}例"
    if count < counts.min:
        advice = f"あと{counts.min - count}例入力してください"
    elif count > counts.max:
        advice = f"{count - counts.max}例減らしてください"
    else:
        return
    out.add("case-count", "error", count=count, count_rule=rule, advice=advice)


@dataclass(frozen=True)
class CategoryCount:
    """How one category of the form's coverage stands (JS-2): its choice, its cases, and whether that is
    enough ("ok"), too few ("missing") or, where the form caps it, too many ("over")."""

    choice: Choice
    count: int
    state: Literal["ok", "missing", "over"]


def coverage_counts(form: FormDefinition, application: Application) -> list[CategoryCount]:
    """Each category the form's `[coverage]` counts (その他 is not one of the seven), in the form's order;
    empty for a form without coverage. The rule and the window's coverage panel both read this."""
    coverage = form.coverage
    if coverage is None:
        return []
    counted = Counter(report.category for report in application.reports if not report.is_blank())
    result: list[CategoryCount] = []
    for option in form.choices[coverage.choices].options:
        if not option.counts_for_coverage:
            continue
        count = counted[option.value]
        if count < coverage.min_each:
            state: Literal["ok", "missing", "over"] = "missing"
        elif coverage.max_each is not None and count > coverage.max_each:
            state = "over"
        else:
            state = "ok"
        result.append(CategoryCount(option, count, state))
    return result


def check_coverage(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JS-2: every one of the seven categories at least `min_each` times, and at most `max_each` when the
    form says so (移行申請: one each)."""
    coverage = context.form.coverage
    for category in coverage_counts(context.form, application):
        if category.state == "ok" or coverage is None:
            continue
        if category.state == "missing":
            problem = "ありません" if category.count == 0 else f"{category.count}例しかありません"
            advice = f"この区分の症例を{coverage.min_each}例以上入れてください"
        else:
            problem = f"{category.count}例あります"
            advice = f"1区分{coverage.max_each}例までです。他の区分の症例に差し替えてください"
        out.add(
            "category-coverage",
            "error",
            field="category",
            category=category.choice.label,
            problem=problem,
            advice=advice,
        )


def _check_facility(context: ValidationContext, report: CaseReport, out: RowReporter) -> None:
    """JS-3: the 診療施設 entry, from the list (with its kind and period) or typed by hand."""
    spec = context.form.facility
    facility = report.facility
    if facility is None or not facility.name or (not facility.manual and not facility.cert_no):
        out.add("facility-missing", "error", field="facility", manual_label=spec.manual_label)
        return
    if facility.manual:
        if (problem := text_problem(facility.name, max_length=spec.max_length)) is not None:
            out.add("text-invalid", "error", field="facility", label=spec.label, detail=problem)
        return
    if context.facilities is None:
        return
    entries = context.facilities.by_cert_no(facility.cert_no)
    if not any(
        entry.kind == facility.kind
        and entry.cert_start == facility.cert_start
        and entry.cert_end == facility.cert_end
        for entry in entries
    ):
        period = "・".join(
            _day(value) for value in (facility.cert_start, facility.cert_end) if value is not None
        )
        detail = "、".join(part for part in (f"認定番号 {facility.cert_no}", facility.kind, period) if part)
        out.add(
            "facility-unknown",
            "error",
            field="facility",
            name=facility.name,
            detail=detail,
            list_name=context.facilities.info.name,
        )


def _check_period(report: CaseReport, out: RowReporter) -> None:
    """JS-4: 主に緩和医療を提供した期間, inside the chosen facility entry's certification period."""
    if report.start is None or report.end is None:
        for key in ("start", "end"):
            if getattr(report, key) is None:
                out.add("period-missing", "error", field=key, which=_WHICH[key])
        return
    if report.start > report.end:
        out.add("period-order", "error", field="start", start=_day(report.start), end=_day(report.end))
        return
    facility = report.facility
    if facility is None or facility.manual or (facility.cert_start is None and facility.cert_end is None):
        return
    if not _inside(report.start, report.end, facility.cert_start, facility.cert_end):
        out.add(
            "period-outside-facility-certification",
            "error",
            field="start",
            start=_day(report.start),
            end=_day(report.end),
            name=facility.name,
            cert_start=_day(facility.cert_start) if facility.cert_start else "",
            cert_end=_day(facility.cert_end) if facility.cert_end else "",
        )


def _check_approval(
    context: ValidationContext, application: Application, report: CaseReport, out: RowReporter
) -> None:
    """JS-5, JS-6, JS-7: who may approve, the 通信欄, and whether the case is approved as it stands."""
    spec = context.form.approval
    if spec is None or not spec.required:
        return
    approval = report.approval
    if approval is not None:
        supervisor = approval.supervisor
        if supervisor.member_id == application.applicant.member_id:
            out.add("supervisor-self", "error", field="approval", member_id=supervisor.member_id)
        if spec.supervisor_kinds and supervisor.qualification not in spec.supervisor_kinds:
            out.add(
                "supervisor-qualification",
                "error",
                field="approval",
                supervisor=supervisor.name,
                qualification=supervisor.qualification,
                kinds="、".join(spec.supervisor_kinds),
            )
        if (
            report.start is not None
            and report.end is not None
            and not _inside(report.start, report.end, supervisor.cert_start, supervisor.cert_end)
        ):
            out.add(
                "supervisor-period-mismatch",
                "error",
                field="approval",
                start=_day(report.start),
                end=_day(report.end),
                supervisor=supervisor.name,
                cert_start=_day(supervisor.cert_start),
                cert_end=_day(supervisor.cert_end),
            )
        if len(approval.message) > spec.message_max_length:
            out.add(
                "message-too-long",
                "error",
                field="approval",
                max=spec.message_max_length,
                length=len(approval.message),
            )
    if approval is not None and approval.state == "approved":
        if approval.content_hash != _current_hash(report):
            out.add(
                "not-approved",
                "error",
                field="approval",
                detail="承認後に症例の内容が変わっているため、承認は無効です。「削除して再依頼」で再度承認依頼をしてください",
            )
        return
    state = None if approval is None else approval.state
    # A form may word the advice its own way (the command line names its commands, not buttons).
    advice = context.form.messages.get(f"not-approved-{state or 'unrequested'}", _STATE_ADVICE[state])
    out.add("not-approved", "error", field="approval", detail=advice)


def _current_hash(report: CaseReport) -> str | None:
    """The content hash, or None for content no signature can hold (the loaders refuse it; a document
    built in memory may still carry it, and validation must name it, never raise)."""
    try:
        return report_hash(report)
    except ValueError:
        return None


def check_reports(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JS-1, JS-3 … JS-7, case by case (an empty numbered line is skipped: it is not a case yet)."""
    form = context.form
    categories = form.choices[form.field("category").choices or "categories"]
    for row, report in enumerate(application.reports):
        if report.is_blank():
            continue
        at = out.at_row(None, row)
        # JS-1
        if not report.category:
            at.add("category-missing", "error", field="category")
        elif categories.by_value(report.category) is None:
            at.add(
                "category-missing",
                "error",
                field="category",
                message="category-unknown",
                category=report.category,
            )
        _check_facility(context, report, at)
        _check_period(report, at)
        check_age(form.field("age"), report.age, at)
        if report.sex is None:
            at.add("sex-missing", "error", field="sex")
        if not report.diagnosis:
            at.add("diagnosis-missing", "error", field="diagnosis")
        for key in ("diagnosis", "note"):
            check_text(form.field(key), getattr(report, key), at)
        known = {spec.key for spec in form.narrative_fields()}
        for key in sorted(set(report.narrative) - known):
            # Text the 指導者 and the printout never show must not travel (and be approved) unseen.
            at.add(
                "text-invalid",
                "error",
                field=key,
                detail=f"様式にない項目「{key}」があります。削除してください",
            )
        for spec in form.narrative_fields():
            text = report.narrative.get(spec.key, "")
            if not text and spec.required:
                at.add("narrative-missing", "error", field=spec.key, label=spec.label)
            check_text(spec, text, at)
        _check_approval(context, application, report, at)


def repeated_reports(application: Application) -> list[tuple[int, str, int]]:
    """(0-based row, code, 0-based row seen first) for each case report whose id, or whose 指導者's signed
    statement, an earlier report already has: one approval must never count twice (SPEC §6, issue 15)."""
    ids: dict[str, int] = {}
    statements: dict[str, int] = {}
    found: list[tuple[int, str, int]] = []
    for row, report in enumerate(application.reports):
        if report.is_blank():
            continue
        if report.id in ids:
            found.append((row, "case-id-duplicate", ids[report.id]))
        ids.setdefault(report.id, row)
        statement = None if report.approval is None else report.approval.statement
        signature = statement.get("signature") if statement is not None else None
        value = signature.get("value") if isinstance(signature, dict) else None
        if isinstance(value, str):
            if value in statements:
                found.append((row, "approval-reused", statements[value]))
            statements.setdefault(value, row)
    return found


def check_repeated(context: ValidationContext, application: Application, out: Reporter) -> None:
    """JS-5, JS-6: a case copied over another (same id, same signed approval) is one case, not two."""
    for row, code, first in repeated_reports(application):
        out.at_row(None, row).add(
            code, "error", field="approval" if code == "approval-reused" else "category", other=first + 1
        )


def report_status(report: CaseReport, issues: Sequence[Issue]) -> Status:
    """JS-6: the state the list shows for a case, given the issues found at its row."""
    content_errors = any(issue.is_error and issue.code not in APPROVAL_CODES for issue in issues)
    if report.is_blank() or content_errors:
        return "未登録"
    if report.approval is None:
        return "未承認"
    if report.approval.state == "approved" and any(issue.code == "not-approved" for issue in issues):
        return "承認無効"
    return _STATE_STATUS[report.approval.state]


REGISTERED: Final = "登録済み"
"""JS-6 for a form without approval (the seed's 移行申請: 「承認手続きは不要」): a complete case. Spelt
with 送り仮名 as the society writes 「申請済み」 (seed 003), on screen and on paper alike."""

ShownStatus = Status | Literal["登録済み"]


def shown_status(report: CaseReport, issues: Sequence[Issue], *, approval_required: bool) -> ShownStatus:
    """JS-6 as the list and the printed 症例一覧 show a case: `report_status`, except that a form without
    approval knows only 未登録 and 登録済み, since 未承認 would ask for an approval nobody gives."""
    status = report_status(report, issues)
    return status if approval_required or status == "未登録" else REGISTERED


RULES: list[Rule] = [
    check_applicant,
    check_case_count,
    check_coverage,
    check_reports,
    check_repeated,
    check_privacy_jspm,
]
