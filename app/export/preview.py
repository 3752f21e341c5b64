"""The sheets as they will print, in memory, for 印刷プレビュー and 印刷… (issue 14 item 10).

The bytes come from `export_application` itself, written into a temporary folder and read back, so the
preview and the printout are the export's own pages (the same 照合コード as the files written for the
same content); nothing is left on disk. An application with errors previews as the watermarked draft.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.export.export import ExportError, export_application
from app.validation import validate

if TYPE_CHECKING:
    from app.models.application import Application
    from app.models.facility import FacilityLookup
    from app.models.forms import FormDefinition
    from app.validation import Issue

PREVIEW_STEM = "preview"


@dataclass(frozen=True)
class SheetPreview:
    """The PDF of the sheets, whether it is a draft (and why: `errors`), and its 照合コード (None for a
    draft)."""

    pdf: bytes
    draft: bool
    errors: int
    short_hash: str | None


def preview_sheets(
    application: Application,
    form: FormDefinition,
    facilities: FacilityLookup,
    *,
    issues: list[Issue] | None = None,
    draft: bool = False,
    key_folder: Path | None = None,
) -> SheetPreview:
    """The PDF `export_application` would write now: final when the application has no errors (and
    `draft` is False), else the draft. Raises ExportError when it cannot be made (font, signing key)."""
    found = validate(application, form, facilities) if issues is None else issues
    errors = sum(1 for issue in found if issue.is_error)
    as_draft = draft or errors > 0
    with tempfile.TemporaryDirectory(prefix="shorei-preview-") as folder:
        result = export_application(
            application,
            form,
            facilities,
            Path(folder),
            stem=PREVIEW_STEM,
            draft=as_draft,
            key_folder=key_folder,
        )
        try:
            pdf = result.pdf_path.read_bytes()
        except OSError as error:
            raise ExportError(f"プレビューを作成できません（{error.strerror}）") from None
    return SheetPreview(pdf, as_draft, errors, result.short_hash)
