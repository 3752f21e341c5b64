"""Planners for JSPM case reports (SPEC §2.2, JS-1 … JS-8): (document, arguments) → a `Plan` of invertible
edits, as app.store.edits does for the rows of a form laid out in sections.

Every edit of a report replaces that one report (`set` at ("reports", n)) or inserts, deletes or moves
one, so the store rewrites a single row. The locks of JS-6 are kept here: a report 承認依頼中 or 承認
refuses every change but its private 備考, with the reason and the way out (withdraw the request, or
「削除して再依頼」). Only the approval operations (mark_requested, withdraw_request, apply_decisions,
reopen_report) change a report's `approval`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Final

from app.models.application import AcceptedWarning, CaseReport, ReportFacility
from app.models.approval import pending_approval, report_hash
from app.models.facility import Facility
from app.models.forms import REPORT_ATTRIBUTES
from app.models.text import normalize_text
from app.operations.cases import (
    FieldValue,
    Labels,
    Plan,
    check_length,
    read_value,
    shown,
    validated,
)
from app.operations.patch import Edit, Json
from app.store.errors import EditError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import Approval, Supervisor
    from app.models.approval import ApprovalRequest

MAX_REPORTS: Final = 100
"""A hard limit against runaway input; the form's count (JS-2, 20 for 専門医新規申請) is the rules' to report."""

NOT_A_FIELD: Final = frozenset({"id", "facility", "narrative", "approval", "accepted"})
"""Parts of a report that have operations of their own (or none): never set as a field."""

_SETTLED_STATES: Final = {"approved": "承認", "rejected": "非承認"}


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


def _reports(document: Json) -> list[Json]:
    reports: list[Json] = document["reports"]
    return reports


def _check_number(row: int, count: int, labels: Labels) -> None:
    if not isinstance(row, int) or isinstance(row, bool) or not 0 <= row < count:
        raise EditError(
            f"{labels.report(row) if isinstance(row, int) else row}はありません（症例は{count}件です）"
        )


def _report(document: Json, labels: Labels, row: int) -> Json:
    reports = _reports(document)
    _check_number(row, len(reports), labels)
    return reports[row]


def _state(report: Json) -> str | None:
    approval = report.get("approval")
    return None if approval is None else str(approval["state"])


def check_unlocked(report: Json, place: str, doing: str = "編集") -> None:
    """JS-6: a report 承認依頼中 or 承認 cannot change (its 備考 aside); the message says the way out."""
    state = _state(report)
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


def _set_report(row: int, before: Json, after: Json) -> Edit:
    return Edit("set", ("reports", row), before, after)


# ---- reading typed values -------------------------------------------------------------------------


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


def add_report(document: Json, labels: Labels) -> Plan:
    """An empty report (未登録) at the end of the list."""
    row = len(_reports(document))
    if row >= MAX_REPORTS:
        raise EditError(f"症例はこれ以上追加できません（上限 {MAX_REPORTS}件）")
    return Plan(
        "add_report", f"{labels.report(row)}を追加", [Edit("insert", ("reports", row), after=blank_report())]
    )


def delete_report(document: Json, labels: Labels, row: int) -> Plan:
    """A report removed from the list (the ones after it move up). A locked one is refused (JS-6)."""
    report = _report(document, labels, row)
    place = labels.report(row)
    check_unlocked(report, place, "削除")
    what = report["category"] or report["diagnosis"]
    detail = f"（{shown(what)}）" if what else ""
    return Plan("delete_report", f"{place}を削除{detail}", [Edit("delete", ("reports", row), before=report)])


def move_report(document: Json, labels: Labels, row: int, to_row: int) -> Plan | None:
    """A report moved to number `to_row + 1`. Its id stays, so a pending request or an approval still finds
    it: moving is allowed for locked reports too."""
    count = len(_reports(document))
    _check_number(row, count, labels)
    _check_number(to_row, count, labels)
    if row == to_row:
        return None
    return Plan(
        "move_report",
        f"{labels.report(row)}を{to_row + 1}番目へ移動",
        [Edit("move", ("reports",), before=row, after=to_row)],
    )


# ---- fields ---------------------------------------------------------------------------------------


def set_report_field(document: Json, labels: Labels, row: int, key: str, value: FieldValue) -> Plan | None:
    """One field of a report: category, start, end, age, sex, diagnosis, note or a narrative key of the
    form. 備考 (note) may change whatever the state; every other field of a locked report is refused."""
    report = _report(document, labels, row)
    _check_field(labels, row, key)
    place = f"{labels.report(row)} {labels.report_field(key)}"
    guarded = key != "note"
    try:
        stored = read_report_value(labels, key, value, place)
    except EditError:
        if guarded:
            check_unlocked(report, labels.report(row))
        raise
    if key in REPORT_ATTRIBUTES:
        before_value = report.get(key)
        candidate = {**report, key: stored}
    else:
        before_value = report["narrative"].get(key, "")
        texts = {name: text for name, text in report["narrative"].items() if name != key}
        if stored:
            texts[key] = stored
        candidate = {**report, "narrative": texts}
    after = validated(CaseReport, candidate, place)
    if after == report:
        return None
    if guarded:
        check_unlocked(report, labels.report(row))
    after_value = after.get(key) if key in REPORT_ATTRIBUTES else after["narrative"].get(key, "")
    summary = f"{place}: {labels.value(key, before_value)} → {labels.value(key, after_value)}"
    return Plan("set_report_field", summary, [_set_report(row, report, after)])


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


def set_report_facility(
    document: Json, labels: Labels, row: int, facility: Facility | None, manual_name: str | None = None
) -> Plan | None:
    """JS-3: the report's 診療施設 — an entry of the facility list (with that entry's kind and
    certification period, since a facility may be listed several times), or a name typed by hand
    (`manual_name`), or neither to clear it."""
    report = _report(document, labels, row)
    place = f"{labels.report(row)} {labels.report_field('facility')}"
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
    if after_facility == report["facility"]:
        return None
    check_unlocked(report, labels.report(row))
    after = {**report, "facility": after_facility}
    return Plan(
        "set_report_facility",
        f"{place}: {_facility_shown(after_facility)}",
        [_set_report(row, report, after)],
    )


# ---- accepted warnings (SPEC §5) ------------------------------------------------------------------


def accept_report_warning(document: Json, labels: Labels, row: int, code: str, reason: str) -> Plan | None:
    """Keep warning `code` on a report, with the user's reason (it travels into the PDF and the package)."""
    report = _report(document, labels, row)
    place = labels.report(row)
    check_length(reason, place)
    text = normalize_text(reason)
    if not text:
        raise EditError(f"{place}: 警告をそのままにする理由を入力してください")
    accepted = AcceptedWarning(code=code, reason=text).model_dump(mode="json")
    others = [item for item in report["accepted"] if item["code"] != code]
    after = {**report, "accepted": [*others, accepted]}
    if after == report:
        return None
    check_unlocked(report, place)
    summary = f"{place}: 警告（{code}）を承知: {shown(text)}"
    return Plan("accept_report_warning", summary, [_set_report(row, report, after)])


def withdraw_report_warning(document: Json, labels: Labels, row: int, code: str) -> Plan | None:
    report = _report(document, labels, row)
    place = labels.report(row)
    after = {**report, "accepted": [item for item in report["accepted"] if item["code"] != code]}
    if after == report:
        return None
    check_unlocked(report, place)
    return Plan(
        "withdraw_report_warning",
        f"{place}: 警告（{code}）の承知を取り消し",
        [_set_report(row, report, after)],
    )


# ---- approval (JS-5 … JS-8) -----------------------------------------------------------------------


def _not_pending(report: Json) -> str:
    state = _state(report)
    if state is None:
        return "まだ承認依頼をしていません"
    return f"{_SETTLED_STATES[state]}です"


def _places(labels: Labels, rows: Sequence[int]) -> str:
    return "、".join(labels.report(row) for row in rows)


def mark_requested(document: Json, labels: Labels, request: ApprovalRequest, supervisor: Supervisor) -> Plan:
    """The reports of a request just written become 承認依頼中 (JS-6, JS-8), each bound to the content hash
    the request carries. Refused, with nothing changed, when a report is missing, locked, or no longer the
    content the request carries (it changed after the file was made)."""
    reports = _reports(document)
    form_id = request.form.id
    if form_id != document["form"]["id"]:
        raise EditError(f"この承認依頼は別の様式（{form_id}）の申請のものです")
    if supervisor.member_id != request.supervisor.member_id:
        raise EditError(
            f"指導者（会員番号 {supervisor.member_id}）が承認依頼の指導者（会員番号 {request.supervisor.member_id}）と違います"
        )
    rows = {report["id"]: row for row, report in enumerate(reports)}
    edits: list[Edit] = []
    marked: list[int] = []
    for case in request.cases:
        row = rows.get(case.id)
        if row is None:
            raise EditError(
                f"承認依頼の症例（番号{case.number}）がこの申請にありません。承認依頼をやり直してください"
            )
        if row in marked:
            raise EditError(
                f"承認依頼に{labels.report(row)}が二度含まれています。承認依頼をやり直してください"
            )
        report = reports[row]
        place = labels.report(row)
        check_unlocked(report, place, "承認依頼")
        if report_hash(CaseReport.model_validate(report)) != case.content_hash:
            raise EditError(
                f"{place}は承認依頼ファイルの作成後に変更されています。もう一度「承認依頼をする」で依頼し直してください"
            )
        # The registry's entry, which carries the key fingerprint trusted for this 指導者's results.
        approval = pending_approval(request, case).model_copy(update={"supervisor": supervisor})
        edits.append(_set_report(row, report, {**report, "approval": approval.model_dump(mode="json")}))
        marked.append(row)
    summary = f"承認依頼: {_places(labels, marked)}（指導者 {supervisor.name}）"
    return Plan("mark_requested", summary, edits)


def withdraw_request(document: Json, labels: Labels, rows: Sequence[int]) -> Plan:
    """承認依頼の取り下げ: only reports 承認依頼中 (JS-6); they become 未承認 again."""
    if not rows:
        raise EditError("取り下げる症例を選んでください")
    edits: list[Edit] = []
    chosen = sorted(set(rows))
    for row in chosen:
        report = _report(document, labels, row)
        if _state(report) != "requested":
            raise EditError(
                f"{labels.report(row)}は承認依頼中ではありません（{_not_pending(report)}）。"
                "取り下げできるのは承認依頼中の症例だけです"
            )
        edits.append(_set_report(row, report, {**report, "approval": None}))
    return Plan("withdraw_request", f"承認依頼を取り下げ: {_places(labels, chosen)}", edits)


def apply_decisions(document: Json, labels: Labels, decisions: Sequence[tuple[int, Approval]]) -> Plan:
    """A 指導者's checked results (app.export.approval.match_response): each report 承認依頼中 under the
    same request takes its new approval (承認 or 非承認, with the comments and the signed statement)."""
    if not decisions:
        raise EditError("取り込む承認結果がありません")
    edits: list[Edit] = []
    rows: list[int] = []
    counts = {"approved": 0, "rejected": 0}
    for row, approval in decisions:
        report = _report(document, labels, row)
        place = labels.report(row)
        if row in rows:
            raise EditError(f"{place}の承認結果が二つあります。結果ファイルを確認してください")
        if approval.state not in counts:
            raise EditError(f"{place}: 承認結果は承認か非承認です（{approval.state}）")
        current = report.get("approval")
        if current is None or current["state"] != "requested":
            raise EditError(
                f"{place}は承認依頼中ではないため、結果を取り込めません（{_not_pending(report)}）"
            )
        if current["request_id"] != approval.request_id:
            raise EditError(
                f"{place}: この結果は別の承認依頼への回答です。最新の承認依頼への結果ファイルを取り込んでください"
            )
        if approval.content_hash != current["content_hash"]:
            raise EditError(
                f"{place}: 結果が承認依頼した内容と一致しません（内容ハッシュ）。結果ファイルを確認してください"
            )
        edits.append(_set_report(row, report, {**report, "approval": approval.model_dump(mode="json")}))
        rows.append(row)
        counts[approval.state] += 1
    who = decisions[0][1].supervisor.name
    summary = (
        f"承認結果を取り込み: 承認 {counts['approved']}件、非承認 {counts['rejected']}件（指導者 {who}）"
    )
    return Plan("apply_decisions", summary, edits)


def reopen_report(document: Json, labels: Labels, row: int) -> Plan:
    """「削除して再依頼」 (JS-6): an approved report loses its approval so that it can be edited and
    requested again. The store keeps a copy of it as approved (the report archive) in the same change."""
    report = _report(document, labels, row)
    place = labels.report(row)
    state = _state(report)
    if state == "requested":
        raise EditError(
            f"{place}は承認依頼中です。修正するには「承認依頼の取り下げをする」で依頼を取り下げてください"
        )
    if state != "approved":
        raise EditError(
            f"{place}は承認されていないため、そのまま編集できます（「削除して再依頼」は不要です）"
        )
    return Plan(
        "reopen_report",
        f"{place}を「削除して再依頼」: 承認済みの内容を控えに残し、承認を取り消し",
        [_set_report(row, report, {**report, "approval": None})],
    )
