"""Edits applied to a typed `Application`: the result checked against the document types, part by part.

The history stores edits on the JSON form of the document (app.operations.patch). Applying them to the
typed document instead copies only the spine from the root down to what changed (as the JSON patch does)
and validates each new value by the type of the field that receives it (pydantic's assignment
validation), so that a change of one cell checks one `Case`, not the whole application. The parts that
did not change are shared with the input, already checked: nothing is parsed twice.

The types have no rule across fields of a parent (app.models.application): checking every new part by
its field's type checks the whole result. Applications that share parts this way must be treated as
values: never change one in place (`model_copy(deep=True)` first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from app.models.application import Application
from app.models.document import describe_validation_error
from app.operations.errors import EditError, HistoryError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from app.operations.patch import Edit, PathPart
    from app.operations.plan import Plan


def apply_plan(application: Application, plan: Plan | None) -> Application:
    """`application` as `plan` leaves it (unchanged when there is no plan). `EditError` when the result is
    not a valid document; the input is never modified."""
    return application if plan is None else apply_edits(application, plan.edits)


def apply_edits(application: Application, edits: Sequence[Edit]) -> Application:
    """`application` with `edits` applied (meta edits, about the record rather than the document, skipped)."""
    try:
        for edit in edits:
            if not edit.is_meta:
                application = _apply_one(application, edit)
    except ValidationError as error:
        raise EditError(describe_validation_error(error)) from None
    return application


def _apply_one(application: Application, edit: Edit) -> Application:
    if edit.op == "set" and not edit.path:
        return Application.model_validate(edit.after)
    container = edit.path if edit.op == "move" else edit.path[:-1]
    result = _rebuilt(application, container, lambda node: _changed(node, edit), edit)
    assert isinstance(result, Application)
    return result


def _rebuilt(node: Any, path: Sequence[PathPart], change: Callable[[Any], Any], edit: Edit) -> Any:
    """`node` with the part at `path` replaced by `change(part)`; every node on the way is a copy."""
    if not path:
        return change(node)
    key = path[0]
    return _with(node, key, _rebuilt(_child(node, key, edit), path[1:], change, edit), edit)


def _child(node: Any, key: PathPart, edit: Edit) -> Any:
    if isinstance(node, BaseModel) and isinstance(key, str) and key in type(node).model_fields:
        return getattr(node, key)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    if isinstance(node, dict) and isinstance(key, str) and key in node:
        return node[key]
    raise HistoryError(f"履歴の位置 {list(edit.path)} が文書にありません")


def _with(node: Any, key: PathPart, value: Any, edit: Edit) -> Any:
    """A copy of `node` holding `value` at `key`; a model checks `value` by the field's type."""
    if isinstance(node, BaseModel):
        if not isinstance(key, str) or key not in type(node).model_fields:
            raise HistoryError(f"履歴の位置 {list(edit.path)} が文書にありません")
        copy = node.model_copy()
        setattr(copy, key, value)  # validate_assignment: the new value is checked by the field's type
        return copy
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        items = list(node)
        items[key] = value
        return items
    if isinstance(node, dict) and isinstance(key, str):
        return {**node, key: value}
    raise HistoryError(f"履歴の位置 {list(edit.path)} が文書の構造と合いません")


def _changed(node: Any, edit: Edit) -> Any:
    if edit.op == "move":
        source, target = edit.before, edit.after
        if not (
            isinstance(node, list)
            and isinstance(source, int)
            and isinstance(target, int)
            and 0 <= source < len(node)
            and 0 <= target < len(node)
        ):
            raise HistoryError(f"履歴の移動 {list(edit.path)} {source}→{target} が文書に合いません")
        items = list(node)
        items.insert(target, items.pop(source))
        return items
    key = edit.path[-1]
    if edit.op == "set":
        _child(node, key, edit)  # it must be there
        return _with(node, key, edit.after, edit)
    if not isinstance(node, list) or not isinstance(key, int):
        raise HistoryError(f"履歴の位置 {list(edit.path)} が文書の構造と合いません")
    items = list(node)
    if edit.op == "insert":
        if not 0 <= key <= len(items):
            raise HistoryError(f"履歴の挿入位置 {list(edit.path)} が文書にありません")
        items.insert(key, edit.after)
    else:
        _child(node, key, edit)
        del items[key]
    return items
