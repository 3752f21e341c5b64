"""The store's database file: opening (the folder lock, the integrity check, migration with a backup
first), transactions that say in Japanese what failed, and the backups of the file (SPEC §9).

`Store` (app.store.store) holds one `Database` as `store.database`; the other managers write through its
`saving()` and read through `db()`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from typing import TYPE_CHECKING, Final

from app.store.backups import list_backups, newest_backup, prune_backups, take_backup
from app.store.errors import (
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
from app.version import program_version

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from app.models.forms import FormRegistry
    from app.operations.patch import Json
    from app.store.backups import Backup

DEFAULT_BACKUP_DAYS: Final = 30
"""How long automatic backups are kept unless the caller says otherwise."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """A time as the database keeps it: UTC, ISO 8601 with milliseconds."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def dumps(value: Json) -> str:
    """JSON as the database keeps it: compact, Japanese as written."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _disk_or(error: OSError | sqlite3.Error, place: Path, *, saving: bool) -> StoreError:
    """A full or failing disk said as such (SPEC §9); any other OS error as one line naming the place."""
    fault = fault_of(error)
    if fault in ("full", "io"):
        return StoreDiskError(place, str(error), "full" if fault == "full" else "io", saving=saving)
    detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return StoreError(f"{place}: 開けません（{detail}）。データフォルダの書き込み権限を確認してください")


class Database:
    """The SQLite database of one data folder, held (OS lock) by this process unless read-only."""

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
        self._forms = forms  # as at opening: the v4 migration names their titles
        self._connection: sqlite3.Connection | None = connection
        self._lock = lock
        self._now = now
        self._backup_days = backup_days
        self._session: int | None = None
        self._backup_problem: str | None = None

    # ---- opening and closing ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        folder: Path,
        *,
        read_only: bool,
        allow_read_only: bool,
        backup_days: int,
        forms: FormRegistry,
        now: Callable[[], dt.datetime],
    ) -> Database:
        """Open (creating when new) the database in `folder`; see `Store.open`. `forms` name the titles
        that the v4 migration marks as not chosen by the user."""
        if backup_days < 1:
            raise ValueError("backup_days must be at least 1")
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
            database = cls(folder, connection, lock, forms=forms, now=now, backup_days=backup_days)
            try:
                database._prepare()
            except BaseException:
                database._close_connection()
                raise
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return database

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
        connection = self.db()
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
        connection = self.db()
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
                    (stamp(self._now()), os.getpid(), program_version()),
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
            take_backup(self.db(), self._home, f"before-v{SCHEMA_VERSION}", self._now())
        with self._transaction():
            for script in MIGRATIONS[found:]:
                for statement in split_statements(script):
                    self.db().execute(statement)
            if 0 < found < 4:
                # v4: a title that is only a form's title (what 新規 gave) was never chosen by the user.
                titles = sorted({form.title for form in self._forms.all()})
                marks = ", ".join("?" * len(titles))
                self.db().execute(f"UPDATE applications SET named = 0 WHERE title IN ({marks})", titles)
            self.db().execute(f"PRAGMA user_version={SCHEMA_VERSION}")

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

    def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

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

    def now(self) -> dt.datetime:
        """The store's clock (a test may give its own to `Store.open`)."""
        return self._now()

    # ---- transactions -----------------------------------------------------------------------------

    def db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreError("データベースは閉じられています")
        return self._connection

    def writable(self) -> sqlite3.Connection:
        if self.read_only:
            raise StoreReadOnlyError()
        return self.db()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self.db()
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
    def saving(self, failed: Callable[[], None] | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction whose failure says, in Japanese, that nothing was saved (`failed` is called
        first when the database or the disk refused it)."""
        connection = self.writable()
        if self._lock is not None and not self._lock.still_held():
            raise StoreTakenError(self._home)
        try:
            with self._transaction():
                yield connection
        except (sqlite3.Error, OSError) as error:
            if failed is not None:
                failed()
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
        self.writable()
        return take_backup(self.db(), self._home, reason, self._now())

    def backup_if_due(self) -> Path | None:
        """The daily backup: taken when none was taken today (local date), then old ones pruned.

        Called on open; a window left open for days calls it now and then."""
        self.writable()
        now = self._now()
        newest = next(iter(self.backups()), None)
        taken = None
        if newest is None or newest.taken_at.date() < now.astimezone().date():
            taken = take_backup(self.db(), self._home, "daily", now)
        prune_backups(self._home, self._backup_days, now)
        return taken


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
