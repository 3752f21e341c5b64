"""The JSPM export (SPEC §2.2, §6): the final package carries each case's signed approval and `verify`
checks them case by case; the PDF of case reports (summary, one page per case, approval line, seal box)."""

from __future__ import annotations

import functools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from app.export import Check, ExportRefusedError, export_application, plan_export, verify_package
from app.models.application import Application, FieldComment
from app.models.canonical import canonical_json, sha256_hex
from app.models.forms import FormRegistry
from app.signing.signed_files import sign_document, signed_bytes
from tests import export_support as support
from tests.approval_support import DECIDED, Parties, answer, approve_all, receive, send
from tests.jspm_factories import (
    CATEGORIES,
    SUPERVISOR,
    TRANSITION,
    jspm_application,
    jspm_facilities,
    jspm_form,
    report,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.export import ExportResult, Verification

NOTE = "自分用：カルテ番号 4711、家族の連絡先"


@dataclass(frozen=True)
class Final:
    """A JSPM application with every case approved through the files, exported once for the module."""

    parties: Parties
    application: Application
    package: bytes
    pdf: bytes
    result: ExportResult


def _approved(parties: Parties) -> Application:
    application = jspm_application()
    application.reports[0].note = NOTE
    application.reports[0].narrative["history"] = (
        "実際の提供期間 2023/03/01〜2023/07/31\n外来化学療法中に疼痛が増悪し入院となった。"
    )
    approve_all(application, parties)
    return application


@functools.cache
def final() -> Final:
    folder = Path(tempfile.mkdtemp(prefix="shorei-jspm-"))
    parties = Parties.make(folder)
    application = _approved(parties)
    result = export_application(
        application,
        jspm_form(),
        jspm_facilities(),
        folder / "out",
        stem="jspm",
        key=parties.applicant,
        now=DECIDED,
    )
    assert result.package_path is not None
    return Final(parties, application, result.package_path.read_bytes(), result.pdf_path.read_bytes(), result)


def _verify(data: bytes, pdf: bytes | None = None) -> Verification:
    return verify_package(
        data,
        source="jspm.package.json",
        forms=FormRegistry([jspm_form()]),
        facility_lists=[jspm_facilities().info],
        pdf=pdf,
    )


def _repackaged(change: Callable[[list[dict[str, Any]]], None]) -> bytes:
    """The final package with its reports changed by `change`, its hash made to fit and signed again by
    the applicant's own key: every check before the approvals passes, so they alone are judged."""
    package = json.loads(final().package)
    change(package["content"]["application"]["reports"])
    package["content_sha256"] = sha256_hex(canonical_json(package["content"]))
    return signed_bytes(
        {name: value for name, value in package.items() if name != "signature"}, final().parties.applicant
    )


# -- the package ------------------------------------------------------------------------------------------


def test_final_package_with_approvals_verifies() -> None:
    """Twenty cases approved by the 指導者's key: the package and its PDF verify."""
    files = final()
    result = _verify(files.package, files.pdf)
    assert result.ok and result.pdf_checked, result.reason
    assert result.approvals == 20
    reports = json.loads(files.package)["content"]["application"]["reports"]
    assert len(reports) == 20
    for case in reports:
        statement = case["approval"]["statement"]
        assert statement["decision"] == "approved"
        assert statement["signature"]["fingerprint"] == files.parties.supervisor.fingerprint
        assert statement["applicant"]["fingerprint"] == files.parties.applicant.fingerprint


def test_package_never_holds_the_note() -> None:
    """備考 stays on the machine: not in the package, not in the PDF's text."""
    assert NOTE.encode() not in final().package
    assert "カルテ番号" not in support.pdf_text(final().result.pdf_path)


def _set(row: int, **values: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(reports: list[dict[str, Any]]) -> None:
        reports[row].update(values)

    return change


def _set_approval(row: int, **values: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(reports: list[dict[str, Any]]) -> None:
        reports[row]["approval"].update(values)

    return change


def _edit_statement(row: int, **values: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(reports: list[dict[str, Any]]) -> None:
        reports[row]["approval"]["statement"].update(values)

    return change


def _move_statement(source: int, target: int) -> Callable[[list[dict[str, Any]]], None]:
    def change(reports: list[dict[str, Any]]) -> None:
        reports[target]["approval"] = reports[source]["approval"]

    return change


def _widen_supervisor_period(row: int) -> Callable[[list[dict[str, Any]]], None]:
    def change(reports: list[dict[str, Any]]) -> None:
        reports[row]["approval"]["supervisor"]["cert_end"] = "2040-03-31"

    return change


@pytest.mark.parametrize(
    ("change", "row", "words"),
    [
        (_set(3, approval=None), 3, "承認がありません（状態: 未承認）"),
        (_set_approval(4, state="requested"), 4, "承認がありません（状態: 承認依頼中）"),
        (_set_approval(5, statement=None), 5, "署名付きの承認が含まれていません"),
        (_set(6, diagnosis="肺癌"), 6, "内容ハッシュが一致しません"),
        (_edit_statement(7, decided_at="2024-06-01T00:00:00Z"), 7, "署名"),
        (_move_statement(8, 9), 9, "別の症例"),
        (_widen_supervisor_period(10), 10, "署名された結果と異なります"),
        (_set_approval(11, decided_at="2024-06-01T00:00:00Z"), 11, "署名された結果と異なります"),
    ],
    ids=["none", "requested", "no-statement", "edited", "statement-changed", "moved", "record", "date"],
)
def test_each_kind_of_broken_approval_fails_naming_the_case(
    change: Callable[[list[dict[str, Any]]], None], row: int, words: str
) -> None:
    """A package whose case lacks, or carries a broken, approval fails the approvals check naming it."""
    result = _verify(_repackaged(change))
    assert result.failed is Check.APPROVALS, result.reason
    assert result.reason.startswith(f"症例{row + 1}: ") and words in result.reason


def _statement_for(report: dict[str, Any], key: Any, **values: Any) -> dict[str, Any]:
    """A statement for `report` as the final package holds it, signed by `key` (another program's)."""
    statement = {
        name: value for name, value in report["approval"]["statement"].items() if name != "signature"
    }
    statement.update(values)
    statement["supervisor"] = {**statement["supervisor"], "fingerprint": key.fingerprint}
    return sign_document(statement, key)


def test_self_approval_in_a_package_fails() -> None:
    """An approval the applicant signed with their own key fails, naming the case."""
    applicant = final().parties.applicant

    def change(reports: list[dict[str, Any]]) -> None:
        statement = _statement_for(reports[2], applicant)
        reports[2]["approval"]["statement"] = statement
        reports[2]["approval"]["supervisor"] = statement["supervisor"]

    result = _verify(_repackaged(change))
    assert result.failed is Check.APPROVALS and result.reason.startswith("症例3: ")
    assert "申請者ご本人の署名鍵" in result.reason


def test_statement_given_to_another_applicant_fails() -> None:
    """An approval made for another applicant's key (a copy of the document signed elsewhere) fails."""
    other = Parties.make(Path(tempfile.mkdtemp(prefix="shorei-other-")))
    elsewhere = _approved(Parties(other.applicant, final().parties.supervisor))
    moved = elsewhere.reports[12].approval
    assert moved is not None

    def change(reports: list[dict[str, Any]]) -> None:
        reports[12]["approval"] = moved.model_dump(mode="json")

    result = _verify(_repackaged(change))
    assert result.failed is Check.APPROVALS and result.reason.startswith("症例13: ")
    assert "別の申請者" in result.reason


def test_approval_outside_the_supervisors_period_fails_by_the_rule() -> None:
    """A statement the 指導者's key signed for a period outside their certification (made by another
    program) still fails: verify applies the rule of app.validation to the signed 指導者."""
    supervisor = final().parties.supervisor

    def change(reports: list[dict[str, Any]]) -> None:
        statement = _statement_for(reports[1], supervisor)
        statement = {name: value for name, value in statement.items() if name != "signature"}
        statement["supervisor"]["cert_start"] = "2023-05-01"
        statement = sign_document(statement, supervisor)
        reports[1]["approval"]["statement"] = statement
        reports[1]["approval"]["supervisor"] = statement["supervisor"]

    result = _verify(_repackaged(change))
    assert result.failed is Check.APPROVALS
    assert "症例2" in result.reason and "認定期間" in result.reason


def test_changing_a_byte_of_an_approval_fails() -> None:
    """Any byte changed inside an approval fails the package's signature before anything else."""
    package = final().package
    position = package.index(b'"decision":"approved"') + len(b'"decision":"a')
    changed = package[:position] + b"q" + package[position + 1 :]
    assert _verify(changed).failed is Check.SIGNATURE


def test_form_without_approval_exports_and_verifies(tmp_path: Path) -> None:
    """専門医移行申請 (7 cases, no approval) exports; verify checks no approval and passes; the PDF shows
    the one-per-category coverage and no approval line."""
    application = jspm_application([report(n) for n in range(7)], TRANSITION)
    form = jspm_form(TRANSITION)
    result = export_application(application, form, jspm_facilities(), tmp_path, stem="t", now=DECIDED)
    assert result.package_path is not None
    verdict = verify_package(
        result.package_path.read_bytes(),
        source="t.package.json",
        forms=FormRegistry([form]),
        facility_lists=[jspm_facilities().info],
        pdf=result.pdf_path.read_bytes(),
    )
    assert verdict.ok and verdict.approvals == 0, verdict.reason
    pages = _pages(result.pdf_path)
    assert len(pages) == 8
    assert "症例数（各1例以上・1例まで）" in support.squeezed(pages[0])
    assert "指導者の承認" not in pages[1] and "指導者" not in pages[0]
    assert "7 スピリチュアルな関わり 東都中央病院（サンプル） 2023/04/01〜2023/06/30 登録済" in pages[0]


def test_application_not_fully_approved_is_refused(tmp_path: Path) -> None:
    """Until every case is 承認, only a draft can be printed (JS-6)."""
    parties = Parties.make(tmp_path)
    application = jspm_application()
    _, data = send(application, [0, 1, 2], parties)
    receive(
        application,
        answer(data, parties, {3: ("rejected", [FieldComment(field="", comment="再考を")])}),
        parties,
    )
    with pytest.raises(ExportRefusedError) as refused:
        export_application(
            application, jspm_form(), jspm_facilities(), tmp_path, stem="x", key=parties.applicant
        )
    assert any(issue.code == "not-approved" and issue.row == 3 for issue in refused.value.errors)


def test_plan_lists_the_facilities_and_the_pdf_kind(tmp_path: Path) -> None:
    """The plan of a case-report export says how the PDF is signed and counts cases by facility."""
    plan = plan_export(final().application, jspm_form(), jspm_facilities(), tmp_path, stem="jspm")
    lines = plan.describe()
    assert any("症例ごとに署名・捺印" in line for line in lines)
    assert "診療施設名: 東都中央病院（サンプル）　20件" in lines


# -- the PDF ----------------------------------------------------------------------------------------------


def _pages(path: Path) -> list[str]:
    return [page for page in support.pdf_text(path).split("\f") if page.strip()]


def test_pdf_has_a_summary_and_one_page_per_case() -> None:
    """The summary names the applicant, the count and the coverage, and lists every case with its
    category, facility, period, 状態 and 指導者; then each case has its own page."""
    pages = _pages(final().result.pdf_path)
    assert len(pages) == 21
    summary = pages[0]
    assert "専門医新規申請 症例報告書 症例一覧" in summary
    assert "緩和 花子" in summary and "J12345" in summary
    assert "20例（必要 20例）" in summary and "20例 / 20例" in summary
    squeezed = support.squeezed(summary)
    for category in CATEGORIES:
        assert support.squeezed(category) in squeezed
    assert "0（対象外）" in summary
    assert "署名された承認としてアップロード用ファイルに含まれています" in summary
    for number in range(1, 21):
        row = f"{number}{CATEGORIES[(number - 1) % 7]}東都中央病院（サンプル）2023/04/01〜2023/06/30承認指導一郎（指導医）"
        assert row in squeezed
    for number, page in enumerate(pages[1:], start=1):
        assert f"症例報告書（症例{number}）" in page


def test_case_page_prints_every_field_and_the_approval_line() -> None:
    """A case page holds each field, the narrative with its line breaks, and the approval line: 指導者,
    承認日, the 指導者's key fingerprint; the certification and seal box come from the form data."""
    files = final()
    page = _pages(files.result.pdf_path)[1]
    form = jspm_form()
    for spec in form.fields:
        if not spec.private and spec.key not in ("start", "end"):
            assert spec.label in page, spec.label
    assert form.period_label in page and form.facility.label in page
    assert "認定番号S001・基幹施設・認定期間2020/04/01〜2030/03/31" in support.squeezed(page)
    assert "実際の提供期間 2023/03/01〜2023/07/31\n外来化学療法中に" in page
    assert "50歳" in page and "女性" in page and "慢性心不全" in page
    assert f"{SUPERVISOR['name']}（指導医、会員番号 J00001、認定期間 2020/04/01〜2030/03/31）" in page
    assert "承認日 2024/05/11" in page or "承認日 2024/05/10" in page
    assert files.parties.supervisor.fingerprint in page
    assert support.squeezed(form.print.seal_statement) in support.squeezed(page)
    assert form.print.seal_caption in page
    assert "備考" not in page


def test_every_page_has_page_x_of_y_hash_and_fingerprint() -> None:
    """Every page shows x / y, the package's 照合コード and the applicant's key fingerprint."""
    result = final().result
    pages = _pages(result.pdf_path)
    for number, page in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in page
        assert result.short_hash is not None and result.short_hash in page
        assert result.fingerprint is not None and result.fingerprint in page


def test_font_is_embedded() -> None:
    """The JSPM PDF embeds IPAex Gothic (subset, with a ToUnicode map) and names no other font."""
    fonts = support.pdf_fonts(final().result.pdf_path)
    assert fonts and all(font.name.endswith("+IPAexGothic") for font in fonts)
    assert all(font.embedded and font.subset and font.to_unicode for font in fonts)


def test_draft_shows_each_state_and_the_comments(tmp_path: Path) -> None:
    """A draft lists 承認, 承認依頼中, 非承認, 未承認 and 未登録 as the list shows them, prints the rejected
    case's comments, and is watermarked with no package."""
    parties = Parties.make(tmp_path)
    application = jspm_application()
    application.reports[19].diagnosis = ""
    _, data = send(application, [0, 1, 2], parties)
    comment = FieldComment(field="history", comment="実際の期間を冒頭に書いてください")
    receive(application, answer(data, parties, {2: ("rejected", [comment])}), parties)
    send(application, [3], parties)
    result = export_application(
        application, jspm_form(), jspm_facilities(), tmp_path, stem="d", draft=True, key=parties.applicant
    )
    assert result.package_path is None
    pages = _pages(result.pdf_path)
    squeezed = support.squeezed(pages[0])
    for number, status in [(1, "承認"), (2, "非承認"), (4, "承認依頼中"), (5, "未承認"), (20, "未登録")]:
        assert (
            f"{number}{CATEGORIES[(number - 1) % 7]}東都中央病院（サンプル）2023/04/01〜2023/06/30{status}"
            in squeezed
        )
    assert "介入時までの現病歴：実際の期間を冒頭に書いてください" in pages[2]
    assert all("下書き" in page for page in pages)
    assert "アップロード用ファイルに含まれています" not in pages[0]


def test_coverage_problem_is_printed_on_a_draft(tmp_path: Path) -> None:
    """A draft missing a category prints the coverage message under the table."""
    application = jspm_application()
    for case in application.reports:
        if case.category == "せん妄":
            case.category = "痛み"
    result = export_application(application, jspm_form(), jspm_facilities(), tmp_path, stem="c", draft=True)
    summary = _pages(result.pdf_path)[0]
    assert "症例区分「せん妄」の症例がありません" in summary


def test_markup_in_a_narrative_prints_as_text(tmp_path: Path) -> None:
    """`<b>` and `&` typed in a narrative field are printed as typed."""
    application = jspm_application()
    application.reports[0].narrative["course"] = "NRS <b>7</b> & 嘔気 → <br/> 改善"
    result = export_application(application, jspm_form(), jspm_facilities(), tmp_path, stem="m", draft=True)
    assert "NRS <b>7</b> & 嘔気 → <br/> 改善" in _pages(result.pdf_path)[1]
