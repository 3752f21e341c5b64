"""The 指導者's side of offline approval (JS-5 … JS-7): one 承認依頼 under review.

A `Review` holds, for each requested case, the decision (承認 / 非承認, or none yet) and the comments per
field made so far. It refuses what the signed response would refuse anyway, but at the moment the 指導者
decides: approving when this PC's key is the applicant's own (self-approval), approving a case whose period
lies outside the 指導者's certification period, rejecting without a comment. The decisions in progress are
kept as a draft in the data folder (`reviews/<request id>.json`) so that closing the screen by accident
loses nothing; the draft is private to this PC and is never sent. The signed response itself is made by
`app.export.approval.build_response`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.atomic import write_atomically
from app.export.approval import ApprovalError, build_response
from app.models.application import CaseReport, FieldComment

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from app.export.keys import SigningKey
    from app.models.application import Supervisor
    from app.models.approval import ApprovalRequest, Decision, RequestedCase

DRAFT_FOLDER: Final = "reviews"
DRAFT_FORMAT: Final = "shorei/review-draft@1"
MAX_DRAFT_BYTES: Final = 5 * 1024 * 1024
WHOLE_CASE: Final = ""
"""The comment key for the case as a whole (FieldComment.field "")."""


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


def outside_period(report: CaseReport, supervisor: Supervisor) -> bool:
    """JS-5: the case period must lie inside the 指導者's certification period (a missing date is outside)."""
    if report.start is None or report.end is None:
        return True
    return report.start < supervisor.cert_start or report.end > supervisor.cert_end


def _timestamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    """The decisions on one request in progress. `fields` is the order comments are listed in (the form's
    field keys, with WHOLE_CASE first)."""

    def __init__(
        self,
        request: ApprovalRequest,
        *,
        signer_fingerprint: str,
        fields: Sequence[str],
        draft: ReviewDraft | None = None,
    ) -> None:
        self.request = request
        self.signer_fingerprint = signer_fingerprint
        self._fields = [WHOLE_CASE, *(key for key in fields if key != WHOLE_CASE)]
        self.cases: list[ReviewCase] = []
        for case in request.cases:
            try:
                report = CaseReport.model_validate({**case.content, "id": case.id})
            except ValidationError:
                raise ReviewError(
                    f"症例 {case.number} の内容を読めません（形式が違います）。"
                    "申請者の Shorei を更新して承認依頼を作り直してもらってください"
                ) from None
            self.cases.append(ReviewCase(case, report, outside_period(report, request.supervisor)))
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
    def self_approval(self) -> bool:
        """JS-5: this PC's key is the applicant's own, or the applicant named themselves as 指導者."""
        applicant, supervisor = self.request.applicant, self.request.supervisor
        return applicant.fingerprint == self.signer_fingerprint or applicant.member_id == supervisor.member_id

    def approval_problem(self, case: ReviewCase) -> str | None:
        """Why `case` cannot be approved here, or None."""
        if self.self_approval:
            return "ご自身の症例は承認できません（申請者ご本人の署名鍵です）"
        if case.outside_period:
            supervisor = self.request.supervisor
            return (
                f"症例 {case.number} の期間が指導者の認定期間（{supervisor.cert_start:%Y/%m/%d}〜"
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
        if self.self_approval:
            raise ReviewError("ご自身の症例は判定できません（申請者ご本人の署名鍵です）")
        if not self.comments(case_id):
            raise ReviewError(
                f"症例 {case.number} を非承認にするには、直してほしい項目のコメントか、"
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
        self._drafts[case_id].decided_at = _timestamp(now)

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
