"""Abbreviations and chart shorthand in a 診断名 or 病理診断名 (JB-11, JB-13: 略語不可), read over a
diagnosis vocabulary: the first step of the checks in app.validation.diagnosis, and what the completer
uses to expand what is typed (HCC → 肝細胞癌, 胃ca → 胃癌)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from app.models.vocabulary import FOLD, SPACES, Vocabulary, compact_name

if TYPE_CHECKING:
    from app.validation.issue import Severity

FindingCode = Literal["diagnosis-abbreviation", "diagnosis-not-malignant", "diagnosis-oral-unspecific"]

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
    if any(compact_name(expansion) in compact for expansion in found):
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


def is_suspicion(text: str, vocab: Vocabulary) -> bool:
    # The character test is a C-level scan that spares most names the slower pattern search.
    return not vocab.suspicion_first.isdisjoint(text) and vocab.suspicion_strip.search(text) is not None


def outer_name(compact: str, vocab: Vocabulary) -> str:
    """The name without bracketed parts, suspicion words and treatment qualifiers (術後, 再発)."""
    outer = _BRACKETED.sub("", compact)
    if is_suspicion(outer, vocab):
        outer = vocab.suspicion_strip.sub("", outer)
    for qualifier in _QUALIFIERS:
        outer = outer.removesuffix(qualifier)
    return outer


def find_abbreviation(name: str, vocab: Vocabulary) -> DiagnosisFinding | None:
    compact = compact_name(name)
    spaced = SPACES.sub(" ", name).translate(FOLD)
    outer = outer_name(compact, vocab)
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
