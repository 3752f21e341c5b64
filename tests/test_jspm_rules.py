"""JS-1 … JS-7: every JSPM issue code raised by a test, boundaries of the periods, the states of JS-6."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from app.models.forms import bundled_forms
from app.validation.jspm import report_status
from tests.jspm_factories import (
    CATEGORIES,
    CERTIFIED_NEW,
    SUPERVISOR,
    TRANSITION,
    approve,
    jspm_application,
    jspm_codes,
    jspm_issues,
    report,
)

if TYPE_CHECKING:
    from app.models.application import Application


def approved_application(
    reports: list[dict[str, Any]] | None = None, form_id: str = "jspm-specialist-new", **applicant: Any
) -> Application:
    app = jspm_application(reports, form_id, **applicant)
    for item in app.reports:
        if not item.is_blank():
            approve(item)
    return app


def test_twenty_approved_reports_over_seven_categories_have_no_issues() -> None:
    assert jspm_issues(approved_application()) == []


def test_three_forms_are_installed_with_the_seed_counts() -> None:
    forms = {form.id: form for form in bundled_forms().all()}
    assert (forms["jspm-specialist-new"].counts.min, forms["jspm-specialist-new"].counts.max) == (20, 20)
    assert (forms[TRANSITION].counts.min, forms[TRANSITION].counts.max) == (7, 7)
    assert forms[CERTIFIED_NEW].counts.source == "default"  # JS-2: to be confirmed, labelled so
    assert (
        forms["jspm-specialist-new"].approval is not None and forms["jspm-specialist-new"].approval.required
    )
    assert forms[TRANSITION].approval is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"category": ""}, "category-missing"),
        ({"category": "疼痛"}, "category-missing"),
        ({"facility": None}, "facility-missing"),
        ({"facility": {"cert_no": "", "name": "", "manual": True}}, "facility-missing"),
        ({"start": None}, "period-missing"),
        ({"end": None}, "period-missing"),
        ({"start": "2023-07-01", "end": "2023-06-30"}, "period-order"),
        ({"age": None}, "age-missing"),
        ({"age": 121}, "age-range"),
        ({"sex": None}, "sex-missing"),
        ({"diagnosis": ""}, "diagnosis-missing"),
        ({"narrative": {"history": "経過"}}, "narrative-missing"),
        ({"diagnosis": "膵癌\x07"}, "text-invalid"),
    ],
)
def test_report_rule_raises_its_code(changes: dict[str, Any], code: str) -> None:
    app = approved_application([report(n, **(changes if n == 3 else {})) for n in range(20)])
    issues = [issue for issue in jspm_issues(app) if issue.code == code]
    assert issues and all(issue.row == 4 and issue.section is None for issue in issues)
    assert issues[0].message.startswith("症例4 ")


def test_narrative_over_its_limit_is_refused_with_the_count() -> None:
    text = "あ" * 601
    app = approved_application(
        [
            report(n, narrative={**report(n)["narrative"], "history": text}) if n == 0 else report(n)
            for n in range(20)
        ]
    )
    (issue,) = [issue for issue in jspm_issues(app) if issue.code == "text-invalid"]
    assert issue.field == "history" and "600文字以内" in issue.message and "601" in issue.message


def test_line_breaks_are_kept_in_narratives() -> None:
    app = jspm_application([report(0, narrative={"history": "一行目\r\n二行目  "})])
    assert app.reports[0].narrative["history"] == "一行目\n二行目"


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        ("2020-04-01", "2020-04-01", True),  # the first day of the certification
        ("2030-03-31", "2030-03-31", True),  # the last day
        ("2020-03-31", "2020-06-30", False),  # one day before it began
        ("2029-04-01", "2030-04-01", False),  # one day after it ended
    ],
)
def test_period_inside_the_facility_certification(start: str, end: str, ok: bool) -> None:
    app = approved_application(
        [report(n, **({"start": start, "end": end} if n == 0 else {})) for n in range(20)]
    )
    codes = jspm_codes(app)
    assert ("period-outside-facility-certification" not in codes) is ok


def test_ended_facility_entry_is_fine_when_the_case_falls_inside_it() -> None:
    ended = {"cert_no": "S001", "name": "東都中央病院（サンプル）", "kind": "認定研修施設",
             "cert_start": "2015-04-01", "cert_end": "2020-03-31", "manual": False}  # fmt: skip
    inside = report(0, facility=ended, start="2019-04-01", end="2019-09-30")
    outside = report(0, facility=ended, start="2021-04-01", end="2021-09-30")
    assert "period-outside-facility-certification" not in jspm_codes(
        approved_application([inside, *[report(n) for n in range(1, 20)]])
    )
    issue = next(
        i
        for i in jspm_issues(approved_application([outside, *[report(n) for n in range(1, 20)]]))
        if i.code == "period-outside-facility-certification"
    )
    assert "2015/04/01〜2020/03/31" in issue.message and "介入時までの現病歴" in issue.message


def test_facility_entry_not_in_the_list_is_unknown() -> None:
    wrong_period = {**report(0)["facility"], "cert_start": "2019-04-01"}
    app = approved_application([report(0, facility=wrong_period), *[report(n) for n in range(1, 20)]])
    issue = next(i for i in jspm_issues(app) if i.code == "facility-unknown")
    assert issue.row == 1 and "S001" in issue.message


def test_facility_typed_by_hand_is_allowed_without_a_period_check() -> None:
    manual = {"cert_no": "", "name": "みなと在宅クリニック", "manual": True}
    app = approved_application([report(0, facility=manual), *[report(n) for n in range(1, 20)]])
    assert jspm_issues(app) == []


def test_every_category_must_be_covered_and_other_does_not_count() -> None:
    # 20 cases, but スピリチュアルな関わり replaced by その他 everywhere.
    rows = [
        report(n, category="その他") if report(n)["category"] == "スピリチュアルな関わり" else report(n)
        for n in range(20)
    ]
    (issue,) = [i for i in jspm_issues(approved_application(rows)) if i.code == "category-coverage"]
    assert "スピリチュアルな関わり" in issue.message and "ありません" in issue.message


@pytest.mark.parametrize(("count", "ok"), [(19, False), (20, True), (21, False)])
def test_specialist_new_needs_twenty(count: int, ok: bool) -> None:
    app = approved_application([report(n) for n in range(count)])
    assert ("case-count" not in jspm_codes(app)) is ok


def test_blank_lines_are_not_cases_and_raise_nothing() -> None:
    app = approved_application([*[report(n) for n in range(20)], {"id": "f" * 32}])
    assert app.case_count() == 20
    assert jspm_issues(app) == []


def test_transition_is_exactly_one_per_category_without_approval() -> None:
    seven = jspm_application([report(n) for n in range(7)], TRANSITION)
    assert jspm_issues(seven) == []  # no approval needed (JS-2)
    doubled = [report(n) for n in range(6)] + [report(7, category=CATEGORIES[0])]
    issues = jspm_issues(jspm_application(doubled, TRANSITION))
    messages = [i.message for i in issues if i.code == "category-coverage"]
    assert any("痛み" in m and "2例" in m for m in messages)
    assert any("スピリチュアルな関わり" in m for m in messages)


def test_certified_new_has_no_approval_and_its_default_count() -> None:
    app = jspm_application([report(n) for n in range(10)], CERTIFIED_NEW)
    assert jspm_issues(app) == []


def test_unapproved_requested_and_rejected_cases_block_filing() -> None:
    app = approved_application()
    app.reports[0].approval = None
    assert app.reports[1].approval is not None
    app.reports[1].approval.state = "requested"
    app.reports[2].approval = (
        app.reports[2].approval.model_copy(update={"state": "rejected"}) if app.reports[2].approval else None
    )
    issues = [i for i in jspm_issues(app) if i.code == "not-approved"]
    assert [i.row for i in issues] == [1, 2, 3]
    assert (
        "承認依頼をする" in issues[0].message
        and "取り込んで" in issues[1].message
        and "修正" in issues[2].message
    )


def test_approval_binds_to_the_content() -> None:
    app = approved_application()
    app.reports[4].diagnosis = "胃癌"  # edited outside Shorei after the approval
    issue = next(i for i in jspm_issues(app) if i.code == "not-approved")
    assert issue.row == 5 and "無効" in issue.message
    assert report_status(app.reports[4], [issue]) == "承認無効"


def test_private_note_is_not_part_of_what_was_approved() -> None:
    app = approved_application()
    app.reports[0].note = "家族の連絡先はカルテ参照"
    assert jspm_issues(app) == []


def test_supervisor_who_is_the_applicant_is_refused() -> None:
    app = approved_application(member_id=SUPERVISOR["member_id"])
    assert "supervisor-self" in jspm_codes(app)


def test_case_outside_the_supervisor_certification_is_refused() -> None:
    app = approved_application()
    app.reports[0].approval = None
    approve(app.reports[0], supervisor={**SUPERVISOR, "cert_start": "2023-05-01"})
    issue = next(i for i in jspm_issues(app) if i.code == "supervisor-period-mismatch")
    assert issue.row == 1 and "2023/05/01〜2030/03/31" in issue.message


def test_message_over_two_hundred_characters() -> None:
    app = approved_application()
    assert app.reports[0].approval is not None
    app.reports[0].approval = app.reports[0].approval.model_copy(update={"message": "あ" * 201})
    issue = next(i for i in jspm_issues(app) if i.code == "message-too-long")
    assert "200文字以内" in issue.message and "201" in issue.message


def test_status_follows_js6() -> None:
    app = jspm_application([report(0), report(1, diagnosis=""), {"id": "e" * 32}])

    def status(row: int) -> str:
        return report_status(app.reports[row], [i for i in jspm_issues(app) if i.row == row + 1])

    assert [status(0), status(1), status(2)] == ["未承認", "未登録", "未登録"]
    approve(app.reports[0], state="requested")
    assert status(0) == "承認依頼中"
    approve(app.reports[0], state="rejected")
    assert status(0) == "非承認"
    approve(app.reports[0])
    assert status(0) == "承認"


def test_only_the_listed_qualifications_may_approve() -> None:
    app = approved_application()
    app.reports[0].approval = None
    approve(app.reports[0], supervisor={**SUPERVISOR, "qualification": "事務員"})
    issue = next(i for i in jspm_issues(app) if i.code == "supervisor-qualification")
    assert issue.row == 1 and "暫定指導医" in issue.message
    assert report_status(app.reports[0], [issue]) == "承認"  # an approval matter, not an incomplete case


def test_a_narrative_key_the_form_lacks_is_refused() -> None:
    app = approved_application(
        [
            report(0, narrative={**report(0)["narrative"], "hidden": "見えない文"}),
            *[report(n) for n in range(1, 20)],
        ]
    )
    (issue,) = [i for i in jspm_issues(app) if i.code == "text-invalid"]
    assert issue.field == "hidden" and "様式にない項目「hidden」" in issue.message
