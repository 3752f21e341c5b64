"""Issue 3's Done-when, enforced on the labelled evaluation set (tests/data/diagnosis_eval.tsv)."""

from __future__ import annotations

import pytest

from app.validation.diagnosis import check_diagnosis
from tests.diagnosis_eval import LABELS, Example, load_examples, predict

EXAMPLES = load_examples()


def _of(label: str) -> list[Example]:
    return [example for example in EXAMPLES if example.label == label]


def test_the_set_is_large_and_covers_every_label() -> None:
    """At least 300 names, each label present, and the oral label only on dental rows."""
    assert len(EXAMPLES) >= 300
    assert {example.label for example in EXAMPLES} == set(LABELS)
    assert all(example.dental for example in _of("oral-unspecific"))
    assert len({(example.name, example.dental) for example in EXAMPLES}) == len(EXAMPLES)


@pytest.mark.parametrize("example", _of("abbreviation"), ids=str)
def test_every_abbreviation_is_flagged_as_one(example: Example) -> None:
    """An abbreviation or chart shorthand is reported as diagnosis-abbreviation before anything else."""
    assert predict(example) == "abbreviation"


@pytest.mark.parametrize("example", _of("not-malignant"), ids=str)
def test_every_name_that_does_not_show_malignancy_is_flagged(example: Example) -> None:
    """Benign, borderline, precancerous, unconfirmed, bare organ tumours and non-tumours are flagged."""
    assert predict(example) == "not-malignant"


def test_at_most_one_valid_name_in_a_hundred_is_flagged() -> None:
    """Names the committee counts pass; the false-alarm rate stays at or below 1 %."""
    valid = _of("valid")
    flagged = [str(example) for example in valid if predict(example) != "valid"]
    assert len(flagged) * 100 <= len(valid), flagged


@pytest.mark.parametrize("example", _of("oral-unspecific"), ids=str)
def test_oral_cancer_without_a_site_is_flagged_for_dental_applicants(example: Example) -> None:
    """JB-12: 口腔がん and its kin are diagnosis-oral-unspecific for 歯科口腔外科 applicants."""
    assert predict(example) == "oral-unspecific"


@pytest.mark.parametrize("example", _of("oral-unspecific"), ids=str)
def test_the_oral_rule_does_not_fire_for_other_applicants(example: Example) -> None:
    """JB-12 is for 歯科口腔外科 only: the same name from any other applicant counts."""
    assert check_diagnosis(example.name, dental=False) == []


def test_the_oral_rule_never_fires_on_a_non_dental_row() -> None:
    """No name in the set yields diagnosis-oral-unspecific when the applicant is not dental."""
    codes = {finding.code for example in EXAMPLES for finding in check_diagnosis(example.name, dental=False)}
    assert "diagnosis-oral-unspecific" not in codes
