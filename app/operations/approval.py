"""The approval transitions of JSPM case reports (JS-5 … JS-8): request, withdraw, import the 指導者's
results (trusting the 指導者's key on first use in the same change), and 「削除して再依頼」.

These are the only operations that change a report's `approval`: the window, the command line and the
store all go through them. What a change writes outside the document travels with its plan as records
(the request sent, the 指導者's key trusted, the approved report kept), so that the store writes them in
the same transaction and the command line handles them in its own way (a copy of the file beside it).

The signed files themselves are app.approval's: it reads and checks them, then hands the checked
results (`match_response`) to `ImportResults` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from app.approval.matching import pending_problem
from app.models.approval import pending_approval, report_hash
from app.operations.errors import EditError
from app.operations.plan import KeyTrusted, Labels, Plan, ReportArchived, RequestSent, stored
from app.operations.reports import check_unlocked, report_at, set_report

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from app.models.application import Application, Approval, CaseReport, Supervisor
    from app.models.approval import ApprovalRequest
    from app.operations.patch import Edit

_SETTLED_STATES: Final = {"approved": "承認", "rejected": "非承認"}


def key_to_trust(named: Supervisor, registered: Supervisor | None, signer: str) -> Supervisor | None:
    """Trust on first use: the 指導者 as the registry should hold them once results signed by the key
    `signer` are imported, when no key is trusted for them yet (registered without a key, or not
    registered: then as the results name them); None when a key is already trusted (the results must then
    be signed by it)."""
    if registered is not None and registered.fingerprint:
        return None
    return (registered or named).model_copy(update={"fingerprint": signer})


def _not_pending(report: CaseReport) -> str:
    if report.approval is None:
        return "まだ承認依頼をしていません"
    return f"{_SETTLED_STATES[report.approval.state]}です"


def _places(labels: Labels, rows: Sequence[int]) -> str:
    return "、".join(labels.report(row) for row in rows)


@dataclass(frozen=True)
class MarkRequested:
    """The reports of a request just written become 承認依頼中 (JS-6, JS-8), each bound to the content hash
    the request carries, and the request is recorded (with `path`, where the file was saved). Refused,
    with nothing changed, when a report is missing, locked, or no longer the content the request carries
    (it changed after the file was made)."""

    request: ApprovalRequest
    supervisor: Supervisor
    path: Path | None = None

    def plan(self, application: Application, labels: Labels) -> Plan:
        request, supervisor = self.request, self.supervisor
        if request.form.id != application.form.id:
            raise EditError(f"この承認依頼は別の様式（{request.form.id}）の申請のものです")
        if supervisor.member_id != request.supervisor.member_id:
            raise EditError(
                f"指導者（会員番号 {supervisor.member_id}）が承認依頼の指導者（会員番号 {request.supervisor.member_id}）と違います"
            )
        rows = {report.id: row for row, report in enumerate(application.reports)}
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
            report = application.reports[row]
            place = labels.report(row)
            check_unlocked(report, place, "承認依頼")
            if report_hash(report) != case.content_hash:
                raise EditError(
                    f"{place}は承認依頼ファイルの作成後に変更されています。もう一度「承認依頼をする」で依頼し直してください"
                )
            # The registry's entry, which carries the key fingerprint trusted for this 指導者's results.
            approval = pending_approval(request, case).model_copy(update={"supervisor": supervisor})
            before = stored(report)
            edits.append(set_report(row, before, {**before, "approval": stored(approval)}))
            marked.append(row)
        return Plan(
            "mark_requested",
            f"承認依頼: {_places(labels, marked)}（指導者 {supervisor.name}）",
            edits,
            (RequestSent(request.request_id, supervisor.member_id, self.path),),
        )


@dataclass(frozen=True)
class WithdrawRequest:
    """承認依頼の取り下げ: only reports 承認依頼中 (JS-6); they become 未承認 again."""

    rows: Sequence[int]

    def plan(self, application: Application, labels: Labels) -> Plan:
        if not self.rows:
            raise EditError("取り下げる症例を選んでください")
        edits: list[Edit] = []
        chosen = sorted(set(self.rows))
        for row in chosen:
            report = report_at(application, labels, row)
            if report.approval is None or report.approval.state != "requested":
                raise EditError(
                    f"{labels.report(row)}は承認依頼中ではありません（{_not_pending(report)}）。"
                    "承認依頼中ではない症例は取り下げできません"
                )
            before = stored(report)
            edits.append(set_report(row, before, {**before, "approval": None}))
        return Plan("withdraw_request", f"承認依頼を取り下げ: {_places(labels, chosen)}", edits)


@dataclass(frozen=True)
class ImportResults:
    """A 指導者's checked results (app.approval.matching.match_response): each report 承認依頼中 under the
    same request takes its new approval (承認 or 非承認, with the comments and the signed statement), all
    in one change. `trust` (from `key_to_trust`) registers the key that signed them in the same change:
    the results and the trust are kept together or not at all."""

    decisions: Sequence[tuple[int, Approval]]
    trust: Supervisor | None = None

    def plan(self, application: Application, labels: Labels) -> Plan:
        if not self.decisions:
            raise EditError("取り込む承認結果がありません")
        edits: list[Edit] = []
        rows: list[int] = []
        counts = {"approved": 0, "rejected": 0}
        for row, approval in self.decisions:
            report = report_at(application, labels, row)
            place = labels.report(row)
            if row in rows:
                raise EditError(f"{place}の承認結果が二つあります。結果ファイルを確認してください")
            if approval.state not in counts:
                raise EditError(f"{place}: 承認結果は承認か非承認です（{approval.state}）")
            if report.approval is None or report.approval.state != "requested":
                raise EditError(
                    f"{place}は承認依頼中ではないため、結果を取り込めません（{_not_pending(report)}）"
                )
            # The one check of a result against the request a report records (app.approval.matching).
            if (problem := pending_problem(report.approval, approval)) is not None:
                raise EditError(f"{place}{problem[1]}。最新の承認依頼への結果ファイルを取り込んでください")
            if self.trust is not None and approval.supervisor.member_id != self.trust.member_id:
                raise EditError(f"{place}: 結果の指導者が、信頼する鍵の指導者（{self.trust.name}）と違います")
            before = stored(report)
            edits.append(set_report(row, before, {**before, "approval": stored(approval)}))
            rows.append(row)
            counts[approval.state] += 1
        who = self.decisions[0][1].supervisor.name
        summary = (
            f"承認結果を取り込み: 承認 {counts['approved']}件、非承認 {counts['rejected']}件（指導者 {who}）"
        )
        if self.trust is None:
            return Plan("apply_decisions", summary, edits)
        return Plan("apply_decisions", f"{summary}、署名鍵を登録", edits, (KeyTrusted(self.trust),))


@dataclass(frozen=True)
class ReopenReport:
    """「削除して再依頼」 (JS-6): an approved report loses its approval so that it can be edited and
    requested again; a copy of it as approved is kept in the same change (undo brings the approval back;
    the copy stays)."""

    row: int

    def plan(self, application: Application, labels: Labels) -> Plan:
        report = report_at(application, labels, self.row)
        place = labels.report(self.row)
        state = None if report.approval is None else report.approval.state
        if state == "requested":
            raise EditError(
                f"{place}は承認依頼中です。修正するには「承認依頼の取り下げをする」で依頼を取り下げてください"
                "（承認済みではありません。「削除して再依頼」は承認済みの症例に使います）"
            )
        if state != "approved":
            raise EditError(
                f"{place}は承認されていないため、そのまま編集できます（承認済みではありません。「削除して再依頼」は不要です）"
            )
        before = stored(report)
        return Plan(
            "reopen_report",
            f"{place}を「削除して再依頼」: 承認済みの内容を控えに残し、承認を取り消し",
            [set_report(self.row, before, {**before, "approval": None})],
            (ReportArchived(self.row, before),),
        )
