"""An application document ↔ its rows in the database (`applications`, `sections`, `enrollments`,
`cases`, `reports`), with the writing store's copy of each document between edits.

An edit writes only the rows its path-based edits touched (`Rows.write`); a new or replaced document
rewrites them all. The copy (`Loaded`) is kept only by the store that writes: nobody else changes the
rows under it, so an edit reads no rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pydantic import ValidationError

from app.models.application import Application
from app.models.document import describe_validation_error
from app.operations.plan import Labels, Plan
from app.store.database import dumps
from app.store.errors import EditError, HistoryError, NotFoundError

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable

    from app.models.forms import FormDefinition
    from app.operations.patch import Edit, Json
    from app.store.database import Database


@dataclass
class Loaded:
    """What the writing store keeps of an application between edits, so an edit reads no rows."""

    document: Json
    version: int
    trashed: bool
    labels: Labels
    application: Application | None = None
    """The document as types (parsed on the first change, then kept in step with each one)."""


class Editing(Protocol):
    """How a manager records a change: the store's `_edit`, which plans on the document as it is."""

    def __call__(self, app_id: int, plan_for: Callable[[Loaded], Plan | None]) -> Application: ...


class Recording(Protocol):
    """How a manager records a planned change: the store's `_record` (`title`: the list's new name; `also`:
    more rows written in the same transaction, given the new version)."""

    def __call__(
        self,
        app_id: int,
        loaded: Loaded,
        plan: Plan | None,
        *,
        title: str | None = ...,
        also: Callable[[sqlite3.Connection, int], None] | None = ...,
    ) -> Application: ...


def _facility_json(section: Json) -> str | None:
    return None if section["facility"] is None else dumps(section["facility"])


def to_application(document: Json) -> Application:
    """The document as an `Application`; a document that is not one raises `EditError`."""
    try:
        return Application.model_validate(document)
    except ValidationError as error:
        raise EditError(describe_validation_error(error)) from None


class Rows:
    """Reads and writes application documents as rows; `form_of` names the forms for `Labels`."""

    def __init__(self, database: Database, form_of: Callable[[str, str], FormDefinition | None]) -> None:
        self._database = database
        self._form_of = form_of
        self._loaded: dict[int, Loaded] = {}

    def form(self, form_id: str, version: str) -> FormDefinition | None:
        """The installed form `form_id` `version`, or None (its pack was removed)."""
        return self._form_of(form_id, version)

    def held(self, app_id: int) -> Loaded | None:
        """The writer's copy of `app_id`, or None when it is not loaded (or the store is read-only)."""
        return self._loaded.get(app_id)

    def forget(self, app_id: int) -> None:
        """Drop the copy of `app_id` (its rows changed or may have: trash, a failed write)."""
        self._loaded.pop(app_id, None)

    def forget_all(self) -> None:
        self._loaded.clear()

    def relabel(self) -> None:
        """Name places again as the forms now name them (after the forms were reloaded)."""
        for loaded in self._loaded.values():
            form = loaded.document["form"]
            loaded.labels = Labels(self._form_of(form["id"], form["version"]))

    # ---- loading ----------------------------------------------------------------------------------

    def load(self, app_id: int) -> Loaded:
        if (loaded := self._loaded.get(app_id)) is not None:
            return loaded
        connection = self._database.db()
        # One read transaction, so a writer elsewhere cannot change the rows between the selects.
        connection.execute("BEGIN")
        try:
            row = connection.execute(
                "SELECT form_id, form_version, applicant, version, trashed_at FROM applications WHERE id = ?",
                (app_id,),
            ).fetchone()
            if row is None:
                raise NotFoundError(app_id)
            sections = connection.execute(
                "SELECT position, facility, accepted FROM sections WHERE app_id = ? ORDER BY position",
                (app_id,),
            ).fetchall()
            periods = connection.execute(
                'SELECT section, position, start, "end" FROM enrollments WHERE app_id = ? ORDER BY section, position',
                (app_id,),
            ).fetchall()
            cases = connection.execute(
                "SELECT section, position, data FROM cases WHERE app_id = ? ORDER BY section, position",
                (app_id,),
            ).fetchall()
            reports = connection.execute(
                "SELECT position, data FROM reports WHERE app_id = ? ORDER BY position", (app_id,)
            ).fetchall()
        finally:
            connection.execute("COMMIT")
        document: Json = {
            "format": "shorei/application@1",
            "form": {"id": row[0], "version": row[1]},
            "applicant": json.loads(row[2]),
            "sections": [],
            "reports": [],
        }
        for expected, (position, facility, accepted) in enumerate(sections):
            if position != expected:
                raise HistoryError(f"申請データ（番号 {app_id}）の施設の並びが壊れています")
            document["sections"].append(
                {
                    "facility": None if facility is None else json.loads(facility),
                    "enrollment": [],
                    "cases": [],
                    "accepted": json.loads(accepted),
                }
            )
        for section, position, start, end in periods:
            self._append(document, app_id, section, "enrollment", position, {"start": start, "end": end})
        for section, position, data in cases:
            self._append(document, app_id, section, "cases", position, json.loads(data))
        for expected, (position, data) in enumerate(reports):
            if position != expected:
                raise HistoryError(f"申請データ（番号 {app_id}）の症例の並びが壊れています")
            document["reports"].append(json.loads(data))
        form = self._form_of(row[0], row[1])
        loaded = Loaded(document, row[3], row[4] is not None, Labels(form))
        if not self._database.read_only:
            # Only the writer may trust its copy: nobody else changes the rows under it.
            self._loaded[app_id] = loaded
        return loaded

    @staticmethod
    def _append(document: Json, app_id: int, section: int, key: str, position: int, value: Json) -> None:
        try:
            rows = document["sections"][section][key]
        except IndexError:
            raise HistoryError(f"申請データ（番号 {app_id}）の行が存在しない施設を指しています") from None
        if position != len(rows):
            raise HistoryError(f"申請データ（番号 {app_id}）の行の並びが壊れています")
        rows.append(value)

    # ---- writing ----------------------------------------------------------------------------------

    def write_rows(self, app_id: int, document: Json) -> None:
        """Rewrite every row of the application: its sections with their periods and cases, its reports."""
        self._write_sections(app_id, document)
        self._write_reports(app_id, document)

    def _write_reports(self, app_id: int, document: Json) -> None:
        # As with cases: a report inserted, deleted or moved renumbers those after it (20 small rows).
        connection = self._database.db()
        connection.execute("DELETE FROM reports WHERE app_id = ?", (app_id,))
        connection.executemany(
            "INSERT INTO reports (app_id, position, data) VALUES (?, ?, ?)",
            [(app_id, n, dumps(report)) for n, report in enumerate(document["reports"])],
        )

    def _write_sections(self, app_id: int, document: Json) -> None:
        """Rewrite every section of the application with its periods and cases."""
        connection = self._database.db()
        for table in ("sections", "enrollments", "cases"):
            connection.execute(f"DELETE FROM {table} WHERE app_id = ?", (app_id,))
        connection.executemany(
            "INSERT INTO sections (app_id, position, facility, accepted) VALUES (?, ?, ?, ?)",
            [
                (app_id, index, _facility_json(section), dumps(section["accepted"]))
                for index, section in enumerate(document["sections"])
            ],
        )
        for index in range(len(document["sections"])):
            self._write_periods(app_id, document, index, replace=False)
            self._write_cases(app_id, document, index, replace=False)

    def _write_periods(self, app_id: int, document: Json, index: int, *, replace: bool = True) -> None:
        connection = self._database.db()
        if replace:
            connection.execute("DELETE FROM enrollments WHERE app_id = ? AND section = ?", (app_id, index))
        connection.executemany(
            'INSERT INTO enrollments (app_id, section, position, start, "end") VALUES (?, ?, ?, ?, ?)',
            [
                (app_id, index, n, period["start"], period["end"])
                for n, period in enumerate(document["sections"][index]["enrollment"])
            ],
        )

    def _write_cases(self, app_id: int, document: Json, index: int, *, replace: bool = True) -> None:
        # A row inserted, deleted or moved renumbers the rows after it: the section's rows are rewritten
        # (25 small rows), which keeps positions dense without juggling unique keys.
        connection = self._database.db()
        if replace:
            connection.execute("DELETE FROM cases WHERE app_id = ? AND section = ?", (app_id, index))
        connection.executemany(
            "INSERT INTO cases (app_id, section, position, data) VALUES (?, ?, ?, ?)",
            [(app_id, index, n, dumps(case)) for n, case in enumerate(document["sections"][index]["cases"])],
        )

    def write(self, app_id: int, document: Json, edits: list[Edit]) -> None:
        """Write the rows `edits` touched, taking them from `document` (the state after the edits)."""
        connection = self._database.db()
        everything = applicant = False
        meta: set[int] = set()
        periods: set[int] = set()
        case_lists: set[int] = set()
        case_rows: set[tuple[int, int]] = set()
        report_list = False
        report_rows: set[int] = set()
        for edit in edits:
            path = edit.path
            if edit.is_meta:
                continue
            if path[:1] == ("applicant",):
                applicant = True
            elif path[:1] == ("reports",):
                if len(path) >= 2 and (edit.op == "set" or len(path) >= 3):
                    report_rows.add(int(path[1]))
                else:
                    report_list = True
            elif path[:1] != ("sections",) or len(path) <= 2:
                # The whole document, its form, or a whole section inserted or removed.
                everything = True
            else:
                section, part = int(path[1]), path[2]
                if part in ("facility", "accepted"):
                    meta.add(section)
                elif part == "enrollment":
                    periods.add(section)
                elif part == "cases" and edit.op == "set" and len(path) >= 4:
                    case_rows.add((section, int(path[3])))
                else:
                    case_lists.add(section)
        if everything:
            connection.execute(
                "UPDATE applications SET form_id = ?, form_version = ?, applicant = ? WHERE id = ?",
                (document["form"]["id"], document["form"]["version"], dumps(document["applicant"]), app_id),
            )
            self.write_rows(app_id, document)
            return
        if applicant:
            connection.execute(
                "UPDATE applications SET applicant = ? WHERE id = ?", (dumps(document["applicant"]), app_id)
            )
        for index in sorted(meta):
            section = document["sections"][index]
            connection.execute(
                "UPDATE sections SET facility = ?, accepted = ? WHERE app_id = ? AND position = ?",
                (_facility_json(section), dumps(section["accepted"]), app_id, index),
            )
        for index in sorted(periods):
            self._write_periods(app_id, document, index)
        for index in sorted(case_lists):
            self._write_cases(app_id, document, index)
        for section_index, row in sorted(case_rows):
            if section_index in case_lists:
                continue
            cursor = connection.execute(
                "UPDATE cases SET data = ? WHERE app_id = ? AND section = ? AND position = ?",
                (dumps(document["sections"][section_index]["cases"][row]), app_id, section_index, row),
            )
            if cursor.rowcount != 1:
                raise HistoryError(f"申請データ（番号 {app_id}）の行 {row + 1} が保存されていません")
        if report_list:
            self._write_reports(app_id, document)
            return
        for row in sorted(report_rows):
            cursor = connection.execute(
                "UPDATE reports SET data = ? WHERE app_id = ? AND position = ?",
                (dumps(document["reports"][row]), app_id, row),
            )
            if cursor.rowcount != 1:
                raise HistoryError(f"申請データ（番号 {app_id}）の症例{row + 1}が保存されていません")
