"""The 指導者's side of offline approval (JS-5 … JS-7): one 承認依頼 under review.

A `Review` holds, for each requested case, the decision (承認 / 非承認, or none yet) and the comments per
field made so far. It refuses at the moment the 指導者 decides what the signed response would refuse
anyway: answering a request this PC may not answer (the applicant's own key, the applicant named as their
own 指導者, a request addressed to another 指導者's key), approving a case whose period lies outside the
指導者's certification period, rejecting without a comment. Who may approve and the periods are the rules
of app.validation.jspm, asked here of `validate` once when the request is opened. The decisions in
progress are kept as a draft in the data folder (`reviews/<request id>.json`) so that closing the screen
by accident loses nothing; the draft is private to this PC and never sent. The signed response itself is
made by `app.approval.response.build_response`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.approval.envelope import ApprovalError
from app.approval.response import build_response, comment_fields, requested_application
from app.atomic import write_atomically
from app.models.application import CaseReport, FieldComment
from app.signing.signed_files import utc_timestamp
from app.validation import validate

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from app.models.approval import ApprovalRequest, Decision, RequestedCase
    from app.models.forms import FormDefinition
    from app.signing.keys import SigningKey

DRAFT_FOLDER: Final = "reviews"
DRAFT_FORMAT: Final = "shorei/review-draft@1"
MAX_DRAFT_BYTES: Final = 5 * 1024 * 1024
WHOLE_CASE: Final = ""
"""The comment key for the case as a whole (FieldComment.field "")."""
FACILITY: Final = "facility"


class ReviewError(Exception):
    """A decision or a response that cannot be made. `str()` is Japanese: what, which case, what to do."""


class CaseDraft(BaseModel):
    """What the 指導者 has decided on one case so far."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approved", "rejected"] | None = None
    decided_at: str | None = None
    comments: dict[str, str] = Field(default_factory=dict)


class ReviewDraft(BaseModel):
    """The draft file: decisions per case id, and where the last response was saved (if it was)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["shorei/review-draft@1"] = DRAFT_FORMAT
    request_id: str
    cases: dict[str, CaseDraft] = Field(default_factory=dict)
    saved_response: str | None = None


def draft_path(home: Path, request_id: str) -> Path:
    return home / DRAFT_FOLDER / f"{request_id}.json"


def load_draft(home: Path, request_id: str) -> tuple[ReviewDraft | None, str | None]:
    """The draft for `request_id`, if there is one, and a Japanese note when one exists but is unusable
    (it is then left where it is, not overwritten until the 指導者 decides again)."""
    path = draft_path(home, request_id)
    try:
        if not path.exists():
            return None, None
        if path.stat().st_size > MAX_DRAFT_BYTES:
            raise ValueError("too large")
        draft = ReviewDraft.model_validate(json.loads(path.read_bytes().decode("utf-8")))
    except (OSError, ValueError, ValidationError):
        return None, f"保存してあった判定の下書き（{path}）を読めないため、最初から判定してください"
    if draft.request_id != request_id:
        return None, f"判定の下書き（{path}）は別の承認依頼のものです。最初から判定してください"
    return draft, None


@dataclass(frozen=True)
class ReviewCase:
    """One requested case as the 指導者 sees it: its number, the content parsed as a case report, and
    whether its period lies outside the 指導者's certification period."""

    requested: RequestedCase
    report: CaseReport
    outside_period: bool

    @property
    def id(self) -> str:
        return self.requested.id

    @property
    def number(self) -> int:
        return self.requested.number


class Review:
    """The decisions on one request in progress, for the form the request names."""

    def __init__(
        self,
        request: ApprovalRequest,
        form: FormDefinition,
        *,
        signer_fingerprint: str,
        draft: ReviewDraft | None = None,
    ) -> None:
        self.request = request
        self.signer_fingerprint = signer_fingerprint
        self._fields = comment_fields(form)
        highest = max(case.number for case in request.cases)
        if highest > form.counts.max:
            raise ReviewError(
                f"症例の番号 {highest} は「{form.title}」（{form.counts.max}例まで）にない番号です。"
                "申請者に承認依頼を作り直してもらってください"
            )
        try:
            application = requested_application(request)
        except ValidationError:
            raise ReviewError(
                "症例の内容を読めません（形式が違います）。申請者に Shorei を更新して承認依頼を作り直してもらってください"
            ) from None
        issues = validate(application, form, None)
        outside = {issue.row for issue in issues if issue.code == "supervisor-period-mismatch"}
        self._self_named = next((issue.message for issue in issues if issue.code == "supervisor-self"), None)
        self.cases = [
            ReviewCase(case, application.reports[case.number - 1], case.number in outside)
            for case in request.cases
        ]
        known = {case.id for case in self.cases}
        self._drafts: dict[str, CaseDraft] = {case.id: CaseDraft() for case in self.cases}
        self.saved_response: str | None = None
        if draft is not None:
            for case_id, saved in draft.cases.items():
                if case_id in known:
                    saved.comments = {k: v for k, v in saved.comments.items() if k in self._fields}
                    self._drafts[case_id] = saved
            self.saved_response = draft.saved_response
            for shown in self.cases:
                if self._drafts[shown.id].decision == "approved" and self.approval_problem(shown):
                    self._drafts[shown.id].decision = None

    # --- what may be decided -------------------------------------------------------------------------

    @property
    def own_request(self) -> bool:
        """JS-5: this PC's key is the applicant's own (the request was made on this PC)."""
        return self.request.applicant.fingerprint == self.signer_fingerprint

    def answer_problem(self) -> str | None:
        """Why this PC cannot answer the request at all, or None: self-approval (JS-5), or a request the
        applicant addressed to another 指導者's key."""
        if self.own_request:
            return (
                f"この PC の署名鍵は、申請者ご本人の鍵です（指紋 {self.signer_fingerprint}）。"
                "ご自身の症例は承認できません。症例の指導を受けた指導者に、その指導者の PC で判定してもらってください"
            )
        if self._self_named is not None:
            return self._self_named
        named = self.request.supervisor.fingerprint
        if named and named != self.signer_fingerprint:
            return (
                f"この承認依頼は、署名鍵の指紋 {named} の指導者あてです（この PC の鍵は {self.signer_fingerprint}）。"
                "この PC では回答できません。申請者に、登録している指導者の指紋を確かめてもらってください"
            )
        return None

    def approval_problem(self, case: ReviewCase) -> str | None:
        """Why `case` cannot be approved here, or None."""
        problem = self.answer_problem()
        if problem is not None:
            return problem
        if case.outside_period:
            supervisor = self.request.supervisor
            return (
                f"症例{case.number}の期間は指導者の認定期間（{supervisor.cert_start:%Y/%m/%d}〜"
                f"{supervisor.cert_end:%Y/%m/%d}）の外のため承認できません。非承認にして理由をコメントしてください"
            )
        return None

    def case(self, case_id: str) -> ReviewCase:
        return next(case for case in self.cases if case.id == case_id)

    def state(self, case_id: str) -> CaseDraft:
        return self._drafts[case_id]

    def comments(self, case_id: str) -> list[FieldComment]:
        """The non-empty comments on a case, in form order (the whole case first)."""
        texts = self._drafts[case_id].comments
        return [
            FieldComment(field=key, comment=texts[key].strip())
            for key in self._fields
            if texts.get(key, "").strip()
        ]

    def undecided(self) -> list[ReviewCase]:
        return [case for case in self.cases if self._drafts[case.id].decision is None]

    # --- deciding ------------------------------------------------------------------------------------

    def set_comment(self, case_id: str, field: str, text: str) -> None:
        if field not in self._fields:
            raise ValueError(f"unknown field {field!r}")
        comments = self._drafts[case_id].comments
        if text.strip():
            comments[field] = text
        else:
            comments.pop(field, None)
        if self._drafts[case_id].decision == "rejected" and not self.comments(case_id):
            # A rejection without any comment would not be accepted when saving; say so where it happens.
            self._drafts[case_id].decision = None
            self._drafts[case_id].decided_at = None

    def approve(self, case_id: str, *, now: dt.datetime) -> None:
        problem = self.approval_problem(self.case(case_id))
        if problem is not None:
            raise ReviewError(problem)
        self._decide(case_id, "approved", now)

    def reject(self, case_id: str, *, now: dt.datetime) -> None:
        case = self.case(case_id)
        problem = self.answer_problem()
        if problem is not None:
            raise ReviewError(problem)
        if not self.comments(case_id):
            raise ReviewError(
                f"症例{case.number}を非承認にするには、直してほしい項目のコメントか、"
                "症例全体へのコメントを1つ以上書いてください"
            )
        self._decide(case_id, "rejected", now)

    def clear(self, case_id: str) -> None:
        self._drafts[case_id].decision = None
        self._drafts[case_id].decided_at = None

    def approve_all(self, *, now: dt.datetime) -> tuple[list[ReviewCase], list[ReviewCase]]:
        """Approve every undecided case that can be approved. Returns (approved, left undecided)."""
        approved, left = [], []
        for case in self.undecided():
            if self.approval_problem(case) is None:
                self._decide(case.id, "approved", now)
                approved.append(case)
            else:
                left.append(case)
        return approved, left

    def _decide(self, case_id: str, decision: Decision, now: dt.datetime) -> None:
        self._drafts[case_id].decision = decision
        self._drafts[case_id].decided_at = utc_timestamp(now)

    # --- files ---------------------------------------------------------------------------------------

    def draft(self) -> ReviewDraft:
        return ReviewDraft(
            request_id=self.request.request_id,
            cases={case_id: draft.model_copy(deep=True) for case_id, draft in self._drafts.items()},
            saved_response=self.saved_response,
        )

    def save_draft(self, home: Path) -> None:
        """Write the draft atomically to `<home>/reviews/<request id>.json`."""
        path = draft_path(home, self.request.request_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(self.draft().model_dump(mode="json"), ensure_ascii=False).encode())

    def response(self, key: SigningKey, *, now: dt.datetime) -> bytes:
        """The signed response file's bytes; ReviewError while a case is undecided or J1's checks refuse."""
        undecided = self.undecided()
        if undecided:
            numbers = "、".join(str(case.number) for case in undecided)
            raise ReviewError(
                f"まだ判定していない症例があります（番号 {numbers}）。すべての症例を承認または非承認にしてください"
            )
        decisions: dict[str, tuple[Decision, list[FieldComment]]] = {}
        for case in self.cases:
            decision = self._drafts[case.id].decision
            assert decision is not None
            decisions[case.id] = (decision, self.comments(case.id))
        try:
            return build_response(self.request, decisions, key, now=now)
        except ApprovalError as error:
            raise ReviewError(str(error)) from None
