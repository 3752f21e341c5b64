"""The result of a rule (SPEC §5): a stable code, a severity, the place, and a Japanese text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found by a rule. `section` and `row` are 1-based, or None for the whole application
    (or the whole section). `accepted` holds the user's reason when they decided to keep a warning."""

    code: str
    severity: Severity
    section: int | None
    row: int | None
    field: str | None
    place: str
    """Where, as the form names it (「申請2(1) No.3 診断名」, 「症例2 承認」); empty for the whole application."""
    text: str
    """What is wrong and how to fix it, without the place: what a cell, a field or a request shows."""
    accepted: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def message(self) -> str:
        """The place and the text as one line (「申請2(1) No.3 診断名: …」): what the command line, the
        problem list of a PDF and the package say, where nothing else shows the place."""
        return f"{self.place}: {self.text}" if self.place else self.text

    def to_json(self) -> dict[str, object]:
        """The shape `shorei validate --json` prints (SPEC §7)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "section": self.section,
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


def has_errors(issues: list[Issue]) -> bool:
    return any(issue.is_error for issue in issues)
