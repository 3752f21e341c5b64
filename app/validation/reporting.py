"""What a rule reads and writes: the context it checks against and the reporter it adds issues to.

Kept apart from the registry (`app.validation.engine`), which imports the rule sets, so that the rule
sets import these types without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.models.application import Application
from app.validation.issue import Issue, Severity

if TYPE_CHECKING:
    from app.models.facility import FacilityLookup
    from app.models.forms import FormDefinition


@dataclass
class Reporter:
    """Collects issues, their texts written from the form's templates and their places from its labels."""

    form: FormDefinition
    issues: list[Issue] = field(default_factory=list)

    def add(
        self,
        code: str,
        severity: Severity,
        *,
        section: int | None = None,
        row: int | None = None,
        field: str | None = None,
        message: str | None = None,
        accepted: str | None = None,
        **params: object,
    ) -> None:
        """Record an issue. `section` and `row` are 0-based here; `message` names the template when it
        differs from the code."""
        self.emit(code, severity, section, row, field, message, accepted, params)

    def at_row(self, section: int | None, row: int) -> RowReporter:
        """A reporter for one case row (a JBCT section's row, or a JSPM case report when `section` is None)."""
        return RowReporter(self, section, row)

    def emit(
        self,
        code: str,
        severity: Severity,
        section: int | None,
        row: int | None,
        field: str | None,
        message: str | None,
        accepted: str | None,
        params: dict[str, object],
    ) -> None:
        text = self.form.message(message or code, **params)
        place = self.place(section, row, field)
        self.issues.append(
            Issue(
                code=code,
                severity=severity,
                section=None if section is None else section + 1,
                row=None if row is None else row + 1,
                field=field,
                place=place,
                text=text,
                accepted=accepted if severity == "warning" else None,
            )
        )

    def place(self, section: int | None, row: int | None, field: str | None) -> str:
        parts: list[str] = []
        if section is not None:
            parts.append(self.form.section_label(section))
        if row is not None:
            parts.append(f"No.{row + 1}" if section is not None else f"症例{row + 1}")
        if field is not None:
            parts.append(self.field_label(field))
        return " ".join(parts)

    def field_label(self, key: str) -> str:
        if key == "facility":
            return self.form.facility.label
        if key == "enrollment":
            return "施設在籍期間"
        if key in ("start", "end"):
            return self.form.period_label
        if key == "approval":
            return "承認"
        try:
            return self.form.field(key).label
        except KeyError:  # a key the form does not have (a document made elsewhere): named as it is
            return key


@dataclass(frozen=True)
class RowReporter:
    """Adds issues at one case row (0-based section and row)."""

    reporter: Reporter
    section: int | None
    row: int

    def add(
        self,
        code: str,
        severity: Severity,
        *,
        field: str,
        message: str | None = None,
        accepted: str | None = None,
        **params: object,
    ) -> None:
        self.reporter.emit(code, severity, self.section, self.row, field, message, accepted, params)


@dataclass(frozen=True)
class ValidationContext:
    """What the rules read besides the document: the form and the facility list."""

    form: FormDefinition
    facilities: FacilityLookup | None


Rule = Callable[[ValidationContext, Application, Reporter], None]
