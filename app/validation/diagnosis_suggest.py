"""The completer's suggestions for a 診断名: generic names from the vocabulary of the application's form
(`form.vocabulary`, as the rules read it) that would count for the applicant, found by kanji, kana reading
or abbreviation. The index and the remembered suggestions are kept with the vocabulary
(`Vocabulary.derived`)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from app.models.text import normalize_text
from app.models.vocabulary import SPACES, compact_name
from app.validation.abbreviations import find_abbreviation
from app.validation.diagnosis import check_diagnosis, vocabulary

if TYPE_CHECKING:
    from app.models.vocabulary import Vocabulary

MatchReason = Literal["abbreviation", "prefix", "reading", "substring", "reading-substring"]

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A generic name the completer proposes: its reading (empty when unknown) and why it matched —
    the abbreviation typed (`matched` holds it), or the typed text as a prefix or part of the name or
    of its reading."""

    name: str
    reading: str
    reason: MatchReason
    matched: str


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


def _index(vocab: Vocabulary, dental: bool) -> _Index:
    entries: dict[str, str] = {}
    for name, reading in vocab.names:
        entries.setdefault(name, reading)
    for expansions in vocab.abbreviations.values():
        for expansion in expansions:
            # A bare term (転移 for meta, 肉腫 for Sa) is not a name to propose.
            if compact_name(expansion).lower() not in vocab.terms:
                entries.setdefault(expansion, "")
    counted = [
        (name, reading)
        for name, reading in entries.items()
        if not check_diagnosis(name, dental=dental, vocabulary=vocab)
    ]
    order = {name: position for position, (name, _reading) in enumerate(counted)}
    names = tuple(sorted(counted, key=lambda entry: (len(entry[0]), order[entry[0]])))
    number = {name: position for position, (name, _reading) in enumerate(names)}
    items: dict[_Kind, list[tuple[str, int]]] = {"name": [], "reading": []}
    for position, (name, reading) in enumerate(names):
        key = compact_name(name).lower()
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


_REMEMBERED: Final = 1024


@dataclass
class DiagnosisCompleter:
    """The completer over one vocabulary: its index for each kind of applicant (built on first use) and
    the suggestions it remembers."""

    vocab: Vocabulary
    _indexes: dict[bool, _Index] = field(default_factory=dict)
    _remembered: dict[tuple[str, int, bool], tuple[Suggestion, ...]] = field(default_factory=dict)

    def index(self, dental: bool) -> _Index:
        found = self._indexes.get(dental)
        if found is None:
            found = self._indexes[dental] = _index(self.vocab, dental)
        return found

    def suggest(self, typed: str, limit: int, dental: bool) -> tuple[Suggestion, ...]:
        found = self._remembered.get((typed, limit, dental))
        if found is None:
            if len(self._remembered) >= _REMEMBERED:
                self._remembered.clear()
            found = self._remembered[typed, limit, dental] = _suggest(
                self.vocab, self.index(dental), typed, limit, dental
            )
        return found


def _suggest(
    vocab: Vocabulary, index: _Index, typed: str, limit: int, dental: bool
) -> tuple[Suggestion, ...]:
    key = compact_name(typed).lower()
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
    correction = find_abbreviation(normalize_text(typed), vocab)
    if correction is not None and correction.severity == "error":
        for position, name in enumerate((correction.suggestion, *correction.alternatives)):
            if name is not None and not check_diagnosis(name, dental=dental, vocabulary=vocab):
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
    kana = _hiragana(SPACES.sub("", normalize_text(typed)).lower())
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


def suggest_diagnoses(
    typed: str, limit: int = 10, *, dental: bool = False, vocabulary: Vocabulary | None = None
) -> list[Suggestion]:
    """The generic names to propose for what has been typed — kanji (prefix, then anywhere in the name),
    a kana reading, or an abbreviation (HCC → 肝細胞癌, 胃ca → 胃癌) — best first, from `vocabulary` (the
    form's; the program's when None). Names that would not count for the applicant are never proposed
    (口腔癌 for a 歯科口腔外科 applicant)."""
    return list(completer_for(vocabulary).suggest(typed, limit, dental))


def completer_for(vocab: Vocabulary | None) -> DiagnosisCompleter:
    """The completer over `vocab` (the program's when None), made once per vocabulary."""
    return (vocab or vocabulary()).derived(DiagnosisCompleter)
