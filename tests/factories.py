"""Builders for test documents: a valid JBCT application, and single changes on top of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.models.application import Application, Case
from app.models.forms import FormDefinition, bundled_forms
from app.store.facility_files import bundled_facility_list
from app.validation import Issue, validate

if TYPE_CHECKING:
    from app.models.facility import FacilityList

FORM_ID = "jbct-renewal-2026"
DIAGNOSES = ["胃癌", "肝細胞癌", "非小細胞肺癌", "大腸癌", "乳癌", "膵癌", "食道癌", "前立腺癌", "膀胱癌", "腎細胞癌",
             "子宮体癌", "子宮頸癌", "卵巣癌", "悪性黒色腫", "骨肉腫", "胆管癌", "甲状腺乳頭癌", "多発性骨髄腫",
             "急性骨髄性白血病", "基底細胞癌", "小細胞肺癌", "直腸癌", "胆嚢癌", "舌癌", "悪性胸膜中皮腫"]  # fmt: skip


def jbct_form() -> FormDefinition:
    form = bundled_forms().get(FORM_ID)
    assert form is not None
    return form


COLUMNS: tuple[str, ...] = jbct_form().case_fields
"""The JBCT form's case fields: the columns of its grid (`CaseTableModel.columns`)."""


def facilities() -> FacilityList:
    return bundled_facility_list()


def case(number: int = 0, **changes: Any) -> dict[str, Any]:
    """A valid row; `number` varies age, sex and diagnosis so rows never look like one patient."""
    row: dict[str, Any] = {
        "age": 30 + number,
        "sex": "male" if number % 2 else "female",
        "item": "手術",
        "item_other": "",
        "start": "2023-04",
        "end": "2023-06",
        "diagnosis": DIAGNOSES[number % len(DIAGNOSES)],
        "pathology": "腺癌",
        "note": "",
        "accepted": [],
    }
    row.update(changes)
    return row


def section(cases: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "facility": {"cert_no": "20953", "name": "伊勢赤十字病院", "manual": False},
        "enrollment": [{"start": "2022-04", "end": "2026-09"}],
        "cases": cases,
        "accepted": [],
    }
    data.update(changes)
    return data


def document(sections: list[dict[str, Any]] | None = None, **applicant: Any) -> dict[str, Any]:
    """A JSON-shaped document; by default one section of 20 valid cases."""
    return {
        "format": "shorei/application@1",
        "form": {"id": FORM_ID, "version": jbct_form().version},
        "applicant": {
            "name": "山田 太郎",
            "member_id": "123456",
            "dental": False,
            "application_month": "2026-09",
            **applicant,
        },
        "sections": sections if sections is not None else [section([case(n) for n in range(20)])],
    }


def application(sections: list[dict[str, Any]] | None = None, **applicant: Any) -> Application:
    return Application.model_validate(document(sections, **applicant))


def with_row(row: dict[str, Any], **applicant: Any) -> Application:
    """Twenty valid rows with `row` in place of the first."""
    rows = [row] + [case(n) for n in range(1, 20)]
    return application([section(rows)], **applicant)


def issues_of(app: Application) -> list[Issue]:
    return validate(app, jbct_form(), facilities())


def codes_of(app: Application) -> set[str]:
    return {issue.code for issue in issues_of(app)}


def only_case(app: Application) -> Case:
    return app.sections[0].cases[0]
