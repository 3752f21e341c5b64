"""Names for the files Shorei writes: safe on every OS, derived from the form and the member number."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.models.application import Application
    from app.models.forms import FormDefinition

_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def safe_stem(text: str, fallback: str = "shorei") -> str:
    """`text` as a file name without extension that every OS accepts (Windows forbids `<>:"/\\|?*`)."""
    stem = _UNSAFE_IN_NAME.sub("_", text).strip(" .")
    return stem[:120] or fallback


def default_stem(application: Application, form: FormDefinition) -> str:
    """A name for files exported from the window: the form and the member number, e.g.
    `jbct-renewal-2026-123456`."""
    member = application.applicant.member_id
    return safe_stem(f"{form.id}-{member}" if member else form.id)
