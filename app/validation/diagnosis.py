"""診断名 and 病理診断名 checks (JB-11, JB-12, JB-13) and the completer's suggestions, over the bundled
vocabulary in `resources/vocabulary/`.

A 診断名 is read in three steps. Abbreviations and chart shorthand first (HCC, 胃ca, 悪リン), because the
applicant must write the generic name whatever else is wrong. Then the name (or its expansion) is scanned
for the vocabulary's terms, longest first at each position, and classified: suspicion, benign, borderline,
precancerous, not a tumour, uncertain, a bare organ tumour, or malignant. Last, for 歯科口腔外科 applicants,
a malignant oral name must carry its site (JB-12).

Definite findings are errors. Only guesses are warnings, which the applicant may accept with a reason: an
upper-case token we do not know, a name whose behaviour depends on the pathology report (褐色細胞腫), and a
name we cannot classify at all.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast, get_args

from app.models.text import normalize_text
from app.resources import read_toml, resource_path

if TYPE_CHECKING:
    from app.validation.issue import Severity

FindingCode = Literal["diagnosis-abbreviation", "diagnosis-not-malignant", "diagnosis-oral-unspecific"]
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
MatchReason = Literal["abbreviation", "prefix", "reading", "substring", "reading-substring"]

_CATEGORIES: tuple[Category, ...] = get_args(Category)
# When several non-malignant terms occur, the first category in this order names the problem.
_NOT_MALIGNANT_ORDER: tuple[Category, ...] = (
    "strong_benign",
    "benign",
    "borderline",
    "precancerous",
    "non_neoplastic",
)

_SPACES = re.compile(r"[\s\u3000]+")
_FOLD = str.maketrans(
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
_BRACKETED = re.compile(r"（[^（）]*）")
_LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-/+.][A-Za-z0-9]+)*")
_TOKEN_PARTS = re.compile(r"[-/+.]")
# Tokens that qualify a name without abbreviating it: a lineage letter (B細胞), Roman numerals, stage,
# TNM, grade and FAB types (G3, M2, CD20), protein changes (L858R, V600E), and words (Ewing, Bowen).
_HARMLESS_TOKEN = re.compile(
    r"[A-Za-z]"
    r"|[IVX]+[A-Ca-c]?"
    r"|(?i:[cpy]?stage)(?:[0-4]|[IVX]+)?[A-Ca-c]?[0-9]?"
    r"|[cpyra]{0,3}T(?:is|[0-4Xx])[a-d]?[0-9]?(?:N[0-3Xx][a-c]?)?(?:M[01Xx][a-c]?)?"
    r"|[A-Za-z]{1,2}[0-9]{1,3}[a-z]?"
    r"|[A-Z][0-9]{1,4}[A-Z*]"
    r"|[A-Z]?[a-z]{3,}[a-z0-9']*"
)
_ADJACENT_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
_QUALIFIERS = ("術後", "再発", "治療後", "初発", "の既往")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


@dataclass(frozen=True, slots=True)
class DiagnosisFinding:
    """Why a name will not count, with the message to show, the corrected name to propose (when there is
    one), and other names the applicant may mean (ambiguous abbreviations, oral sites)."""

    code: FindingCode
    severity: Severity
    message: str
    suggestion: str | None = None
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A generic name the completer proposes: its reading (empty when unknown) and why it matched —
    the abbreviation typed (`matched` holds it), or the typed text as a prefix or part of the name or
    of its reading."""

    name: str
    reading: str
    reason: MatchReason
    matched: str


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


def _read(name: str) -> dict[str, object]:
    return read_toml(resource_path("vocabulary", name))


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(cast("list[str]", value))


@functools.cache
def vocabulary() -> Vocabulary:
    """The bundled vocabulary, read once on first use."""
    rules = _read("diagnosis.toml")
    names_file = _read("diagnosis-names.toml")
    abbreviations_file = _read("diagnosis-abbreviations.toml")

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
            terms[_compact(term).lower()] = category
    for name, _reading in names:
        terms.setdefault(_compact(name).lower(), "malignant")
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
def _compact(text: str) -> str:
    # Spaces go first: a space between a half-width kana and its sound mark (ｶ ﾞ) must not keep them apart.
    name = normalize_text(_SPACES.sub("", text)).translate(_FOLD)
    for kana, kanji in _KANA_SPELLINGS:
        name = name.replace(kana, kanji)
    return _GAN.sub("癌", name)


def normalize_diagnosis(text: str) -> str:
    """The comparable form of a name: normalised, without spaces, brackets unified to （）, がん → 癌,
    and the usual variant spellings folded (囊 → 嚢, 頚 → 頸, のう胞 → 嚢胞)."""
    return _compact(text)


# --- abbreviations -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Replacement:
    start: int
    end: int
    shown: str
    expansions: tuple[str, ...]


def _expansions(token: str, compact: str, vocab: Vocabulary) -> tuple[str, ...] | None:
    """The expansions of a known abbreviation, or None. An abbreviation written beside its own expansion
    (肝細胞癌（HCC）) is an annotation, not a substitute for the generic name."""
    found = vocab.abbreviations.get(token)
    if found is None and len(token) >= 3:
        key = vocab.folded_abbreviations.get(token.upper())
        found = None if key is None else vocab.abbreviations[key]
    if found is None:
        return None
    if any(_compact(expansion) in compact for expansion in found):
        return ()
    return found


def _latin_replacements(spaced: str, compact: str, vocab: Vocabulary) -> tuple[list[_Replacement], list[str]]:
    """Known abbreviations and shorthand among the Latin tokens, and the unknown upper-case tokens."""
    known: list[_Replacement] = []
    unknown: list[str] = []
    previous: re.Match[str] | None = None
    for match in _LATIN_TOKEN.finditer(spaced):
        token = match[0]
        lower = token.lower()
        # MALT inside MALTリンパ腫 qualifies the name; MALT alone abbreviates it.
        if token in vocab.allowed_latin and token != compact:
            previous = match
            continue
        if lower in vocab.cancer_tokens:
            before = spaced[: match.start()].rstrip()
            organ = None
            if previous is not None and not spaced[previous.end() : match.start()].strip():
                organ = vocab.latin_organs.get(previous[0].lower())
            # The full stop of 胃ca. goes with the shorthand.
            end = match.end() + (spaced[match.end() : match.end() + 1] == ".")
            if organ is not None and previous is not None:
                shown = spaced[previous.start() : match.end()]
                known.append(_Replacement(previous.start(), end, shown, (f"{organ}癌",)))
            elif (before and not before[-1].isascii()) or lower != "k":
                known.append(_Replacement(match.start(), end, token, ("癌",)))
            previous = match
            continue
        expansions = _expansions(token, compact, vocab)
        if expansions is not None:
            if expansions:
                known.append(_Replacement(match.start(), match.end(), token, expansions))
            previous = match
            continue
        glued = next(
            (
                (lower[: -len(suffix)], suffix)
                for suffix in vocab.cancer_tokens
                if lower.endswith(suffix) and lower[: -len(suffix)] in vocab.latin_organs
            ),
            None,
        )
        if glued is not None:
            organ = vocab.latin_organs[glued[0]]
            known.append(_Replacement(match.start(), match.end(), token, (f"{organ}癌",)))
        elif _TOKEN_PARTS.search(token):
            offset = match.start()
            for part in _TOKEN_PARTS.split(token):
                start = spaced.index(part, offset)
                offset = start + len(part)
                if part.isdigit() or part in vocab.allowed_latin:
                    continue
                found = _expansions(part, compact, vocab)
                if found:
                    known.append(_Replacement(start, start + len(part), part, found))
                elif found is None and _is_unknown_abbreviation(part, vocab):
                    unknown.append(part)
        elif lower not in vocab.latin_organs and _is_unknown_abbreviation(token, vocab):
            unknown.append(token)
        previous = match
    return known, unknown


def _joined(before: str, expansion: str) -> str:
    """The expansion without the organ already written before it: 膵IPMN → 膵管内乳頭粘液性腫瘍, not 膵膵管内…."""
    for size in range(min(len(before), len(expansion) - 1), 0, -1):
        if not before[-size:].isascii() and before.endswith(expansion[:size]):
            return expansion[size:]
    return expansion


def _is_unknown_abbreviation(token: str, vocab: Vocabulary) -> bool:
    if token in vocab.allowed_latin or _HARMLESS_TOKEN.fullmatch(token):
        return False
    return sum(char.isupper() for char in token) >= 2


def _suspicious(text: str, vocab: Vocabulary) -> bool:
    # The character test is a C-level scan that spares most names the slower pattern search.
    return not vocab.suspicion_first.isdisjoint(text) and vocab.suspicion_strip.search(text) is not None


def _outer(compact: str, vocab: Vocabulary) -> str:
    """The name without bracketed parts, suspicion words and treatment qualifiers (術後, 再発)."""
    outer = _BRACKETED.sub("", compact)
    if _suspicious(outer, vocab):
        outer = vocab.suspicion_strip.sub("", outer)
    for qualifier in _QUALIFIERS:
        outer = outer.removesuffix(qualifier)
    return outer


def _abbreviation(name: str, vocab: Vocabulary) -> DiagnosisFinding | None:
    compact = _compact(name)
    spaced = _SPACES.sub(" ", name).translate(_FOLD)
    outer = _outer(compact, vocab)
    japanese = vocab.abbreviations.get(outer) if not outer.isascii() else None
    if japanese is not None and not any(expansion in compact for expansion in japanese):
        expanded = compact.replace(outer, japanese[0], 1) if len(japanese) == 1 else None
        return _abbreviation_finding(name, [outer], [japanese], expanded)
    known, unknown = _latin_replacements(spaced, compact, vocab)
    if known:
        shown = [replacement.shown for replacement in known]
        choices = [replacement.expansions for replacement in known]
        proposal: str | None = None
        if all(len(choice) == 1 for choice in choices):
            text = spaced
            for replacement in reversed(known):
                text = (
                    text[: replacement.start]
                    + _joined(text[: replacement.start], replacement.expansions[0])
                    + text[replacement.end :]
                )
            proposal = _ADJACENT_SPACE.sub("", text).strip()
        return _abbreviation_finding(name, shown, choices, proposal)
    if unknown:
        tokens = "」「".join(dict.fromkeys(unknown))
        return DiagnosisFinding(
            "diagnosis-abbreviation",
            "warning",
            f"「{tokens}」は略語の可能性があります。略語の診断名は数えられません。一般名（日本語）で"
            "入力してください。略語でなければ、理由を記録して警告を承認できます",
        )
    return None


def _abbreviation_finding(
    name: str, shown: list[str], choices: list[tuple[str, ...]], proposal: str | None
) -> DiagnosisFinding:
    tokens = "」「".join(dict.fromkeys(shown))
    where = f"「{tokens}」" if tokens == name else f"「{name}」の「{tokens}」"
    if proposal is not None:
        return DiagnosisFinding(
            "diagnosis-abbreviation",
            "error",
            f"{where}は略語です。一般名で『{proposal}』と入力してください",
            proposal,
        )
    options = tuple(dict.fromkeys(expansion for choice in choices for expansion in choice))
    listed = "』『".join(options)
    return DiagnosisFinding(
        "diagnosis-abbreviation",
        "error",
        f"{where}は略語で、複数の意味があります（『{listed}』など）。該当する一般名で入力してください",
        None,
        options,
    )


# --- classification ------------------------------------------------------------------------------------


def _scan(key: str, vocab: Vocabulary) -> list[tuple[str, Category]]:
    """The vocabulary's terms in `key`, left to right, the longest at each position."""
    found: list[tuple[str, Category]] = []
    index, length = 0, len(key)
    while index < length:
        for term in vocab.terms_by_first.get(key[index], ()):
            end = index + len(term)
            if key.startswith(term, index) and not (term[-1] == "腫" and end < length and key[end] in "瘍瘤"):
                found.append((term, vocab.terms[term]))
                index = end
                break
        else:
            index += 1
    return found


def _not_malignant(
    message: str, severity: Severity = "error", suggestion: str | None = None
) -> DiagnosisFinding:
    return DiagnosisFinding("diagnosis-not-malignant", severity, message, suggestion)


def _classify(name: str, vocab: Vocabulary) -> DiagnosisFinding | None:
    """None when the name shows a malignancy; otherwise why it does not (JB-11)."""
    compact = _compact(name)
    key = compact.lower()
    if _suspicious(key, vocab):
        confirmed = _SPACES.sub("", vocab.suspicion_strip.sub("", compact)).replace("（）", "").strip("の・")
        proposal = confirmed if confirmed and _classify(confirmed, vocab) is None else None
        advice = f"確定していれば『{proposal}』と入力し、" if proposal else "確定した診断名を入力するか、"
        return _not_malignant(
            f"「{name}」は疑い（未確定）の診断です。良悪性が確定していない症例は数えられません。"
            f"{advice}確定していなければ別の症例を登録してください",
            suggestion=proposal,
        )
    found = _scan(key, vocab)
    categories = {category: term for term, category in reversed(found)}
    if "strong_benign" not in categories and "malignant" in categories:
        return None
    for category in _NOT_MALIGNANT_ORDER:
        if (term := categories.get(category)) is not None:
            return _not_malignant(_NOT_MALIGNANT_MESSAGES[category].format(name=name, term=term))
    outer = _outer(compact, vocab)
    suffix = next((s for s in vocab.non_neoplastic_suffixes if outer.endswith(s)), None)
    if suffix is not None:
        return _not_malignant(_NOT_MALIGNANT_MESSAGES["non_neoplastic"].format(name=name, term=suffix))
    if (term := categories.get("uncertain")) is not None:
        return _not_malignant(
            f"「{name}」（{term}）は、病理所見によって良悪性が分かれる診断名です。悪性と診断されていれば"
            "悪性とわかる診断名にしてください。病理で悪性と確定している場合は、理由を記録して警告を承認"
            "できます",
            "warning",
        )
    if "tumour" in categories:
        return _not_malignant(_bare_tumour_message(name, outer, vocab))
    return _not_malignant(
        f"「{name}」が悪性腫瘍とわかる診断名か判断できません。癌・肉腫・白血病・リンパ腫など、悪性とわかる"
        "一般名にしてください。悪性腫瘍の一般名であれば、理由を記録して警告を承認できます",
        "warning",
    )


_NOT_MALIGNANT_MESSAGES: dict[Category, str] = {
    "strong_benign": "「{name}」は良性の診断名です。悪性腫瘍の症例だけが数えられます。別の症例を登録してください",
    "benign": "「{name}」は良性腫瘍・良性病変（{term}）の診断名です。悪性腫瘍の症例だけが数えられます。"
    "悪性と診断されていれば悪性とわかる診断名にし、そうでなければ別の症例を登録してください",
    "borderline": "「{name}」は境界悪性・中間群（{term}）の診断名で、良悪性が不明なものは数えられません。"
    "悪性と診断されていれば悪性とわかる診断名にし、そうでなければ別の症例を登録してください",
    "precancerous": "「{name}」は前癌病変・異形成（{term}）で、悪性腫瘍ではありません。癌と診断されていれば"
    "癌の診断名（例:『上皮内癌』）にし、そうでなければ別の症例を登録してください",
    "non_neoplastic": "「{name}」は腫瘍ではない病名（{term}）です。がん診療の症例として、悪性腫瘍の診断名を"
    "入力してください",
}


def _bare_tumour_message(name: str, outer: str, vocab: Vocabulary) -> str:
    organ = outer
    for word in ("腫瘍", "腫瘤", "新生物"):
        organ = organ.removesuffix(word)
    example = next(
        (
            vocab.bare_tumour_examples[o]
            for o in sorted(vocab.bare_tumour_examples, key=len, reverse=True)
            if o != "default" and organ.endswith(o)
        ),
        None,
    )
    if example is None:
        return (
            f"「{name}」では悪性かどうかがわかりません。組織型を括弧で添えるか、組織型の名前で入力して"
            "ください（例: 脳腫瘍 → 脳腫瘍（髄芽腫）または髄芽腫、皮膚腫瘍 → 基底細胞癌）"
        )
    return (
        f"「{name}」では悪性かどうかがわかりません。組織型を括弧で添えるか（例:『{outer}（{example}）』）、"
        f"組織型の名前（例:『{example}』）で入力してください"
    )


def _oral(name: str, vocab: Vocabulary) -> DiagnosisFinding | None:
    """JB-12: for 歯科口腔外科 applicants, an oral cancer must name its site (舌癌, 上顎歯肉癌)."""
    compact = _compact(name)
    word = next((w for w in vocab.oral_unspecific if w in compact), None)
    if word is None or any(site in compact for site in vocab.oral_sites):
        return None
    alternatives = tuple(compact.replace(word, site, 1) for site in vocab.oral_examples)
    shown = "』『".join(alternatives[:3])
    return DiagnosisFinding(
        "diagnosis-oral-unspecific",
        "error",
        f"歯科口腔外科の申請では「{name}」では部位がわかりません。『{shown}』のように部位を入れた診断名に"
        "してください",
        None,
        alternatives,
    )


@functools.lru_cache(maxsize=4096)
def _check(text: str, dental: bool) -> tuple[DiagnosisFinding, ...]:
    vocab = vocabulary()
    name = normalize_text(text)
    if not name:
        return ()
    findings: list[DiagnosisFinding] = []
    target = name
    abbreviation = _abbreviation(name, vocab)
    if abbreviation is not None:
        findings.append(abbreviation)
        if abbreviation.severity == "error" and abbreviation.suggestion is not None:
            target = abbreviation.suggestion
    verdict = _classify(target, vocab)
    if verdict is not None:
        # After an abbreviation only a definite problem of the name it stands for is worth a second line.
        if abbreviation is None or verdict.severity == "error":
            findings.append(verdict)
    elif dental and (oral := _oral(target, vocab)) is not None:
        findings.append(oral)
    return tuple(findings)


def check_diagnosis(text: str, *, dental: bool) -> list[DiagnosisFinding]:
    """Findings for a 診断名 (JB-11, JB-12); empty when the name will count as far as we can tell."""
    return list(_check(text, dental))


def is_no_pathology(text: str) -> bool:
    """「無し」: no pathological diagnosis was made (JB-13)."""
    return normalize_text(text) in vocabulary().pathology_none


@functools.lru_cache(maxsize=4096)
def _check_pathology(text: str) -> tuple[DiagnosisFinding, ...]:
    name = normalize_text(text)
    if not name or is_no_pathology(name):
        return ()
    finding = _abbreviation(name, vocabulary())
    return () if finding is None else (finding,)


def check_pathology(text: str) -> list[DiagnosisFinding]:
    """Findings for a 病理診断名 (JB-13): the abbreviation check; 「無し」 is accepted."""
    return list(_check_pathology(text))


# --- suggestions ---------------------------------------------------------------------------------------

_Kind = Literal["name", "reading"]


@dataclass(frozen=True)
class _Surfaces:
    """Every spelling of one kind (the name as typed after normalisation, or its reading), twice over:
    sorted, for prefixes by bisection; and joined into one string in rank order (shorter names first,
    then vocabulary order), so that a substring search is a C-level scan that can stop once it has
    found enough names."""

    sorted_keys: list[str]
    sorted_owners: list[int]
    joined: str
    starts: list[int]
    owners: list[int]

    @classmethod
    def build(cls, items: list[tuple[str, int]]) -> _Surfaces:
        ordered = sorted(items)
        joined_items = sorted(items, key=lambda item: item[1])
        starts, offset = [], 0
        for surface, _owner in joined_items:
            starts.append(offset)
            offset += len(surface) + 1
        return cls(
            [surface for surface, _owner in ordered],
            [owner for _surface, owner in ordered],
            "\n".join(surface for surface, _owner in joined_items) + "\n",
            starts,
            [owner for _surface, owner in joined_items],
        )

    def prefixed(self, needle: str) -> list[int]:
        """The names with a surface that starts with `needle`."""
        found: list[int] = []
        position = bisect.bisect_left(self.sorted_keys, needle)
        while position < len(self.sorted_keys) and self.sorted_keys[position].startswith(needle):
            found.append(self.sorted_owners[position])
            position += 1
        return found

    def containing(self, needle: str, enough: int, skip: set[int]) -> list[int]:
        """Up to `enough` names outside `skip` with a surface that holds `needle`, best ranked first."""
        found: list[int] = []
        at = self.joined.find(needle)
        while at != -1 and len(found) < enough:
            surface = bisect.bisect_right(self.starts, at) - 1
            owner = self.owners[surface]
            if owner not in skip and owner not in found:
                found.append(owner)
            at = self.joined.find(
                needle, self.starts[surface + 1] if surface + 1 < len(self.starts) else len(self.joined)
            )
        return found


@dataclass(frozen=True)
class _Index:
    """What the completer searches: the names that would count for the applicant, in rank order (shorter
    first, then vocabulary order), their surfaces, and the abbreviations that expand to them."""

    names: tuple[tuple[str, str], ...]
    number: dict[str, int]
    surfaces: dict[_Kind, _Surfaces]
    abbreviations: dict[str, tuple[str, ...]]


def _hiragana(text: str) -> str:
    return text.translate(_KATAKANA_TO_HIRAGANA)


@functools.cache
def _index(dental: bool) -> _Index:
    vocab = vocabulary()
    entries: dict[str, str] = {}
    for name, reading in vocab.names:
        entries.setdefault(name, reading)
    for expansions in vocab.abbreviations.values():
        for expansion in expansions:
            # A bare term (転移 for meta, 肉腫 for Sa) is not a name to propose.
            if _compact(expansion).lower() not in vocab.terms:
                entries.setdefault(expansion, "")
    counted = [
        (name, reading) for name, reading in entries.items() if not check_diagnosis(name, dental=dental)
    ]
    order = {name: position for position, (name, _reading) in enumerate(counted)}
    names = tuple(sorted(counted, key=lambda entry: (len(entry[0]), order[entry[0]])))
    number = {name: position for position, (name, _reading) in enumerate(names)}
    items: dict[_Kind, list[tuple[str, int]]] = {"name": [], "reading": []}
    for position, (name, reading) in enumerate(names):
        key = _compact(name).lower()
        items["name"].append((key, position))
        if "癌" in key:
            # Before the IME converts, 胃が is on its way to 胃がん.
            items["name"].append((key.replace("癌", "がん"), position))
        if reading:
            items["reading"].append((reading, position))
    abbreviations: dict[str, tuple[str, ...]] = {}
    for key, expansions in vocab.abbreviations.items():
        kept = tuple(expansion for expansion in expansions if expansion in number)
        if key.isascii() and kept:
            abbreviations.setdefault(key.upper(), kept)
    return _Index(
        names,
        number,
        {kind: _Surfaces.build(kind_items) for kind, kind_items in items.items()},
        abbreviations,
    )


@functools.lru_cache(maxsize=1024)
def _suggest(typed: str, limit: int, dental: bool) -> tuple[Suggestion, ...]:
    index = _index(dental)
    key = _compact(typed).lower()
    if not key or limit <= 0:
        return ()
    # (tier, position within the tier, name number): abbreviations, then prefixes of the name and of its
    # reading, then abbreviation prefixes, then the typed text anywhere in the name or the reading.
    ranked: dict[str, tuple[tuple[int, int, int], Suggestion]] = {}

    def offer(tier: int, within: int, name: str, reason: MatchReason, matched: str) -> None:
        number = index.number.get(name, len(index.names))
        rank = (tier, within, number)
        if name not in ranked or rank < ranked[name][0]:
            reading = index.names[number][1] if number < len(index.names) else ""
            ranked[name] = (rank, Suggestion(name, reading, reason, matched))

    shown = typed.strip()
    correction = _abbreviation(normalize_text(typed), vocabulary())
    if correction is not None and correction.severity == "error":
        for position, name in enumerate((correction.suggestion, *correction.alternatives)):
            if name is not None and not check_diagnosis(name, dental=dental):
                offer(0, position, name, "abbreviation", shown)
    if key.isascii():
        upper = key.upper()
        for abbreviation, expansions in index.abbreviations.items():
            if abbreviation.startswith(upper):
                for position, name in enumerate(expansions):
                    if abbreviation == upper:
                        offer(0, position, name, "abbreviation", abbreviation)
                    else:
                        offer(3, len(abbreviation), name, "abbreviation", abbreviation)
    kana = _hiragana(_SPACES.sub("", normalize_text(typed)).lower())
    for number in index.surfaces["name"].prefixed(key):
        offer(1, 0, index.names[number][0], "prefix", shown)
    if not kana.isascii():
        for number in index.surfaces["reading"].prefixed(kana):
            offer(2, 0, index.names[number][0], "reading", shown)
    if len(ranked) < limit:
        skip = {index.number.get(name, -1) for name in ranked}
        for number in index.surfaces["name"].containing(key, limit - len(ranked), skip):
            offer(4, 0, index.names[number][0], "substring", shown)
    if len(ranked) < limit and not kana.isascii():
        skip = {index.number.get(name, -1) for name in ranked}
        for number in index.surfaces["reading"].containing(kana, limit - len(ranked), skip):
            offer(5, 0, index.names[number][0], "reading-substring", shown)
    best = sorted(ranked.values(), key=lambda entry: entry[0])
    return tuple(suggestion for _rank, suggestion in best[:limit])


def suggest_diagnoses(typed: str, limit: int = 10, *, dental: bool = False) -> list[Suggestion]:
    """The generic names to propose for what has been typed — kanji (prefix, then anywhere in the name),
    a kana reading, or an abbreviation (HCC → 肝細胞癌, 胃ca → 胃癌) — best first. Names that would not
    count for the applicant are never proposed (口腔癌 for a 歯科口腔外科 applicant)."""
    return list(_suggest(typed, limit, dental))
