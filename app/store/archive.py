"""What an application sent and made, kept beside its rows (`store.archive`): the copies of approved
reports kept by 「削除して再依頼」, the approval requests written, and what was printed or made for upload."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Final

from app.models.application import CaseReport
from app.store.database import parse_stamp, stamp

if TYPE_CHECKING:
    import datetime as dt
    import sqlite3
    from collections.abc import Callable
    from pathlib import Path

    from app.store.applications import ApplicationInfo
    from app.store.database import Database

OUTPUT_KINDS: Final = ("print", "upload")
"""The kinds of `Output`: the sheets printed (or their PDF written), the upload file written."""


@dataclass(frozen=True)
class ArchivedReport:
    """A copy of an approved report kept by 「削除して再依頼」 before its approval was cleared: the report as
    it was (approval and signed statement included), its number then, and the version of that change."""

    id: int
    number: int
    version: int
    archived_at: dt.datetime
    reason: str
    report: CaseReport


@dataclass(frozen=True)
class SentRequest:
    """An approval request file written for an application: which request, to whom, where it was saved."""

    request_id: str
    supervisor_member_id: str
    path: PurePath | None
    recorded_at: dt.datetime


@dataclass(frozen=True)
class Output:
    """What was made of an application: its sheets printed or written as PDF ("print"), or its upload file
    ("upload"), for one `part` (a section's index, or `WHOLE_APPLICATION`), from the content whose
    fingerprint is `content` (app.store.print_state), at `version`, with the 照合コード `code`."""

    part: int
    kind: str
    content: str
    version: int
    code: str | None
    path: PurePath | None
    at: dt.datetime


class Archive:
    """The reports archived, requests sent and outputs made, per application, in one store."""

    def __init__(self, database: Database, info: Callable[[int], ApplicationInfo]) -> None:
        self._database = database
        self._info = info

    def archived_reports(self, app_id: int) -> list[ArchivedReport]:
        """Copies of approved reports kept by 「削除して再依頼」, newest first."""
        self._info(app_id)
        rows = self._database.db().execute(
            "SELECT id, position, version, archived_at, reason, data FROM report_archive"
            " WHERE app_id = ? ORDER BY id DESC",
            (app_id,),
        )
        return [
            ArchivedReport(
                id=row[0],
                number=row[1] + 1,
                version=row[2],
                archived_at=parse_stamp(row[3]),
                reason=row[4],
                report=CaseReport.model_validate(json.loads(row[5])),
            )
            for row in rows
        ]

    def insert_request(
        self,
        connection: sqlite3.Connection,
        app_id: int,
        request_id: str,
        supervisor_member_id: str,
        path: Path | None,
    ) -> None:
        """Note, in the transaction of `connection`, a request file written for this application."""
        connection.execute(
            "INSERT INTO approval_requests (app_id, request_id, supervisor, path, recorded_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (app_id, request_id)"
            " DO UPDATE SET supervisor = excluded.supervisor, path = coalesce(excluded.path, path)",
            (
                app_id,
                request_id,
                supervisor_member_id,
                None if path is None else str(path),
                stamp(self._database.now()),
            ),
        )

    def sent_requests(self, app_id: int) -> list[SentRequest]:
        """Approval requests written for this application, newest first."""
        self._info(app_id)
        rows = self._database.db().execute(
            "SELECT request_id, supervisor, path, recorded_at FROM approval_requests"
            " WHERE app_id = ? ORDER BY recorded_at DESC, request_id",
            (app_id,),
        )
        return [
            SentRequest(
                request_id=row[0],
                supervisor_member_id=row[1],
                path=None if row[2] is None else PurePath(row[2]),
                recorded_at=parse_stamp(row[3]),
            )
            for row in rows
        ]

    # ---- what was printed and made for upload ------------------------------------------------------

    def record_output(
        self,
        app_id: int,
        part: int,
        kind: str,
        content: str,
        *,
        code: str | None = None,
        path: Path | None = None,
    ) -> None:
        """Note that `part` of the application (a section's index, or -1 for the whole) was printed or
        written as PDF (`kind` "print") or as upload file ("upload") from content with fingerprint
        `content`; it replaces the earlier note of that part and kind."""
        if kind not in OUTPUT_KINDS:
            raise ValueError(f"unknown output kind {kind!r}")
        version = self._info(app_id).version
        with self._database.saving() as connection:
            connection.execute(
                "INSERT INTO outputs (app_id, part, kind, content, version, code, path, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_id, part, kind) DO UPDATE SET"
                " content = excluded.content, version = excluded.version, code = excluded.code,"
                " path = excluded.path, at = excluded.at",
                (
                    app_id,
                    part,
                    kind,
                    content,
                    version,
                    code,
                    None if path is None else str(path),
                    stamp(self._database.now()),
                ),
            )

    def outputs(self, app_id: int | None = None) -> dict[int, list[Output]]:
        """What was printed and made for upload, by application (only `app_id`'s when given)."""
        query = "SELECT app_id, part, kind, content, version, code, path, at FROM outputs"
        rows = self._database.db().execute(
            query + (" WHERE app_id = ?" if app_id is not None else "") + " ORDER BY app_id, part, kind",
            () if app_id is None else (app_id,),
        )
        found: dict[int, list[Output]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(
                Output(
                    part=row[1],
                    kind=row[2],
                    content=row[3],
                    version=row[4],
                    code=row[5],
                    path=None if row[6] is None else PurePath(row[6]),
                    at=parse_stamp(row[7]),
                )
            )
        return found
