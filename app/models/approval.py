"""Offline approval by signed files (SPEC §2.2, JS-5 … JS-8): what the files say.

There is no server: the applicant's Shorei writes a signed **request** naming the 指導者 and carrying the
chosen cases (never the 備考) with a hash of each case's content; the 指導者's Shorei answers with a signed
**response** holding one signed **statement** per case (approve or reject, with comments per field).
Each statement is signed on its own so that the final package can carry it to the society, which can
check it without the rest of the response. An approval binds to the content hash: change the case and
the approval no longer matches it.

Every file is RFC 8785 canonical JSON with a `signature` block {algorithm, public_key, fingerprint, value}
in which `value` signs the canonical object with `value` left out (the package's scheme, docs/signing.md).
These are the types; signing and checking are in app.approval.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.models.application import Approval, CaseReport, FieldComment, FormRef, Supervisor
from app.models.canonical import canonical_json, sha256_hex

REQUEST_FORMAT: Final = "shorei/approval-request@1"
RESPONSE_FORMAT: Final = "shorei/approval-response@1"
STATEMENT_FORMAT: Final = "shorei/approval@1"

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
RequestId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Decision = Literal["approved", "rejected"]
MAX_CASE_NUMBER: Final = 200
"""No form numbers more cases; a file naming case 10⁹ is refused as malformed, not allocated for."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SignatureBlock(_Frozen):
    algorithm: Literal["Ed25519"]
    public_key: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    fingerprint: str
    value: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{128}$")]


class Party(_Frozen):
    """The applicant as a request or statement names them: the key fingerprint binds the name to a PC."""

    name: str
    member_id: str
    fingerprint: str


class RequestedCase(_Frozen):
    """One case of a request: its stable id, its number in the applicant's list, the hash of its content,
    and the content itself (app.models.approval.report_content: no 備考, no approval, no id)."""

    id: RequestId
    number: int = Field(ge=1, le=MAX_CASE_NUMBER)
    content_hash: Sha256Hex
    content: dict[str, Any]


class ApprovalRequest(_Frozen):
    """`shorei/approval-request@1`: 承認依頼 for one or more cases (JS-8) with the 通信欄 (JS-7)."""

    format: Literal["shorei/approval-request@1"]
    request_id: RequestId
    created: str
    generator: str
    form: FormRef
    applicant: Party
    supervisor: Supervisor
    message: str
    cases: list[RequestedCase] = Field(min_length=1)
    signature: SignatureBlock


class ApprovalStatement(_Frozen):
    """`shorei/approval@1`: one 指導者's decision on one case, signed on its own."""

    format: Literal["shorei/approval@1"]
    request_id: RequestId
    case_id: RequestId
    number: int = Field(ge=1, le=MAX_CASE_NUMBER)
    content_hash: Sha256Hex
    decision: Decision
    comments: list[FieldComment]
    decided_at: str
    applicant: Party
    supervisor: Supervisor
    message: str
    """The request's 通信欄 and `requested_at`, signed with the decision so neither can be changed in an
    approved document (issue 15, item 11)."""
    requested_at: str
    signature: SignatureBlock


class ApprovalResponse(_Frozen):
    """`shorei/approval-response@1`: the 指導者's answer to one request, one statement per case."""

    format: Literal["shorei/approval-response@1"]
    request_id: RequestId
    request_sha256: Sha256Hex
    created: str
    generator: str
    supervisor: Supervisor
    statements: list[dict[str, Any]] = Field(min_length=1)
    signature: SignatureBlock


_NOT_CONTENT: Final = frozenset({"id", "note", "approval", "accepted"})


def report_content(report: CaseReport) -> dict[str, Any]:
    """What a 指導者 approves: the case as written, without its id, 備考, approval state or accepted
    warnings. Empty narrative fields are left out so that an untouched field and an emptied one agree."""
    content = report.model_dump(mode="json", exclude=set(_NOT_CONTENT))
    content["narrative"] = {key: text for key, text in sorted(report.narrative.items()) if text}
    return content


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical (RFC 8785) form of a case's content."""
    return sha256_hex(canonical_json(content))


def report_hash(report: CaseReport) -> str:
    """The hash an approval binds to (JS-6: change the case and the approval no longer matches)."""
    return content_hash(report_content(report))


def pending_approval(request: ApprovalRequest, case: RequestedCase) -> Approval:
    """The 承認依頼中 state a case takes when `request` is sent (JS-6)."""
    return Approval(
        state="requested",
        request_id=request.request_id,
        supervisor=request.supervisor,
        content_hash=case.content_hash,
        requested_at=request.created,
        message=request.message,
    )
