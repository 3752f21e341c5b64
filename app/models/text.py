"""Input normalisation, in one place (JB-14): every value typed, pasted or imported passes through here.

- Full-width digits and Latin letters become half-width (NFKC, applied to those characters only, so that
  Japanese punctuation such as 「（）」 and full-width spaces inside names are kept as typed).
- Half-width katakana become full-width (NFKC over the run, so ｶﾞ becomes ガ).
- Leading and trailing white space, including the ideographic space, is trimmed.
- Control characters are never silently removed: they are reported, so nothing typed is lost unseen.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Literal

from app.models.yearmonth import YearMonth, YearMonthError

_FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
_KANA_WITH_MARK = re.compile(r".[\u3099\u309a]")
# Bidirectional overrides can make a printed name read differently from what is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _nfkc(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match[0])


def _nfc(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFC", match[0])


def normalize_text(value: str, *, multiline: bool = False) -> str:
    """The stored form of a typed value. Total and idempotent; never drops a control character."""
    text = _FULLWIDTH_ALNUM.sub(_nfkc, value)
    text = _HALFWIDTH_KANA.sub(_nfkc, text)
    # A sound mark left apart from its kana (カ + U+3099, as ｶ ﾞ becomes) joins it again: ガ.
    text = _KANA_WITH_MARK.sub(_nfc, text)
    if multiline:
        text = text.replace("\r\n", "\n")
        lines = [line.rstrip() for line in text.split("\n")]
        return "\n".join(lines).strip()
    return text.strip()


def _forbidden_class(*, multiline: bool) -> re.Pattern[str]:
    """One character class for everything that may not be stored, so a check is a single regex scan."""
    controls = "\x00-\x08\x0b-\x1f\x7f-\x9f" if multiline else "\x00-\x1f\x7f-\x9f"
    noncharacters = "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    return re.compile(
        f"[{controls}\ud800-\udfff\ufdd0-\ufdef{''.join(sorted(_BIDI_CONTROLS))}{noncharacters}]"
    )


_FORBIDDEN = {False: _forbidden_class(multiline=False), True: _forbidden_class(multiline=True)}


def invalid_characters(value: str, *, multiline: bool = False) -> list[str]:
    """Characters that may not be stored: control characters (newline and tab allowed in long text),
    unpaired surrogates, non-characters and bidirectional overrides."""
    return _FORBIDDEN[multiline].findall(value)


def describe_character(char: str) -> str:
    """A control character as a person can read it in a message: U+0007."""
    return f"U+{ord(char):04X}"


def text_problem(value: str, *, max_length: int | None, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as it is, in Japanese, or None when it is fine (JB-14)."""
    bad = invalid_characters(value, multiline=multiline)
    if bad:
        shown = "、".join(dict.fromkeys(describe_character(c) for c in bad))
        return f"使用できない制御文字（{shown}）が含まれています。その文字を削除してください"
    if max_length is not None and len(value) > max_length:
        return f"{max_length}文字以内で入力してください（現在{len(value)}文字）"
    return None


class InputError(ValueError):
    """A typed or imported value that cannot be read; the message is Japanese and says what to type."""


def parse_age_input(value: str) -> int:
    """Read an age as typed: 65, ６５, 65歳 (JB-7: full-width digits are converted, not refused)."""
    text = normalize_text(value).removesuffix("歳").strip()
    if not text.isascii() or not text.isdigit():
        raise InputError(f"年齢は0〜120の数字で入力してください（入力: {value.strip()!r}）")
    if len(text.lstrip("0")) > 3:
        # No age has four digits; checked before converting, as Python refuses over 4,300 digits (issue 15).
        raise InputError(f"年齢は0〜120の数字で入力してください（入力: {value.strip()[:20]!r}）")
    return int(text)


_SEX_WORDS: dict[str, Literal["male", "female"]] = {
    "男": "male",
    "男性": "male",
    "m": "male",
    "male": "male",
    "man": "male",
    "1": "male",
    "女": "female",
    "女性": "female",
    "f": "female",
    "female": "female",
    "woman": "female",
    "2": "female",
}


def parse_sex_input(value: str) -> Literal["male", "female"]:
    """Read 性別 as clerks write it: 男/男性/M/male, 女/女性/F/female."""
    key = normalize_text(value).lower()
    try:
        return _SEX_WORDS[key]
    except KeyError:
        raise InputError(f"性別は「男性」か「女性」で入力してください（入力: {value.strip()!r}）") from None


_ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988, "昭和": 1925, "s": 1925}
_WESTERN = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?")
_COMPACT = re.compile(r"(\d{4})(\d{2})")
_ERA = re.compile(r"(令和|平成|昭和|r|h|s)\s*(\d{1,2}|元)\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?")
_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")
"""The time Excel writes after a date cell's date in CSV (2024/5/17 0:00)."""


def parse_year_month_input(value: str) -> YearMonth:
    """Read a year-month as people type it: 2024-05, 2024/5, 2024年5月, 202405, R6.5, 令和6年5月, H31/4;
    a whole date (2024/5/17, R6.5.17, as Excel writes date cells into CSV) gives its month."""
    # A year-month has no Japanese punctuation to keep: full NFKC also reads ／, ．, and the ㋿ sign.
    text = _TIME.sub("", unicodedata.normalize("NFKC", value).strip().lower()).replace(" ", "")
    if match := _WESTERN.fullmatch(text) or _COMPACT.fullmatch(text):
        year, month = int(match[1]), int(match[2])
    elif match := _ERA.fullmatch(text):
        era_year = 1 if match[2] == "元" else int(match[2])
        year, month = _ERAS[match[1]] + era_year, int(match[3])
    elif _is_date(text):
        day = parse_date_input(text)
        year, month = day.year, day.month
    else:
        raise InputError(
            f"年月が読めません（入力: {value.strip()!r}）。2024/05 や R6.5 の形で入力してください"
        )
    try:
        return YearMonth(year, month)
    except YearMonthError as error:
        raise InputError(f"{error}（入力: {value.strip()!r}）") from None


_WESTERN_DATE = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_ERA_DATE = re.compile(
    r"(令和|平成|昭和|r|h|s)\s*(\d{1,2}|元)\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
)


def parse_date_input(value: str) -> dt.date:
    """Read a date as people type it: 2024-05-01, 2024/5/1, 2024年5月1日, 20240501, R6.5.1, 令和6年5月1日."""
    text = unicodedata.normalize("NFKC", value).strip().lower().replace(" ", "")
    if match := _WESTERN_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _ERA_DATE.fullmatch(text):
        era_year = 1 if match[2] == "元" else int(match[2])
        year, month, day = _ERAS[match[1]] + era_year, int(match[3]), int(match[4])
    else:
        raise InputError(
            f"日付が読めません（入力: {value.strip()!r}）。2024/05/01 や R6.5.1 の形で入力してください"
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InputError(f"存在しない日付です（入力: {value.strip()!r}）") from None


def _is_date(text: str) -> bool:
    return bool(_WESTERN_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text) or _ERA_DATE.fullmatch(text))
