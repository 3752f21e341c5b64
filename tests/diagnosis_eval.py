"""The labelled 診断名 evaluation set (tests/data/diagnosis_eval.tsv) and what the checker makes of it.

Shared by the tests that enforce issue 3's Done-when and by benchmarks/bench_diagnosis.py, which prints
precision and recall per label.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from app.validation.diagnosis import check_diagnosis

Label = Literal["valid", "abbreviation", "not-malignant", "oral-unspecific"]
LABELS: tuple[Label, ...] = ("valid", "abbreviation", "not-malignant", "oral-unspecific")
EVAL_SET = Path(__file__).resolve().parent / "data" / "diagnosis_eval.tsv"


@dataclass(frozen=True)
class Example:
    """One labelled name: as typed, whether the applicant is 歯科口腔外科, the label, and a note."""

    name: str
    dental: bool
    label: Label
    note: str
    line: int

    def __str__(self) -> str:
        return f"{self.name}{'（歯科）' if self.dental else ''}"


def load_examples(path: Path = EVAL_SET) -> list[Example]:
    """Every labelled row; comment lines start with #."""
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        name, dental, label, note = line.split("\t")
        assert label in LABELS, f"line {number}: unknown label {label!r}"
        assert dental in ("0", "1"), f"line {number}: dental must be 0 or 1"
        examples.append(Example(name, dental == "1", label, note, number))
    return examples


def predict(example: Example) -> Label:
    """The checker's label: the code of its first finding, or valid when it has none."""
    findings = check_diagnosis(example.name, dental=example.dental)
    if not findings:
        return "valid"
    return cast("Label", findings[0].code.removeprefix("diagnosis-"))


@dataclass(frozen=True)
class LabelScore:
    """Precision and recall of one label over the evaluation set."""

    label: Label
    support: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.support if self.support else 1.0


def scores(examples: list[Example]) -> list[LabelScore]:
    """Precision and recall for each label."""
    pairs = [(example.label, predict(example)) for example in examples]
    return [
        LabelScore(
            label,
            support=sum(1 for truth, _ in pairs if truth == label),
            predicted=sum(1 for _, guess in pairs if guess == label),
            correct=sum(1 for truth, guess in pairs if truth == guess == label),
        )
        for label in LABELS
    ]
