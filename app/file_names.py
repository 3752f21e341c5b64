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


def _person(application: Application) -> str:
    applicant = application.applicant
    return applicant.name.replace(" ", "").replace("\u3000", "") or applicant.member_id or "氏名未入力"


def sheet_stem(application: Application, form: FormDefinition) -> str:
    """A name a person understands for the printed sheets and their upload file: what the paper is, the
    sections it holds and the applicant (`症例一覧表_申請2(1)_山田太郎`, `症例一覧表_申請2(1)・2(2)_山田太郎`,
    `症例報告書_山田太郎`), safe on every OS."""
    if form.layout == "case-reports":
        return safe_stem(f"症例報告書_{_person(application)}")
    used = [index for index, section in enumerate(application.sections) if section.filled_cases()] or [0]
    labels = [form.section_label(index) for index in used]
    first = labels[0]
    prefix = first[: len(first) - len(first.lstrip("申請"))] if first.startswith("申請") else ""
    rest = [label.removeprefix(prefix) if prefix else label for label in labels[1:]]
    return safe_stem("_".join(["症例一覧表", "・".join([first, *rest]), _person(application)]))
