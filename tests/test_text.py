"""Input normalisation (JB-14) and the lenient readers of typed values: property-tested."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.text import (
    InputError,
    invalid_characters,
    normalize_text,
    parse_age_input,
    parse_sex_input,
    parse_year_month_input,
    text_problem,
)
from app.models.yearmonth import YearMonth

FULLWIDTH_ALNUM = "".join(chr(c) for c in range(0xFF10, 0xFF1A)) + "".join(
    chr(c) for c in [*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
)


@given(st.text())
def test_normalisation_is_idempotent(value: str) -> None:
    """Normalising twice changes nothing more than normalising once."""
    once = normalize_text(value)
    assert normalize_text(once) == once


@given(st.text())
def test_normalised_text_has_no_fullwidth_alnum_and_no_outer_space(value: str) -> None:
    """No full-width digit or Latin letter survives, and nothing leads or trails with white space."""
    result = normalize_text(value)
    assert not any(char in FULLWIDTH_ALNUM for char in result)
    assert result == result.strip()


@given(st.text())
def test_control_characters_are_kept_for_the_rules_to_report(value: str) -> None:
    """Normalisation never drops a control character silently: it is still there to be reported."""
    inner = [c for c in value.strip() if unicodedata.category(c) == "Cc" and not c.isspace()]
    assert [c for c in normalize_text(value) if c in inner] == inner


@given(st.text(alphabet=st.characters(categories=["Lo"], max_codepoint=0x9FFF)))
def test_kanji_and_kana_pass_unchanged(value: str) -> None:
    """Japanese text (kanji, full-width kana) is never altered."""
    kept = "".join(c for c in value if not 0xFF61 <= ord(c) <= 0xFF9F)
    assert normalize_text(kept) == kept.strip()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("６５", "65"),
        ("ＨＣＣ", "HCC"),
        ("　胃癌　", "胃癌"),
        ("ｶﾞﾝ", "ガン"),
        ("山田　太郎", "山田　太郎"),
        ("脳腫瘍（髄芽腫）", "脳腫瘍（髄芽腫）"),
    ],
)
def test_normalisation_examples(typed: str, stored: str) -> None:
    """Full-width ASCII letters and digits become half-width; Japanese punctuation and inner spaces stay."""
    assert normalize_text(typed) == stored


def test_multiline_keeps_newlines_and_trims_lines() -> None:
    """Long narrative text keeps its lines; CRLF becomes LF."""
    assert normalize_text("一行目  \r\n二行目\n", multiline=True) == "一行目\n二行目"


@pytest.mark.parametrize("char", ["\u0000", "\u0007", "\u001b", "\u007f", "\u202e", "\ufffe"])
def test_invalid_characters_are_found(char: str) -> None:
    """Control, non-character and bidi-override characters cannot be stored."""
    assert invalid_characters(f"胃{char}癌") == [char]
    problem = text_problem(f"胃{char}癌", max_length=10)
    assert problem is not None
    assert f"U+{ord(char):04X}" in problem


def test_tab_and_newline_allowed_only_in_long_text() -> None:
    """A newline is a control character in a one-line field but fine in a narrative one."""
    assert invalid_characters("a\nb") == ["\n"]
    assert invalid_characters("a\nb\tc", multiline=True) == []


def test_length_limit_message_gives_the_count() -> None:
    """JB-14: over the limit, the message says the limit and the current length."""
    assert text_problem("あ" * 101, max_length=100) == "100文字以内で入力してください（現在101文字）"
    assert text_problem("𠮷" * 100, max_length=100) is None


@given(st.integers(min_value=0, max_value=120))
def test_age_reads_full_and_half_width(age: int) -> None:
    """JB-7: ages typed with full-width digits are converted, not refused."""
    full = "".join(chr(ord(d) + 0xFEE0) for d in str(age))
    assert parse_age_input(str(age)) == age
    assert parse_age_input(full) == age
    assert parse_age_input(f"{full}歳") == age


@pytest.mark.parametrize("typed", ["", "六十五", "65.5", "-3", "abc"])
def test_age_refuses_what_is_not_a_number(typed: str) -> None:
    """An unreadable age is an error that says what to type."""
    with pytest.raises(InputError, match="0〜120"):
        parse_age_input(typed)


@pytest.mark.parametrize(
    ("typed", "sex"),
    [
        ("男", "male"),
        ("男性", "male"),
        ("M", "male"),
        ("ｍ", "male"),
        ("女", "female"),
        ("女性", "female"),
        ("F", "female"),
    ],
)
def test_sex_words(typed: str, sex: str) -> None:
    """性別 as clerks write it."""
    assert parse_sex_input(typed) == sex


def test_sex_unknown_word() -> None:
    """Anything else is refused with the words to use."""
    with pytest.raises(InputError, match="男性"):
        parse_sex_input("不明")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2024-05", YearMonth(2024, 5)),
        ("2024/5", YearMonth(2024, 5)),
        ("２０２４／０５", YearMonth(2024, 5)),
        ("2024年5月", YearMonth(2024, 5)),
        ("2024.05", YearMonth(2024, 5)),
        ("202405", YearMonth(2024, 5)),
        ("R6.5", YearMonth(2024, 5)),
        ("r6/5", YearMonth(2024, 5)),
        ("令和6年5月", YearMonth(2024, 5)),
        ("令和元年5月", YearMonth(2019, 5)),
        ("H31.4", YearMonth(2019, 4)),
        ("平成31年4月", YearMonth(2019, 4)),
        ("2024/5/17", YearMonth(2024, 5)),
        ("2024/5/1 0:00", YearMonth(2024, 5)),
        ("2024/2/3 12:00", YearMonth(2024, 2)),
        ("2024-05-31", YearMonth(2024, 5)),
        ("2024年5月17日", YearMonth(2024, 5)),
        ("R6.5.17", YearMonth(2024, 5)),
        ("令和6年5月17日", YearMonth(2024, 5)),
    ],
)
def test_year_month_input_forms(typed: str, expected: YearMonth) -> None:
    """Year-months in the ways people type them, western and Japanese era."""
    assert parse_year_month_input(typed) == expected


@pytest.mark.parametrize("typed", ["", "2024", "2024-13", "R6", "来年", "2024/2/30", "2024/5/17/1"])
def test_year_month_input_refused(typed: str) -> None:
    """An unreadable year-month says which forms are understood."""
    with pytest.raises(InputError):
        parse_year_month_input(typed)


@given(st.integers(min_value=1900, max_value=2999), st.integers(min_value=1, max_value=12))
def test_year_month_round_trip(year: int, month: int) -> None:
    """A year-month printed and read back is the same month, and its ordinal round-trips."""
    value = YearMonth(year, month)
    assert YearMonth.parse(str(value)) == value
    assert parse_year_month_input(value.display()) == value
    assert YearMonth.from_ordinal(value.ordinal) == value


def _reference_invalid(value: str, multiline: bool) -> list[str]:
    """The rule as written in words: Cc (bar newline and tab in long text), Cs, non-characters, bidi."""
    bidi = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    return [
        c
        for c in value
        if not (multiline and c in "\n\t")
        and (
            unicodedata.category(c) in ("Cc", "Cs")
            or c in bidi
            or 0xFDD0 <= ord(c) <= 0xFDEF
            or (ord(c) & 0xFFFE) == 0xFFFE
        )
    ]


@given(st.text(), st.booleans())
def test_fast_check_agrees_with_the_rule(value: str, multiline: bool) -> None:
    """The single-regex check finds exactly the characters the rule names."""
    assert invalid_characters(value, multiline=multiline) == _reference_invalid(value, multiline)
