"""Whole-document changes for the history: what putting one state in place of another changes, in one
Japanese line, and the plan that does it (restoring an earlier version, moving to another form version).

These work on the JSON form of the document, as the history stores it: the state to restore is rebuilt
from the recorded edits, never parsed into types first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.operations.patch import Edit
from app.operations.plan import Plan

if TYPE_CHECKING:
    from app.operations.patch import Json
    from app.operations.plan import Labels


def describe_difference(current: Json, target: Json, labels: Labels, *, shown_at_most: int = 2) -> str:
    """What putting `target` in place of `current` changes, for the history (「申請2(1) No.3 診断名: 胃癌 →
    胃K ほか2件」): the first changes by place, then how many more."""
    changes: list[str] = []

    def place(path: tuple[str | int, ...]) -> str:
        match path:
            case ("sections", int(s), "cases", int(r), str(key), *_):
                return f"{labels.row(s, r)} {labels.field(key)}"
            case ("sections", int(s), "cases", *_):
                return f"{labels.section(s)} の行"
            case ("sections", int(s), str(key), *_):
                return f"{labels.section(s)} {labels.field(key)}"
            case ("reports", int(r), "narrative", str(key), *_) | ("reports", int(r), str(key), *_):
                return f"{labels.report(r)} {labels.report_field(key)}"
            case ("reports", *_):
                return "症例の並び"
            case ("applicant", str(key), *_):
                return labels.field(key)
        return "申請"

    def walk(a: Json, b: Json, path: tuple[str | int, ...]) -> None:
        if a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in [*a, *(k for k in b if k not in a)]:
                walk(a.get(key), b.get(key), (*path, key))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, (*path, index))
        elif isinstance(a, dict | list) or isinstance(b, dict | list):
            changes.append(f"{place(path)}を変更")
        else:
            key = next((str(part) for part in reversed(path) if isinstance(part, str)), "")
            changes.append(f"{place(path)}: {labels.value(key, a)} → {labels.value(key, b)}")

    walk(current, target, ())
    if not changes:
        return "変更なし"
    more = len(changes) - shown_at_most
    return "、".join(changes[:shown_at_most]) + (f" ほか{more}件" if more > 0 else "")


def replace_document(document: Json, target: Json, operation: str, summary: str) -> Plan | None:
    """The whole document at once (restoring an earlier state)."""
    if target == document:
        return None
    return Plan(operation, summary, [Edit("set", (), document, target)])
