"""The status bar's word on whether the application can be submitted: 「提出できます」 at 0 errors (with the
warnings still open counted), else the number of errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.validation import Issue


def submit_state(issues: Sequence[Issue]) -> str:
    """「エラー 3件」, or 「提出できます（未承認の警告 2件）」 / 「提出できます」."""
    errors = sum(issue.is_error for issue in issues)
    if errors:
        return f"エラー {errors}件"
    warnings = sum(not issue.is_error and not issue.accepted for issue in issues)
    return f"提出できます（未承認の警告 {warnings}件）" if warnings else "提出できます"
