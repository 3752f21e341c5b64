"""Invertible edits on the JSON form of an application document: the unit of history.

Every change the store records is a list of `Edit`s that carry both the value before and the value after,
so a change can be replayed forwards or backwards without any other record, and replaying checks itself
(a `set` whose `before` does not match what is there means the history and the state disagree).

Paths address the document as `Application.model_dump(mode="json")` lays it out:
`("sections", 0, "cases", 3, "age")`. Insert and delete paths end with the list index; a move names the
list and carries the indices in `before` (from) and `after` (to). Paths starting with "$" are about the
application's record rather than its document (its title) and leave the document untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from app.operations.errors import HistoryError

Json = Any
"""A JSON value as `json.loads` returns it."""

PathPart = str | int
Op = Literal["set", "insert", "delete", "move"]
META_PREFIX = "$"


@dataclass(frozen=True, slots=True)
class Edit:
    """One step of a change: what (`op` at `path`), the value before and the value after."""

    op: Op
    path: tuple[PathPart, ...]
    before: Json = None
    after: Json = None

    def inverted(self) -> Edit:
        if self.op == "insert":
            return Edit("delete", self.path, before=self.after)
        if self.op == "delete":
            return Edit("insert", self.path, after=self.before)
        return Edit(self.op, self.path, before=self.after, after=self.before)

    def to_json(self) -> dict[str, Json]:
        return {"op": self.op, "path": list(self.path), "before": self.before, "after": self.after}

    @classmethod
    def from_json(cls, data: dict[str, Json]) -> Edit:
        op = data["op"]
        if op not in ("set", "insert", "delete", "move"):
            raise HistoryError(f"履歴に不明な操作があります: {op!r}")
        return cls(op, tuple(data["path"]), data.get("before"), data.get("after"))

    @property
    def is_meta(self) -> bool:
        return bool(self.path) and isinstance(self.path[0], str) and self.path[0].startswith(META_PREFIX)


def invert(edits: list[Edit]) -> list[Edit]:
    """The edits that undo `edits` (applied after them)."""
    return [edit.inverted() for edit in reversed(edits)]


def apply(document: Json, edits: list[Edit]) -> Json:
    """`document` with `edits` applied, copying only what they touch (the input is never modified)."""
    for edit in edits:
        if not edit.is_meta:
            document = _apply_one(document, edit)
    return document


def _copy(node: Json) -> Json:
    if isinstance(node, dict):
        return dict(node)
    if isinstance(node, list):
        return list(node)
    raise HistoryError(f"履歴の位置が文書の構造と合いません（{type(node).__name__}）")


def _child(node: Json, key: PathPart, edit: Edit) -> Json:
    try:
        if isinstance(node, dict) and isinstance(key, str):
            return node[key]
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            return node[key]
    except KeyError:
        pass
    raise HistoryError(f"履歴の位置 {list(edit.path)} が文書にありません")


def _apply_one(document: Json, edit: Edit) -> Json:
    if edit.op == "set" and not edit.path:
        if document != edit.before:
            raise HistoryError("履歴と保存されている内容が一致しません（文書全体）")
        return edit.after
    container_path = edit.path if edit.op == "move" else edit.path[:-1]
    # Copy the spine from the root down to the container, so the caller's document stays as it was.
    root = _copy(document)
    node = root
    for key in container_path:
        child = _copy(_child(node, key, edit))
        node[key] = child
        node = child
    if edit.op == "move":
        _move(node, edit)
        return root
    key = edit.path[-1]
    if edit.op == "set":
        if _child(node, key, edit) != edit.before:
            raise HistoryError(f"履歴と保存されている内容が一致しません（{list(edit.path)}）")
        node[key] = edit.after
    elif edit.op == "insert":
        if not isinstance(node, list) or not isinstance(key, int) or not 0 <= key <= len(node):
            raise HistoryError(f"履歴の挿入位置 {list(edit.path)} が文書にありません")
        node.insert(key, edit.after)
    else:
        if _child(node, key, edit) != edit.before:
            raise HistoryError(f"履歴と保存されている内容が一致しません（{list(edit.path)}）")
        del node[key]
    return root


def _move(node: Json, edit: Edit) -> None:
    source, target = edit.before, edit.after
    if (
        not isinstance(node, list)
        or not isinstance(source, int)
        or not isinstance(target, int)
        or not 0 <= source < len(node)
        or not 0 <= target < len(node)
    ):
        raise HistoryError(f"履歴の移動 {list(edit.path)} {source}→{target} が文書に合いません")
    node.insert(target, node.pop(source))


def apply_as_found(document: Json, edits: list[Edit]) -> tuple[Json, list[Edit]]:
    """`document` with `edits` applied, and the edits as the history should record them: each `set` and
    `delete` carrying, as its `before`, what the document held there (byte for byte as stored), so that
    undo restores exactly what the change replaced."""
    recorded: list[Edit] = []
    for edit in edits:
        if edit.op in ("set", "delete") and not edit.is_meta:
            edit = _found(document, edit)
        recorded.append(edit)
        if not edit.is_meta:
            document = _apply_one(document, edit)
    return document, recorded


def _found(document: Json, edit: Edit) -> Edit:
    node = document
    for key in edit.path:
        node = _child(node, key, edit)
    return edit if node == edit.before else Edit(edit.op, edit.path, node, edit.after)
