"""Typed helpers of the row operations (app.operations.cases): cells laid onto a copy of the application
(what a paste over several rows means), where imported rows go and whether they fit (JB-3). The case
import dialog asks the same `import_problem` before it offers to import, so that it and `ImportCases`
agree.
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


def import_start(cases: Sequence[Case], *, replace: bool) -> int:
    """Where imported rows go: row 0 when they replace the section's cases, else after the last row
    with anything in it (a 備考 or an accepted warning counts: nothing is overwritten)."""
    if replace:
        return 0
    empty = Case()
    return next((row + 1 for row in range(len(cases) - 1, -1, -1) if cases[row] != empty), 0)


def import_problem(
    label: str,
    cases: Sequence[Case],
    count: int,
    *,
    replace: bool,
    rows: int,
    replace_hint: str | None = None,
) -> str | None:
    """Why `count` imported cases do not fit in the section (JB-3: `rows` numbered rows), or None.
    `replace_hint` says how to replace instead (the window's choice; the command line's flag)."""
    if count == 0:
        return "取り込む症例がありません"
    start = import_start(cases, replace=replace)
    if start + count <= rows:
        return None
    if replace:
        return (
            f"{label}は{rows}行までです。取り込む症例が{count}件あります。"
            "取り込む行を減らすか、別の施設欄に分けて取り込んでください"
        )
    return (
        f"{label}は{rows}行までです。今ある{start}行の後に{count}件を追加すると{start + count}行になります。"
        f"{replace_hint or '「置き換える」を選ぶか'}、取り込む行を減らすか、別の施設欄に分けて取り込んでください"
    )
