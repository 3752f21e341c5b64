"""The completer's suggestions: kanji, kana reading or abbreviation in, generic names out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.validation.diagnosis import check_diagnosis
from app.validation.diagnosis_suggest import suggest_diagnoses


@pytest.mark.parametrize(
    ("typed", "first", "reason"),
    [
        ("HCC", "肝細胞癌", "abbreviation"),
        ("hcc", "肝細胞癌", "abbreviation"),
        ("ＮＳＣＬＣ", "非小細胞肺癌", "abbreviation"),
        ("DLBCL", "びまん性大細胞型B細胞リンパ腫", "abbreviation"),
        ("DLB", "びまん性大細胞型B細胞リンパ腫", "abbreviation"),
        ("胃ca", "胃癌", "abbreviation"),
        ("膵頭部ca", "膵頭部癌", "abbreviation"),
        ("悪リン", "悪性リンパ腫", "abbreviation"),
        ("胃", "胃癌", "prefix"),
        ("胃が", "胃癌", "prefix"),
        ("胃がん", "胃癌", "prefix"),
        ("かんさい", "肝細胞癌", "reading"),
        ("カンサイ", "肝細胞癌", "reading"),
        ("ﾊｲｶﾞﾝ", "肺癌", "reading"),
        ("ずいが", "髄芽腫", "reading"),
        ("白血", "急性白血病", "substring"),
        ("せいさいぼうしゅ", "星細胞腫", "reading"),
    ],
)
def test_the_best_suggestion_comes_first(typed: str, first: str, reason: str) -> None:
    """An abbreviation proposes its expansion; kanji and kana match the name or its reading."""
    suggestion = suggest_diagnoses(typed)[0]
    assert (suggestion.name, suggestion.reason) == (first, reason)


def test_a_suggestion_carries_its_reading_and_what_matched() -> None:
    """HCC → 肝細胞癌, read かんさいぼうがん, matched by the abbreviation HCC."""
    suggestion = suggest_diagnoses("HCC")[0]
    assert (suggestion.reading, suggestion.matched) == ("かんさいぼうがん", "HCC")


def test_an_ambiguous_abbreviation_offers_each_meaning_in_order() -> None:
    """PC proposes 膵癌 then 前立腺癌, before longer abbreviations that start with PC."""
    assert [s.name for s in suggest_diagnoses("PC", 2)] == ["膵癌", "前立腺癌"]


def test_prefix_matches_come_before_matches_inside_the_name() -> None:
    """Typing 癌 lists names that start with 癌 before 胃癌, 肺癌 …."""
    reasons = [s.reason for s in suggest_diagnoses("癌", 10)]
    assert reasons.index("substring") > reasons.index("prefix")
    assert reasons == sorted(reasons, key=("prefix", "substring").index)


def test_names_that_would_be_flagged_for_a_dental_applicant_are_not_proposed() -> None:
    """口腔癌 is proposed to others but not to 歯科口腔外科 applicants, who get 口腔底癌 instead."""
    assert "口腔癌" in [s.name for s in suggest_diagnoses("口腔")]
    dental = [s.name for s in suggest_diagnoses("口腔", dental=True)]
    assert "口腔癌" not in dental
    assert "口腔底癌" in dental


@pytest.mark.parametrize("typed", ["", "   ", "zzzz", "ほげほげ"])
def test_nothing_matching_gives_no_suggestions(typed: str) -> None:
    """Blank or unknown input proposes nothing rather than noise."""
    assert suggest_diagnoses(typed) == []


@given(typed=st.text(max_size=12), limit=st.integers(0, 15), dental=st.booleans())
def test_suggestions_are_bounded_distinct_and_all_count(typed: str, limit: int, dental: bool) -> None:
    """At most `limit` distinct names, each one a name the checker accepts for that applicant."""
    names = [s.name for s in suggest_diagnoses(typed, limit, dental=dental)]
    assert len(names) <= limit
    assert len(set(names)) == len(names)
    assert all(check_diagnosis(name, dental=dental) == [] for name in names)
