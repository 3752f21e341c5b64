"""Binding a 指導者's response to the applicant's application (`match_response`): each statement must
answer a case 承認依頼中 under the same request (`pending_problem`), unchanged since, of our applicant,
signed by the 指導者's registered key. The result is the new approval of each case; applying it is the
caller's (the store's or the operations' one commit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.approval.envelope import RESPONSE_NAME, ApprovalFileError, FileCheck
from app.approval.statements import binding_problem
from app.models.application import Application, Approval, Supervisor

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.approval import ApprovalResponse, ApprovalStatement


def _same_person(one: Supervisor, other: Supervisor) -> bool:
    """The same 指導者 as named at request time (the key may become known only with the answer)."""
    return one.model_copy(update={"fingerprint": ""}) == other.model_copy(update={"fingerprint": ""})


def pending_problem(
    current: Approval | None, answer: Approval | ApprovalStatement
) -> tuple[FileCheck, str] | None:
    """Why `answer` (a 指導者's statement, or the approval matched from one) does not answer the request
    that a report's approval `current` records, or None: the report must be 承認依頼中 under the answer's
    request (JS-6), asked of the same 指導者, for the same content, with the same 通信欄 and time. The text
    names no case: the caller puts the place in front (`症例3 はこの承認依頼…`)."""
    if current is None or current.state != "requested" or current.request_id != answer.request_id:
        return (
            FileCheck.REQUEST_ID,
            f"はこの承認依頼（依頼番号 {answer.request_id}）の承認依頼中ではありません"
            "（取り下げたか、別の依頼への結果です）",
        )
    if not _same_person(current.supervisor, answer.supervisor):
        return (
            FileCheck.SUPERVISOR,
            f"の結果の指導者（{answer.supervisor.name}）が依頼した指導者（{current.supervisor.name}）と異なります",
        )
    if answer.content_hash != current.content_hash:
        return FileCheck.CONTENT_HASH, "の結果は依頼した内容とは別の内容に対するものです"
    if (answer.message, answer.requested_at) != (current.message, current.requested_at):
        return FileCheck.REQUEST_ID, "の結果の通信欄・依頼日時が、この申請データの承認依頼と異なります"
    return None


def decided_approval(current: Approval, statement: ApprovalStatement, signed: dict[str, Any]) -> Approval:
    """The approval a report 承認依頼中 under `current` takes from `statement`, which answers it (checked by
    `pending_problem`); `signed` is the statement as received, carried into the final package. A new value:
    recording it is the caller's."""
    return Approval(
        state=statement.decision,
        request_id=statement.request_id,
        supervisor=statement.supervisor,
        content_hash=statement.content_hash,
        requested_at=current.requested_at,
        message=current.message,
        decided_at=statement.decided_at,
        comments=list(statement.comments),
        statement=signed,
    )


def match_response(
    application: Application,
    response: ApprovalResponse,
    statements: Sequence[ApprovalStatement],
    *,
    applicant_fingerprint: str,
    trusted_fingerprint: str,
    source: str = RESPONSE_NAME,
) -> list[tuple[int, Approval]]:
    """(0-based report index, new Approval) for each statement of a response read by `read_response`.
    Every statement must name a case of `application` that is 承認依頼中 under the response's request,
    whose content is unchanged since, of our applicant (`applicant_fingerprint`, this installation's
    key), signed by the 指導者's registered key (`trusted_fingerprint`). The first failure raises
    ApprovalFileError naming the case and the check (and `source`, the file); nothing is returned then."""
    signer = response.signature.fingerprint
    if not trusted_fingerprint:
        raise ApprovalFileError(
            source,
            FileCheck.SUPERVISOR,
            f"指導者 {response.supervisor.name} の署名鍵の指紋が登録されていません。この結果の指紋は {signer} です。"
            "指導者本人に指紋を確かめてから、指導者登録で登録してください",
        )
    if signer != trusted_fingerprint:
        raise ApprovalFileError(
            source,
            FileCheck.SUPERVISOR,
            f"署名鍵の指紋 {signer} が、登録されている指導者 {response.supervisor.name} の指紋 {trusted_fingerprint} と"
            "一致しません。指導者本人が作成した結果ファイルか確かめてください",
        )
    rows = {report.id: row for row, report in enumerate(application.reports)}
    matched = []
    for raw, statement in zip(response.statements, statements, strict=True):
        row = rows.get(statement.case_id)
        if row is None:
            raise ApprovalFileError(
                source,
                FileCheck.CASE,
                f"症例（依頼時の番号 {statement.number}）はこの申請にありません。別の申請への結果か、症例が削除されています",
            )
        report = application.reports[row]
        where = f"症例{row + 1}"
        approval = report.approval
        if (pending := pending_problem(approval, statement)) is not None:
            check, text = pending
            raise ApprovalFileError(source, check, f"{where} {text}")
        assert approval is not None
        if (
            problem := binding_problem(
                statement,
                report,
                applicant_fingerprint=applicant_fingerprint,
                applicant_member_id=application.applicant.member_id,
                applicant_name=application.applicant.name,
            )
        ) is not None:
            check, text = problem
            raise ApprovalFileError(source, check, f"{where}: {text}")
        matched.append((row, decided_approval(approval, statement, raw)))
    return matched
