"""The 承認結果ファイル: the 指導者's signed answer to a request (`build_response`), one statement per case,
each signed on its own, and its reading on the applicant's side (`read_response`). Binding it to the
application is app.approval.matching.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from app.approval.envelope import (
    MAX_RESPONSE_BYTES,
    RESPONSE_NAME,
    ApprovalError,
    ApprovalFileError,
    FileCheck,
    case_numbers,
    check_signed,
    parse_file,
    request_sha256,
    strict_model,
)
from app.approval.request import issues_by_row, refusal_messages, requested_approvals, requested_report
from app.approval.statements import read_statement
from app.models.application import Applicant, Application, CaseReport, FieldComment, Supervisor
from app.models.approval import RESPONSE_FORMAT, ApprovalRequest, ApprovalResponse, ApprovalStatement
from app.models.form_packs import forms_for
from app.paths import data_home
from app.signing.signed_files import generator_name, sign_document, signed_bytes, utc_timestamp
from app.validation import validate

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from app.models.approval import Decision
    from app.models.forms import FormDefinition
    from app.signing.keys import SigningKey


def _signed_supervisor(request: ApprovalRequest, key: SigningKey) -> Supervisor:
    """The 指導者 the applicant named, with the fingerprint of the key that answers."""
    return request.supervisor.model_copy(update={"fingerprint": key.fingerprint})


def requested_application(request: ApprovalRequest) -> Application:
    """The requested cases as the applicant's application holds them once sent (承認依頼中 under this
    request), each at its own number (the other numbers empty lines), so that the rules of
    app.validation judge them and name each case as the applicant numbers it."""
    reports = [CaseReport(id=uuid.uuid4().hex) for _ in range(max(case.number for case in request.cases))]
    approvals = requested_approvals(request)
    for case in request.cases:
        reports[case.number - 1] = requested_report(case).model_copy(update={"approval": approvals[case.id]})
    return Application(
        form=request.form,
        applicant=Applicant(name=request.applicant.name, member_id=request.applicant.member_id),
        reports=reports,
    )


def _as_decided(
    request: ApprovalRequest,
    decisions: Mapping[str, tuple[Decision, list[FieldComment]]],
    supervisor: Supervisor,
) -> Application:
    """`requested_application` as the decisions would leave it, answered by `supervisor`."""
    application = requested_application(request)
    reports = list(application.reports)
    for case in request.cases:
        report = reports[case.number - 1]
        assert report.approval is not None
        decided = report.approval.model_copy(
            update={"state": decisions[case.id][0], "supervisor": supervisor}
        )
        reports[case.number - 1] = report.model_copy(update={"approval": decided})
    return application.model_copy(update={"reports": reports})


def comment_fields(form: FormDefinition) -> list[str]:
    """The fields a 指導者 may comment on, in the order of the society's edit screen: the case as a whole
    (""), the 診療施設, then each field of the form the request shows (never the private 備考)."""
    return ["", "facility", *(spec.key for spec in form.fields if not spec.private)]


def build_response(
    request: ApprovalRequest,
    decisions: Mapping[str, tuple[Decision, list[FieldComment]]],
    key: SigningKey,
    *,
    now: dt.datetime,
) -> bytes:
    """The 指導者's signed answer to `request`: `decisions` maps each case id to 承認/非承認 and the
    comments per field. Raises ApprovalError when the answer would be a self-approval (the applicant's
    key, or the applicant's member number as 指導者), the request names another key as its 指導者, a case
    lacks a decision, a rejection has no comment, a comment names an unknown field, or an approved case's
    period is outside the 指導者's certification period."""
    form_ref = request.form
    form = forms_for(data_home()).get(form_ref.id, form_ref.version)
    if form is None:
        raise ApprovalError(
            f"様式「{form_ref.id}」{form_ref.version}版がこの Shorei にありません。"
            "この版に対応した Shorei で開いてください"
        )
    if request.applicant.fingerprint == key.fingerprint:
        raise ApprovalError(
            "この承認依頼はこの Shorei の署名鍵で作成されています。ご自身の症例は承認できません"
        )
    named = request.supervisor.fingerprint
    if named and named != key.fingerprint:
        raise ApprovalError(
            f"この承認依頼は署名鍵の指紋 {named} の指導者宛てです（この Shorei の鍵は {key.fingerprint}）。"
            "依頼した申請者に、登録されている指紋を確かめてもらってください"
        )
    numbers = {case.id: case.number for case in request.cases}
    if unknown := sorted(set(decisions) - set(numbers)):
        raise ApprovalError(f"この承認依頼にない症例への結果があります（{'、'.join(unknown)}）")
    if undecided := sorted(numbers[case_id] for case_id in numbers if case_id not in decisions):
        raise ApprovalError(f"症例{case_numbers(undecided)}の承認・非承認を選んでください")
    if bare := sorted(
        numbers[case_id]
        for case_id, (decision, comments) in decisions.items()
        if decision == "rejected" and not comments
    ):
        raise ApprovalError(
            f"症例{case_numbers(bare)}を非承認にするには、直してほしい項目にコメントを書いてください"
        )
    fields = set(comment_fields(form))
    for case_id, (_, comments) in decisions.items():
        if odd := [comment.field for comment in comments if comment.field not in fields]:
            raise ApprovalError(
                f"症例{numbers[case_id]}のコメントの項目（{'、'.join(odd)}）がこの様式にありません"
            )

    supervisor = _signed_supervisor(request, key)
    issues = issues_by_row(validate(_as_decided(request, decisions, supervisor), form, None))
    rows = [case.number - 1 for case in request.cases]
    approved = [case.number - 1 for case in request.cases if decisions[case.id][0] == "approved"]
    refusals = refusal_messages(rows, issues, ("supervisor-self",)) + refusal_messages(
        approved, issues, ("supervisor-period-mismatch",)
    )
    if refusals:
        raise ApprovalError("この内容では回答できません。\n" + "\n".join(refusals))

    decided = utc_timestamp(now)
    statements = [
        sign_document(
            {
                "format": "shorei/approval@1",
                "request_id": request.request_id,
                "case_id": case.id,
                "number": case.number,
                "content_hash": case.content_hash,
                "decision": decisions[case.id][0],
                "comments": [comment.model_dump(mode="json") for comment in decisions[case.id][1]],
                "decided_at": decided,
                "applicant": request.applicant.model_dump(mode="json"),
                "supervisor": supervisor.model_dump(mode="json"),
                "message": request.message,
                "requested_at": request.created,
            },
            key,
        )
        for case in request.cases
    ]
    return signed_bytes(
        {
            "format": RESPONSE_FORMAT,
            "request_id": request.request_id,
            "request_sha256": request_sha256(request),
            "created": decided,
            "generator": generator_name(),
            "supervisor": supervisor.model_dump(mode="json"),
            "statements": statements,
        },
        key,
    )


def read_response(data: bytes, *, source: str) -> tuple[ApprovalResponse, list[ApprovalStatement]]:
    """The response in `data` and its statements, or ApprovalFileError naming the file and the check:
    readable and within the size limit, its format, RFC 8785 canonical, the envelope's signature, each
    statement's own signature, and one key and one request id throughout."""
    raw = parse_file(
        data, source=source, what=RESPONSE_NAME, expected_format=RESPONSE_FORMAT, limit=MAX_RESPONSE_BYTES
    )
    response = strict_model(ApprovalResponse, raw, source=source, what=RESPONSE_NAME)
    check_signed(raw, data, response, source)
    if response.supervisor.fingerprint != response.signature.fingerprint:
        raise ApprovalFileError(source, FileCheck.SIGNATURE, "指導者の指紋が署名鍵の指紋と一致しません")
    statements = []
    for position, item in enumerate(response.statements, start=1):
        statement = read_statement(item, source=source, position=position)
        what = f"症例{statement.number}の結果"
        if statement.signature.public_key != response.signature.public_key:
            raise ApprovalFileError(
                source, FileCheck.SIGNATURE, f"{what}は承認結果ファイルとは別の鍵で署名されています"
            )
        if statement.request_id != response.request_id:
            raise ApprovalFileError(
                source,
                FileCheck.REQUEST_ID,
                f"{what}は別の承認依頼（依頼番号 {statement.request_id}）への結果です",
            )
        if statement.supervisor != response.supervisor:
            raise ApprovalFileError(
                source, FileCheck.SUPERVISOR, f"{what}の指導者が承認結果ファイルの指導者と異なります"
            )
        statements.append(statement)
    ids = [statement.case_id for statement in statements]
    if len(set(ids)) != len(ids):
        raise ApprovalFileError(source, FileCheck.STRUCTURE, "同じ症例への結果が二度含まれています")
    return response, statements
