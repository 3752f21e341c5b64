"""The application document (SPEC §4, `shorei/application@1`) as strict pydantic types.

Strict means: unknown fields are refused, numbers are not strings, booleans are not numbers. Incomplete
rows are allowed (a draft is a draft): what is missing is the rule engine's to report, not the loader's.
Text is normalised on the way in (app.models.text), control characters kept for the rules to report.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.models.text import normalize_text
from app.models.yearmonth import Date, YearMonth

FORMAT: Final = "shorei/application@1"

Text = Annotated[str, AfterValidator(normalize_text)]
"""A one-line text as stored: trimmed, full-width digits and Latin letters made half-width (JB-14)."""


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("空にできません")
    return value


RequiredText = Annotated[Text, AfterValidator(_not_blank)]


def _normalize_multiline(value: str) -> str:
    return normalize_text(value, multiline=True)


LongText = Annotated[str, AfterValidator(_normalize_multiline)]
"""A narrative field (JSPM 現病歴 …): like Text, but line breaks are kept."""

Sex = Literal["male", "female"]

SafeInt = Annotated[int, Field(ge=-(2**53 - 1), le=2**53 - 1)]
"""An integer RFC 8785 can sign (issue 15, item 1): anything larger is refused on the way in, so no case
holding one ever reaches the store, the approval hash or the package."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class FormRef(_Strict):
    """The form (and its version) the document was drafted under."""

    id: str
    version: str


class Applicant(_Strict):
    name: Text = ""
    member_id: Text = ""
    dental: bool = Field(default=False, description="applying as 歯科口腔外科 (JB-9, JB-12)")
    application_month: YearMonth | None = Field(default=None, description="申請年月 (JB-1, JB-10)")


class FacilityChoice(_Strict):
    """JB-4: a facility from the list (its 認定番号), or a name typed by hand (`manual`)."""

    cert_no: Text = ""
    name: Text = ""
    manual: bool = False

    def is_empty(self) -> bool:
        return not self.cert_no and not self.name


class MonthRange(_Strict):
    """A 施設在籍期間 (JB-5): first and last month, both inclusive."""

    start: YearMonth | None = None
    end: YearMonth | None = None


class AcceptedWarning(_Strict):
    """A warning the user decided to keep, with the reason that travels into the PDF and the package."""

    code: str
    reason: RequiredText


class Case(_Strict):
    """One row of 申請2(n) (JB-6 … JB-13). `note` (備考) is private and never leaves the machine."""

    age: SafeInt | None = None
    sex: Sex | None = None
    item: Text = ""
    item_other: Text = ""
    start: YearMonth | None = None
    end: YearMonth | None = None
    diagnosis: Text = ""
    pathology: Text = ""
    note: Text = ""
    accepted: list[AcceptedWarning] = Field(default_factory=list)

    def is_blank(self) -> bool:
        """A row with nothing entered (備考 aside) is not a case; it is an empty line of the form."""
        return (
            self.age is None
            and self.sex is None
            and not self.item
            and not self.item_other
            and self.start is None
            and self.end is None
            and not self.diagnosis
            and not self.pathology
        )

    def accepted_reason(self, code: str) -> str | None:
        return next((a.reason for a in self.accepted if a.code == code), None)


class Section(_Strict):
    """申請2(n): one facility, its enrollment periods, and the cases seen there."""

    facility: FacilityChoice | None = None
    enrollment: list[MonthRange] = Field(default_factory=list)
    cases: list[Case] = Field(default_factory=list)
    accepted: list[AcceptedWarning] = Field(default_factory=list)

    def filled_cases(self) -> list[tuple[int, Case]]:
        """(0-based row, case) for each row that holds a case."""
        return [(row, case) for row, case in enumerate(self.cases) if not case.is_blank()]

    def is_used(self) -> bool:
        return bool(self.filled_cases())

    def accepted_reason(self, code: str) -> str | None:
        return next((a.reason for a in self.accepted if a.code == code), None)


class ReportFacility(_Strict):
    """JS-3: the 診療施設 entry a case report names. A facility can be listed several times with other
    certification periods and kinds, so the chosen entry's period and kind are recorded with it."""

    cert_no: Text = ""
    name: Text = ""
    kind: Text = ""
    cert_start: Date | None = None
    cert_end: Date | None = None
    manual: bool = False


class Supervisor(_Strict):
    """A 指導者 (JS-5) as the applicant registers them: who, which qualification, which certification
    period, and the fingerprint of the key their Shorei signs with (empty until first trusted)."""

    name: RequiredText
    member_id: RequiredText
    qualification: RequiredText
    cert_start: Date
    cert_end: Date
    fingerprint: str = ""


class FieldComment(_Strict):
    """A 指導者's comment on one field of a case (`field` is the form's field key; "" for the case)."""

    field: str
    comment: RequiredText


ApprovalState = Literal["requested", "approved", "rejected"]
"""JS-6 states held in the document; 未登録 and 未承認 are derived (incomplete / complete, no request)."""


class Approval(_Strict):
    """Where a case report stands with its 指導者 (JS-5, JS-6).

    `content_hash` is the case content the request carried (app.models.approval.report_hash); an approval
    binds to it. `statement` is the 指導者's signed decision exactly as received (a `shorei/approval@1`
    object), carried into the final package so the society can verify it."""

    state: ApprovalState
    request_id: str
    supervisor: Supervisor
    content_hash: str
    requested_at: str
    message: Text = ""
    decided_at: str | None = None
    comments: list[FieldComment] = Field(default_factory=list)
    statement: dict[str, Any] | None = None


class CaseReport(_Strict):
    """One JSPM 症例報告 (JS-1 … JS-7). `id` is stable across reordering: requests and approvals name it.
    `note` (備考) is private; `narrative` holds the form's long fields by key."""

    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    category: Text = ""
    facility: ReportFacility | None = None
    start: Date | None = None
    end: Date | None = None
    age: SafeInt | None = None
    sex: Sex | None = None
    diagnosis: Text = ""
    narrative: dict[str, LongText] = Field(default_factory=dict)
    note: Text = ""
    approval: Approval | None = None
    accepted: list[AcceptedWarning] = Field(default_factory=list)

    def accepted_reason(self, code: str) -> str | None:
        return next((a.reason for a in self.accepted if a.code == code), None)

    def is_blank(self) -> bool:
        """Nothing entered yet (備考 aside): an empty numbered line of the list, 未登録, not yet a case."""
        return (
            not self.category
            and self.facility is None
            and self.start is None
            and self.end is None
            and self.age is None
            and self.sex is None
            and not self.diagnosis
            and not any(self.narrative.values())
            and self.approval is None
        )

    def is_locked(self) -> bool:
        """JS-6: a case waiting for or holding an approval cannot be edited."""
        return self.approval is not None and self.approval.state in ("requested", "approved")


class Application(_Strict):
    """A whole application as drafted (`shorei/application@1`). A form laid out in sections (JBCT) fills
    `sections`; one made of case reports (JSPM) fills `reports`."""

    format: Literal["shorei/application@1"] = FORMAT
    form: FormRef
    applicant: Applicant = Field(default_factory=Applicant)
    sections: list[Section] = Field(default_factory=list)
    reports: list[CaseReport] = Field(default_factory=list)

    def case_count(self) -> int:
        filled_reports = sum(not report.is_blank() for report in self.reports)
        return sum(len(section.filled_cases()) for section in self.sections) + filled_reports

    def without_private(self) -> Application:
        """The document as it may leave the machine: every 備考 emptied (SPEC §4)."""
        copy = self.model_copy(deep=True)
        for section in copy.sections:
            for case in section.cases:
                case.note = ""
        for report in copy.reports:
            report.note = ""
        return copy
