"""The local store: one SQLite database in the data folder that never loses an edit (SPEC §9).

Every change is one short transaction (WAL, `synchronous=FULL`): when an operation returns, the change
is on disk and recorded in the history with what it replaced, so any earlier state can be rebuilt and
restored. One process writes to a data folder at a time (an OS lock); a second one gets a read-only
view or a clear refusal. The database is checked on open, migrated forward with a backup first, and
backed up once a day.

    with Store.open() as store:
        info = store.applications.create("jbct-renewal-2026", "山田先生")
        application = store.apply(info.id, SetCaseField(0, 0, "age", "６５"))   # committed when it returns

Operations return the application as it now is (a new `Application` each time, sharing the parts that
did not change with the one before: the caller may keep it, and copies it before changing it in place).
Input that cannot be read raises `EditError` with a Japanese message naming the place; nothing is
changed then.

`Store` is a facade, as Anki's `Collection` is over `col.decks` and `col.tags`: the one object the window
and the CLI are given, holding a manager for each part of the data folder (docs/store.md):
`store.database` (app.store.database: the file, its transactions and backups), `store.applications`
(app.store.applications: the records), `store.history` (app.store.history), `store.archive`
(app.store.archive: archived reports, requests sent, outputs made) and `store.supervisors`
(app.store.supervisors: the 指導者 registry). The documents' rows are read and written by
app.store.rows; `apply` below records each change through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.models.form_packs import forms_for
from app.operations.patch import apply_as_found
from app.operations.plan import KeyTrusted, Labels, Plan, ReportArchived, RequestSent
from app.operations.typed import apply_edits
from app.paths import data_home
from app.store import supervisors as registry
from app.store.applications import ApplicationInfo, Applications
from app.store.archive import Archive
from app.store.database import DEFAULT_BACKUP_DAYS, Database, utc_now
from app.store.database import dumps as _dumps
from app.store.database import stamp as _stamp
from app.store.errors import EditError, HistoryError
from app.store.history import History
from app.store.rows import Rows, to_application
from app.store.supervisors import Supervisors

if TYPE_CHECKING:
    import datetime as dt
    import sqlite3
    from collections.abc import Callable
    from pathlib import Path
    from types import TracebackType
    from typing import Self

    from app.models.application import Application
    from app.models.forms import FormDefinition, FormRegistry
    from app.operations.patch import Json
    from app.operations.plan import Operation, Record
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

    def _edit(
        self,
        app_id: int,
        plan_for: Callable[[_Loaded], Plan | None],
        *,
        also: Callable[[sqlite3.Connection, int], None] | None = None,
    ) -> Application:
        """Plan a change on the application as it is, then record it (`also`: more rows written in the
        same transaction, given the new version)."""
        self.database.writable()
        loaded = self._load(app_id)
        if loaded.trashed:
            raise EditError("ゴミ箱にある申請は変更できません。ゴミ箱から元に戻してから編集してください")
        return self._record(app_id, loaded, plan_for(loaded), also=also)

    def _typed(self, loaded: _Loaded) -> Application:
        """The application `loaded` holds, as types: parsed once, then kept in step with each change."""
        if loaded.application is None:
            loaded.application = self._application(loaded.document)
        return loaded.application

    def _record(
        self,
        app_id: int,
        loaded: _Loaded,
        plan: Plan | None,
        *,
        title: str | None = None,
        also: Callable[[sqlite3.Connection, int], None] | None = None,
    ) -> Application:
        """Apply `plan`, check the result, and commit rows, history entry, version and the plan's records
        together."""
        current = self._typed(loaded)
        if plan is None:
            return current
        # The history keeps what the change really replaced, as stored, so that undo restores it exactly.
        document, edits = apply_as_found(loaded.document, plan.edits)
        # The result must still be a valid document before anything is written: each part the edits put
        # in is checked by its type; the parts they left were checked when loaded (app.operations.typed).
        application = apply_edits(current, edits)
        records = [self._checked_record(record) for record in plan.records]
        version = loaded.version + 1
        now = _stamp(self._now())
        # A failed transaction drops the writer's copy, so that nothing unsaved is shown as saved.
        with self.database.saving(lambda: self._rows.forget(app_id)) as connection:
            self._rows.write(app_id, document, edits)
            connection.execute(
                "INSERT INTO changes (app_id, version, at, operation, summary, edits, session) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    app_id,
                    version,
                    now,
                    plan.operation,
                    plan.summary,
                    _dumps([e.to_json() for e in edits]),
                    self.session,
                ),
            )
            cursor = connection.execute(
                "UPDATE applications SET version = ?, updated_at = ?, title = coalesce(?, title) WHERE id = ? AND version = ?",
                (version, now, title, app_id, loaded.version),
            )
            if cursor.rowcount != 1:
                raise HistoryError(f"申請データ（番号 {app_id}）が別の場所で変更されています")
            for record in records:
                self._write_record(connection, app_id, version, record)
            if also is not None:
                also(connection, version)
        if document["form"] != loaded.document["form"]:
            # Moved to another form (or back by undo): places are named as the new form names them.
            loaded.labels = Labels(self._form(document["form"]["id"], document["form"]["version"]))
        loaded.document = document
        loaded.version = version
        loaded.application = application
        return application

    def _checked_record(self, record: Record) -> Record:
        """`record` as it will be written, refused (EditError, nothing written) when it cannot be."""
        if isinstance(record, KeyTrusted):
            given = record.supervisor
            fingerprint = registry.read_fingerprint(given.fingerprint)
            current = self.supervisors.get(given.member_id)
            if current is not None and current.fingerprint and current.fingerprint != fingerprint:
                raise EditError(
                    f"指導者 {given.name} には別の鍵（{current.fingerprint}）が登録されています。"
                    "鍵が替わったことを指導者ご本人に確かめてから、指導者登録で鍵を登録し直してください"
                )
            return KeyTrusted(registry.merged(given.model_copy(update={"fingerprint": fingerprint}), current))
        return record

    def _write_record(
        self, connection: sqlite3.Connection, app_id: int, version: int, record: Record
    ) -> None:
        if isinstance(record, RequestSent):
            self.archive.insert_request(
                connection, app_id, record.request_id, record.supervisor_member_id, record.path
            )
        elif isinstance(record, ReportArchived):
            report = record.report
            connection.execute(
                "INSERT INTO report_archive (app_id, report_id, position, version, archived_at, reason, data, session)"
                " VALUES (?, ?, ?, ?, ?, 'reopen', ?, ?)",
                (
                    app_id,
                    report["id"],
                    record.position,
                    version,
                    _stamp(self._now()),
                    _dumps(report),
                    self.session,
                ),
            )
        else:
            self.supervisors.write(connection, record.supervisor)

    # ---- operations -------------------------------------------------------------------------------

    def apply(self, app_id: int, operation: Operation) -> Application:
        """Make the change `operation` describes (app.operations: `SetCaseField(section, row, "age",
        "６５")`, `ImportResults(decisions, trust=…)` …) as one transaction and one history entry, and
        return the application as it now is. Input that cannot be read raises `EditError` naming the
        place, and nothing changes; an operation that changes nothing records nothing.

        The application returned shares its unchanged parts with the one returned before: keep it, read
        it, but copy it (`model_copy(deep=True)`) before changing it in place."""
        return self._edit(app_id, lambda loaded: operation.plan(self._typed(loaded), loaded.labels))

    def version(self, app_id: int) -> int:
        """The application's version (how many changes it has had), without a query when it is loaded."""
        loaded = self._rows.held(app_id)
        return loaded.version if loaded is not None else self.info(app_id).version
