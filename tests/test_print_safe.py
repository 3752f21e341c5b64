"""Paper that survives a printer and the society's office (SPEC §6, issue 14), checked the way a scanner and a
reader see it: every page rendered with pdfium, the QR decoded with zxing, text and fonts read from the
PDF — never from the layout code."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from fontTools.ttLib import TTFont

from app.cli import main
from app.export import export_application
from app.export.fonts import FALLBACK_FONT_FILE, FONT_FILE
from app.export.linebreak import NO_END, NO_START, break_lines
from app.export.package import short_hash
from app.models.document import load_application
from app.resources import resource_path
from app.signing.keys import SigningKey
from examples.generate import long_names
from tests import export_support as support
from tests import pdf_pages
from tests.conftest import EXAMPLES
from tests.jspm_factories import TRANSITION, jspm_application, jspm_facilities, jspm_form, report

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

FINAL = [
    "valid-20-cases",
    "valid-25-cases-3-sections",
    "valid-25-cases-1-section",
    "valid-25-long-names",
    "jspm-transition-7-cases",
]
DRAFTS = ["broken", "jspm-specialist-new-unapproved"]
RARE = "𠮷髙﨑𡈽"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Every example exported once through `shorei export` (the drafts with --draft): name → PDF."""
    home = tmp_path_factory.mktemp("home")
    out = tmp_path_factory.mktemp("out")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHOREI_HOME", str(home))
        pdfs: dict[str, Path] = {}
        for name in FINAL:
            assert main(["export", str(EXAMPLES / f"{name}.json"), "--out", str(out)]) == 0
            pdfs[name] = out / f"{name}.pdf"
        for name in DRAFTS:
            assert main(["export", str(EXAMPLES / f"{name}.json"), "--out", str(out), "--draft"]) == 0
            pdfs[name] = out / f"{name}-draft.pdf"
        yield pdfs


@pytest.mark.parametrize("name", FINAL + DRAFTS)
def test_nothing_is_printed_within_10_mm_of_any_edge(exported: dict[str, Path], name: str) -> None:
    """Rendered at 100 dpi, every page of every example is blank paper 10 mm in from all four edges."""
    for number, image in enumerate(pdf_pages.render(exported[name], 100), start=1):
        assert pdf_pages.ink_near_edges(image, 100, 10) == [], f"{name} page {number}"


@pytest.mark.parametrize("name", FINAL)
def test_qr_code_decodes_from_a_150_and_a_100_dpi_scan(exported: dict[str, Path], name: str) -> None:
    """Every page's QR code decodes at 150 dpi and at 100 dpi and holds the package hash."""
    package = json.loads(exported[name].with_suffix(".package.json").read_bytes())
    for dpi in (150, 100):
        for number, image in enumerate(pdf_pages.render(exported[name], dpi), start=1):
            texts = pdf_pages.qr_texts(image)
            assert len(texts) == 1, f"{name} page {number} at {dpi} dpi"
            assert texts[0].endswith(f"sha256={package['content_sha256']}")


@pytest.mark.parametrize("name", FINAL + DRAFTS)
def test_every_page_carries_the_sheet_head(exported: dict[str, Path], name: str, examples_dir: Path) -> None:
    """Each page names the form, the applicant with 会員番号, its section (JBCT: and facility; JSPM: the
    case, continued or not) and page x / y of its set."""
    application = load_application(examples_dir / f"{name}.json")
    applicant = application.applicant
    texts = pdf_pages.page_texts(exported[name])
    for number, text in enumerate(texts, start=1):
        flat = pdf_pages.squeezed(text)
        assert pdf_pages.squeezed(applicant.name) in flat, f"page {number}"
        assert f"会員番号{applicant.member_id}" in flat, f"page {number}"
        assert re.search(r"\d+/\d+", flat), f"page {number}"
        if application.reports:
            assert re.search(r"症例一覧|症例\d+|エラー一覧", flat), f"page {number}"
        else:
            assert re.search(r"申請2\(\d\)", flat), f"page {number}"


def test_each_section_head_names_its_facility_on_every_page(exported: dict[str, Path]) -> None:
    """The three sections' pages name their own facility and count their own pages."""
    texts = [pdf_pages.squeezed(text) for text in pdf_pages.page_texts(exported["valid-25-cases-3-sections"])]
    assert len(texts) == 3
    for text, (label, facility) in zip(
        texts,
        [
            ("申請2(1)", "伊勢赤十字病院"),
            ("申請2(2)", "大津赤十字病院"),
            ("申請2(3)", "やまだ腫瘍内科クリニック"),
        ],
        strict=True,
    ):
        assert f"{label}1/1" in text and facility in text


def test_25_long_named_cases_fit_one_page_numbered_without_gaps(exported: dict[str, Path]) -> None:
    """25 cases with 20-character 診断名 and 病理診断名, 「その他」 items and an empty grid row print on one
    page with the seal box, numbered 1–25 in order (the empty row takes no number)."""
    path = exported["valid-25-long-names"]
    [text] = pdf_pages.page_texts(path)
    flat = pdf_pages.squeezed(text)
    assert "施設長公印" in flat and "注記" in flat
    section = load_application(EXAMPLES / "valid-25-long-names.json").sections[0]
    assert len(section.cases) == 26 and section.cases[7].is_blank()
    position = 0
    for number, (_row, case) in enumerate(section.filled_cases(), start=1):
        sex = "男性" if case.sex == "male" else "女性"
        found = flat.find(f"{number}{case.age}{sex}", position)
        assert found > position, f"No.{number}"
        position = found
        assert pdf_pages.squeezed(case.diagnosis) in flat and pdf_pages.squeezed(case.pathology) in flat
    assert "その他：がん悪液質に対する栄養療法と運動療法の併用" in flat


def test_kept_warning_reads_as_finding_and_reason(exported: dict[str, Path]) -> None:
    """A kept warning prints where (printed No.), what was found and the applicant's reason; never the
    program's advice to approve it, nor the grid's row number."""
    flat = pdf_pages.squeezed(pdf_pages.page_texts(exported["valid-25-long-names"])[0])
    assert "No.20（病理診断名）：「RAS」は略語の可能性があります。申請者の説明：RASは遺伝子名" in flat
    assert "承認できます" not in flat and "No.21" not in flat


def test_header_keeps_the_member_id_of_a_very_long_name(tmp_path: Path) -> None:
    """A 40-character name is shortened on the page head, its 会員番号 never."""
    document = support.valid_20_app().model_dump(mode="json")
    document["applicant"]["name"] = (
        "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末食う寝る処に住む処や"
    )
    result = export_application(
        support.application(document),
        support.form(),
        support.facilities(),
        tmp_path,
        stem="long",
        key=SigningKey.generate(),
        now=support.NOW,
    )
    for text in pdf_pages.page_texts(result.pdf_path):
        assert "会員番号123456" in pdf_pages.squeezed(text)


def test_rare_kanji_come_from_an_embedded_font_that_has_them(exported: dict[str, Path]) -> None:
    """𠮷, 髙, 﨑 and 𡈽 (in the applicant's and the facility's names) are each drawn in an embedded font
    whose glyphs include them: IPAex Gothic, or the fallback subset for what IPAex lacks (𠮷)."""
    cmaps = {
        "IPAexGothic": TTFont(resource_path("fonts", FONT_FILE)).getBestCmap(),
        "ShoreiFallbackMincho": TTFont(resource_path("fonts", FALLBACK_FONT_FILE)).getBestCmap(),
    }
    runs = pdf_pages.text_runs(exported["valid-25-long-names"])
    for char in RARE:
        drawn = [run for run in runs if char in run.text]
        assert drawn, char
        for run in drawn:
            assert run.embedded and run.font in cmaps, (char, run.font)
            assert ord(char) in cmaps[run.font], (char, run.font)
    assert {run.font for run in runs} == set(cmaps)


def test_fallback_font_is_small_and_licensed() -> None:
    """The fallback subset has 𠮷, stays far below a few hundred KB, and travels with the IPA licence."""
    path = resource_path("fonts", FALLBACK_FONT_FILE)
    assert ord("𠮷") in TTFont(path).getBestCmap()
    assert path.stat().st_size < 300_000
    assert resource_path("fonts", "IPA_Font_License_Agreement_v1.0.txt").exists()


def test_footer_says_what_the_code_is_and_how_to_check_without_shorei(exported: dict[str, Path]) -> None:
    """The footer names the package file the code is a hash of, prints the full hash, and gives the
    CertUtil and sha256sum commands on the PDF's own name; it never tells the office to run shorei."""
    path = exported["valid-20-cases"]
    package = json.loads(path.with_suffix(".package.json").read_bytes())
    for text in pdf_pages.page_texts(path):
        flat = pdf_pages.squeezed(text)
        assert "valid-20-cases.package.json" in flat
        assert package["content_sha256"] in flat and short_hash(package["content_sha256"]) in flat
        assert "CertUtil-hashfilevalid-20-cases.pdfSHA256" in flat
        assert "sha256sumvalid-20-cases.pdf" in flat
        assert "shoreiverify" not in flat


@pytest.mark.parametrize("name", FINAL + DRAFTS)
def test_paper_never_shows_internal_ids(exported: dict[str, Path], name: str) -> None:
    """No form id (jbct-renewal-2026, jspm-specialist-…), form version or report id is printed."""
    application = load_application(EXAMPLES / f"{name}.json")
    for text in pdf_pages.page_texts(exported[name]):
        assert application.form.id not in text and application.form.version not in text
        assert not re.search(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])", text)


def test_jspm_title_says_its_name_once(exported: dict[str, Path]) -> None:
    """The JSPM head and title read 「…症例報告書」, never 「症例報告書 症例報告書」."""
    for name in ("jspm-transition-7-cases", "jspm-specialist-new-unapproved"):
        for text in pdf_pages.page_texts(exported[name]):
            assert "症例報告書症例報告書" not in pdf_pages.squeezed(text)


def test_draft_has_no_seal_box_and_lists_numbered_errors(exported: dict[str, Path]) -> None:
    """The draft of broken.json has the watermark, no seal box or certification, each wrong cell marked
    ※n and the numbered list of every error after the cases."""
    raw = pdf_pages.page_texts(exported["broken"])
    texts = [pdf_pages.squeezed(text) for text in raw]
    whole = "".join(texts)
    assert all("下書き" in text for text in texts)
    assert "公印" not in whole and "証明します" not in whole and "割印" not in whole
    assert "エラー一覧" in whole
    numbers = sorted({int(found) for found in re.findall(r"※(\d+)", " ".join(raw))})
    assert numbers == list(range(1, 28))  # 27 errors (SPEC §7 example), each listed once
    jspm = "".join(
        pdf_pages.squeezed(text) for text in pdf_pages.page_texts(exported["jspm-specialist-new-unapproved"])
    )
    assert "署名・捺印" not in jspm and "エラー一覧" in jspm


def test_draft_numbers_rows_without_gaps(tmp_path: Path) -> None:
    """A draft with an empty grid row numbers the printed rows 1, 2, 3 … and its error list says the
    printed No."""
    document = long_names()
    cases = document["sections"][0]["cases"]
    cases[10]["age"] = None  # grid row 11 → printed No.10
    result = export_application(
        support.application(document),
        support.form(),
        support.facilities(),
        tmp_path,
        stem="gap",
        draft=True,
        now=support.NOW,
    )
    flat = "".join(pdf_pages.squeezed(text) for text in pdf_pages.page_texts(result.pdf_path))
    assert "※1No.10年齢：" in flat


def test_same_content_gives_the_same_code_and_keeps_an_earlier_pair(tmp_path: Path) -> None:
    """Two exports of the same content, an hour apart, give the same 照合コード and package content; an
    export of other content over them keeps the earlier pair renamed with its code, and it still
    verifies against its own PDF."""
    key = SigningKey.generate()
    application = support.valid_20_app()

    def export(app: Any, now: dt.datetime) -> Any:
        return export_application(
            app, support.form(), support.facilities(), tmp_path, stem="sheet", key=key, now=now
        )

    first = export(application, support.NOW)
    first_package = json.loads(first.package_path.read_bytes())
    second = export(application, support.NOW + dt.timedelta(hours=1))
    second_package = json.loads(second.package_path.read_bytes())
    assert first.short_hash == second.short_hash and second.earlier is None
    assert first_package["content"] == second_package["content"]
    assert first_package["exported"] != second_package["exported"]
    codes = [pdf_pages.squeezed(text) for text in pdf_pages.page_texts(second.pdf_path)]
    assert all(str(first.short_hash) in text for text in codes)

    changed = support.with_texts(pathology="低分化型腺癌")
    third = export(changed, support.NOW + dt.timedelta(hours=2))
    assert third.short_hash != first.short_hash and third.earlier is not None
    kept_pdf, kept_package = third.earlier.kept_pdf, third.earlier.kept_package
    assert kept_pdf is not None and kept_package is not None
    assert kept_pdf.name == f"sheet-{first.short_hash}.pdf"
    assert kept_package.name == f"sheet-{first.short_hash}.package.json"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["sheet.pdf", "sheet.package.json", kept_pdf.name, kept_package.name]
    )
    assert json.loads(kept_package.read_bytes())["content"] == first_package["content"]


def test_export_can_be_declined_when_an_earlier_pair_differs(tmp_path: Path) -> None:
    """With `on_earlier` returning False nothing is written or renamed (the window's 「キャンセル」)."""
    from app.export.export import EarlierExport, ExportCancelledError

    key = SigningKey.generate()
    first = export_application(
        support.valid_20_app(),
        support.form(),
        support.facilities(),
        tmp_path,
        stem="s",
        key=key,
        now=support.NOW,
    )
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    asked: list[str] = []

    def decline(earlier: EarlierExport) -> bool:
        asked.append(earlier.code)
        return False

    with pytest.raises(ExportCancelledError):
        export_application(
            support.with_texts(pathology="低分化型腺癌"),
            support.form(),
            support.facilities(),
            tmp_path,
            stem="s",
            key=key,
            now=support.NOW,
            on_earlier=decline,
        )
    assert asked == [first.short_hash]
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_cli_export_over_other_content_says_what_it_kept(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`shorei export` over an earlier pair of other content keeps it renamed and says so."""
    source = tmp_path / "app.json"
    document = json.loads((examples_dir / "valid-20-cases.json").read_text(encoding="utf-8"))
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert main(["export", str(source), "--out", str(tmp_path / "out")]) == 0
    document["sections"][0]["cases"][0]["pathology"] = "低分化型腺癌"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["export", str(source), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "以前に作成したファイル（照合コード" in out and "残しました" in out
    assert len(list((tmp_path / "out").iterdir())) == 4


def test_pdf_metadata_names_the_sheet_the_applicant_and_the_export_time(exported: dict[str, Path]) -> None:
    """Title, Author (the applicant), Subject, Lang ja-JP and the real export time as CreationDate."""
    before = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    path = exported["valid-20-cases"]
    info = pdf_pages.metadata(path)
    assert info["Title"] == "がん治療認定医 更新申請 申請2 症例登録 症例一覧表"
    assert info["Author"] == "山田 太郎"
    assert "照合コード" in info["Subject"]
    created = dt.datetime.strptime(info["CreationDate"][2:16], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    assert before <= created <= dt.datetime.now(dt.UTC)
    assert b"/Lang (ja-JP)" in path.read_bytes()


def test_jspm_heading_stays_with_its_text_and_pages_say_continued(tmp_path: Path) -> None:
    """A case whose narrative runs over pages: no field label ends a page without its text, and each
    following page's head says 「症例1（続き）」."""
    long = "疼痛の評価と介入を繰り返し、家族と面談を重ねた。" * 60
    reports = [report(n) for n in range(7)]
    reports[0]["narrative"] = {key: long for key in ("history", "problems", "course", "reflection")}
    application = jspm_application(reports, TRANSITION)
    result = export_application(
        application,
        jspm_form(TRANSITION),
        jspm_facilities(),
        tmp_path,
        stem="jspm",
        draft=True,
        now=support.NOW,
    )
    texts = [pdf_pages.squeezed(text) for text in pdf_pages.page_texts(result.pdf_path)]
    case_one = [
        text for text in texts if "症例1" in text and "症例一覧" not in text and "エラー一覧（" not in text
    ]
    assert len(case_one) >= 3
    assert "症例1（続き）" not in case_one[0]
    assert all("症例1（続き）" in text for text in case_one[1:])
    form = jspm_form(TRANSITION)
    for spec in form.narrative_fields():
        for text in case_one:
            if pdf_pages.squeezed(spec.label) in text:
                after = text.split(pdf_pages.squeezed(spec.label), 1)[1]
                assert after.startswith("疼痛の評価"), spec.label


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("身体症状（痛み以外）に対して介入した", 5),
        ("スピリチュアルな関わり（家族を含む）", 8),
        ("チェックポイント阻害薬（ニボルマブ）の投与後、ショックを起こした。", 5),
        ("認定期間 2020/04/01〜2030/03/31 の施設", 24),
    ],
)
def test_line_breaks_follow_japanese_rules(text: str, width: int) -> None:
    """No line starts with a closing bracket, small kana, 「ー」 or punctuation, none ends with an opening
    bracket, a date range stays whole, and the last line is never a single character."""
    lines = break_lines(text, width, len)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines[1:]:
        assert line[0] not in NO_START, lines
    for line in lines[:-1]:
        assert line[-1] not in NO_END, lines
    assert len(lines[-1]) > 1, lines
    if text.startswith("スピリチュアル"):
        assert lines[0].startswith("スピリチュアル"), lines  # not スピリチュ／アル…
    if "2020/04/01" in text:
        assert any("2020/04/01〜2030/03/31" in line for line in lines), lines


def test_plan_names_the_earlier_pair_it_will_keep(tmp_path: Path) -> None:
    """Before writing, the plan (the window's confirmation) says which earlier pair will be kept, and
    under which names; for the same content it says nothing."""
    from app.export import plan_export

    key = SigningKey.generate()
    first = export_application(
        support.valid_20_app(),
        support.form(),
        support.facilities(),
        tmp_path,
        stem="p",
        key=key,
        now=support.NOW,
    )
    same = plan_export(support.valid_20_app(), support.form(), support.facilities(), tmp_path, stem="p")
    assert same.earlier is None
    other = plan_export(
        support.with_texts(pathology="低分化型腺癌"), support.form(), support.facilities(), tmp_path, stem="p"
    )
    assert other.earlier is not None and other.earlier.code == first.short_hash
    assert f"p-{first.short_hash}.pdf" in "\n".join(other.describe())


@pytest.mark.parametrize("name", FINAL + DRAFTS)
def test_every_text_is_drawn_in_an_embedded_font(exported: dict[str, Path], name: str) -> None:
    """Every text object of every page (forms included) uses an embedded font: IPAex Gothic or the
    fallback subset, never a font the printing PC would have to supply."""
    runs = pdf_pages.text_runs(exported[name])
    assert runs
    assert all(run.embedded for run in runs)
    assert {run.font for run in runs} <= {"IPAexGothic", "ShoreiFallbackMincho"}
