"""The diagnosis vocabulary: the names, abbreviations and terms the 診断名 checks (app.validation.diagnosis)
and the completer (app.validation.diagnosis_suggest) read, and the comparable form of a name.

The program's vocabulary is `resources/vocabulary/`; a form pack may carry its own (docs/forms.md). It is
a value the forms hand to their rules, never a global: `FormDefinition.vocabulary` is the vocabulary of
the form's pack, or the program's. Each of the three files comes from the first folder that has it, so a
pack may carry only the file it changes. What the checks and the completer build from a vocabulary (their
indexes, the results they remember) is kept with it (`Vocabulary.derived`), so two vocabularies never mix.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, cast, get_args

from app.models.text import normalize_text
from app.resources import read_toml

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

VOCABULARY_FILES: Final = ("diagnosis.toml", "diagnosis-names.toml", "diagnosis-abbreviations.toml")
"""The files of a vocabulary: the rules' terms, the generic names with readings, the abbreviations."""

_T = TypeVar("_T")

Category = Literal[
    "malignant",
    "strong_benign",
    "benign",
    "borderline",
    "precancerous",
    "non_neoplastic",
    "uncertain",
    "neutral",
    "tumour",
]

_CATEGORIES: tuple[Category, ...] = get_args(Category)

SPACES = re.compile(r"[\s\u3000]+")
FOLD = str.maketrans(
    {
        "(": "（",
        ")": "）",
        "[": "（",
        "]": "）",
        "【": "（",
        "】": "）",
        "〔": "（",
        "〕": "）",
        "「": "（",
        "」": "）",
        "＋": "+",
        "／": "/",
        "－": "-",
        "？": "?",
        "囊": "嚢",
        "頚": "頸",
        "膣": "腟",
    }
)
_KANA_SPELLINGS = (
    ("のう胞", "嚢胞"),
    ("のう腫", "嚢腫"),
    ("胆のう", "胆嚢"),
    ("ろ胞", "濾胞"),
    ("すい臓", "膵臓"),
)
# がん and ガン are 癌; ガンマ (ガンマグロブリン) and ガングリオン are not.
_GAN = re.compile(r"がん|ガン(?![ァ-ヺー])")


@dataclass(frozen=True)
class Vocabulary:
    """The three vocabulary files, read into the lookups the checker and the completer use."""

    version: str
    names: tuple[tuple[str, str], ...]
    abbreviations: dict[str, tuple[str, ...]]
    folded_abbreviations: dict[str, str]
    terms: dict[str, Category]
    terms_by_first: dict[str, tuple[str, ...]]
    non_neoplastic_suffixes: tuple[str, ...]
    suspicion_first: frozenset[str]
    suspicion_strip: re.Pattern[str]
    bare_tumour_examples: dict[str, str]
    cancer_tokens: frozenset[str]
    latin_organs: dict[str, str]
    allowed_latin: frozenset[str]
    oral_unspecific: tuple[str, ...]
    oral_sites: tuple[str, ...]
    oral_examples: tuple[str, ...]
    pathology_none: frozenset[str]
    _derived: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def derived(self, build: Callable[[Vocabulary], _T]) -> _T:
        """What `build` makes of this vocabulary (the checks' remembered results, the completer's index),
        made on first use and kept with the vocabulary."""
        found = self._derived.get(build)
        if found is None:
            found = self._derived[build] = build(self)
        return cast("_T", found)


class VocabularyError(Exception):
    """A vocabulary file that cannot be used; the text names the file and what is wrong (Japanese)."""


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(cast("list[str]", value))


def read_vocabulary(folders: tuple[Path, ...]) -> Vocabulary:
    """The vocabulary of `folders`: each file from the first folder that has it (a pack's folder, then the
    program's). Raises VocabularyError naming the file that is missing or malformed."""
    files: dict[str, dict[str, Any]] = {}
    for name in VOCABULARY_FILES:
        path = next((folder / name for folder in folders if (folder / name).is_file()), None)
        if path is None:
            raise VocabularyError(f"診断名の語彙 {name} がありません")
        try:
            files[name] = read_toml(path)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise VocabularyError(f"{path.name}: 診断名の語彙（TOML）を読めません: {error}") from None
    try:
        return _build(*(files[name] for name in VOCABULARY_FILES))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, re.error) as error:
        raise VocabularyError(
            f"診断名の語彙の形が正しくありません（{error!r}）。resources/vocabulary/ の形に合わせてください"
        ) from None


def _build(
    rules: dict[str, Any], names_file: dict[str, Any], abbreviations_file: dict[str, Any]
) -> Vocabulary:

    names: list[tuple[str, str]] = []
    for name_table in cast("dict[str, dict[str, str]]", names_file["names"]).values():
        names.extend(name_table.items())

    abbreviations: dict[str, tuple[str, ...]] = {}
    for table in cast("dict[str, dict[str, object]]", abbreviations_file["abbreviations"]).values():
        for key, value in table.items():
            abbreviations[key] = _strings(value)
    folded: dict[str, str] = {}
    for key in abbreviations:
        if len(key) >= 3 and key.isascii():
            folded.setdefault(key.upper(), key)

    term_lists = cast("dict[str, list[str]]", rules["terms"])
    terms: dict[str, Category] = {}
    for category in _CATEGORIES:
        for term in term_lists[category]:
            terms[compact_name(term).lower()] = category
    for name, _reading in names:
        terms.setdefault(compact_name(name).lower(), "malignant")
    by_first: dict[str, list[str]] = {}
    for term in terms:
        by_first.setdefault(term[0], []).append(term)

    # One pattern both finds and removes the words of suspicion (肺癌の疑い → 肺癌).
    strip_words = sorted(
        {*term_lists["suspicion"], "疑い", "疑診", "否定できない", "否定できず", "否定出来ない"}, key=len
    )
    suspicion_strip = re.compile(
        "|".join(rf"（?の?{re.escape(word)}）?" for word in reversed(strip_words)), re.IGNORECASE
    )

    shorthand = cast("dict[str, object]", rules["chart_shorthand"])
    oral = cast("dict[str, list[str]]", rules["oral"])
    return Vocabulary(
        version=f"{rules['version']}/{names_file['version']}/{abbreviations_file['version']}",
        names=tuple(names),
        abbreviations=abbreviations,
        folded_abbreviations=folded,
        terms=terms,
        terms_by_first={
            first: tuple(sorted(group, key=len, reverse=True)) for first, group in by_first.items()
        },
        non_neoplastic_suffixes=tuple(term_lists["non_neoplastic_suffixes"]),
        suspicion_first=frozenset(word[0] for word in strip_words)
        | frozenset(w[0].upper() for w in strip_words),
        suspicion_strip=suspicion_strip,
        bare_tumour_examples=cast("dict[str, str]", rules["bare_tumour_examples"]),
        cancer_tokens=frozenset(cast("list[str]", shorthand["cancer_tokens"])),
        latin_organs=cast("dict[str, str]", shorthand["latin_organs"]),
        allowed_latin=frozenset(cast("dict[str, list[str]]", rules["latin"])["allowed"]),
        oral_unspecific=tuple(sorted(oral["unspecific"], key=len, reverse=True)),
        oral_sites=tuple(oral["sites"]),
        oral_examples=tuple(oral["examples"]),
        pathology_none=frozenset(cast("dict[str, list[str]]", rules["pathology"])["none"]),
    )


@functools.lru_cache(maxsize=8192)
def compact_name(text: str) -> str:
    # Spaces go first: a space between a half-width kana and its sound mark (ｶ ﾞ) must not keep them apart.
    name = normalize_text(SPACES.sub("", text)).translate(FOLD)
    for kana, kanji in _KANA_SPELLINGS:
        name = name.replace(kana, kanji)
    return _GAN.sub("癌", name)


def normalize_diagnosis(text: str) -> str:
    """The comparable form of a name: normalised, without spaces, brackets unified to （）, がん → 癌,
    and the usual variant spellings folded (囊 → 嚢, 頚 → 頸, のう胞 → 嚢胞)."""
    return compact_name(text)


class VocabularySource:
    """Where a form's vocabulary is read from (`folders`, first match wins per file), read on first use:
    parsing it takes a large share of a second, which a command that validates nothing should not pay.
    (A plain class: a form holds it as an opaque value, which pydantic checks by type only.)"""

    def __init__(self, folders: tuple[Path, ...]) -> None:
        self.folders = folders

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VocabularySource) and other.folders == self.folders

    def __hash__(self) -> int:
        return hash(self.folders)

    def __repr__(self) -> str:
        return f"VocabularySource({self.folders!r})"

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return read_vocabulary(self.folders)
