"""The 承認依頼ファイル (JS-5 … JS-8): the applicant writes it (`build_request`) for cases that are complete,
to a 指導者 other than the applicant, whose certification period covers each case, with a 通信欄 within
the form's limit; it carries each case's content (never the 備考) and its hash. The 指導者 reads it
(`read_request`).

Who may approve and the periods are validation rules (app.validation.jspm): they are asked of `validate`
on the application as it would stand, never written again here.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from app.approval.envelope import (
    MAX_REQUEST_BYTES,
    REQUEST_NAME,
    ApprovalError,
    ApprovalFileError,
    FileCheck,
    case_numbers,
    check_signed,
    parse_file,
    strict_model,
)
from app.models.application import Application, Approval, CaseReport, Supervisor
from app.models.approval import (
    REQUEST_FORMAT,
    ApprovalRequest,
    RequestedCase,
    content_hash,
    pending_approval,
    report_content,
)
from app.models.text import normalize_text, text_problem
from app.signing.signed_files import generator_name, json_pointer, signed_bytes, utc_timestamp
from app.validation import Issue, validate
from app.validation.jspm import APPROVAL_CODES, report_status

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Collection, Mapping, Sequence

    from app.models.facility import FacilityLookup
    from app.models.forms import FormDefinition
    from app.signing.keys import SigningKey

_REQUEST_REFUSALS: Final = APPROVAL_CODES - {"not-approved"}
"""What refuses a request (the rules' approval codes; a case awaiting approval is what a request is for)."""
_ONCE: Final = frozenset({"supervisor-self", "supervisor-qualification", "message-too-long"})
"""Refusals that hold for the whole request, said once rather than for every case."""


def requested_report(case: RequestedCase) -> CaseReport:
    """A requested case as a CaseReport (for the 指導者's review screen): its content under its id."""
    return CaseReport.model_validate({**case.content, "id": case.id})


def issues_by_row(issues: Sequence[Issue]) -> dict[int, list[Issue]]:
    """The issues of the reports (not of a section), by 0-based report index."""
    rows: dict[int, list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.section is None and issue.row is not None:
            rows[issue.row - 1].append(issue)
    return rows


def refusal_messages(
    rows: Sequence[int], issues: Mapping[int, list[Issue]], codes: Collection[str]
) -> list[str]:
    """The messages of the validation issues with `codes` at `rows`; a request-wide one said once."""
    said: set[str] = set()
    messages = []
    for row in rows:
        for issue in issues.get(row, []):
            if issue.code not in codes or issue.code in said:
                continue
            if issue.code in _ONCE:
                said.add(issue.code)
                # Said of the request, not of the case the issue is placed at ("症例1 承認").
                messages.append(issue.text)
            else:
                messages.append(issue.message)
    return messages


def requested_approvals(request: ApprovalRequest) -> dict[str, Approval]:
    """The 承認依頼中 approval each case of `request` takes once it is sent, by case id."""
    return {case.id: pending_approval(request, case) for case in request.cases}


def as_requested(application: Application, rows: Sequence[int], request: ApprovalRequest) -> Application:
    """`application` as sending `request` for the reports at `rows` would leave it, each 承認依頼中 under
    it (JS-6): a new value to judge, `application` is left as it is (recording the state is the caller's)."""
    approvals = requested_approvals(request)
    reports = list(application.reports)
    for row, case in zip(rows, request.cases, strict=True):
        reports[row] = reports[row].model_copy(update={"approval": approvals[case.id]})
    return application.model_copy(update={"reports": reports})


def build_request(
    application: Application,
    form: FormDefinition,
    rows: Sequence[int],
    supervisor: Supervisor,
    message: str,
    key: SigningKey,
    *,
    now: dt.datetime,
    facilities: FacilityLookup | None = None,
) -> tuple[ApprovalRequest, bytes]:
    """承認依頼 for the reports at `rows` (0-based) to `supervisor`, with the 通信欄 `message`, signed by
    the applicant's `key`: the request and the file's bytes. Raises ApprovalError when the form needs no
    approval, nothing is chosen, a case is 未登録 (has errors) or already 承認依頼中/承認, the 通信欄 is
    too long, the 指導者 is the applicant, or a case's period is outside the 指導者's certification
    period. The file never holds a 備考. `facilities` lets the facility be checked as the window does."""
    spec = form.approval
    if spec is None or not spec.required:
        raise ApprovalError(f"「{form.title}」は指導者の承認が不要な様式です。承認依頼はできません")
    chosen = sorted(set(rows))
    if not chosen:
        raise ApprovalError("承認依頼する症例を選んでください")
    if missing := [row + 1 for row in chosen if not 0 <= row < len(application.reports)]:
        raise ApprovalError(f"症例{case_numbers(missing)}はこの申請にありません。一覧から選び直してください")
    applicant = application.applicant
    if not applicant.name or not applicant.member_id:
        raise ApprovalError("申請者の氏名と会員番号を入力してから承認依頼をしてください")
    if supervisor.fingerprint == key.fingerprint:
        raise ApprovalError(
            f"指導者 {supervisor.name} の鍵の指紋がこの Shorei の署名鍵と同じです（{key.fingerprint}）。"
            "ご自身に承認依頼はできません。症例の指導を受けた指導者を選んでください"
        )
    locked = [row for row in chosen if application.reports[row].is_locked()]
    if locked:
        raise ApprovalError(
            f"症例{case_numbers([row + 1 for row in locked])}は承認依頼中か承認済みです。"
            "依頼し直すには、承認依頼中なら取り下げ、承認済みなら「削除して再依頼」をしてください"
        )
    message = normalize_text(message, multiline=True)
    if (problem := text_problem(message, max_length=None, multiline=True)) is not None:
        raise ApprovalError(f"通信欄: {problem}")

    document: dict[str, Any] = {
        "format": REQUEST_FORMAT,
        "request_id": uuid.uuid4().hex,
        "created": utc_timestamp(now),
        "generator": generator_name(),
        "form": {"id": form.id, "version": form.version},
        "applicant": {
            "name": applicant.name,
            "member_id": applicant.member_id,
            "fingerprint": key.fingerprint,
        },
        "supervisor": supervisor.model_dump(mode="json"),
        "message": message,
        "cases": [
            {"id": report.id, "number": row + 1, "content_hash": content_hash(content), "content": content}
            for row in chosen
            for report in [application.reports[row]]
            for content in [report_content(report)]
        ],
    }
    data = signed_bytes(document, key)
    request = ApprovalRequest.model_validate_json(data)

    # The rules judge the application as sending would leave it (each case 承認依頼中 with this 指導者
    # and 通信欄); the file is only handed out when they find nothing.
    pending = as_requested(application, chosen, request)
    issues = issues_by_row(validate(pending, form, facilities))
    # The refusals below are about this request, not the case's content: they do not make it 未登録.
    incomplete = [
        row
        for row in chosen
        if report_status(
            pending.reports[row],
            [issue for issue in issues.get(row, []) if issue.code not in _REQUEST_REFUSALS],
        )
        == "未登録"
    ]
    if incomplete:
        raise ApprovalError(
            f"症例{case_numbers([row + 1 for row in incomplete])}は未登録です（入力が完了していません）。"
            "エラーを直してから承認依頼をしてください"
        )
    if refusals := refusal_messages(chosen, issues, _REQUEST_REFUSALS):
        raise ApprovalError("承認依頼できません。\n" + "\n".join(refusals))
    return request, data


def read_request(data: bytes, *, source: str) -> ApprovalRequest:
    """The request in `data`, or ApprovalFileError naming the file and the check that failed: readable
    and within the size limit, its format, RFC 8785 canonical, signed by the applicant it names, and each
    case's content matching its hash and holding no 備考."""
    raw = parse_file(
        data, source=source, what=REQUEST_NAME, expected_format=REQUEST_FORMAT, limit=MAX_REQUEST_BYTES
    )
    request = strict_model(ApprovalRequest, raw, source=source, what=REQUEST_NAME)
    check_signed(raw, data, request, source)
    if request.applicant.fingerprint != request.signature.fingerprint:
        raise ApprovalFileError(
            source,
            FileCheck.SIGNATURE,
            f"申請者 {request.applicant.name} の指紋（{request.applicant.fingerprint}）が"
            f"署名鍵の指紋（{request.signature.fingerprint}）と一致しません",
        )
    ids = [case.id for case in request.cases]
    numbers = [case.number for case in request.cases]
    if len(set(ids)) != len(ids) or len(set(numbers)) != len(numbers):
        raise ApprovalFileError(source, FileCheck.STRUCTURE, "同じ症例が二度含まれています")
    for case in request.cases:
        if content_hash(case.content) != case.content_hash:
            raise ApprovalFileError(
                source,
                FileCheck.CONTENT_HASH,
                f"症例{case.number}の内容が記載の内容ハッシュと一致しません（作成後に変更されています）",
            )
        if "note" in case.content:
            raise ApprovalFileError(
                source,
                FileCheck.STRUCTURE,
                f"症例{case.number}に備考が含まれています。承認依頼には含めない項目です",
            )
        try:
            report = requested_report(case)
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            raise ApprovalFileError(
                source,
                FileCheck.STRUCTURE,
                f"症例{case.number}の内容 {json_pointer(first['loc'])} が不正です（{first['msg']}）",
            ) from None
        if report_content(report) != case.content:
            raise ApprovalFileError(
                source, FileCheck.STRUCTURE, f"症例{case.number}の内容に Shorei が書かない形の値があります"
            )
    return request
