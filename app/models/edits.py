"""Pure edits of an application document: each returns a new document and leaves the old one as it was.

The store persists edits one transaction each; these functions say what an edit means, so that the
store, the import and the tests agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.models.application import Application, Case, Section

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.cells import CellEdit


def _section(application: Application, index: int) -> Section:
    while len(application.sections) <= index:
        application.sections.append(Section())
    return application.sections[index]


def apply_cell_edits(application: Application, edits: Sequence[CellEdit]) -> Application:
    """Set each (section, row, key) to its value, adding sections and blank rows as needed."""
    result = application.model_copy(deep=True)
    for edit in edits:
        cases = _section(result, edit.section).cases
        while len(cases) <= edit.row:
            cases.append(Case())
        setattr(cases[edit.row], edit.key, edit.value)
    return result
