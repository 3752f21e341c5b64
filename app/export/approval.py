"""Approval by signed files (SPEC §2.2, JS-5 … JS-8): write and read the request, the response and the
statements of app.models.approval, and bind what comes back to the application.

The applicant's Shorei writes a **request** (`build_request`) for cases that are complete, to a 指導者
other than the applicant, whose certification period covers each case, with a 通信欄 within the form's
limit; it carries each case's content (never the 備考) and its hash. The 指導者's Shorei reads it
(`read_request`), and answers with a **response** (`build_response`) holding one **statement** per case,
each signed on its own. The applicant's Shorei reads the response (`read_response`) and matches it to
the cases (`match_response`): the same request, the same content, our key, the registered 指導者's key.
The final package carries each approved statement, and `verify_statement` checks one there.

Who may approve and the periods are validation rules (app.validation.jspm): they are asked of
`validate` on the application as it would stand, never written again here. Every file uses the signing
scheme of app.export.signing; docs/signing.md describes the three formats and what each check proves.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from app.export.file_names import safe_stem
from app.export.package import generator_name
from app.export.signing import (
    UnreadableFileError,
    is_canonical,
    json_pointer,
    parse_json_object,
    sign_document,
    signature_problem,
    signed_bytes,
    utc_timestamp,
)
from app.models.application import (
    Applicant,
    Application,
    Approval,
    CaseReport,
    FieldComment,
    Supervisor,
)
from app.models.approval import (
    REQUEST_FORMAT,
    RESPONSE_FORMAT,
    ApprovalRequest,
    ApprovalResponse,
    ApprovalStatement,
    RequestedCase,
    content_hash,
    pending_approval,
    report_content,
    report_hash,
)
from app.models.canonical import canonical_json, sha256_hex
from app.models.form_packs import forms_for
from app.models.text import normalize_text, text_problem
from app.paths import data_home
from app.validation import Issue, validate
from app.validation.jspm import APPROVAL_CODES, report_status

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Collection, Mapping, Sequence

    from app.export.keys import SigningKey
    from app.models.approval import Decision
    from app.models.facility import FacilityLookup
    from app.models.forms import FormDefinition

MAX_REQUEST_BYTES: Final = 5 * 1024 * 1024
MAX_RESPONSE_BYTES: Final = 5 * 1024 * 1024
REQUEST_NAME: Final = "承認依頼ファイル"
RESPONSE_NAME: Final = "承認結果ファイル"
REQUEST_SUFFIX: Final = ".approval-request.json"
RESPONSE_SUFFIX: Final = ".approval-response.json"

_M = TypeVar("_M", bound=BaseModel)

_REQUEST_REFUSALS: Final = APPROVAL_CODES - {"not-approved"}
"""What refuses a request (the rules' approval codes; a case awaiting approval is what a request is for)."""
_ONCE: Final = frozenset({"supervisor-self", "supervisor-qualification", "message-too-long"})
"""Refusals that hold for the whole request, said once rather than for every case."""


class ApprovalError(Exception):
    """A request or response that Shorei refuses to write. `str()` is Japanese: which case(s), what is
    wrong, and what to do."""


class FileCheck(StrEnum):
    """The checks a request or response file goes through, in order; a failure names one of them."""

    READ = "read"
    STRUCTURE = "structure"
    CANONICAL = "canonical"
    SIGNATURE = "signature"
    REQUEST_ID = "request-id"
    CONTENT_HASH = "content-hash"
    APPLICANT = "applicant"
    SUPERVISOR = "supervisor"
    CASE = "case"

    @property
    def label(self) -> str:
        return _FILE_CHECK_LABELS[self]


_FILE_CHECK_LABELS: Final = {
    FileCheck.READ: "読み込み",  # not a file of the kind at all (size, UTF-8, JSON, format)
    FileCheck.STRUCTURE: "形式",
    FileCheck.CANONICAL: "正規形（RFC 8785）",
    FileCheck.SIGNATURE: "署名",
    FileCheck.REQUEST_ID: "依頼番号",
    FileCheck.CONTENT_HASH: "内容ハッシュ",
    FileCheck.APPLICANT: "申請者",
    FileCheck.SUPERVISOR: "指導者",
    FileCheck.CASE: "症例",
}


class ApprovalFileError(Exception):
    """A request or response file that cannot be read or trusted. `check` names the check that failed;
    `str()` names the file, the check and the problem in Japanese. Nothing of such a file is used."""

    def __init__(self, source: str, check: FileCheck, problem: str) -> None:
        if check is FileCheck.READ:
            super().__init__(f"{source}: 読み込めません — {problem}")
        else:
            super().__init__(f"{source}: {check.label}の確認に失敗しました — {problem}")
        self.source = source
        self.check = check
        self.problem = problem


# -- shared ---------------------------------------------------------------------------------------------


def _numbers(numbers: Sequence[int]) -> str:
    return "、".join(str(number) for number in numbers)


def _parse(data: bytes, *, source: str, what: str, expected_format: str, limit: int) -> dict[str, Any]:
    try:
        return parse_json_object(data, source=source, what=what, expected_format=expected_format, limit=limit)
    except UnreadableFileError as error:
        raise ApprovalFileError(source, FileCheck.READ, error.problem) from None


def _model(kind: type[_M], raw: Any, *, source: str, what: str) -> _M:
    """`raw` as `kind`, and exactly as `kind` writes it back: a value the type would spell otherwise
    (untrimmed text, full-width digits) is refused, so what was signed is what is shown."""
    try:
        model = kind.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise ApprovalFileError(
            source,
            FileCheck.STRUCTURE,
            f"{what}の {json_pointer(first['loc'])} が不正です（{first['msg']}）。変更されたか、壊れています",
        ) from None
    # Strict types never coerce, so equal values are equal JSON (and this costs no second RFC 8785 pass).
    if model.model_dump(mode="json") != raw:
        raise ApprovalFileError(
            source,
            FileCheck.STRUCTURE,
            f"{what}に Shorei が書かない形の値があります。作成後に書き換えられています",
        )
    return model


def _check_signed(
    raw: dict[str, Any], data: bytes, model: ApprovalRequest | ApprovalResponse, source: str
) -> None:
    if not is_canonical(raw, data):
        raise ApprovalFileError(
            source,
            FileCheck.CANONICAL,
            "RFC 8785 の正規形で書かれていません（整形・並べ替え・文字コードの変更など、作成後に書き直されています）。"
            "受け取ったままのファイルを使ってください",
        )
    if (problem := signature_problem(raw, model.signature)) is not None:
        raise ApprovalFileError(source, FileCheck.SIGNATURE, problem)


def requested_report(case: RequestedCase) -> CaseReport:
    """A requested case as a CaseReport (for the 指導者's review screen): its content under its id."""
    return CaseReport.model_validate({**case.content, "id": case.id})


def request_sha256(request: ApprovalRequest) -> str:
    """SHA-256 of the request file's bytes (a request read by `read_request` is its canonical form)."""
    return sha256_hex(canonical_json(request.model_dump(mode="json")))


def _issues_by_row(issues: Sequence[Issue]) -> dict[int, list[Issue]]:
    rows: dict[int, list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.section is None and issue.row is not None:
            rows[issue.row - 1].append(issue)
    return rows


def _refusals(rows: Sequence[int], issues: Mapping[int, list[Issue]], codes: Collection[str]) -> list[str]:
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


def request_file_name(application: Application, form: FormDefinition, request: ApprovalRequest) -> str:
    """A name a person understands for the request file: what it is, the applicant and the cases
    (`承認依頼_山田太郎_症例1-3.json`). The file is known by its content, not its name."""
    return f"{request_stem('承認依頼', request.applicant.name or application.applicant.name, request)}.json"


def response_file_name(request: ApprovalRequest) -> str:
    """A name for the answer to `request`, matching the request's (`承認結果_山田太郎_症例1-3.json`)."""
    return f"{request_stem('承認結果', request.applicant.name, request)}.json"


def request_stem(what: str, applicant: str, request: ApprovalRequest) -> str:
    """`what`, the applicant without spaces and the case numbers as ranges (症例1-3・5), safe on every OS."""
    numbers = sorted({case.number for case in request.cases})
    runs: list[str] = []
    start = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        runs.append(str(start) if start == previous else f"{start}-{previous}")
        if number is not None:
            start = previous = number
    person = applicant.replace(" ", "").replace("\u3000", "") or request.applicant.member_id
    return safe_stem(f"{what}_{person}_症例{'・'.join(runs)}", what)


# -- request --------------------------------------------------------------------------------------------


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
        raise ApprovalError(f"症例{_numbers(missing)}はこの申請にありません。一覧から選び直してください")
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
            f"症例{_numbers([row + 1 for row in locked])}は承認依頼中か承認済みです。"
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
    pending = application.model_copy(deep=True)
    for row, case in zip(chosen, request.cases, strict=True):
        pending.reports[row].approval = pending_approval(request, case)
    issues = _issues_by_row(validate(pending, form, facilities))
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
            f"症例{_numbers([row + 1 for row in incomplete])}は未登録です（入力が完了していません）。"
            "エラーを直してから承認依頼をしてください"
        )
    if refusals := _refusals(chosen, issues, _REQUEST_REFUSALS):
        raise ApprovalError("承認依頼できません。\n" + "\n".join(refusals))
    return request, data


def read_request(data: bytes, *, source: str) -> ApprovalRequest:
    """The request in `data`, or ApprovalFileError naming the file and the check that failed: readable
    and within the size limit, its format, RFC 8785 canonical, signed by the applicant it names, and each
    case's content matching its hash and holding no 備考."""
    raw = _parse(
        data, source=source, what=REQUEST_NAME, expected_format=REQUEST_FORMAT, limit=MAX_REQUEST_BYTES
    )
    request = _model(ApprovalRequest, raw, source=source, what=REQUEST_NAME)
    _check_signed(raw, data, request, source)
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


# -- response -------------------------------------------------------------------------------------------


def _signed_supervisor(request: ApprovalRequest, key: SigningKey) -> Supervisor:
    """The 指導者 the applicant named, with the fingerprint of the key that answers."""
    return request.supervisor.model_copy(update={"fingerprint": key.fingerprint})


def requested_approvals(request: ApprovalRequest) -> dict[str, Approval]:
    """The 承認依頼中 approval each case of `request` takes once it is sent, by case id."""
    return {case.id: pending_approval(request, case) for case in request.cases}


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
    for case in request.cases:
        report = application.reports[case.number - 1]
        assert report.approval is not None
        report.approval = report.approval.model_copy(
            update={"state": decisions[case.id][0], "supervisor": supervisor}
        )
    return application


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
        raise ApprovalError(f"症例{_numbers(undecided)}の承認・非承認を選んでください")
    if bare := sorted(
        numbers[case_id]
        for case_id, (decision, comments) in decisions.items()
        if decision == "rejected" and not comments
    ):
        raise ApprovalError(
            f"症例{_numbers(bare)}を非承認にするには、直してほしい項目にコメントを書いてください"
        )
    fields = set(comment_fields(form))
    for case_id, (_, comments) in decisions.items():
        if odd := [comment.field for comment in comments if comment.field not in fields]:
            raise ApprovalError(
                f"症例{numbers[case_id]}のコメントの項目（{'、'.join(odd)}）がこの様式にありません"
            )

    supervisor = _signed_supervisor(request, key)
    issues = _issues_by_row(validate(_as_decided(request, decisions, supervisor), form, None))
    rows = [case.number - 1 for case in request.cases]
    approved = [case.number - 1 for case in request.cases if decisions[case.id][0] == "approved"]
    refusals = _refusals(rows, issues, ("supervisor-self",)) + _refusals(
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


def _statement(raw: Any, *, source: str, position: int) -> ApprovalStatement:
    """One statement, its shape and its own signature checked (ApprovalFileError otherwise)."""
    statement = _model(ApprovalStatement, raw, source=source, what=f"{position}件目の結果")
    what = f"症例{statement.number}の結果"
    if (problem := signature_problem(raw, statement.signature)) is not None:
        raise ApprovalFileError(source, FileCheck.SIGNATURE, f"{what}: {problem}")
    if statement.supervisor.fingerprint != statement.signature.fingerprint:
        raise ApprovalFileError(
            source, FileCheck.SIGNATURE, f"{what}: 指導者の指紋が署名鍵の指紋と一致しません"
        )
    return statement


def read_response(data: bytes, *, source: str) -> tuple[ApprovalResponse, list[ApprovalStatement]]:
    """The response in `data` and its statements, or ApprovalFileError naming the file and the check:
    readable and within the size limit, its format, RFC 8785 canonical, the envelope's signature, each
    statement's own signature, and one key and one request id throughout."""
    raw = _parse(
        data, source=source, what=RESPONSE_NAME, expected_format=RESPONSE_FORMAT, limit=MAX_RESPONSE_BYTES
    )
    response = _model(ApprovalResponse, raw, source=source, what=RESPONSE_NAME)
    _check_signed(raw, data, response, source)
    if response.supervisor.fingerprint != response.signature.fingerprint:
        raise ApprovalFileError(source, FileCheck.SIGNATURE, "指導者の指紋が署名鍵の指紋と一致しません")
    statements = []
    for position, item in enumerate(response.statements, start=1):
        statement = _statement(item, source=source, position=position)
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


# -- binding to the application -------------------------------------------------------------------------


def _binding_problem(
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


def _same_person(one: Supervisor, other: Supervisor) -> bool:
    """The same 指導者 as named at request time (the key may become known only with the answer)."""
    return one.model_copy(update={"fingerprint": ""}) == other.model_copy(update={"fingerprint": ""})


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
        if approval is None or approval.state != "requested" or approval.request_id != statement.request_id:
            raise ApprovalFileError(
                source,
                FileCheck.REQUEST_ID,
                f"{where} はこの承認依頼（依頼番号 {statement.request_id}）の承認依頼中ではありません"
                "（取り下げたか、別の依頼への結果です）",
            )
        if not _same_person(approval.supervisor, statement.supervisor):
            raise ApprovalFileError(
                source,
                FileCheck.SUPERVISOR,
                f"{where} の結果の指導者（{statement.supervisor.name}）が依頼した指導者（{approval.supervisor.name}）と異なります",
            )
        if statement.content_hash != approval.content_hash:
            raise ApprovalFileError(
                source, FileCheck.CONTENT_HASH, f"{where} の結果は依頼した内容とは別の内容に対するものです"
            )
        if (statement.message, statement.requested_at) != (approval.message, approval.requested_at):
            raise ApprovalFileError(
                source,
                FileCheck.REQUEST_ID,
                f"{where} の結果の通信欄・依頼日時が、この申請データの承認依頼と異なります",
            )
        if (
            problem := _binding_problem(
                statement,
                report,
                applicant_fingerprint=applicant_fingerprint,
                applicant_member_id=application.applicant.member_id,
                applicant_name=application.applicant.name,
            )
        ) is not None:
            check, text = problem
            raise ApprovalFileError(source, check, f"{where}: {text}")
        matched.append(
            (
                row,
                Approval(
                    state=statement.decision,
                    request_id=statement.request_id,
                    supervisor=statement.supervisor,
                    content_hash=statement.content_hash,
                    requested_at=approval.requested_at,
                    message=approval.message,
                    decided_at=statement.decided_at,
                    comments=list(statement.comments),
                    statement=raw,
                ),
            )
        )
    return matched


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
        parsed = _statement(statement, source="", position=1)
    except ApprovalFileError as error:
        return f"{error.check.label}: {error.problem}"
    problem = _binding_problem(
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
