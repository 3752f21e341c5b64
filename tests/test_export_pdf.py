"""The printed sheets (SPEC §6): font embedded, every case on paper, 備考 never, user text always text."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from app.export import ExportRefusedError, export_application, plan_export
from app.export.fonts import missing_glyphs, to_unicode_cmap
from app.export.pdf.text import clipped, printable
from app.models.forms import PrintSpec
from app.signing.keys import SigningKey
from app.validation import has_errors, validate
from tests import export_support as support

if TYPE_CHECKING:
    from pathlib import Path

    from app.export import ExportResult
    from app.models.application import Application
    from app.models.forms import FormDefinition


def _export(
    application: Application,
    folder: Path,
    *,
    draft: bool = False,
    form: FormDefinition | None = None,
) -> ExportResult:
    return export_application(
        application,
        form or support.form(),
        support.facilities(),
        folder,
        stem="sheet",
        draft=draft,
        key=SigningKey.generate(),
        now=support.NOW,
    )


def test_japanese_font_is_embedded_as_a_subset(tmp_path: Path) -> None:
    """The PDF lists IPAex Gothic, embedded and subset, with a ToUnicode map, and no other font: the file
    names no font it does not carry (not even reportlab's default Helvetica)."""
    result = _export(support.valid_20_app(), tmp_path)
    fonts = support.pdf_fonts(result.pdf_path)
    ipaex = [font for font in fonts if font.name.endswith("+IPAexGothic")]
    assert ipaex and ipaex == fonts
    assert all(font.embedded and font.subset and font.to_unicode for font in ipaex)


def test_every_case_is_printed_row_by_row(tmp_path: Path) -> None:
    """Each case's No., 年齢, 性別, 診療項目, 実施期間, 診断名 and 病理診断名 come out in one row, in order."""
    application = support.valid_25_app()
    form = support.form()
    text = support.squeezed(support.pdf_text(_export(application, tmp_path).pdf_path))
    printed = 0
    for section in application.sections:
        for row, case in section.filled_cases():
            assert case.start is not None and case.end is not None and case.sex is not None
            sex = form.choices["sex"].by_value(case.sex)
            assert sex is not None
            item = f"その他：{case.item_other}" if case.item == "その他" else case.item
            expected = (
                f"{row + 1}{case.age}{sex.label}{item}"
                f"{case.start.display()}〜{case.end.display()}{case.diagnosis}{case.pathology}"
            )
            assert support.squeezed(expected) in text
            printed += 1
    assert printed == application.case_count() == 25


def test_full_section_fits_one_page_with_its_seal_box(tmp_path: Path) -> None:
    """25 cases of ordinary length, the remark and the seal box fit on one page (the screenshot's sheet)."""
    result = _export(support.valid_25_one_section_app(), tmp_path)
    pages = [page for page in support.pdf_text(result.pdf_path).split("\f") if page.strip()]
    assert len(pages) == 1
    page = pages[0]
    assert "申請2(1)1/1" in support.squeezed(page)
    assert "施設長 公印" in page and "申請者の説明：" in page
    assert "25 56 女性" in page


def test_other_item_prints_its_text(tmp_path: Path) -> None:
    """A case whose 診療項目 is その他 prints the text typed for it (JB-9)."""
    application = support.valid_20_app()
    others = [case for _, case in application.sections[0].filled_cases() if case.item == "その他"]
    assert others
    text = support.squeezed(support.pdf_text(_export(application, tmp_path).pdf_path))
    assert all(support.squeezed(case.item_other) in text for case in others)


def test_heading_names_applicant_facility_enrollment_and_count(tmp_path: Path) -> None:
    """Each sheet set is titled 申請2(n) 症例一覧表 and names the applicant, the facility (or 手入力), the
    在籍期間 and the number of cases."""
    text = support.pdf_text(_export(support.valid_25_app(), tmp_path).pdf_path)
    for title in ("申請2(1) 症例一覧表", "申請2(2) 症例一覧表", "申請2(3) 症例一覧表"):
        assert title in text
    assert "山田 太郎" in text and "123456" in text
    assert "認定番号 20953 伊勢赤十字病院" in text
    assert "やまだ腫瘍内科クリニック" in text and "手入力" in text
    assert "2023/10〜2025/03、2025/10〜2026/03" in text
    assert "12件（申請2(1)〜(3) 合計25件）" in text


def test_every_page_has_page_number_hash_fingerprint(tmp_path: Path) -> None:
    """Every page shows its section's page x/y, the package's short hash and the key's fingerprint."""
    result = _export(support.valid_25_app(), tmp_path)
    pages = support.pdf_text(result.pdf_path).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        assert f"申請2({number})1/1" in support.squeezed(page)
        assert result.short_hash is not None and result.short_hash in page
        assert result.fingerprint is not None and result.fingerprint in page


def test_long_section_numbers_its_pages(tmp_path: Path) -> None:
    """A section that runs over several pages numbers them 1 / n … n / n, and the table header repeats."""
    document = support.valid_20_app().model_dump(mode="json")
    for case in document["sections"][0]["cases"]:
        case["pathology"] = "中分化型管状腺癌、" * 8 + "リンパ節転移あり"
    pages = [
        page
        for page in support.pdf_text(_export(support.application(document), tmp_path).pdf_path).split("\f")
        if page.strip()
    ]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"申請2(1) {number} / {len(pages)}" in page
    assert all("No. 年齢 性別 実施した診療項目 実施期間 診断名 病理診断名" in page for page in pages)


def test_seal_box_wording_comes_from_the_form(tmp_path: Path) -> None:
    """The certification and the seal caption are the form data's, so next year's form can reword them."""
    form = support.form()
    custom = form.model_copy(
        update={
            "print": PrintSpec(
                sheet_title="症例一覧",
                seal_caption="病院長印",
                seal_statement="以上相違ないことを証明する。",
                seal_lines=["施設　{facility}", "病院長"],
            )
        }
    )
    text = support.pdf_text(_export(support.valid_20_app(), tmp_path, form=custom).pdf_path)
    assert "以上相違ないことを証明する。" in text
    assert "病院長印" in text
    assert "施設 伊勢赤十字病院" in text
    assert "申請2(1) 症例一覧" in text


def test_note_never_reaches_the_paper(tmp_path: Path) -> None:
    """備考 text is printed nowhere, neither in the PDF nor in the package beside it."""
    application = support.with_accepted_duplicate()
    notes = [case.note for section in application.sections for case in section.cases if case.note]
    assert notes
    result = _export(application, tmp_path)
    text = support.pdf_text(result.pdf_path)
    assert result.package_path is not None
    package = result.package_path.read_bytes().decode("utf-8")
    for note in notes:
        assert note not in text
        assert note not in package
    assert "カルテ番号" not in text and "カルテ番号" not in package


def test_accepted_warning_prints_with_its_reason(tmp_path: Path) -> None:
    """A warning kept with a reason is printed as a remark with that reason (SPEC §5)."""
    application = support.with_accepted_duplicate()
    issues = validate(application, support.form(), support.facilities())
    assert not has_errors(issues)
    assert any(issue.code == "duplicate-patient" and issue.accepted for issue in issues)
    text = support.squeezed(support.pdf_text(_export(application, tmp_path).pdf_path))
    assert support.squeezed(support.DUPLICATE_REASON) in text
    assert "注記" in text


MARKUP = '<b>太字</b> & <font size="40">大</font> &amp; <br/> </para> "引用"'


def test_markup_characters_print_as_text(tmp_path: Path) -> None:
    """`<`, `&` and whole tags in user text come out as the same characters, never as formatting."""
    application = support.with_texts(diagnosis=f"胃癌 {MARKUP}", pathology="腺癌 <unclosed & stray >")
    text = support.squeezed(support.pdf_text(_export(application, tmp_path, draft=True).pdf_path))
    assert support.squeezed(MARKUP) in text
    assert support.squeezed("腺癌 <unclosed & stray >") in text


NON_BMP = "𠮷野家 𩸽 😀 𠀋"


def test_non_bmp_characters_print_as_text(tmp_path: Path) -> None:
    """Characters beyond the BMP, those IPAex has (𩸽), those the fallback font draws (𠮷) and those no
    font has (😀), read back as themselves, and the sheet names only the one printed as a box."""
    application = support.with_texts(pathology=f"腺癌 {NON_BMP}")
    text = support.pdf_text(_export(application, tmp_path).pdf_path)
    assert support.squeezed(NON_BMP) in support.squeezed(text)
    assert "U+1F600" in text
    assert "U+20BB7" not in text and "U+29E3D" not in text


def test_long_unbroken_words_wrap_inside_their_cell(tmp_path: Path) -> None:
    """A 100-character word without spaces wraps inside its cell and is printed whole."""
    word = "A" * 60 + "がんがんがんがんがんがんがんがんがんがんがんがんがんがんがんがんがんがんがんがん"
    application = support.with_texts(diagnosis=f"胃癌{word}", pathology="B" * 100)
    text = support.squeezed(support.pdf_text(_export(application, tmp_path, draft=True).pdf_path))
    assert f"胃癌{word}" in text and "B" * 100 in text


def test_hostile_draft_text_never_breaks_the_sheet(tmp_path: Path) -> None:
    """Control characters, lone surrogates and 50,000-character fields still give a PDF (a draft)."""
    document = support.valid_20_app().model_dump(mode="json")
    case = document["sections"][0]["cases"][0]
    case["diagnosis"] = "胃\x07癌\ud800" + "長" * 50_000
    case["pathology"] = "\u202e腺癌\x00"
    document["applicant"]["name"] = "山田" * 500
    document["sections"][0]["enrollment"] *= 200
    result = _export(support.application(document), tmp_path, draft=True)
    text = support.pdf_text(result.pdf_path)
    assert "〔U+0007〕" in text and "〔U+D800〕" in text
    assert "文字のうち先頭300文字）" in support.squeezed(text)


def test_application_with_errors_is_refused_but_prints_as_draft(tmp_path: Path) -> None:
    """Errors refuse the final export; a draft is written, watermarked 「下書き」, with no package marks."""
    document = support.valid_20_app().model_dump(mode="json")
    document["sections"][0]["cases"][0]["diagnosis"] = "HCC"
    application = support.application(document)
    with pytest.raises(ExportRefusedError) as refused:
        _export(application, tmp_path)
    assert any(issue.code == "diagnosis-abbreviation" for issue in refused.value.errors)
    assert list(tmp_path.iterdir()) == []
    result = _export(application, tmp_path, draft=True)
    assert result.package_path is None and result.short_hash is None
    assert [path.name for path in tmp_path.iterdir()] == ["sheet-draft.pdf"]
    text = support.pdf_text(result.pdf_path)
    assert "下書き" in text and "押印・提出には使えません" in text
    assert "照合コード" not in text and "署名鍵の指紋" not in text


def test_draft_of_a_valid_application_has_no_package(tmp_path: Path) -> None:
    """A draft asked for on purpose is a watermarked PDF only, even when there are no errors."""
    result = _export(support.valid_20_app(), tmp_path, draft=True)
    assert result.draft and result.package_path is None
    assert "下書き" in support.pdf_text(result.pdf_path)


def test_same_input_gives_the_same_pdf(tmp_path: Path) -> None:
    """Rendering is deterministic: the same application, key and time give byte-identical files."""
    key = SigningKey.generate()
    first = export_application(
        support.valid_20_app(),
        support.form(),
        support.facilities(),
        tmp_path / "a",
        stem="x",
        key=key,
        now=support.NOW,
    )
    second = export_application(
        support.valid_20_app(),
        support.form(),
        support.facilities(),
        tmp_path / "b",
        stem="x",
        key=key,
        now=support.NOW,
    )
    assert first.pdf_path.read_bytes() == second.pdf_path.read_bytes()
    assert first.package_hash == second.package_hash


def test_plan_describes_what_will_be_written(tmp_path: Path) -> None:
    """The plan the window shows names both files, the folder and each section's facility and count."""
    plan = plan_export(
        support.valid_25_app(), support.form(), support.facilities(), tmp_path, stem="申請 2026"
    )
    lines = "\n".join(plan.describe())
    assert not plan.refused
    assert str(tmp_path) in lines
    assert "申請 2026.pdf" in lines and "申請 2026.package.json" in lines
    assert "申請2(2): 大津赤十字病院　8件" in lines


def test_plan_of_an_application_with_errors_lists_them(tmp_path: Path) -> None:
    """When there are errors the plan is a refusal that lists every error."""
    document = support.valid_20_app().model_dump(mode="json")
    document["sections"][0]["cases"][0]["age"] = 130
    plan = plan_export(
        support.application(document), support.form(), support.facilities(), tmp_path, stem="x"
    )
    assert plan.refused
    assert any("年齢" in line for line in plan.describe())


def test_to_unicode_map_spells_non_bmp_as_surrogate_pairs() -> None:
    """The ToUnicode map writes U+20BB7 as the UTF-16 pair D842 DFB7, the form PDF readers expect."""
    cmap = to_unicode_cmap("X", [0, 0x20BB7, 0x3042])
    assert "<01> <D842DFB7>" in cmap and "<02> <3042>" in cmap


def test_missing_glyphs_lists_what_ipaex_lacks() -> None:
    """missing_glyphs names emoji, never ordinary kanji, kana, 𩸽 (which IPAex has) or 𠮷 (the fallback's)."""
    assert missing_glyphs(["𠮷野 😀 漢字かな 𩸽 髙"]) == ["😀"]


def test_printable_and_clipped_show_what_was_changed() -> None:
    """Invisible characters become their code point and clipped text says how long it was."""
    assert printable("a\x07b") == "a〔U+0007〕b"
    assert printable("普通の文字") == "普通の文字"
    assert clipped("あ" * 10, 4) == "ああああ…（全10文字のうち先頭4文字）"
