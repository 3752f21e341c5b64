"""The local store: one SQLite database in the data folder that never loses an edit (SPEC §9).

Every change is one short transaction (WAL, `synchronous=FULL`): when an operation returns, the change
is on disk and recorded in the history with what it replaced, so any earlier state can be rebuilt and
restored. One process writes to a data folder at a time (an OS lock); a second one gets a read-only
view or a clear refusal. The database is checked on open, migrated forward with a backup first, and
backed up once a day.

    with Store.open() as store:
        info = store.applications.create("jbct-renewal-2026", "山田先生")
        application = store.set_case_field(info.id, 0, 0, "age", "６５")   # committed when it returns

Operations return the application as it now is (a fresh `Application` each time: the caller may keep
it). Input that cannot be read raises `EditError` with a Japanese message naming the place; nothing is
changed then.

`Store` is a facade, as Anki's `Collection` is over `col.decks` and `col.tags`: the one object the window
and the CLI are given, holding a manager for each part of the data folder (docs/store.md):
`store.database` (app.store.database: the file, its transactions and backups), `store.applications`
(app.store.applications: the records), `store.history` (app.store.history), `store.archive`
(app.store.archive: archived reports, requests sent, outputs made) and `store.supervisors`
(app.store.supervisors: the 指導者 registry). The documents' rows are read and written by
app.store.rows; the edit operations below record their changes through it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from app.models.form_packs import forms_for
from app.paths import data_home
from app.store import edits as ops
from app.store import report_edits as rops
from app.store.applications import ApplicationInfo, Applications
from app.store.archive import Archive
from app.store.database import DEFAULT_BACKUP_DAYS, Database, utc_now
from app.store.database import dumps as _dumps
from app.store.database import stamp as _stamp
from app.store.errors import EditError, HistoryError
from app.store.history import History
from app.store.patch import apply
from app.store.rows import Rows, to_application
from app.store.supervisors import Supervisors

if TYPE_CHECKING:
    import datetime as dt
    import sqlite3
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path
    from types import TracebackType
    from typing import Self

    from app.models.application import Application, Approval, Case, FacilityChoice, Supervisor
    from app.models.approval import ApprovalRequest
    from app.models.facility import Facility
    from app.models.forms import FormDefinition, FormRegistry
    from app.store.patch import Edit, Json
    from app.store.rows import Loaded as _Loaded


class Store:
    """The applications in one data folder, their history and backups. Open with `Store.open()`."""

    def __init__(self, database: Database, *, forms: FormRegistry) -> None:
        self.database = database
        self._forms = forms
        self._now = database.now
        self._rows = Rows(database, self._form)
        self.applications = Applications(
            database, self._rows, lambda: self._forms, edit=self._edit, record=self._record
        )
        self.history = History(database, self._rows, known=self.applications.info, edit=self._edit)
        self.archive = Archive(database, self.applications.info)
        self.supervisors = Supervisors(database)

    # ---- opening and closing ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        home: Path | None = None,
        *,
        read_only: bool = False,
        allow_read_only: bool = True,
        backup_days: int = DEFAULT_BACKUP_DAYS,
        forms: FormRegistry | None = None,
        now: Callable[[], dt.datetime] = utc_now,
    ) -> Store:
        """Open the store in `home` (default: the data folder), creating it when new.

        When another Shorei writes to the folder, the store opens read-only if `allow_read_only`
        (check `read_only`), else `StoreLockedError`. A database that fails its integrity check raises
        `StoreCorruptError` carrying the newest backup; one from a newer Shorei `StoreVersionError`.
        """
        folder = data_home() if home is None else home
        if backup_days < 1:
            raise ValueError("backup_days must be at least 1")
        registry = forms_for(folder) if forms is None else forms
        database = Database.open(
            folder,
            read_only=read_only,
            allow_read_only=allow_read_only,
            backup_days=backup_days,
            forms=registry,
            now=now,
        )
        return cls(database, forms=registry)

    def close(self) -> None:
        """Close the database and give the data folder free for another Shorei."""
        self.database.close()
        self._rows.forget_all()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @property
    def home(self) -> Path:
        return self.database.home

    @property
    def path(self) -> Path:
        return self.database.path

    @property
    def read_only(self) -> bool:
        """True when another Shorei writes to this data folder: reading works, changing raises."""
        return self.database.read_only

    @property
    def backup_problem(self) -> str | None:
        """Why the automatic backup on opening failed (a Japanese line for the window), or None."""
        return self.database.backup_problem

    @property
    def session(self) -> int | None:
        """This opening's session id (changes made now carry it); None when read-only."""
        return self.database.session

    @property
    def _session(self) -> int | None:
        return self.database.session

    def _writable(self) -> sqlite3.Connection:
        return self.database.writable()

    @contextlib.contextmanager
    def _saving(self, app_id: int | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction whose failure says, in Japanese, that nothing was saved."""
        failed = None if app_id is None else (lambda: self._rows.forget(app_id))
        with self.database.saving(failed) as connection:
            yield connection

    # ---- forms ------------------------------------------------------------------------------------

    def _form(self, form_id: str, version: str) -> FormDefinition | None:
        return self._forms.get(form_id, version)

    @property
    def forms(self) -> FormRegistry:
        """The forms this store reads documents with (bundled + installed packs, `forms_for`)."""
        return self._forms

    def reload_forms(self, forms: FormRegistry | None = None) -> None:
        """Take the forms again (after a form pack was installed or removed)."""
        self._forms = forms_for(self.home) if forms is None else forms
        self._rows.relabel()

    # ---- reading (the two reads every caller makes; the rest is in the managers) -------------------

    def info(self, app_id: int) -> ApplicationInfo:
        """The application's record (`store.applications.info`)."""
        return self.applications.info(app_id)

    def get(self, app_id: int) -> Application:
        """The application as it is now."""
        return self._application(self._load(app_id).document)

    # ---- the documents' rows, for the edits below ---------------------------------------------------

    def _load(self, app_id: int) -> _Loaded:
        return self._rows.load(app_id)

    @staticmethod
    def _application(document: Json) -> Application:
        return to_application(document)

    def _write(self, app_id: int, document: Json, edits: list[Edit]) -> None:
        """Write the rows `edits` touched, taking them from `document` (the state after the edits)."""
        self._rows.write(app_id, document, edits)

    def _insert_request(
        self,
        connection: sqlite3.Connection,
        app_id: int,
        request_id: str,
        supervisor_member_id: str,
        path: Path | None,
    ) -> None:
        self.archive.insert_request(connection, app_id, request_id, supervisor_member_id, path)

    def _edit(
        self,
        app_id: int,
        plan_for: Callable[[_Loaded], ops.Plan | None],
        *,
        also: Callable[[sqlite3.Connection, int], None] | None = None,
    ) -> Application:
        """Plan a change on the application as it is, then record it (`also`: more rows written in the
        same transaction, given the new version)."""
        self._writable()
        loaded = self._load(app_id)
        if loaded.trashed:
            raise EditError("ゴミ箱にある申請は変更できません。ゴミ箱から元に戻してから編集してください")
        return self._record(app_id, loaded, plan_for(loaded), also=also)

    def _record(
        self,
        app_id: int,
        loaded: _Loaded,
        plan: ops.Plan | None,
        *,
        title: str | None = None,
        also: Callable[[sqlite3.Connection, int], None] | None = None,
    ) -> Application:
        """Apply `plan`, check the result, and commit rows, history entry and version together."""
        if plan is None:
            return self._application(loaded.document)
        document = apply(loaded.document, plan.edits)
        # The result must still be a valid document before anything is written.
        application = self._application(document)
        version = loaded.version + 1
        now = _stamp(self._now())
        with self._saving(app_id) as connection:
            self._write(app_id, document, plan.edits)
            connection.execute(
                "INSERT INTO changes (app_id, version, at, operation, summary, edits, session) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    app_id,
                    version,
                    now,
                    plan.operation,
                    plan.summary,
                    _dumps([e.to_json() for e in plan.edits]),
                    self._session,
                ),
            )
            cursor = connection.execute(
                "UPDATE applications SET version = ?, updated_at = ?, title = coalesce(?, title) WHERE id = ? AND version = ?",
                (version, now, title, app_id, loaded.version),
            )
            if cursor.rowcount != 1:
                raise HistoryError(f"申請データ（番号 {app_id}）が別の場所で変更されています")
            if also is not None:
                also(connection, version)
        if document["form"] != loaded.document["form"]:
            # Moved to another form (or back by undo): places are named as the new form names them.
            loaded.labels = ops.Labels(self._form(document["form"]["id"], document["form"]["version"]))
        loaded.document = document
        loaded.version = version
        return application

    # ---- operations -------------------------------------------------------------------------------

    def set_applicant_field(self, app_id: int, field: str, value: ops.FieldValue) -> Application:
        """氏名 (name), 会員番号 (member_id), 歯科口腔外科 (dental), 申請年月 (application_month)."""
        return self._edit(app_id, lambda it: ops.set_applicant_field(it.document, it.labels, field, value))

    def set_facility(
        self, app_id: int, section: int, facility: FacilityChoice | Facility | None
    ) -> Application:
        """The section's facility: a list entry (`Facility`), a typed one (`FacilityChoice(manual=True)`),
        or None to clear it."""
        return self._edit(app_id, lambda it: ops.set_facility(it.document, it.labels, section, facility))

    def add_section(self, app_id: int) -> Application:
        """One more facility section (申請2(2), 2(3) …) at the end."""
        return self._edit(app_id, lambda it: ops.add_section(it.document, it.labels))

    def remove_section(self, app_id: int, section: int) -> Application:
        return self._edit(app_id, lambda it: ops.remove_section(it.document, it.labels, section))

    def add_enrollment(
        self, app_id: int, section: int, start: ops.FieldValue = None, end: ops.FieldValue = None
    ) -> Application:
        """A 施設在籍期間 appended to the section (JB-5); months as typed (2022/04, R4.4 …) or YearMonth."""
        return self._edit(app_id, lambda it: ops.add_enrollment(it.document, it.labels, section, start, end))

    def set_enrollment(
        self, app_id: int, section: int, index: int, start: ops.FieldValue, end: ops.FieldValue
    ) -> Application:
        return self._edit(
            app_id, lambda it: ops.set_enrollment(it.document, it.labels, section, index, start, end)
        )

    def remove_enrollment(self, app_id: int, section: int, index: int) -> Application:
        return self._edit(app_id, lambda it: ops.remove_enrollment(it.document, it.labels, section, index))

    def set_case_field(
        self, app_id: int, section: int, row: int, field: str, value: ops.FieldValue
    ) -> Application:
        """One cell (0-based section and row). `value` as typed (「６５歳」, 「男性」, 「R6.5」) or typed
        values; a row past the last is created. An unchanged value records nothing."""
        return self._edit(
            app_id, lambda it: ops.set_case_field(it.document, it.labels, section, row, field, value)
        )

    def insert_case(self, app_id: int, section: int, row: int, case: Case | None = None) -> Application:
        """A row (blank, or `case`) inserted before `row`; `row` = number of rows appends."""
        return self._edit(app_id, lambda it: ops.insert_case(it.document, it.labels, section, row, case))

    def delete_case(self, app_id: int, section: int, row: int) -> Application:
        return self._edit(app_id, lambda it: ops.delete_case(it.document, it.labels, section, row))

    def move_case(self, app_id: int, section: int, row: int, to_section: int, to_row: int) -> Application:
        """Move a row; `to_row` is its index after the move (in `to_section`)."""
        return self._edit(
            app_id, lambda it: ops.move_case(it.document, it.labels, section, row, to_section, to_row)
        )

    def paste_cases(self, app_id: int, section: int, row: int, cases: Sequence[Case]) -> Application:
        """Rows pasted from a spreadsheet replace the rows from `row` on, as one change (one undo)."""
        return self._edit(app_id, lambda it: ops.paste_cases(it.document, it.labels, section, row, cases))

    def import_cases(
        self, app_id: int, section: int, cases: Sequence[Case], *, replace: bool, source: str
    ) -> Application:
        """Cases from a case list into `section` (created when missing) as one change and one undo step:
        after its last filled row, or replacing its cases. Refused, changing nothing, when they would
        not fit in the section's rows. `source` names the file in the history."""
        return self._edit(
            app_id,
            lambda it: ops.import_cases(
                it.document, it.labels, section, cases, replace=replace, source=source
            ),
        )

    def accept_warning(
        self, app_id: int, section: int, row: int | None, code: str, reason: str
    ) -> Application:
        """Keep warning `code` at a section (row None) or a case row, with the user's reason."""
        return self._edit(
            app_id, lambda it: ops.accept_warning(it.document, it.labels, section, row, code, reason)
        )

    def withdraw_warning(self, app_id: int, section: int, row: int | None, code: str) -> Application:
        return self._edit(app_id, lambda it: ops.withdraw_warning(it.document, it.labels, section, row, code))

    # ---- case reports (JSPM) -----------------------------------------------------------------------

    def add_report(self, app_id: int) -> Application:
        """An empty report (未登録, with a fresh id) at the end of the list."""
        return self._edit(app_id, lambda it: rops.add_report(it.document, it.labels))

    def delete_report(self, app_id: int, row: int) -> Application:
        """Remove report `row` (0-based); the ones after it move up. Refused while 承認依頼中 or 承認."""
        return self._edit(app_id, lambda it: rops.delete_report(it.document, it.labels, row))

    def move_report(self, app_id: int, row: int, to_row: int) -> Application:
        """Move report `row` to `to_row` (its index after the move). Its id, and so its approval, stay."""
        return self._edit(app_id, lambda it: rops.move_report(it.document, it.labels, row, to_row))

    def set_report_field(self, app_id: int, row: int, key: str, value: ops.FieldValue) -> Application:
        """One field of report `row`: category, start, end, age, sex, diagnosis, note, or a narrative key of
        the form (history, problems …). Values as typed (「R6.5.1」, 「６５歳」, 「女性」) or typed values
        (a date, an int). A locked report refuses every field but note (備考). Unchanged: nothing recorded."""
        return self._edit(app_id, lambda it: rops.set_report_field(it.document, it.labels, row, key, value))

    def set_report_facility(
        self, app_id: int, row: int, facility: Facility | None, manual_name: str | None = None
    ) -> Application:
        """The report's 診療施設 (JS-3): a facility list entry (its kind and certification period are kept
        with it), or `manual_name` typed by hand, or neither to clear it."""
        return self._edit(
            app_id,
            lambda it: rops.set_report_facility(it.document, it.labels, row, facility, manual_name),
        )

    def accept_report_warning(self, app_id: int, row: int, code: str, reason: str) -> Application:
        """Keep warning `code` on report `row` with the user's reason."""
        return self._edit(
            app_id, lambda it: rops.accept_report_warning(it.document, it.labels, row, code, reason)
        )

    def withdraw_report_warning(self, app_id: int, row: int, code: str) -> Application:
        return self._edit(app_id, lambda it: rops.withdraw_report_warning(it.document, it.labels, row, code))

    # ---- approval (JS-5 … JS-8) -------------------------------------------------------------------

    def mark_requested(
        self,
        app_id: int,
        request: ApprovalRequest,
        supervisor: Supervisor,
        *,
        path: Path | None = None,
    ) -> Application:
        """After the request file is written: its reports become 承認依頼中, bound to the content hashes the
        request carries, and the request is recorded (`sent_requests`, with `path` when given)."""

        def record(connection: sqlite3.Connection, version: int) -> None:
            self._insert_request(connection, app_id, request.request_id, supervisor.member_id, path)

        return self._edit(
            app_id,
            lambda it: rops.mark_requested(it.document, it.labels, request, supervisor),
            also=record,
        )

    def withdraw_request(self, app_id: int, rows: Sequence[int]) -> Application:
        """承認依頼の取り下げ for reports `rows` (0-based), all 承認依頼中; they become 未承認."""
        return self._edit(app_id, lambda it: rops.withdraw_request(it.document, it.labels, rows))

    def apply_decisions(self, app_id: int, decisions: Sequence[tuple[int, Approval]]) -> Application:
        """A 指導者's results, already checked (app.export.approval.match_response): (0-based report, new
        Approval) pairs, all in one change. Each report must still be 承認依頼中 under the same request."""
        return self._edit(app_id, lambda it: rops.apply_decisions(it.document, it.labels, decisions))

    def reopen_report(self, app_id: int, row: int) -> Application:
        """「削除して再依頼」: keeps a copy of the approved report (`archived_reports`), then clears its
        approval, so it can be edited (未承認) and requested again. One change: undo brings the approval
        back; the archived copy stays."""
        kept: list[tuple[int, Json]] = []

        def plan(it: _Loaded) -> ops.Plan:
            made = rops.reopen_report(it.document, it.labels, row)
            kept.append((row, it.document["reports"][row]))
            return made

        def archive(connection: sqlite3.Connection, version: int) -> None:
            position, report = kept[-1]
            connection.execute(
                "INSERT INTO report_archive (app_id, report_id, position, version, archived_at, reason, data, session)"
                " VALUES (?, ?, ?, ?, ?, 'reopen', ?, ?)",
                (app_id, report["id"], position, version, _stamp(self._now()), _dumps(report), self._session),
            )

        return self._edit(app_id, plan, also=archive)
