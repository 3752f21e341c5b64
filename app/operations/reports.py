"""Operations on JSPM case reports (SPEC §2.2, JS-1 … JS-7): the list (add, delete, move), a report's
fields, its 診療施設 and the warnings kept with a reason. The approval transitions are in
app.operations.approval.

Every edit of a report replaces that one report (`set` at ("reports", n)) or inserts, deletes or moves
one, so the store rewrites a single row. The locks of JS-6 are kept here: a report 承認依頼中 or 承認
refuses every change but its private 備考, with the reason and the way out (withdraw the request, or
「削除して再依頼」). Only the approval operations change a report's `approval`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from app.models.application import AcceptedWarning, CaseReport, ReportFacility
from app.models.facility import Facility
from app.models.forms import REPORT_ATTRIBUTES
from app.models.text import normalize_text
from app.operations.errors import EditError
from app.operations.patch import Edit
from app.operations.plan import (
    MAX_REPORTS,
    FieldValue,
    Labels,
    Plan,
    check_length,
    read_value,
    shown,
    stored,
    validated,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import Application
    from app.operations.patch import Json

NOT_A_FIELD: Final = frozenset({"id", "facility", "narrative", "approval", "accepted"})
"""Parts of a report that have operations of their own (or none): never set as a field."""


def new_report_id() -> str:
    """A report's stable id (requests and approvals name it): 32 hex digits, as `CaseReport.id` wants."""
    return uuid.uuid4().hex


def blank_report() -> Json:
    """An empty numbered line of the list (未登録) with a fresh id."""
    return CaseReport(id=new_report_id()).model_dump(mode="json")


def fresh_copies(reports: Sequence[Json]) -> list[Json]:
    """Reports for a separate application: new ids, no approvals (an approval belongs to the original)."""
    return [{**report, "id": new_report_id(), "approval": None} for report in reports]


# ---- where things are -----------------------------------------------------------------------------


def check_number(row: int, count: int, labels: Labels) -> None:
    if not isinstance(row, int) or isinstance(row, bool) or not 0 <= row < count:
        raise EditError(
            f"{labels.report(row) if isinstance(row, int) else row}はありません（症例は{count}件です）"
        )


def report_at(application: Application, labels: Labels, row: int) -> CaseReport:
    check_number(row, len(application.reports), labels)
    return application.reports[row]


def check_unlocked(report: CaseReport, place: str, doing: str = "編集") -> None:
    """JS-6: a report 承認依頼中 or 承認 cannot change (its 備考 aside); the message says the way out."""
    state = None if report.approval is None else report.approval.state
    if state == "requested":
        raise EditError(
            f"{place}は承認依頼中のため{doing}できません。「承認依頼の取り下げをする」で依頼を取り下げてから"
            f"{doing}してください（備考はいつでも編集できます）"
        )
    if state == "approved":
        raise EditError(
            f"{place}は承認済みのため{doing}できません。修正が必要な場合は「削除して再依頼」で承認済みの内容を"
            f"控えに残すと{doing}できます（その後、再度承認依頼が必要です。備考はいつでも編集できます）"
        )


def set_report(row: int, before: Json, after: Json) -> Edit:
    return Edit("set", ("reports", row), before, after)


def read_report_value(labels: Labels, key: str, value: FieldValue, place: str) -> Json:
    """`value` typed into field `key` of a report, as the document stores it, or EditError naming `place`.

    Read as the grid reads it (app.models.cells.read_field, by the form's field kinds): dates as typed
    (2024/5/1, R6.5.1, 令和6年5月1日), line breaks kept in narrative fields, a category by its label; text
    over the form's length is kept for the rules to report, so nothing typed is lost."""
    if labels.form is None:
        # Without the form the kinds of its fields (dates, narratives) are unknown: guessing could store
        # a date as a month.
        raise EditError(
            f"{place}: この申請の様式がインストールされていないため編集できません。Shorei を更新してください"
        )
    return read_value(labels.form, key, value, place)


def _check_field(labels: Labels, row: int, key: str) -> None:
    if key in NOT_A_FIELD or not isinstance(key, str) or not key:
        raise EditError(f"{labels.report(row)}: 症例の項目「{key}」はこの操作では変更できません")
    if key in REPORT_ATTRIBUTES:
        return
    if labels.form is not None and key not in {spec.key for spec in labels.form.narrative_fields()}:
        raise EditError(f"{labels.report(row)}: 症例の項目「{key}」はこの様式にありません")


# ---- the list: add, delete, move ------------------------------------------------------------------


@dataclass(frozen=True)
class AddReport:
    """An empty report (未登録, with a fresh id) at the end of the list."""

    def plan(self, application: Application, labels: Labels) -> Plan:
        row = len(application.reports)
        if row >= MAX_REPORTS:
            raise EditError(f"症例はこれ以上追加できません（上限 {MAX_REPORTS}件）")
        return Plan(
            "add_report",
            f"{labels.report(row)}を追加",
            [Edit("insert", ("reports", row), after=blank_report())],
        )


@dataclass(frozen=True)
class DeleteReport:
    """A report removed from the list (the ones after it move up). A locked one is refused (JS-6)."""

    row: int

    def plan(self, application: Application, labels: Labels) -> Plan:
        report = report_at(application, labels, self.row)
        place = labels.report(self.row)
        check_unlocked(report, place, "削除")
        what = report.category or report.diagnosis
        detail = f"（{shown(what)}）" if what else ""
        return Plan(
            "delete_report",
            f"{place}を削除{detail}",
            [Edit("delete", ("reports", self.row), before=stored(report))],
        )


@dataclass(frozen=True)
class MoveReport:
    """A report moved to number `to_row + 1`. Its id stays, so a pending request or an approval still
    finds it: moving is allowed for locked reports too."""

    row: int
    to_row: int

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        count = len(application.reports)
        check_number(self.row, count, labels)
        check_number(self.to_row, count, labels)
        if self.row == self.to_row:
            return None
        return Plan(
            "move_report",
            f"{labels.report(self.row)}を{self.to_row + 1}番目へ移動",
            [Edit("move", ("reports",), before=self.row, after=self.to_row)],
        )


# ---- fields ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetReportField:
    """One field of a report: category, start, end, age, sex, diagnosis, note or a narrative key of the
    form, as typed (「R6.5.1」, 「６５歳」, 「女性」) or typed values. 備考 (note) may change whatever the
    state; every other field of a locked report is refused."""

    row: int
    key: str
    value: FieldValue

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        row, key = self.row, self.key
        typed = report_at(application, labels, row)
        _check_field(labels, row, key)
        place = f"{labels.report(row)} {labels.report_field(key)}"
        guarded = key != "note"
        try:
            value = read_report_value(labels, key, self.value, place)
        except EditError:
            if guarded:
                check_unlocked(typed, labels.report(row))
            raise
        report = stored(typed)
        if key in REPORT_ATTRIBUTES:
            before_value = report.get(key)
            candidate = {**report, key: value}
        else:
            before_value = report["narrative"].get(key, "")
            texts = {name: text for name, text in report["narrative"].items() if name != key}
            if value:
                texts[key] = value
            candidate = {**report, "narrative": texts}
        after = validated(CaseReport, candidate, place)
        if after == report:
            return None
        if guarded:
            check_unlocked(typed, labels.report(row))
        after_value = after.get(key) if key in REPORT_ATTRIBUTES else after["narrative"].get(key, "")
        summary = f"{place}: {labels.value(key, before_value)} → {labels.value(key, after_value)}"
        return Plan("set_report_field", summary, [set_report(row, report, after)])


def _facility_shown(facility: Json) -> str:
    if facility is None:
        return "（空）"
    if facility["manual"]:
        return f"{facility['name']}（手入力）"
    period = ""
    if facility["cert_start"] or facility["cert_end"]:
        period = f"、{shown(facility['cert_start'])}〜{shown(facility['cert_end'])}"
    kind = f"、{facility['kind']}" if facility["kind"] else ""
    return f"{facility['name']}（{facility['cert_no']}{kind}{period}）"


@dataclass(frozen=True)
class SetReportFacility:
    """JS-3: the report's 診療施設 — an entry of the facility list (with that entry's kind and
    certification period, since a facility may be listed several times), or a name typed by hand
    (`manual_name`), or neither to clear it."""

    row: int
    facility: Facility | None
    manual_name: str | None = None

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        typed = report_at(application, labels, self.row)
        place = f"{labels.report(self.row)} {labels.report_field('facility')}"
        facility, manual_name = self.facility, self.manual_name
        after_facility: Json
        if facility is not None and manual_name is not None:
            raise EditError(f"{place}: 施設一覧から選ぶか手入力するか、どちらか一方にしてください")
        if isinstance(facility, Facility):
            data: Json = {
                "cert_no": facility.cert_no,
                "name": facility.name,
                "kind": facility.kind,
                "cert_start": None if facility.cert_start is None else facility.cert_start.isoformat(),
                "cert_end": None if facility.cert_end is None else facility.cert_end.isoformat(),
                "manual": False,
            }
            for key in ("cert_no", "name", "kind"):
                check_length(data[key], place)
            after_facility = validated(ReportFacility, data, place)
        elif facility is not None:
            raise EditError(f"{place}: 値の種類が違います（{type(facility).__name__}）")
        elif manual_name is not None and normalize_text(manual_name):
            check_length(manual_name, place)
            after_facility = validated(ReportFacility, {"name": manual_name, "manual": True}, place)
        else:
            after_facility = None
        report = stored(typed)
        if after_facility == report["facility"]:
            return None
        check_unlocked(typed, labels.report(self.row))
        return Plan(
            "set_report_facility",
            f"{place}: {_facility_shown(after_facility)}",
            [set_report(self.row, report, {**report, "facility": after_facility})],
        )


# ---- accepted warnings (SPEC §5) ------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptReportWarning:
    """Keep warning `code` on a report, with the user's reason (it travels into the PDF and the package)."""

    row: int
    code: str
    reason: str

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        typed = report_at(application, labels, self.row)
        place = labels.report(self.row)
        check_length(self.reason, place)
        text = normalize_text(self.reason)
        if not text:
            raise EditError(f"{place}: 警告をそのままにする理由を入力してください")
        accepted = AcceptedWarning(code=self.code, reason=text).model_dump(mode="json")
        report = stored(typed)
        others = [item for item in report["accepted"] if item["code"] != self.code]
        after = {**report, "accepted": [*others, accepted]}
        if after == report:
            return None
        check_unlocked(typed, place)
        summary = f"{place}: 警告（{self.code}）を承知: {shown(text)}"
        return Plan("accept_report_warning", summary, [set_report(self.row, report, after)])


@dataclass(frozen=True)
class WithdrawReportWarning:
    row: int
    code: str

    def plan(self, application: Application, labels: Labels) -> Plan | None:
        typed = report_at(application, labels, self.row)
        place = labels.report(self.row)
        report = stored(typed)
        after = {**report, "accepted": [item for item in report["accepted"] if item["code"] != self.code]}
        if after == report:
            return None
        check_unlocked(typed, place)
        return Plan(
            "withdraw_report_warning",
            f"{place}: 警告（{self.code}）の承知を取り消し",
            [set_report(self.row, report, after)],
        )
