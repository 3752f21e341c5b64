"""The JBCT renewal rule set (JB-1 … JB-14): each code, its boundaries, and its message."""

from __future__ import annotations

from typing import Any

import pytest

from app.models.application import Application
from tests.factories import application, case, codes_of, document, issues_of, section, with_row


def test_valid_application_has_no_issues() -> None:
    """Twenty complete, distinct rows at a listed facility raise nothing."""
    assert issues_of(application()) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"age": None}, "age-missing"),
        ({"age": -1}, "age-range"),
        ({"age": 121}, "age-range"),
        ({"sex": None}, "sex-missing"),
        ({"item": ""}, "item-missing"),
        ({"item": "化学療法"}, "item-unknown"),
        ({"item": "その他", "item_other": ""}, "item-other-text-missing"),
        ({"item": "口腔ケア"}, "item-oral-care-not-dental"),
        ({"start": None}, "period-missing"),
        ({"end": None}, "period-missing"),
        ({"start": "2024-05", "end": "2024-04"}, "period-order"),
        ({"start": "2022-03", "end": "2022-06"}, "period-before-window"),
        ({"start": "2026-08", "end": "2026-10"}, "period-after-application"),
        ({"diagnosis": ""}, "diagnosis-missing"),
        ({"diagnosis": "HCC"}, "diagnosis-abbreviation"),
        ({"diagnosis": "胃ca"}, "diagnosis-abbreviation"),
        ({"diagnosis": "悪リン"}, "diagnosis-abbreviation"),
        ({"diagnosis": "脳腫瘍"}, "diagnosis-not-malignant"),
        ({"diagnosis": "大腸腺腫"}, "diagnosis-not-malignant"),
        ({"diagnosis": "肺癌疑い"}, "diagnosis-not-malignant"),
        ({"pathology": ""}, "pathology-missing"),
        ({"pathology": "tub1"}, "diagnosis-abbreviation"),
        ({"diagnosis": "胃癌\u0007"}, "text-invalid"),
        ({"pathology": "腺癌\u202e"}, "text-invalid"),
        ({"item": "その他", "item_other": "あ" * 51}, "text-invalid"),
        ({"note": "メモ" * 300}, "text-invalid"),
    ],
)
def test_row_rule_raises_its_code(changes: dict[str, Any], code: str) -> None:
    """Each row rule reports its own code, at that row (section 1, row 1)."""
    issues = [issue for issue in issues_of(with_row(case(0, **changes))) if issue.code == code]
    assert issues, f"{code} not raised for {changes}"
    assert all((issue.section, issue.row) == (1, 1) for issue in issues)
    assert all(issue.message.startswith("申請2(1) No.1 ") for issue in issues)


def test_issue_keeps_its_place_and_its_text_apart() -> None:
    """An issue holds where (the form's labels) and what apart; `message` joins them for the CLI and PDF."""
    (missing,) = [i for i in issues_of(with_row(case(0, diagnosis=""))) if i.code == "diagnosis-missing"]
    assert missing.place == "申請2(1) No.1 診断名"
    assert missing.text.startswith("診断名が未入力です。")
    assert missing.message == f"申請2(1) No.1 診断名: {missing.text}"
    (count,) = [
        i for i in issues_of(application([section([case(i) for i in range(3)])])) if i.code == "case-count"
    ]
    assert count.place == ""
    assert count.message == count.text
    assert count.text.startswith("症例は申請2(1)〜(3)の合計で20例以上")


def test_full_width_and_spaces_are_normalised_not_refused() -> None:
    """JB-14: ＨＣＣ is the same abbreviation as HCC; a padded diagnosis is trimmed, not flagged."""
    app = with_row(case(0, diagnosis="  ＨＣＣ\u3000"))
    assert app.sections[0].cases[0].diagnosis == "HCC"
    assert "diagnosis-abbreviation" in codes_of(app)
    assert "text-invalid" not in codes_of(with_row(case(0, diagnosis=" 胃癌 ")))


@pytest.mark.parametrize(("age", "ok"), [(0, True), (120, True), (-1, False), (121, False)])
def test_age_boundaries(age: int, ok: bool) -> None:
    """JB-7: 0 and 120 are allowed ages; -1 and 121 are not."""
    assert ("age-range" not in codes_of(with_row(case(0, age=age)))) is ok


def test_oral_care_allowed_for_dental_applicant() -> None:
    """JB-9: 口腔ケア is a valid item when applying as 歯科口腔外科."""
    app = with_row(case(0, item="口腔ケア", diagnosis="舌癌"), dental=True)
    assert "item-oral-care-not-dental" not in codes_of(app)


def test_unspecific_oral_cancer_only_for_dental() -> None:
    """JB-12: 口腔がん alone is flagged for a dental applicant and not for others."""
    assert "diagnosis-oral-unspecific" in codes_of(with_row(case(0, diagnosis="口腔がん"), dental=True))
    assert "diagnosis-oral-unspecific" not in codes_of(with_row(case(0, diagnosis="口腔がん"), dental=False))


def test_other_item_with_text_is_fine() -> None:
    """JB-9: その他 with its text raises nothing."""
    assert issues_of(with_row(case(0, item="その他", item_other="免疫療法の副作用管理"))) == []


def test_pathology_none_is_accepted() -> None:
    """JB-13: 「無し」 means no pathological diagnosis was made."""
    assert issues_of(with_row(case(0, pathology="無し"))) == []


def test_abbreviation_message_proposes_the_generic_name() -> None:
    """JB-11: the message tells the user what to write instead."""
    [issue] = [i for i in issues_of(with_row(case(0, diagnosis="HCC"))) if i.code == "diagnosis-abbreviation"]
    assert "肝細胞癌" in issue.message
    assert issue.severity == "error"
    assert issue.field == "diagnosis"


# --- JB-1 / JB-10: the target period ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("2022-04", "2022-05", None),  # the first month of the window
        ("2022-03", "2022-05", "period-before-window"),
        ("2026-08", "2026-09", None),  # ends in the application month
        ("2026-09", "2026-10", "period-after-application"),
    ],
)
def test_period_window_boundaries(start: str, end: str, code: str | None) -> None:
    """JB-10: 2022-04 and the application month are inside; one month beyond is not."""
    codes = codes_of(with_row(case(0, start=start, end=end)))
    expected = {"period-before-window", "period-after-application"} & codes
    assert expected == ({code} if code else set())


def test_application_month_caps_the_period() -> None:
    """JB-10: with an application in 2026-06, a case ending in 2026-07 is after the application."""
    app = with_row(case(0, start="2026-05", end="2026-07"), application_month="2026-06")
    assert "period-after-application" in codes_of(app)


def test_period_must_lie_inside_one_enrollment_period() -> None:
    """JB-10: a case straddling two separate enrollment periods is outside both."""
    periods = [{"start": "2022-04", "end": "2023-03"}, {"start": "2024-04", "end": "2026-09"}]
    rows = [case(0, start="2023-02", end="2024-05")] + [
        case(n, start="2024-05", end="2024-06") for n in range(1, 20)
    ]
    issues = issues_of(application([section(rows, enrollment=periods)]))
    assert [(i.code, i.row) for i in issues] == [("period-outside-enrollment", 1)]


# --- JB-2 / JB-3: counts and sections -------------------------------------------------------------


@pytest.mark.parametrize(("count", "ok"), [(19, False), (20, True), (25, True), (26, False)])
def test_case_count_boundaries(count: int, ok: bool) -> None:
    """JB-2: 20 and 25 cases are allowed; 19 and 26 are not."""
    app = application([section([case(n) for n in range(count)])])
    assert ("case-count" not in codes_of(app)) is ok


def test_case_count_message_says_how_many_to_add() -> None:
    """JB-2: the message gives the current count and what to do."""
    [issue] = issues_of(application([section([case(n) for n in range(18)])]))
    assert issue.code == "case-count"
    assert "現在18例" in issue.message
    assert "あと2例" in issue.message
    assert (issue.section, issue.row) == (None, None)


def test_blank_rows_are_not_cases() -> None:
    """Empty lines of the 25-row form neither count nor raise issues."""
    rows = [case(n) for n in range(20)] + [{}] * 5
    app = application([section(rows)])
    assert app.case_count() == 20
    assert issues_of(app) == []


def test_cases_spread_over_three_sections_in_order() -> None:
    """JB-3: 10 + 6 + 4 cases over 2(1), 2(2), 2(3) raise nothing."""
    sections = [
        section([case(n) for n in range(10)]),
        section(
            [case(n) for n in range(10, 16)],
            facility={"cert_no": "20615", "name": "大津赤十字病院", "manual": False},
        ),
        section(
            [case(n) for n in range(16, 20)],
            facility={"cert_no": "", "name": "やまだクリニック", "manual": True},
        ),
    ]
    assert issues_of(application(sections)) == []


def test_section_used_after_an_empty_one_is_out_of_order() -> None:
    """JB-3: cases in 2(3) while 2(2) is empty."""
    sections = [section([case(n) for n in range(15)]), section([]), section([case(n) for n in range(15, 20)])]
    issues = [i for i in issues_of(application(sections)) if i.code == "section-order"]
    assert [(i.section, i.severity) for i in issues] == [(3, "error")]


def test_fourth_section_is_refused() -> None:
    """JB-3: the form has three facility sections."""
    sections = [section([case(n) for n in range(5 * k, 5 * k + 5)]) for k in range(4)]
    issues = [i for i in issues_of(application(sections)) if i.code == "section-order"]
    assert [i.section for i in issues] == [4]
    assert "3つまで" in issues[0].message


def test_second_section_unneeded_when_first_has_twenty() -> None:
    """JB-3: with 20 cases in 2(1), cases in 2(2) are a warning, which the user may accept."""
    sections = [section([case(n) for n in range(20)]), section([case(n) for n in range(20, 22)])]
    issues = [i for i in issues_of(application(sections)) if i.code == "section-unneeded"]
    assert [(i.section, i.severity, i.accepted) for i in issues] == [(2, "warning", None)]
    sections[1]["accepted"] = [{"code": "section-unneeded", "reason": "2(1)の2例は予備です"}]
    [accepted] = [i for i in issues_of(application(sections)) if i.code == "section-unneeded"]
    assert accepted.accepted == "2(1)の2例は予備です"


# --- JB-4: facility --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facility", "code"),
    [
        (None, "facility-missing"),
        ({"cert_no": "", "name": "", "manual": False}, "facility-missing"),
        ({"cert_no": "", "name": "", "manual": True}, "facility-missing"),
        ({"cert_no": "99999", "name": "架空病院", "manual": False}, "facility-unknown"),
        ({"cert_no": "", "name": "やまだクリニック", "manual": True}, None),
        ({"cert_no": "0608", "name": "岐阜赤十字病院", "manual": False}, None),
    ],
)
def test_facility(facility: dict[str, Any] | None, code: str | None) -> None:
    """JB-4: a listed 認定番号 or a hand-typed name; anything else is reported at the section."""
    app = application([section([case(n) for n in range(20)], facility=facility)])
    issues = [i for i in issues_of(app) if i.field == "facility"]
    assert [i.code for i in issues] == ([code] if code else [])
    assert all(i.section == 1 and i.row is None for i in issues)


# --- JB-5: enrollment periods ----------------------------------------------------------------------


def _enrollment_codes(periods: list[dict[str, Any]]) -> list[str]:
    rows = [case(n, start="2022-04", end="2022-05") for n in range(20)]
    app = application([section(rows, enrollment=periods)])
    return [i.code for i in issues_of(app) if i.field == "enrollment"]


def test_touching_enrollment_periods_are_fine() -> None:
    """JB-5: 2022-04〜2023-03 then 2023-04〜2026-09 do not overlap."""
    assert (
        _enrollment_codes([{"start": "2022-04", "end": "2023-03"}, {"start": "2023-04", "end": "2026-09"}])
        == []
    )


def test_overlapping_enrollment_periods_by_one_month() -> None:
    """JB-5: sharing a single month is an overlap."""
    periods = [{"start": "2022-04", "end": "2023-04"}, {"start": "2023-04", "end": "2026-09"}]
    assert _enrollment_codes(periods) == ["enrollment-overlap"]


def test_overlap_with_a_period_that_is_not_adjacent() -> None:
    """JB-5: a long period overlapping two later ones is reported for both."""
    periods = [
        {"start": "2022-04", "end": "2026-09"},
        {"start": "2023-01", "end": "2023-02"},
        {"start": "2024-01", "end": "2024-02"},
    ]
    assert _enrollment_codes(periods) == ["enrollment-overlap", "enrollment-overlap"]


@pytest.mark.parametrize(
    ("periods", "codes"),
    [
        ([], ["enrollment-missing"]),
        ([{"start": None, "end": None}], ["enrollment-missing"]),
        ([{"start": "2022-04", "end": None}], ["enrollment-missing"]),
        ([{"start": "2024-04", "end": "2023-04"}], ["enrollment-order"]),
        ([{"start": "2022-03", "end": "2026-09"}], ["enrollment-outside-window"]),
        ([{"start": "2022-04", "end": "2026-10"}], ["enrollment-outside-window"]),
        ([{"start": "2022-04", "end": "2026-09"}], []),
    ],
)
def test_enrollment_rules(periods: list[dict[str, Any]], codes: list[str]) -> None:
    """JB-5: present, complete, ordered, inside 2022-04 … the application month."""
    assert _enrollment_codes(periods) == codes


def test_enrollment_incomplete_message_names_which_end() -> None:
    """JB-5: a period without its end says so."""
    rows = [case(n) for n in range(20)]
    app = application([section(rows, enrollment=[{"start": "2022-04", "end": None}])])
    [issue] = [i for i in issues_of(app) if i.code == "enrollment-missing"]
    assert "1件目の終了" in issue.message


# --- JB-6: one case per patient --------------------------------------------------------------------


def test_same_patient_twice_is_a_warning_on_the_later_row() -> None:
    """JB-6: same sex, age within 1, same diagnosis and overlapping periods."""
    rows = [case(n) for n in range(20)]
    rows[7] = case(0, age=31, diagnosis="胃がん", start="2023-05", end="2023-09")
    issues = [i for i in issues_of(application([section(rows)])) if i.code == "duplicate-patient"]
    assert [(i.row, i.severity) for i in issues] == [(8, "warning")]
    assert "No.1" in issues[0].message


@pytest.mark.parametrize(
    "changes",
    [{"age": 32}, {"sex": "male"}, {"diagnosis": "肝細胞癌"}, {"start": "2024-01", "end": "2024-02"}],
)
def test_different_patients_are_not_duplicates(changes: dict[str, Any]) -> None:
    """JB-6: any one difference (age by 2, sex, diagnosis, period) means another patient."""
    rows = [case(n) for n in range(20)]
    rows[7] = case(0, **changes)
    assert "duplicate-patient" not in codes_of(application([section(rows)]))


def test_duplicate_across_sections() -> None:
    """JB-6: one patient seen at two facilities is still one case."""
    sections = [
        section([case(n) for n in range(15)]),
        section(
            [case(0)] + [case(n) for n in range(15, 20)],
            facility={"cert_no": "20615", "name": "大津赤十字病院", "manual": False},
        ),
    ]
    issues = [i for i in issues_of(application(sections)) if i.code == "duplicate-patient"]
    assert [(i.section, i.row) for i in issues] == [(2, 1)]
    assert "申請2(1) No.1" in issues[0].message


def test_accepted_duplicate_keeps_its_reason() -> None:
    """A warning accepted with a reason stays listed, marked with that reason."""
    rows = [case(n) for n in range(20)]
    rows[7] = case(0, accepted=[{"code": "duplicate-patient", "reason": "双子の兄弟で別患者"}])
    [issue] = [i for i in issues_of(application([section(rows)])) if i.code == "duplicate-patient"]
    assert issue.accepted == "双子の兄弟で別患者"


# --- applicant and ordering ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("applicant", "code"),
    [
        ({"name": ""}, "applicant-missing"),
        ({"member_id": ""}, "applicant-missing"),
        ({"application_month": None}, "applicant-missing"),
        ({"application_month": "2026-10"}, "application-month-outside-window"),
        ({"application_month": "2022-03"}, "application-month-outside-window"),
        ({"name": "山田\u0000太郎"}, "text-invalid"),
    ],
)
def test_applicant_rules(applicant: dict[str, Any], code: str) -> None:
    """JB-1, JB-14: the applicant's name, member number and application month."""
    app = Application.model_validate(document(**applicant))
    assert code in codes_of(app)


def test_issues_are_sorted_by_section_row_and_form_order() -> None:
    """Whole-application issues first, then each section's, then rows, fields in the form's order."""
    rows = [case(0, pathology="", age=None, sex=None)] + [case(n) for n in range(1, 18)]
    sections = [section(rows, facility=None), section([case(30)], enrollment=[])]
    issues = issues_of(application(sections))
    places = [(i.section or 0, i.row or 0) for i in issues]
    assert places == sorted(places)
    assert [i.code for i in issues] == [
        "case-count",
        "facility-missing",
        "age-missing",
        "sex-missing",
        "pathology-missing",
        "enrollment-missing",
    ]
