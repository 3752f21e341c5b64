"""Builders for JSPM test documents: complete case reports over the seven categories, and approvals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.models.application import Application, CaseReport
from app.models.approval import report_hash
from app.models.forms import FormDefinition, bundled_forms
from app.store.facility_files import bundled_facility_list
from app.validation import Issue, validate

if TYPE_CHECKING:
    from app.models.facility import FacilityList

SPECIALIST_NEW = "jspm-specialist-new"
TRANSITION = "jspm-specialist-transition"
CERTIFIED_NEW = "jspm-certified-new"
CATEGORIES = ["痛み", "身体症状（痛み以外）", "精神症状", "せん妄", "苦痛緩和のための鎮静", "社会的な関わり",
              "スピリチュアルな関わり"]  # fmt: skip
APPLICANT = {"name": "緩和 花子", "member_id": "J12345"}
SUPERVISOR: dict[str, Any] = {
    "name": "指導 一郎",
    "member_id": "J00001",
    "qualification": "指導医",
    "cert_start": "2020-04-01",
    "cert_end": "2030-03-31",
    "fingerprint": "",
}
# S001 基幹施設 2020-04-01〜2030-03-31 in facility_data/jspm-sample.
FACILITY: dict[str, Any] = {
    "cert_no": "S001",
    "name": "東都中央病院（サンプル）",
    "kind": "基幹施設",
    "cert_start": "2020-04-01",
    "cert_end": "2030-03-31",
    "manual": False,
}


def jspm_form(form_id: str = SPECIALIST_NEW) -> FormDefinition:
    form = bundled_forms().get(form_id)
    assert form is not None
    return form


def jspm_facilities() -> FacilityList:
    return bundled_facility_list("jspm-sample")


def report_id(number: int) -> str:
    return f"{number + 1:032x}"


def report(number: int = 0, **changes: Any) -> dict[str, Any]:
    """A complete case report; `number` picks the category in turn and varies the patient."""
    data: dict[str, Any] = {
        "id": report_id(number),
        "category": CATEGORIES[number % len(CATEGORIES)],
        "facility": dict(FACILITY),
        "start": "2023-04-01",
        "end": "2023-06-30",
        "age": 50 + number,
        "sex": "male" if number % 2 else "female",
        "diagnosis": "膵癌" if number % 3 else "慢性心不全",
        "narrative": {
            "history": f"症例{number + 1}の現病歴。外来化学療法中に疼痛が増悪し入院となった。",
            "problems": "疼痛 NRS 7/10、食欲不振、不安。",
            "course": "オピオイドを導入し、NRS 2/10 まで改善した。家族と面談を重ねた。",
            "reflection": "早期からの多職種介入が有効であった。",
        },
        "note": "",
        "approval": None,
        "accepted": [],
    }
    data.update(changes)
    return data


def jspm_document(
    reports: list[dict[str, Any]], form_id: str = SPECIALIST_NEW, **applicant: Any
) -> dict[str, Any]:
    form = jspm_form(form_id)
    return {
        "format": "shorei/application@1",
        "form": {"id": form.id, "version": form.version},
        "applicant": {**APPLICANT, **applicant},
        "sections": [],
        "reports": reports,
    }


def jspm_application(
    reports: list[dict[str, Any]] | None = None, form_id: str = SPECIALIST_NEW, **applicant: Any
) -> Application:
    """Twenty complete reports over the seven categories (or `reports`), none approved yet."""
    rows = [report(n) for n in range(20)] if reports is None else reports
    return Application.model_validate(jspm_document(rows, form_id, **applicant), strict=False)


def approve(
    report_data: CaseReport, *, state: str = "approved", supervisor: dict[str, Any] | None = None
) -> None:
    """Mark a report as decided (without a signed statement: the rules only read the state and hash)."""
    from app.models.application import Approval, Supervisor

    report_data.approval = Approval(
        state=state,  # type: ignore[arg-type]
        request_id="a" * 32,
        supervisor=Supervisor.model_validate(supervisor or SUPERVISOR, strict=False),
        content_hash=report_hash(report_data),
        requested_at="2024-05-01T00:00:00Z",
    )


def jspm_issues(app: Application, form_id: str | None = None) -> list[Issue]:
    return validate(app, jspm_form(form_id or app.form.id), jspm_facilities())


def jspm_codes(app: Application) -> set[str]:
    return {issue.code for issue in jspm_issues(app)}
