"""Checks both rule sets make in the same way: the applicant's texts, the age, text limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.models.text import text_problem

if TYPE_CHECKING:
    from app.models.application import Application
    from app.models.forms import FieldSpec
    from app.validation.reporting import Reporter, RowReporter, ValidationContext


def check_applicant_texts(context: ValidationContext, application: Application, out: Reporter) -> None:
    """氏名 and 会員番号: present, within their length, no control characters (JB-14)."""
    applicant = application.applicant
    for key in ("name", "member_id"):
        value: str = getattr(applicant, key)
        spec = context.form.field(key)
        if not value:
            out.add("applicant-missing", "error", field=key, label=spec.label)
        elif (problem := text_problem(value, max_length=spec.max_length)) is not None:
            out.add("text-invalid", "error", field=key, label=spec.label, detail=problem)


def check_age(spec: FieldSpec, age: int | None, out: RowReporter) -> None:
    """JB-7 (and the JSPM age): present, a whole number inside the form's limits."""
    if age is None:
        out.add("age-missing", "error", field="age")
    elif not (spec.min or 0) <= age <= (spec.max or 120):
        out.add("age-range", "error", field="age", age=age, min=spec.min, max=spec.max)


def check_text(spec: FieldSpec, value: str, out: RowReporter) -> None:
    """JB-14: a stored text's characters and length."""
    if value and (
        problem := text_problem(value, max_length=spec.max_length, multiline=spec.kind == "multiline")
    ):
        out.add("text-invalid", "error", field=spec.key, label=spec.label, detail=problem)
