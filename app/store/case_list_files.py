"""Case lists as files (CSV or XLSX a clerk made): read with the limits of a case list (SPEC §9).

The file is read by `app.store.table_files` (as facility lists are) and into cases by
`app.models.case_list`; `Store.import_cases` then puts the cases into a section as one change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from app.models.application import Application
from app.models.case_list import find_header
from app.store import edits as ops
from app.store.patch import apply
from app.store.table_files import TableLimits, parse_table, read_table_file

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from app.models.application import Case
    from app.models.forms import FormDefinition
    from app.models.table import TableFile, TableSheet

MAX_FILE_BYTES: Final = 10 * 1024 * 1024
MAX_ROWS: Final = 1_000
"""A section holds 25 cases; a sheet with a thousand rows of data is not a case list."""

CASE_LIST_LIMITS: Final = TableLimits(
    max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS, max_columns=100, max_scanned_rows=50_000, keep_formulas=True
)
"""Formulas are kept as formulas: a case list is read for what a person typed, and a formula's stored
result may be missing or stale, so `app.models.case_list` refuses them where values are read."""


def read_case_list(path: Path) -> TableFile:
    """A CSV (UTF-8 with or without BOM, Shift_JIS) or XLSX case list; `TableFileError` if unreadable."""
    return read_table_file(path, CASE_LIST_LIMITS)


def parse_case_list(data: bytes, *, source: str) -> TableFile:
    return parse_table(data, source=source, limits=CASE_LIST_LIMITS)


def default_sheet(form: FormDefinition, table: TableFile) -> TableSheet:
    """The first sheet whose heading row names the form's fields (a cover sheet is passed over), or
    the first sheet."""
    return next((sheet for sheet in table.sheets if find_header(form, sheet) is not None), table.sheets[0])


def import_into(
    application: Application,
    form: FormDefinition,
    section: int,
    cases: Sequence[Case],
    *,
    replace: bool,
    source: str,
    replace_hint: str | None = None,
) -> Application:
    """The change `Store.import_cases` makes, on a document outside the store (the command line).
    `EditError` when the cases do not fit (`replace_hint`: how to replace instead, in the caller's words)."""
    document = application.model_dump(mode="json")
    plan = ops.import_cases(
        document, ops.Labels(form), section, cases, replace=replace, source=source, replace_hint=replace_hint
    )
    return Application.model_validate(apply(document, plan.edits))
