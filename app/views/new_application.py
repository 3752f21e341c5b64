"""新規: which society's form the new application is drafted under."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.models.forms import FormDefinition


def form_summary(form: FormDefinition) -> str:
    """One line per form for the choice: society, title, the count, and whether approval is needed."""
    counts = form.counts
    count = f"{counts.min}例" if counts.min == counts.max else f"{counts.min}〜{counts.max}例"
    extras = [count]
    if form.approval is not None and form.approval.required:
        extras.append("指導者の承認が必要")
    if counts.source == "default":
        extras.append("症例数は既定値")
    return f"{form.society}　{form.title}（{'、'.join(extras)}）"
