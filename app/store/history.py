"""The recorded changes of an application (`store.history`): listing them, rebuilding an earlier state
from the current one by inverting the edits after it, and restoring one (itself a change)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.models.form_packs import form_not_installed
from app.operations.history import describe_difference, replace_document
from app.operations.patch import Edit, apply, invert
from app.store.database import parse_stamp
from app.store.errors import EditError, FormRemovedError
from app.store.rows import to_application

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from app.models.application import Application
    from app.operations.patch import Json
    from app.operations.plan import Plan
    from app.store.database import Database
    from app.store.rows import Editing, Loaded, Rows


@dataclass(frozen=True)
class Change:
    """One recorded change: the state after it is `version`. `edits` say what it replaced with what."""

    version: int
    at: dt.datetime
    operation: str
    summary: str
    edits: tuple[Edit, ...]
    session: int | None


class History:
    """The history of each application in one store (`store.history`)."""

    def __init__(
        self, database: Database, rows: Rows, *, known: Callable[[int], object], edit: Editing
    ) -> None:
        self._database = database
        self._rows = rows
        self._known = known
        self._edit = edit

    def changes(self, app_id: int, *, limit: int | None = None, before: int | None = None) -> list[Change]:
        """Recorded changes, newest first (`before`: only versions below it, for paging). The state after
        each is its `version`; version 0 is the application as created or imported."""
        self._known(app_id)
        rows = self._database.db().execute(
            "SELECT version, at, operation, summary, edits, session FROM changes"
            " WHERE app_id = ? AND version < ? ORDER BY version DESC LIMIT ?",
            (app_id, before if before is not None else 1 << 62, -1 if limit is None else limit),
        )
        return [
            Change(
                version=row[0],
                at=parse_stamp(row[1]),
                operation=row[2],
                summary=row[3],
                edits=tuple(Edit.from_json(item) for item in json.loads(row[4])),
                session=row[5],
            )
            for row in rows
        ]

    def _document_at(self, app_id: int, version: int) -> Json:
        loaded = self._rows.load(app_id)
        if not isinstance(version, int) or not 0 <= version <= loaded.version:
            raise EditError(f"版 {version} はありません（0〜{loaded.version}）")
        document = loaded.document
        rows = self._database.db().execute(
            "SELECT edits FROM changes WHERE app_id = ? AND version > ? AND version <= ? ORDER BY version DESC",
            (app_id, version, loaded.version),
        )
        for (text,) in rows:
            document = apply(document, invert([Edit.from_json(item) for item in json.loads(text)]))
        return document

    def state_at(self, app_id: int, version: int) -> Application:
        """The application as it was after change `version` (a preview; nothing changes)."""
        return to_application(self._document_at(app_id, version))

    def restore(self, app_id: int, version: int) -> Application:
        """Bring back the state of `version`. This is itself a change: restoring can be undone."""
        self._database.writable()
        target = self._document_at(app_id, version)
        form = target["form"]
        if self._rows.form(form["id"], form["version"]) is None:  # its pack was removed
            raise FormRemovedError(form_not_installed(form["id"], form["version"], f"版 {version} の状態"))
        at = (
            self._database.db()
            .execute("SELECT at FROM changes WHERE app_id = ? AND version = ?", (app_id, version))
            .fetchone()
        )
        when = "" if at is None else f"（{parse_stamp(at[0]).astimezone():%Y-%m-%d %H:%M}）"
        prefix = f"版 {version}{when}の状態に戻す"

        def plan(loaded: Loaded) -> Plan | None:
            summary = f"{prefix}（{describe_difference(loaded.document, target, loaded.labels)}）"
            return replace_document(loaded.document, target, "restore", summary)

        return self._edit(app_id, plan)
