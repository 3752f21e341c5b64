"""One validation function for the window, the PDF, the package and the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.validation import jbct, jspm
from app.validation.reporting import Reporter, Rule, ValidationContext

if TYPE_CHECKING:
    from app.models.application import Application
    from app.models.facility import FacilityLookup
    from app.models.forms import FormDefinition
    from app.validation.issue import Issue

_WHOLE = -1  # sorts application- and section-level issues before row-level ones


def _rule_sets() -> dict[str, list[Rule]]:
    return {"jbct": jbct.RULES, "jspm": jspm.RULES}


def rule_set_names() -> frozenset[str]:
    """The rule sets this program has: a form (or a form pack) naming another needs a newer Shorei."""
    return frozenset(_rule_sets())


def validate(
    application: Application, form: FormDefinition, facilities: FacilityLookup | None = None
) -> list[Issue]:
    """Every issue of `application` under `form`, sorted by section, row and field (form order)."""
    context = ValidationContext(form=form, facilities=facilities)
    reporter = Reporter(form)
    for rule in _rule_sets()[form.rule_set]:
        rule(context, application, reporter)
    order = form.field_order
    return sorted(
        reporter.issues,
        key=lambda issue: (
            _WHOLE if issue.section is None else issue.section,
            _WHOLE if issue.row is None else issue.row,
            _WHOLE if issue.field is None else order.get(issue.field, len(order)),
        ),
    )
