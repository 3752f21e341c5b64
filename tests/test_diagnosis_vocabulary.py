"""The bundled diagnosis vocabulary is consistent with the checker that reads it."""

from __future__ import annotations

import re
import tomllib
from collections import Counter

import pytest

from app.resources import resource_path
from app.validation.diagnosis import check_diagnosis, vocabulary

_VOCABULARY = vocabulary()
_HIRAGANA = re.compile(r"[ぁ-んー]+")


def test_the_vocabulary_is_large_enough_to_be_useful() -> None:
    """Several hundred names and several hundred abbreviations (issue 3)."""
    assert len(_VOCABULARY.names) >= 400
    assert len(_VOCABULARY.abbreviations) >= 300


@pytest.mark.parametrize("name", [name for name, _reading in _VOCABULARY.names])
def test_every_listed_name_counts(name: str) -> None:
    """A name the completer may propose is never flagged for a non-dental applicant."""
    assert check_diagnosis(name, dental=False) == []


def test_every_name_has_a_reading_in_hiragana() -> None:
    """Readings are plain hiragana (and ー), so the completer can match what an IME shows."""
    bad = [(name, reading) for name, reading in _VOCABULARY.names if not _HIRAGANA.fullmatch(reading)]
    assert bad == []


def test_no_name_is_listed_twice() -> None:
    """Each generic name appears once across the tables of diagnosis-names.toml."""
    counts = Counter(name for name, _reading in _VOCABULARY.names)
    assert [name for name, count in counts.items() if count > 1] == []


@pytest.mark.parametrize("key", sorted(_VOCABULARY.abbreviations))
def test_every_abbreviation_typed_alone_is_flagged(key: str) -> None:
    """Each abbreviation in the vocabulary, typed as the whole 診断名, is a definite abbreviation."""
    finding = check_diagnosis(key, dental=False)[0]
    assert (finding.code, finding.severity) == ("diagnosis-abbreviation", "error")


def test_no_term_is_listed_under_two_categories() -> None:
    """A word belongs to one category only (malignant, benign, borderline …) in diagnosis.toml."""
    data = tomllib.loads(resource_path("vocabulary", "diagnosis.toml").read_text(encoding="utf-8"))
    categories = ("malignant", "strong_benign", "benign", "borderline", "precancerous", "non_neoplastic")
    seen: Counter[str] = Counter()
    for category in (*categories, "uncertain", "neutral", "tumour"):
        seen.update(set(data["terms"][category]))
    assert [term for term, count in seen.items() if count > 1] == []


def test_allowed_latin_tokens_are_not_also_abbreviations_of_a_diagnosis() -> None:
    """A token is either a harmless qualifier or an abbreviation, except where it is one inside a name
    and the other alone: MALTリンパ腫 vs MALT, ALアミロイドーシス vs AL (急性白血病)."""
    overlap = _VOCABULARY.allowed_latin & set(_VOCABULARY.abbreviations)
    assert overlap == {"MALT", "AL"}
