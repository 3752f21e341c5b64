"""Backups of the database: taken with SQLite's online backup API, named by time and reason, pruned by age.

A backup is written to a temporary name, synced, checked, then renamed, so a file under its final name
is always a whole, readable database. The newest backup is never pruned, however old: it is the way back
when the database is found broken.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.atomic import fsync_file, fsync_folder
from app.store.errors import StoreError, StoreLockedError
from app.store.housekeeping import create_private_file, make_private_folder
from app.store.layout import backup_folder, database_path, lock_path
from app.store.lock import FolderLock

_NAME = re.compile(r"shorei-(\d{8}-\d{6})-([a-z0-9-]+)\.sqlite3")
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class Backup:
    """A backup file, when it was taken (local time, as in its name) and why: daily, before-v2, manual."""

    path: Path
    taken_at: dt.datetime
    reason: str


def list_backups(home: Path) -> list[Backup]:
    """Backups in the data folder, newest first."""
    folder = backup_folder(home)
    found: list[Backup] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for path in entries:
        match = _NAME.fullmatch(path.name)
        if match is None:
            continue
        found.append(Backup(path, dt.datetime.strptime(match[1], _STAMP), match[2]))
    return sorted(found, key=lambda backup: (backup.taken_at, backup.path.name), reverse=True)


def newest_backup(home: Path) -> Path | None:
    backups = list_backups(home)
    return backups[0].path if backups else None


def take_backup(connection: sqlite3.Connection, home: Path, reason: str, now: dt.datetime) -> Path:
    """Copy the open database to `backups/shorei-<local time>-<reason>.sqlite3` and return its path."""
    folder = backup_folder(home)
    make_private_folder(folder)
    stamp = now.astimezone().strftime(_STAMP)
    final = folder / f"shorei-{stamp}-{reason}.sqlite3"
    counter = 1
    while final.exists():
        counter += 1
        final = folder / f"shorei-{stamp}-{reason}-{counter}.sqlite3"
    temporary = folder / f".{final.name}.tmp"
    temporary.unlink(missing_ok=True)
    try:
        # Owner-only before a byte is copied: the database holds 備考 (issue 15, item 14).
        create_private_file(temporary)
        target = sqlite3.connect(temporary)
        try:
            connection.backup(target)
            # The backup is a standalone file: no WAL beside it, so it can be copied or mailed as is.
            target.execute("PRAGMA journal_mode=DELETE")
            verdict = target.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            target.close()
        if verdict != "ok":
            raise StoreError(f"{temporary}: バックアップの検査に失敗しました（{verdict}）")
        fsync_file(temporary)
        temporary.replace(final)
        fsync_folder(folder)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return final


def prune_backups(home: Path, keep_days: int, now: dt.datetime) -> list[Path]:
    """Remove backups older than `keep_days`, never the newest one. Returns what was removed."""
    backups = list_backups(home)
    limit = now.astimezone().replace(tzinfo=None) - dt.timedelta(days=keep_days)
    removed: list[Path] = []
    for backup in backups[1:]:
        if backup.taken_at < limit:
            # A backup another program holds open (Windows) is left for the next pruning.
            with contextlib.suppress(OSError):
                backup.path.unlink()
                removed.append(backup.path)
    return removed


def restore_backup(home: Path, backup: Path, now: dt.datetime | None = None) -> Path:
    """Put `backup` in place of the database; the broken database is kept beside it, renamed.

    The data folder must not be open (the folder lock is taken here). Returns the path the broken
    database was moved to (or the database path itself when there was none).
    """
    database = database_path(home)
    lock = FolderLock(lock_path(home))
    if not lock.try_acquire():
        raise StoreLockedError(home, lock.holder())
    try:
        source = sqlite3.connect(backup.as_uri() + "?mode=ro", uri=True)
        try:
            verdict = source.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise StoreError(
                    f"{backup}: このバックアップも壊れています（{verdict}）。別のバックアップを選んでください"
                )
            stamp = (now or dt.datetime.now().astimezone()).strftime(_STAMP)
            kept = database.with_name(f"{database.name}.broken-{stamp}")
            moved = False
            for suffix in ("", "-wal", "-shm"):
                current = Path(str(database) + suffix)
                if current.exists():
                    current.replace(Path(str(kept) + suffix))
                    moved = moved or suffix == ""
            temporary = database.with_name(f".{database.name}.restore.tmp")
            target = sqlite3.connect(temporary)
            try:
                source.backup(target)
            finally:
                target.close()
            fsync_file(temporary)
            temporary.replace(database)
            fsync_folder(database.parent)
        finally:
            source.close()
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{backup}: バックアップを読めません（{error}）。別のバックアップを選んでください"
        ) from None
    finally:
        lock.release()
    return kept if moved else database
