"""The 診断名 / 病理診断名 checker (JB-11, JB-12, JB-13): codes, severities, messages and proposals."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.application import Application
from app.models.forms import bundled_forms
from app.models.text import normalize_text
from app.validation import validate
from app.validation.diagnosis import (
    check_diagnosis,
    check_pathology,
    is_no_pathology,
    normalize_diagnosis,
    vocabulary,
)
from examples.generate import valid_20
from tests.diagnosis_eval import load_examples

# --- the society's own examples (seeds/000) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "dental", "codes"),
    [
        ("脳腫瘍", False, ["diagnosis-not-malignant"]),
        ("脳腫瘍（髄芽腫）", False, []),
        ("髄芽腫", False, []),
        ("皮膚腫瘍", False, ["diagnosis-not-malignant"]),
        ("皮膚腫瘍（基底細胞癌）", False, []),
        ("基底細胞癌", False, []),
        ("皮膚がん", False, []),
        ("口腔がん", True, ["diagnosis-oral-unspecific"]),
        ("舌がん", True, []),
        ("上顎歯肉がん", True, []),
        ("口腔がん", False, []),
        ("胃がん", False, []),
        ("膵がん", False, []),
    ],
)
def test_the_societys_examples_behave_as_the_society_says(name: str, dental: bool, codes: list[str]) -> None:
    """悪い例 are flagged and 良い例 pass, exactly as the instructions show them."""
    assert [finding.code for finding in check_diagnosis(name, dental=dental)] == codes


def test_a_bare_organ_tumour_is_told_how_to_name_the_malignancy() -> None:
    """脳腫瘍 is a definite error whose message shows the society's fix, 脳腫瘍（髄芽腫） or 髄芽腫."""
    (finding,) = check_diagnosis("脳腫瘍", dental=False)
    assert finding.severity == "error"
    assert "『脳腫瘍（髄芽腫）』" in finding.message
    assert "『髄芽腫』" in finding.message


def test_oral_unspecific_proposes_names_with_a_site() -> None:
    """口腔がん from a dental applicant proposes 舌癌, 上顎歯肉癌 … in the message and as alternatives."""
    (finding,) = check_diagnosis("口腔がん", dental=True)
    assert finding.severity == "error"
    assert finding.alternatives[:2] == ("舌癌", "上顎歯肉癌")
    assert "『舌癌』" in finding.message
    assert "歯科口腔外科" in finding.message


# --- abbreviations -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "proposal"),
    [
        ("HCC", "肝細胞癌"),
        ("hcc", "肝細胞癌"),
        ("ＨＣＣ", "肝細胞癌"),
        ("NSCLC", "非小細胞肺癌"),
        ("DLBCL", "びまん性大細胞型B細胞リンパ腫"),
        ("胃ca", "胃癌"),
        ("胃Ca", "胃癌"),
        ("胃K", "胃癌"),
        ("胃 ca.", "胃癌"),
        ("膵頭部ca", "膵頭部癌"),
        ("胃K術後", "胃癌術後"),
        ("悪リン", "悪性リンパ腫"),
        ("Lung ca", "肺癌"),
        ("Ｍａｍｍａ　ｃａ", "乳癌"),
        ("EGFR陽性NSCLC", "EGFR陽性非小細胞肺癌"),
        ("HER2陽性BC", "HER2陽性乳癌"),
        ("胃GIST", "胃消化管間質腫瘍"),
        ("膵IPMN由来浸潤癌", "膵管内乳頭粘液性腫瘍由来浸潤癌"),
        ("胃癌（tub2）", "胃癌（中分化管状腺癌）"),
        ("Ph+ALL", "フィラデルフィア染色体陽性急性リンパ性白血病"),
        ("MALT", "MALTリンパ腫"),
    ],
)
def test_an_abbreviation_is_an_error_that_proposes_the_generic_name(typed: str, proposal: str) -> None:
    """The first finding is a definite diagnosis-abbreviation whose suggestion is the written-out name."""
    finding = check_diagnosis(typed, dental=False)[0]
    assert (finding.code, finding.severity, finding.suggestion) == (
        "diagnosis-abbreviation",
        "error",
        proposal,
    )
    assert f"『{proposal}』と入力してください" in finding.message


def test_the_message_names_the_abbreviation_and_its_expansion() -> None:
    """「HCC」は略語です。一般名で『肝細胞癌』と入力してください."""
    (finding,) = check_diagnosis("HCC", dental=False)
    assert finding.message == "「HCC」は略語です。一般名で『肝細胞癌』と入力してください"


def test_an_ambiguous_abbreviation_lists_its_meanings() -> None:
    """PC can be 膵癌 or 前立腺癌: no single proposal, both offered as alternatives."""
    (finding,) = check_diagnosis("PC", dental=False)
    assert finding.code == "diagnosis-abbreviation"
    assert finding.suggestion is None
    assert finding.alternatives == ("膵癌", "前立腺癌")
    assert "『膵癌』『前立腺癌』" in finding.message


@pytest.mark.parametrize(
    ("typed", "second"),
    [
        ("MGUS", "diagnosis-not-malignant"),
        ("IPMN", "diagnosis-not-malignant"),
        ("HCC疑い", "diagnosis-not-malignant"),
    ],
)
def test_an_abbreviation_for_a_name_that_does_not_count_reports_both(typed: str, second: str) -> None:
    """The expansion is classified too: MGUS is an abbreviation of a name that is not a malignancy."""
    assert [finding.code for finding in check_diagnosis(typed, dental=False)] == [
        "diagnosis-abbreviation",
        second,
    ]


def test_an_abbreviation_of_an_oral_cancer_is_checked_for_its_site() -> None:
    """OSCC from a dental applicant: the abbreviation, and 口腔扁平上皮癌 still lacks its site (JB-12)."""
    codes = [finding.code for finding in check_diagnosis("OSCC", dental=True)]
    assert codes == ["diagnosis-abbreviation", "diagnosis-oral-unspecific"]


def test_an_unknown_upper_case_token_is_only_a_warning() -> None:
    """A token we do not know (大腸LST) may be an abbreviation: a warning the user can accept."""
    (finding,) = check_diagnosis("大腸癌（LST-NG）", dental=False)
    assert (finding.code, finding.severity) == ("diagnosis-abbreviation", "warning")
    assert "「LST」「NG」" in finding.message


@pytest.mark.parametrize(
    "name",
    [
        "EGFR遺伝子変異陽性肺腺癌",
        "HER2陽性乳癌",
        "MALTリンパ腫",
        "節外性NK/T細胞リンパ腫・鼻型",
        "肺腺癌 cT2aN0M0",
        "cStageIVB膵癌",
        "Stage IV 胃癌",
        "Ewing肉腫",
        "Bowen病",
        "乳房外Paget病",
        "Vater乳頭部癌",
        "PD-L1高発現肺癌",
        "HTLV-1関連リンパ腫",
        "IgG-κ型多発性骨髄腫",
        "肝細胞癌（HCC）",
    ],
)
def test_latin_letters_that_are_not_abbreviations_pass(name: str) -> None:
    """Genes, lineages, staging, eponyms and an abbreviation beside its own expansion are not flagged."""
    assert check_diagnosis(name, dental=False) == []


# --- classification ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "severity", "word"),
    [
        ("胃癌疑い", "error", "疑い"),
        ("子宮筋腫", "error", "筋腫"),
        ("卵巣境界悪性腫瘍", "error", "境界悪性"),
        ("子宮頸部高度異形成", "error", "異形成"),
        ("悪性貧血", "error", "悪性貧血"),
        ("歯根肉芽腫", "error", "肉芽腫"),
        ("胃潰瘍", "error", "潰瘍"),
        ("良性中皮腫", "error", "良性"),
        ("褐色細胞腫", "warning", "褐色細胞腫"),
        ("奇形腫", "warning", "奇形腫"),
        ("ガングリオン", "error", "ガングリオン"),
    ],
)
def test_names_that_do_not_show_malignancy_say_why(name: str, severity: str, word: str) -> None:
    """Definite cases are errors naming the word at fault; names whose behaviour depends on the pathology
    report are warnings."""
    (finding,) = check_diagnosis(name, dental=False)
    assert (finding.code, finding.severity) == ("diagnosis-not-malignant", severity)
    assert word in finding.message


def test_suspicion_proposes_the_confirmed_name() -> None:
    """肺癌の疑い: if it was confirmed, write 肺癌."""
    (finding,) = check_diagnosis("肺癌の疑い", dental=False)
    assert finding.suggestion == "肺癌"
    assert "『肺癌』" in finding.message


def test_a_name_we_cannot_classify_is_only_a_warning() -> None:
    """An unknown word is a guess: a warning that the applicant may accept with a reason."""
    (finding,) = check_diagnosis("ほげほげ病", dental=False)
    assert (finding.code, finding.severity) == ("diagnosis-not-malignant", "warning")
    assert "理由を記録して警告を承認できます" in finding.message


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("甲状腺腫瘍", ["diagnosis-not-malignant"]),
        ("甲状腺腫", ["diagnosis-not-malignant"]),
        ("胸腺腫瘍", ["diagnosis-not-malignant"]),
        ("胸腺腫", []),
        ("骨髄異形成症候群", []),
        ("大腸腺腫内癌", []),
        ("成熟奇形腫", ["diagnosis-not-malignant"]),
        ("未熟奇形腫", []),
        ("卵黄嚢腫瘍", []),
        ("単クローン性ガンマグロブリン血症", ["diagnosis-not-malignant"]),
        ("胆のう癌", []),
        ("胆のうポリープ", ["diagnosis-not-malignant"]),
    ],
)
def test_terms_inside_other_terms_are_read_as_the_longer_term(name: str, codes: list[str]) -> None:
    """The longest term wins at each position: 甲状腺腫瘍 is a bare tumour, not 腺腫; ガンマ is not 癌."""
    assert [finding.code for finding in check_diagnosis(name, dental=False)] == codes


def test_definite_findings_are_errors_on_every_labelled_problem() -> None:
    """Every flagged row of the evaluation set is a definite error: the vocabulary knows each of those
    names, and warnings are kept for what it does not know."""
    for example in load_examples():
        if example.label in ("abbreviation", "not-malignant", "oral-unspecific"):
            first = check_diagnosis(example.name, dental=example.dental)[0]
            assert first.severity == "error", example


# --- 病理診断名 (JB-13) -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("無し", []),
        ("なし", []),
        (" 無し ", []),
        ("中分化型管状腺癌", []),
        ("膵がん", []),
        ("tub2", ["diagnosis-abbreviation"]),
        ("por", ["diagnosis-abbreviation"]),
        ("腺癌（tub2>por）", ["diagnosis-abbreviation"]),
        ("DCIS", ["diagnosis-abbreviation"]),
        ("形質細胞腫瘍", []),
        ("良性", []),
    ],
)
def test_pathology_gets_only_the_abbreviation_check(typed: str, codes: list[str]) -> None:
    """JB-13: 「無し」 is accepted and only abbreviations are flagged — the pathology may be benign."""
    assert [finding.code for finding in check_pathology(typed)] == codes


def test_no_pathology_is_recognised_after_normalisation() -> None:
    """「無し」 with spaces around it still means no pathological diagnosis."""
    assert is_no_pathology("\u3000無し ")
    assert not is_no_pathology("無し（生検のみ）")


# --- normalisation and robustness ------------------------------------------------------------------------


def test_normalize_diagnosis_folds_the_usual_variants() -> None:
    """Full-width Latin, spaces, brackets, がん/ガン and 囊/頚/のう are folded; ガンマ is left alone."""
    assert normalize_diagnosis("ＨＥＲ２ 陽性 乳がん (術後)") == "HER2陽性乳癌（術後）"
    assert normalize_diagnosis("子宮頚ガン") == "子宮頸癌"
    assert normalize_diagnosis("卵巣のう胞") == "卵巣嚢胞"
    assert normalize_diagnosis("ガンマグロブリン") == "ガンマグロブリン"


_FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in string.ascii_letters + string.digits})
_NAMES = sorted({example.name for example in load_examples()})


@given(name=st.sampled_from(_NAMES), dental=st.booleans(), spaces=st.lists(st.integers(0, 40), max_size=3))
def test_full_width_letters_and_spaces_do_not_change_the_verdict(
    name: str, dental: bool, spaces: list[int]
) -> None:
    """The codes are the same whether Latin is full- or half-width and wherever spaces are typed."""
    spaced = name
    for position in spaces:
        cut = position % (len(spaced) + 1)
        spaced = spaced[:cut] + "\u3000" + spaced[cut:]
    expected = [finding.code for finding in check_diagnosis(name, dental=dental)]
    assert [
        finding.code for finding in check_diagnosis(name.translate(_FULL_WIDTH), dental=dental)
    ] == expected
    # Spaces typed inside a Latin word split it into other tokens; elsewhere they must not matter.
    if not any(char.isascii() and char.isalpha() for char in normalize_text(name)):
        assert [finding.code for finding in check_diagnosis(spaced, dental=dental)] == expected


@given(text=st.text(max_size=60), dental=st.booleans())
def test_the_checker_never_raises(text: str, dental: bool) -> None:
    """Any text at all yields a list of findings (possibly empty), for both fields."""
    for finding in check_diagnosis(text, dental=dental) + check_pathology(text):
        assert finding.message


@given(text=st.text(max_size=40))
def test_normalize_diagnosis_is_idempotent(text: str) -> None:
    """Normalising twice changes nothing (the duplicate-patient rule compares normalised names)."""
    once = normalize_diagnosis(text)
    assert normalize_diagnosis(once) == once


def test_the_vocabulary_is_versioned() -> None:
    """The vocabulary carries the versions of its three files."""
    assert vocabulary().version.count("/") == 2


# --- through the rule engine -------------------------------------------------------------------------------


def _application(diagnosis: str, pathology: str = "無し", *, dental: bool = False) -> Application:
    document = valid_20()
    document["applicant"]["dental"] = dental
    document["sections"][0]["cases"][2]["diagnosis"] = diagnosis
    document["sections"][0]["cases"][2]["pathology"] = pathology
    return Application.model_validate(json.loads(json.dumps(document)))


def _diagnosis_issues(application: Application) -> list[tuple[str, str, str]]:
    form = bundled_forms().get(application.form.id, application.form.version)
    assert form is not None
    return [
        (issue.code, issue.severity, issue.message)
        for issue in validate(application, form)
        if issue.field in ("diagnosis", "pathology") and issue.code != "duplicate-patient"
    ]


def test_validation_names_the_row_and_the_correction() -> None:
    """The issue's message starts with the place (申請2(1) No.3 診断名) and proposes the generic name."""
    ((code, severity, message),) = _diagnosis_issues(_application("HCC"))
    assert (code, severity) == ("diagnosis-abbreviation", "error")
    assert message.startswith("申請2(1) No.3 診断名: ")
    assert "『肝細胞癌』" in message


def test_validation_checks_pathology_abbreviations_and_accepts_none() -> None:
    """病理診断名 tub2 is reported on its own field; 「無し」 is not."""
    issues = _diagnosis_issues(_application("胃癌", "tub2"))
    assert [(code, message.split(":")[0]) for code, _severity, message in issues] == [
        ("diagnosis-abbreviation", "申請2(1) No.3 病理診断名")
    ]
    assert _diagnosis_issues(_application("胃癌", "無し")) == []


@pytest.mark.parametrize(("dental", "codes"), [(True, ["diagnosis-oral-unspecific"]), (False, [])])
def test_validation_applies_the_oral_rule_only_to_dental_applicants(dental: bool, codes: list[str]) -> None:
    """JB-12 follows the applicant's 歯科口腔外科 flag."""
    issues = _diagnosis_issues(_application("口腔癌", dental=dental))
    assert [code for code, _severity, _message in issues] == codes
