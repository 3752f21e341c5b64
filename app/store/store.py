"""The local store: one SQLite database in the data folder that never loses an edit (SPEC §9).

Every change is one short transaction (WAL, `synchronous=FULL`): when an operation returns, the change
is on disk and recorded in the history with what it replaced, so any earlier state can be rebuilt and
restored. One process writes to a data folder at a time (an OS lock); a second one gets a read-only
view or a clear refusal. The database is checked on open, migrated forward with a backup first, and
backed up once a day.

    with Store.open() as store:
        info = store.create_application("jbct-renewal-2026", "山田先生")
        application = store.apply(info.id, SetCaseField(0, 0, "age", "６５"))   # committed when it returns

Operations return the application as it now is (a new `Application` each time, sharing the parts that
did not change with the one before: the caller may keep it, and copies it before changing it in place). Input that cannot be read raises `EditError` with a Japanese message naming the place; nothing is
changed then.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Final, Self

from pydantic import ValidationError

from app.about import program_version
from app.models.application import Application, CaseReport, FormRef, Supervisor
from app.models.document import DocumentError, describe_validation_error, load_application, save_application
from app.models.form_packs import form_not_installed, forms_for
from app.models.text import normalize_text
from app.operations.patch import Edit, Json, apply, apply_as_found, invert
from app.operations.plan import KeyTrusted, ReportArchived, RequestSent
from app.operations.typed import apply_edits
from app.paths import data_home
from app.store import edits as ops
from app.store import report_edits as rops
from app.store import supervisors as registry
from app.store.backups import Backup, list_backups, newest_backup, prune_backups, take_backup
from app.store.errors import (
    EditError,
    HistoryError,
    NotFoundError,
    StoreCorruptError,
    StoreDiskError,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
    StoreTakenError,
    StoreVersionError,
    fault_of,
)
from app.store.housekeeping import (
    create_private_file,
    make_private_folder,
    remove_leftovers,
    secure_data_folder,
)
from app.store.layout import database_path, lock_path
from app.store.lock import FolderLock
from app.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path
    from types import TracebackType

    from app.models.forms import FormDefinition, FormRegistry
    from app.operations.plan import Operation, Record

OUTPUT_KINDS: Final = ("print", "upload")
"""The kinds of `Output`: the sheets printed (or their PDF written), the upload file written."""

DEFAULT_BACKUP_DAYS: Final = 30
"""How long automatic backups are kept unless the caller says otherwise."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _dumps(value: Json) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _facility_json(section: Json) -> str | None:
    return None if section["facility"] is None else _dumps(section["facility"])


def blank_document(form: FormDefinition) -> Json:
    """A new, empty application document under `form` (the window's 新規 and `shorei new`)."""
    document: Json = Application(form=FormRef(id=form.id, version=form.version)).model_dump(mode="json")
    if form.layout == "case-reports":
        # As the society's page lists them: numbers 1 … max, each 未登録 until filled in.
        document["reports"] = [rops.blank_report() for _ in range(form.counts.max)]
    else:
        document["sections"] = [ops.empty_section()]
    return document


@dataclass(frozen=True)
class ApplicationInfo:
    """An application as the store lists it (no rows loaded). Times are UTC; `version` counts changes."""

    id: int
    title: str
    form_id: str
    form_version: str
    applicant_name: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    trashed_at: dt.datetime | None
    named: bool = True
    """The user gave the name (新規 with a name, 名前変更); otherwise the list shows 氏名 (`display_name`)."""
    copy_of: int | None = None
    """The application this one was duplicated from."""

    @property
    def in_trash(self) -> bool:
        return self.trashed_at is not None

    @property
    def display_name(self) -> str:
        """The name the list shows: the user's name for it, else the applicant's 氏名, else the title."""
        return self.title if self.named or not self.applicant_name else self.applicant_name


@dataclass(frozen=True)
class Change:
    """One recorded change: the state after it is `version`. `edits` say what it replaced with what."""

    version: int
    at: dt.datetime
    operation: str
    summary: str
    edits: tuple[Edit, ...]
    session: int | None


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


@dataclass
class _Loaded:
    """What the writing store keeps of an application between edits, so an edit reads no rows."""

    document: Json
    version: int
    trashed: bool
    labels: ops.Labels
    application: Application | None = None
    """The document as types (parsed on the first change, then kept in step with each one)."""


_INFO_COLUMNS: Final = (
    "id, title, form_id, form_version, coalesce(json_extract(applicant, '$.name'), ''), version, "
    "created_at, updated_at, trashed_at, named, copy_of"
)


def _info(row: Sequence[Any]) -> ApplicationInfo:
    return ApplicationInfo(
        id=row[0],
        title=row[1],
        form_id=row[2],
        form_version=row[3],
        applicant_name=row[4],
        version=row[5],
        created_at=_parse_stamp(row[6]),
        updated_at=_parse_stamp(row[7]),
        trashed_at=None if row[8] is None else _parse_stamp(row[8]),
        named=bool(row[9]),
        copy_of=row[10],
    )


def _disk_or(error: OSError | sqlite3.Error, place: Path, *, saving: bool) -> StoreError:
    """A full or failing disk said as such (SPEC §9); any other OS error as one line naming the place."""
    fault = fault_of(error)
    if fault in ("full", "io"):
        return StoreDiskError(place, str(error), "full" if fault == "full" else "io", saving=saving)
    detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return StoreError(f"{place}: 開けません（{detail}）。データフォルダの書き込み権限を確認してください")


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


class Store:
    """The applications in one data folder, their history and backups. Open with `Store.open()`."""

    def __init__(
        self,
        home: Path,
        connection: sqlite3.Connection,
        lock: FolderLock | None,
        *,
        forms: FormRegistry,
        now: Callable[[], dt.datetime],
        backup_days: int,
    ) -> None:
        self._home = home
        self._connection: sqlite3.Connection | None = connection
        self._lock = lock
        self._forms = forms
        self._now = now
        self._backup_days = backup_days
        self._loaded: dict[int, _Loaded] = {}
        self._session: int | None = None
        self._backup_problem: str | None = None

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
        now: Callable[[], dt.datetime] = _utc_now,
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
        lock: FolderLock | None = None
        if not read_only:
            lock = FolderLock(lock_path(folder))
            try:
                make_private_folder(folder)
                acquired = lock.try_acquire()
            except OSError as error:
                raise _disk_or(error, folder, saving=False) from None
            if not acquired:
                if not allow_read_only:
                    raise StoreLockedError(folder, lock.holder())
                lock = None
                read_only = True
        try:
            connection = cls._connect(folder, read_only=read_only)
            store = cls(folder, connection, lock, forms=registry, now=now, backup_days=backup_days)
            try:
                store._prepare()
            except BaseException:
                store._close_connection()
                raise
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return store

    @staticmethod
    def _connect(home: Path, *, read_only: bool) -> sqlite3.Connection:
        path = database_path(home)
        try:
            if read_only:
                if not path.exists():
                    raise StoreError(f"{home}: まだ申請データがありません（データベースがありません）")
                connection = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True, isolation_level=None)
                connection.execute("PRAGMA query_only=ON")
            else:
                make_private_folder(home)
                if not path.exists():
                    create_private_file(path)  # SQLite makes its -wal and -shm with the same mode
                connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("PRAGMA busy_timeout=5000")
        except (sqlite3.DatabaseError, OSError) as error:
            if fault_of(error) is None and isinstance(error, sqlite3.DatabaseError):
                raise StoreCorruptError(path, str(error), newest_backup(home)) from None
            raise _disk_or(error, path, saving=False) from None
        return connection

    def _prepare(self) -> None:
        connection = self._db()
        path = database_path(self._home)
        try:
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check(5)")]
            found = connection.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as error:
            if fault_of(error) is not None:
                raise _disk_or(error, path, saving=False) from None
            raise StoreCorruptError(path, str(error), newest_backup(self._home)) from None
        if verdict != ["ok"]:
            raise StoreCorruptError(path, "; ".join(verdict)[:200], newest_backup(self._home))
        if found > SCHEMA_VERSION:
            raise StoreVersionError(path, found, SCHEMA_VERSION)
        try:
            self._prepare_writing(found)
        except (sqlite3.Error, OSError) as error:
            if fault_of(error) is None:
                raise
            raise _disk_or(error, path, saving=False) from None

    def _prepare_writing(self, found: int) -> None:
        connection = self._db()
        path = database_path(self._home)
        if not self.read_only:
            secure_data_folder(self._home)
            remove_leftovers(self._home)
            # Only now, with the file known good and ours to understand, is anything written to it.
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":
                raise StoreError(f"{path}: ジャーナルを WAL にできません（{mode}）")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA foreign_keys=ON")
        if found < SCHEMA_VERSION:
            if self.read_only:
                raise StoreError(
                    f"{path}: 古い形式のデータベースです。ほかの Shorei を終了してから開き直すと更新されます"
                )
            self._migrate(found)
        if not self.read_only:
            with self._transaction():
                cursor = connection.execute(
                    "INSERT INTO sessions (started_at, pid, app_version) VALUES (?, ?, ?)",
                    (_stamp(self._now()), os.getpid(), program_version()),
                )
            self._session = cursor.lastrowid
            try:
                self.backup_if_due()
            except (OSError, sqlite3.Error, StoreError) as error:
                # The data is safe in the database; a missed backup is worth a warning, not a refusal.
                self._backup_problem = (
                    f"自動バックアップを作成できませんでした（{error}）。ディスクの空き容量を確認してください"
                )

    def _migrate(self, found: int) -> None:
        if found > 0:
            # A database that holds data is copied before its layout changes (SPEC §9).
            take_backup(self._db(), self._home, f"before-v{SCHEMA_VERSION}", self._now())
        with self._transaction():
            for script in MIGRATIONS[found:]:
                for statement in split_statements(script):
                    self._db().execute(statement)
            if 0 < found < 4:
                # v4: a title that is only a form's title (what 新規 gave) was never chosen by the user.
                titles = sorted({form.title for form in self._forms.all()})
                marks = ", ".join("?" * len(titles))
                self._db().execute(f"UPDATE applications SET named = 0 WHERE title IN ({marks})", titles)
            self._db().execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the database and give the data folder free for another Shorei."""
        connection = self._connection
        if connection is not None and not self.read_only:
            with contextlib.suppress(sqlite3.Error):
                # Fold the WAL into the database so the file alone is whole if the user copies it.
                connection.execute("PRAGMA optimize")
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._close_connection()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self._loaded.clear()

    def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @property
    def home(self) -> Path:
        return self._home

    @property
    def path(self) -> Path:
        return database_path(self._home)

    @property
    def read_only(self) -> bool:
        """True when another Shorei writes to this data folder: reading works, changing raises."""
        return self._lock is None

    @property
    def backup_problem(self) -> str | None:
        """Why the automatic backup on opening failed (a Japanese line for the window), or None."""
        return self._backup_problem

    @property
    def session(self) -> int | None:
        """This opening's session id (changes made now carry it); None when read-only."""
        return self._session

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreError("データベースは閉じられています")
        return self._connection

    def _writable(self) -> sqlite3.Connection:
        if self.read_only:
            raise StoreReadOnlyError()
        return self._db()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self._db()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
        try:
            connection.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def _saving(self, app_id: int | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction whose failure says, in Japanese, that nothing was saved."""
        connection = self._writable()
        if self._lock is not None and not self._lock.still_held():
            raise StoreTakenError(self._home)
        try:
            with self._transaction():
                yield connection
        except (sqlite3.Error, OSError) as error:
            if app_id is not None:
                self._loaded.pop(app_id, None)
            fault = fault_of(error)
            if fault == "busy":
                raise StoreTakenError(self._home) from error
            if fault is not None:
                raise StoreDiskError(self._home, str(error), fault, saving=True) from error
            if not isinstance(error, sqlite3.Error):
                raise
            raise StoreError(
                f"保存できませんでした（{error}）。ディスクの空き容量と書き込み権限を確認してください。"
                "この変更は保存されていません"
            ) from error

    # ---- backups ----------------------------------------------------------------------------------

    def backups(self) -> list[Backup]:
        """Backups of this data folder, newest first."""
        return list_backups(self._home)

    def backup_now(self, reason: str = "manual") -> Path:
        """Take a backup now (besides the daily one) and return its path."""
        self._writable()
        return take_backup(self._db(), self._home, reason, self._now())

    def backup_if_due(self) -> Path | None:
        """The daily backup: taken when none was taken today (local date), then old ones pruned.

        Called on open; a window left open for days calls it now and then."""
        self._writable()
        now = self._now()
        newest = next(iter(self.backups()), None)
        taken = None
        if newest is None or newest.taken_at.date() < now.astimezone().date():
            taken = take_backup(self._db(), self._home, "daily", now)
        prune_backups(self._home, self._backup_days, now)
        return taken

    # ---- applications -----------------------------------------------------------------------------

    def _form(self, form_id: str, version: str) -> FormDefinition | None:
        return self._forms.get(form_id, version)

    @property
    def forms(self) -> FormRegistry:
        """The forms this store reads documents with (bundled + installed packs, `forms_for`)."""
        return self._forms

    def reload_forms(self, forms: FormRegistry | None = None) -> None:
        """Take the forms again (after a form pack was installed or removed)."""
        self._forms = forms_for(self._home) if forms is None else forms
        for loaded in self._loaded.values():
            form = loaded.document["form"]
            loaded.labels = ops.Labels(self._form(form["id"], form["version"]))

    def forms_in_use(self) -> set[tuple[str, str]]:
        """(form id, version) of every application, those in the trash included."""
        rows = self._db().execute("SELECT DISTINCT form_id, form_version FROM applications")
        return {(row[0], row[1]) for row in rows}

    def migrate(self, app_id: int, form_id: str, version: str) -> Application:
        """Move the application to another installed form version: one change (one undo step), the old
        form kept in the history. The values stay as typed; see app.validation.migration for the preview."""
        target = self._forms.get(form_id, version)
        if target is None:
            raise EditError(f"様式 {form_id} {version} はインストールされていません")

        def plan(it: _Loaded) -> ops.Plan | None:
            old = it.document["form"]
            source = self._form(old["id"], old["version"])
            if source is not None and source.layout != target.layout:
                raise EditError(f"様式「{form_id}」は形が違うため、この申請を移せません")
            if (old["id"], old["version"]) == (form_id, version):
                return None
            document = {**it.document, "form": {"id": form_id, "version": version}}
            summary = f"様式を移す: {old['id']} {old['version']} → {form_id} {version}"
            return ops.replace_document(it.document, document, "migrate", summary)

        return self._edit(app_id, plan)

    def create_application(
        self, form_id: str, title: str = "", *, form_version: str | None = None
    ) -> ApplicationInfo:
        """A new, empty application under an installed form (the newest version unless named)."""
        form = self._forms.get(form_id, form_version)
        if form is None:
            installed = "、".join(self._forms.ids()) or "なし"
            raise EditError(f"様式「{form_id}」はインストールされていません（インストール済み: {installed}）")
        return self._insert_application(
            blank_document(form), title or form.title, "create", "新規作成", named=bool(normalize_text(title))
        )

    def import_application(
        self, application: Application, *, title: str = "", summary: str = "取り込み"
    ) -> ApplicationInfo:
        """A new application holding `application` (checked against the store's limits)."""
        self._check_limits(application, source="申請データ")
        document = application.model_dump(mode="json")
        default = application.applicant.name or "取り込んだ申請"
        return self._insert_application(document, title or default, "import", summary, named=False)

    def import_document(self, path: Path, *, title: str | None = None) -> ApplicationInfo:
        """A new application read from an application document (SPEC §4). Unreadable input raises
        `DocumentError` (one line naming the file), and nothing is stored."""
        application = load_application(path, self._forms)
        self._check_limits(application, source=str(path))
        return self.import_application(
            application, title=title or path.stem, summary=f"取り込み: {path.name}"
        )

    def export_document(self, app_id: int, path: Path, *, include_private: bool = True) -> None:
        """Write the application as a document (written whole or not at all). `include_private=False`
        leaves out every 備考, for a document that leaves the machine."""
        save_application(self.get(app_id), path, include_private=include_private)

    def _check_limits(self, application: Application, *, source: str) -> None:
        if len(application.sections) > ops.MAX_SECTIONS:
            raise DocumentError(
                source, f"施設が多すぎます（{len(application.sections)}件、上限 {ops.MAX_SECTIONS}件）"
            )
        for index, section in enumerate(application.sections, start=1):
            if len(section.cases) > ops.MAX_ROWS:
                raise DocumentError(
                    source, f"施設{index}の症例が多すぎます（{len(section.cases)}行、上限 {ops.MAX_ROWS}行）"
                )
            if len(section.enrollment) > ops.MAX_ENROLLMENTS:
                raise DocumentError(
                    source, f"施設{index}の在籍期間が多すぎます（上限 {ops.MAX_ENROLLMENTS}件）"
                )
        if len(application.reports) > rops.MAX_REPORTS:
            raise DocumentError(
                source, f"症例が多すぎます（{len(application.reports)}件、上限 {rops.MAX_REPORTS}件）"
            )
        seen: set[str] = set()
        for number, report in enumerate(application.reports, start=1):
            if report.id in seen:
                # Requests and approvals name a report by its id: two with one id cannot be told apart.
                raise DocumentError(source, f"症例{number}の id が別の症例と同じです（{report.id}）")
            seen.add(report.id)

    def _insert_application(
        self,
        document: Json,
        title: str,
        operation: str,
        summary: str,
        *,
        named: bool = True,
        copy_of: int | None = None,
    ) -> ApplicationInfo:
        title = self._title(title)
        now = _stamp(self._now())
        with self._saving() as connection:
            cursor = connection.execute(
                "INSERT INTO applications (title, form_id, form_version, applicant, version, created_at,"
                " updated_at, named, copy_of) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
                (
                    title,
                    document["form"]["id"],
                    document["form"]["version"],
                    _dumps(document["applicant"]),
                    now,
                    now,
                    int(named),
                    copy_of,
                ),
            )
            app_id = cursor.lastrowid
            assert app_id is not None
            self._write_rows(app_id, document)
            connection.execute(
                "INSERT INTO changes (app_id, version, at, operation, summary, edits, session) VALUES (?, 0, ?, ?, ?, '[]', ?)",
                (app_id, now, operation, summary, self._session),
            )
        return self.info(app_id)

    @staticmethod
    def _title(title: str) -> str:
        text = normalize_text(title)
        if not text:
            raise EditError("名前を入力してください")
        if len(text) > 200:
            raise EditError(f"名前が長すぎます（{len(text)}文字、上限 200文字）")
        return text

    def list_applications(self) -> list[ApplicationInfo]:
        """Applications not in the trash, most recently changed first."""
        rows = self._db().execute(
            f"SELECT {_INFO_COLUMNS} FROM applications WHERE trashed_at IS NULL ORDER BY updated_at DESC, id DESC"
        )
        return [_info(row) for row in rows]

    def list_trash(self) -> list[ApplicationInfo]:
        """Applications in the trash, most recently deleted first."""
        rows = self._db().execute(
            f"SELECT {_INFO_COLUMNS} FROM applications WHERE trashed_at IS NOT NULL ORDER BY trashed_at DESC, id DESC"
        )
        return [_info(row) for row in rows]

    def info(self, app_id: int) -> ApplicationInfo:
        row = (
            self._db().execute(f"SELECT {_INFO_COLUMNS} FROM applications WHERE id = ?", (app_id,)).fetchone()
        )
        if row is None:
            raise NotFoundError(app_id)
        return _info(row)

    def get(self, app_id: int) -> Application:
        """The application as it is now."""
        return self._application(self._load(app_id).document)

    def rename(self, app_id: int, title: str) -> ApplicationInfo:
        """A new name for the application in the list (recorded in its history)."""
        new = self._title(title)
        old = self.info(app_id).title
        if new != old:
            self._writable()
            edit = Edit("set", ("$title",), old, new)
            plan = ops.Plan("rename", f"名前を変更: {old} → {new}", [edit])

            def mark_named(connection: sqlite3.Connection, _version: int) -> None:
                connection.execute("UPDATE applications SET named = 1 WHERE id = ?", (app_id,))

            self._record(app_id, self._load(app_id), plan, title=new, also=mark_named)
        return self.info(app_id)

    def duplicate(self, app_id: int, title: str | None = None) -> ApplicationInfo:
        """A copy of the application as it is now, with a history of its own. A copy is a separate
        application: its case reports get new ids and no approvals (an approval belongs to the original)."""
        source = self.info(app_id)
        document = self._load(app_id).document
        document = {**document, "reports": rops.fresh_copies(document["reports"])}
        return self._insert_application(
            document,
            title or f"{source.title}（コピー）",
            "duplicate",
            f"「{source.title}」から複製",
            named=bool(title) or source.named,
            copy_of=app_id,
        )

    def move_to_trash(self, app_id: int) -> None:
        """Delete an application: it goes to the trash, from where it can be put back."""
        self.info(app_id)
        with self._saving() as connection:
            connection.execute(
                "UPDATE applications SET trashed_at = ? WHERE id = ? AND trashed_at IS NULL",
                (_stamp(self._now()), app_id),
            )
        self._loaded.pop(app_id, None)

    def restore_from_trash(self, app_id: int) -> ApplicationInfo:
        self.info(app_id)
        with self._saving() as connection:
            connection.execute("UPDATE applications SET trashed_at = NULL WHERE id = ?", (app_id,))
        self._loaded.pop(app_id, None)
        return self.info(app_id)

    def empty_trash(self) -> int:
        """Remove the applications in the trash for good, with their history. Returns how many."""
        with self._saving() as connection:
            removed = [
                row[0]
                for row in connection.execute("SELECT id FROM applications WHERE trashed_at IS NOT NULL")
            ]
            connection.execute("DELETE FROM applications WHERE trashed_at IS NOT NULL")
        for app_id in removed:
            self._loaded.pop(app_id, None)
        return len(removed)

    # ---- loading ----------------------------------------------------------------------------------

    def _load(self, app_id: int) -> _Loaded:
        if (loaded := self._loaded.get(app_id)) is not None:
            return loaded
        connection = self._db()
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
        form = self._form(row[0], row[1])
        loaded = _Loaded(document, row[3], row[4] is not None, ops.Labels(form))
        if not self.read_only:
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

    @staticmethod
    def _application(document: Json) -> Application:
        try:
            return Application.model_validate(document)
        except ValidationError as error:
            raise EditError(describe_validation_error(error)) from None

    # ---- writing ----------------------------------------------------------------------------------

    def _write_rows(self, app_id: int, document: Json) -> None:
        """Rewrite every row of the application: its sections with their periods and cases, its reports."""
        self._write_sections(app_id, document)
        self._write_reports(app_id, document)

    def _write_reports(self, app_id: int, document: Json) -> None:
        # As with cases: a report inserted, deleted or moved renumbers those after it (20 small rows).
        connection = self._db()
        connection.execute("DELETE FROM reports WHERE app_id = ?", (app_id,))
        connection.executemany(
            "INSERT INTO reports (app_id, position, data) VALUES (?, ?, ?)",
            [(app_id, n, _dumps(report)) for n, report in enumerate(document["reports"])],
        )

    def _write_sections(self, app_id: int, document: Json) -> None:
        """Rewrite every section of the application with its periods and cases."""
        connection = self._db()
        for table in ("sections", "enrollments", "cases"):
            connection.execute(f"DELETE FROM {table} WHERE app_id = ?", (app_id,))
        connection.executemany(
            "INSERT INTO sections (app_id, position, facility, accepted) VALUES (?, ?, ?, ?)",
            [
                (app_id, index, _facility_json(section), _dumps(section["accepted"]))
                for index, section in enumerate(document["sections"])
            ],
        )
        for index in range(len(document["sections"])):
            self._write_periods(app_id, document, index, replace=False)
            self._write_cases(app_id, document, index, replace=False)

    def _write_periods(self, app_id: int, document: Json, index: int, *, replace: bool = True) -> None:
        connection = self._db()
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
        connection = self._db()
        if replace:
            connection.execute("DELETE FROM cases WHERE app_id = ? AND section = ?", (app_id, index))
        connection.executemany(
            "INSERT INTO cases (app_id, section, position, data) VALUES (?, ?, ?, ?)",
            [(app_id, index, n, _dumps(case)) for n, case in enumerate(document["sections"][index]["cases"])],
        )

    def _write(self, app_id: int, document: Json, edits: list[Edit]) -> None:
        """Write the rows `edits` touched, taking them from `document` (the state after the edits)."""
        connection = self._db()
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
                (document["form"]["id"], document["form"]["version"], _dumps(document["applicant"]), app_id),
            )
            self._write_rows(app_id, document)
            return
        if applicant:
            connection.execute(
                "UPDATE applications SET applicant = ? WHERE id = ?", (_dumps(document["applicant"]), app_id)
            )
        for index in sorted(meta):
            section = document["sections"][index]
            connection.execute(
                "UPDATE sections SET facility = ?, accepted = ? WHERE app_id = ? AND position = ?",
                (_facility_json(section), _dumps(section["accepted"]), app_id, index),
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
                (_dumps(document["sections"][section_index]["cases"][row]), app_id, section_index, row),
            )
            if cursor.rowcount != 1:
                raise HistoryError(f"申請データ（番号 {app_id}）の行 {row + 1} が保存されていません")
        if report_list:
            self._write_reports(app_id, document)
            return
        for row in sorted(report_rows):
            cursor = connection.execute(
                "UPDATE reports SET data = ? WHERE app_id = ? AND position = ?",
                (_dumps(document["reports"][row]), app_id, row),
            )
            if cursor.rowcount != 1:
                raise HistoryError(f"申請データ（番号 {app_id}）の症例{row + 1}が保存されていません")

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

    def _typed(self, loaded: _Loaded) -> Application:
        """The application `loaded` holds, as types: parsed once, then kept in step with each change."""
        if loaded.application is None:
            loaded.application = self._application(loaded.document)
        return loaded.application

    def _record(
        self,
        app_id: int,
        loaded: _Loaded,
        plan: ops.Plan | None,
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
        with self._saving(app_id) as connection:
            self._write(app_id, document, edits)
            connection.execute(
                "INSERT INTO changes (app_id, version, at, operation, summary, edits, session) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    app_id,
                    version,
                    now,
                    plan.operation,
                    plan.summary,
                    _dumps([e.to_json() for e in edits]),
                    self._session,
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
            loaded.labels = ops.Labels(self._form(document["form"]["id"], document["form"]["version"]))
        loaded.document = document
        loaded.version = version
        loaded.application = application
        return application

    def _checked_record(self, record: Record) -> Record:
        """`record` as it will be written, refused (EditError, nothing written) when it cannot be."""
        if isinstance(record, KeyTrusted):
            given = record.supervisor
            fingerprint = registry.read_fingerprint(given.fingerprint)
            current = self.supervisor(given.member_id)
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
            self._insert_request(
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
                    self._session,
                ),
            )
        else:
            supervisor = record.supervisor
            connection.execute(
                "INSERT INTO supervisors (member_id, data, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (member_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                (supervisor.member_id, _dumps(supervisor.model_dump(mode="json")), _stamp(self._now())),
            )

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
        loaded = self._loaded.get(app_id)
        return loaded.version if loaded is not None else self.info(app_id).version

    def archived_reports(self, app_id: int) -> list[ArchivedReport]:
        """Copies of approved reports kept by 「削除して再依頼」, newest first."""
        self.info(app_id)
        rows = self._db().execute(
            "SELECT id, position, version, archived_at, reason, data FROM report_archive"
            " WHERE app_id = ? ORDER BY id DESC",
            (app_id,),
        )
        return [
            ArchivedReport(
                id=row[0],
                number=row[1] + 1,
                version=row[2],
                archived_at=_parse_stamp(row[3]),
                reason=row[4],
                report=CaseReport.model_validate(json.loads(row[5])),
            )
            for row in rows
        ]

    def record_request(
        self, app_id: int, request_id: str, supervisor_member_id: str, path: Path | None = None
    ) -> None:
        """Note a request file written for this application (`mark_requested` does it already)."""
        self.info(app_id)
        with self._saving() as connection:
            self._insert_request(connection, app_id, request_id, supervisor_member_id, path)

    def _insert_request(
        self,
        connection: sqlite3.Connection,
        app_id: int,
        request_id: str,
        supervisor_member_id: str,
        path: Path | None,
    ) -> None:
        connection.execute(
            "INSERT INTO approval_requests (app_id, request_id, supervisor, path, recorded_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (app_id, request_id)"
            " DO UPDATE SET supervisor = excluded.supervisor, path = coalesce(excluded.path, path)",
            (
                app_id,
                request_id,
                supervisor_member_id,
                None if path is None else str(path),
                _stamp(self._now()),
            ),
        )

    def sent_requests(self, app_id: int) -> list[SentRequest]:
        """Approval requests written for this application, newest first."""
        self.info(app_id)
        rows = self._db().execute(
            "SELECT request_id, supervisor, path, recorded_at FROM approval_requests"
            " WHERE app_id = ? ORDER BY recorded_at DESC, request_id",
            (app_id,),
        )
        return [
            SentRequest(
                request_id=row[0],
                supervisor_member_id=row[1],
                path=None if row[2] is None else PurePath(row[2]),
                recorded_at=_parse_stamp(row[3]),
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
        version = self.info(app_id).version
        with self._saving() as connection:
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
                    _stamp(self._now()),
                ),
            )

    def outputs(self, app_id: int | None = None) -> dict[int, list[Output]]:
        """What was printed and made for upload, by application (only `app_id`'s when given)."""
        query = "SELECT app_id, part, kind, content, version, code, path, at FROM outputs"
        rows = self._db().execute(
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
                    at=_parse_stamp(row[7]),
                )
            )
        return found

    # ---- 指導者 registry (per data folder) --------------------------------------------------------

    def supervisors(self) -> list[Supervisor]:
        """The registered 指導者, in the order they were first registered."""
        rows = self._db().execute("SELECT data FROM supervisors ORDER BY rowid")
        return [Supervisor.model_validate(json.loads(row[0])) for row in rows]

    def supervisor(self, member_id: str) -> Supervisor | None:
        """The registered 指導者 with that 会員番号, or None."""
        row = (
            self._db()
            .execute("SELECT data FROM supervisors WHERE member_id = ?", (normalize_text(member_id),))
            .fetchone()
        )
        return None if row is None else Supervisor.model_validate(json.loads(row[0]))

    def save_supervisor(self, supervisor: Supervisor) -> Supervisor:
        """Register a 指導者 or update one (by 会員番号). An empty fingerprint keeps the trusted key; another
        key than the trusted one is refused here (see `trust_supervisor_key`). Returns what is stored."""
        self._writable()
        saved = registry.merged(supervisor, self.supervisor(supervisor.member_id))
        self._put_supervisor(saved)
        return saved

    def trust_supervisor_key(self, member_id: str, fingerprint: str) -> Supervisor:
        """Trust `fingerprint` (as read from the 指導者, e.g. on paper or by phone) as the key that signs
        this 指導者's results; replaces an earlier one."""
        self._writable()
        current = self.supervisor(member_id)
        if current is None:
            raise EditError(registry.not_registered(member_id))
        saved = current.model_copy(update={"fingerprint": registry.read_fingerprint(fingerprint)})
        self._put_supervisor(saved)
        return saved

    def remove_supervisor(self, member_id: str) -> None:
        """Remove a 指導者 from the registry (reports already requested keep their copy of the 指導者)."""
        with self._saving() as connection:
            cursor = connection.execute(
                "DELETE FROM supervisors WHERE member_id = ?", (normalize_text(member_id),)
            )
            if cursor.rowcount == 0:
                raise EditError(registry.not_registered(member_id))

    def _put_supervisor(self, supervisor: Supervisor) -> None:
        with self._saving() as connection:
            connection.execute(
                "INSERT INTO supervisors (member_id, data, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (member_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                (supervisor.member_id, _dumps(supervisor.model_dump(mode="json")), _stamp(self._now())),
            )

    # ---- history ----------------------------------------------------------------------------------

    def history(self, app_id: int, *, limit: int | None = None, before: int | None = None) -> list[Change]:
        """Recorded changes, newest first (`before`: only versions below it, for paging). The state after
        each is its `version`; version 0 is the application as created or imported."""
        self.info(app_id)
        rows = self._db().execute(
            "SELECT version, at, operation, summary, edits, session FROM changes"
            " WHERE app_id = ? AND version < ? ORDER BY version DESC LIMIT ?",
            (app_id, before if before is not None else 1 << 62, -1 if limit is None else limit),
        )
        return [
            Change(
                version=row[0],
                at=_parse_stamp(row[1]),
                operation=row[2],
                summary=row[3],
                edits=tuple(Edit.from_json(item) for item in json.loads(row[4])),
                session=row[5],
            )
            for row in rows
        ]

    def _document_at(self, app_id: int, version: int) -> Json:
        loaded = self._load(app_id)
        if not isinstance(version, int) or not 0 <= version <= loaded.version:
            raise EditError(f"版 {version} はありません（0〜{loaded.version}）")
        document = loaded.document
        rows = self._db().execute(
            "SELECT edits FROM changes WHERE app_id = ? AND version > ? AND version <= ? ORDER BY version DESC",
            (app_id, version, loaded.version),
        )
        for (text,) in rows:
            document = apply(document, invert([Edit.from_json(item) for item in json.loads(text)]))
        return document

    def state_at(self, app_id: int, version: int) -> Application:
        """The application as it was after change `version` (a preview; nothing changes)."""
        return self._application(self._document_at(app_id, version))

    def restore(self, app_id: int, version: int) -> Application:
        """Bring back the state of `version`. This is itself a change: restoring can be undone."""
        self._writable()
        target = self._document_at(app_id, version)
        if self._form(target["form"]["id"], target["form"]["version"]) is None:  # its pack was removed
            raise EditError(
                form_not_installed(target["form"]["id"], target["form"]["version"], f"版 {version} の状態")
            )
        at = (
            self._db()
            .execute("SELECT at FROM changes WHERE app_id = ? AND version = ?", (app_id, version))
            .fetchone()
        )
        when = "" if at is None else f"（{_parse_stamp(at[0]).astimezone():%Y-%m-%d %H:%M}）"
        prefix = f"版 {version}{when}の状態に戻す"

        def plan(it: _Loaded) -> ops.Plan | None:
            summary = f"{prefix}（{ops.describe_difference(it.document, target, it.labels)}）"
            return ops.replace_document(it.document, target, "restore", summary)

        return self._edit(app_id, plan)


def split_statements(script: str) -> list[str]:
    """The statements of a migration script (executescript would commit the open transaction)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
