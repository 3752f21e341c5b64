"""One signed statement (`shorei/approval@1`): its own signature, and whether it speaks of a report as
it stands, for our applicant, by someone else (`binding_problem`). The final package carries each approved
statement, and `verify_statement` checks one there (app.export.verify).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.approval.envelope import ApprovalFileError, FileCheck, strict_model
from app.models.approval import ApprovalStatement, report_hash
from app.signing.signed_files import signature_problem

if TYPE_CHECKING:
    from app.models.application import CaseReport


def read_statement(raw: Any, *, source: str, position: int) -> ApprovalStatement:
    """One statement, its shape and its own signature checked (ApprovalFileError otherwise)."""
    statement = strict_model(ApprovalStatement, raw, source=source, what=f"{position}件目の結果")
    what = f"症例{statement.number}の結果"
    if (problem := signature_problem(raw, statement.signature)) is not None:
        raise ApprovalFileError(source, FileCheck.SIGNATURE, f"{what}: {problem}")
    if statement.supervisor.fingerprint != statement.signature.fingerprint:
        raise ApprovalFileError(
            source, FileCheck.SIGNATURE, f"{what}: 指導者の指紋が署名鍵の指紋と一致しません"
        )
    return statement


def binding_problem(
    statement: ApprovalStatement,
    report: CaseReport,
    *,
    applicant_fingerprint: str,
    applicant_member_id: str,
    applicant_name: str | None = None,
) -> tuple[FileCheck, str] | None:
    """Whether `statement` speaks of `report` as it stands, for our applicant, by someone else. The
    applicant is bound by key and by 会員番号: a clerk's PC signs for several doctors with one key."""
    if statement.case_id != report.id:
        return FileCheck.CASE, "別の症例への結果です"
    if statement.signature.fingerprint == applicant_fingerprint:
        return FileCheck.SUPERVISOR, "申請者ご本人の署名鍵で署名されています。ご自身の症例は承認できません"
    if statement.applicant.member_id == statement.supervisor.member_id:
        return FileCheck.SUPERVISOR, f"指導者の会員番号（{statement.supervisor.member_id}）が申請者と同じです"
    if statement.applicant.member_id != applicant_member_id:
        return (
            FileCheck.APPLICANT,
            f"別の申請者（{statement.applicant.name}、会員番号 {statement.applicant.member_id}）への結果です",
        )
    if statement.applicant.fingerprint != applicant_fingerprint:
        return (
            FileCheck.APPLICANT,
            f"別の申請者（{statement.applicant.name}、署名鍵の指紋 {statement.applicant.fingerprint}）への結果です",
        )
    if applicant_name is not None and statement.applicant.name != applicant_name:
        return (
            FileCheck.APPLICANT,
            f"承認された申請者の氏名（{statement.applicant.name}）が申請データの氏名（{applicant_name}）と異なります",
        )
    try:
        current = report_hash(report)
    except ValueError:
        current = ""
    if statement.content_hash != current:
        return FileCheck.CONTENT_HASH, "依頼後に症例の内容が変更されています（内容ハッシュが一致しません）"
    return None


def verify_statement(
    statement: dict[str, Any],
    report: CaseReport,
    *,
    applicant_fingerprint: str,
    applicant_member_id: str,
    applicant_name: str | None = None,
) -> str | None:
    """Why `statement` (a signed `shorei/approval@1` as the final package carries it) does not prove that
    `report`, as it stands, was approved by a 指導者 for the applicant whose key is
    `applicant_fingerprint` — or None when it does. The report's approval record must agree with it."""
    try:
        parsed = read_statement(statement, source="", position=1)
    except ApprovalFileError as error:
        return f"{error.check.label}: {error.problem}"
    problem = binding_problem(
        parsed,
        report,
        applicant_fingerprint=applicant_fingerprint,
        applicant_member_id=applicant_member_id,
        applicant_name=applicant_name,
    )
    if problem is not None:
        check, text = problem
        return f"{check.label}: {text}"
    if parsed.decision != "approved":
        return "指導者の結果は非承認です"
    approval = report.approval
    if approval is None or approval.statement != statement:
        return "症例の承認の記録が署名された結果と異なります"
    recorded = (
        approval.state,
        approval.request_id,
        approval.supervisor,
        approval.content_hash,
        approval.decided_at,
        approval.message,
        approval.requested_at,
    )
    signed = (
        parsed.decision,
        parsed.request_id,
        parsed.supervisor,
        parsed.content_hash,
        parsed.decided_at,
        parsed.message,
        parsed.requested_at,
    )
    if recorded != signed or approval.comments != list(parsed.comments):
        return "症例の承認の記録（状態・依頼番号・指導者・日付・通信欄）が署名された結果と異なります"
    return None
