"""What the writer of a data folder does on opening it: owner-only permissions, and the removal of what an
interrupted run left behind (issue 15, items 8 and 14).

Both run only while the folder lock is held, so no other Shorei is writing a backup at the same moment;
an imported facility list's leftovers are removed only when its own import lock can be taken too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from typing import TYPE_CHECKING, Final

from app.store.layout import backup_folder, database_path, facility_folder
from app.store.lock import FolderLock

if TYPE_CHECKING:
    from pathlib import Path

FOLDER_MODE: Final = 0o700
FILE_MODE: Final = 0o600

_DATABASE_SUFFIXES: Final = ("", "-wal", "-shm", "-journal")


def owner_only(path: Path, mode: int) -> None:
    """Set POSIX permission bits whatever the umask was. On Windows the data folder lies under the user's
    profile, private by its ACL, and chmod only toggles read-only: nothing to do there."""
    if os.name == "posix":
        with contextlib.suppress(FileNotFoundError):
            path.chmod(mode)


def make_private_folder(folder: Path) -> None:
    """Create `folder` (and its parents) and make it owner-only (0700)."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    owner_only(folder, FOLDER_MODE)


def create_private_file(path: Path) -> None:
    """Create `path` empty and owner-only (0600), so that not one byte is ever readable by others."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.close(descriptor)
    owner_only(path, FILE_MODE)


def secure_data_folder(home: Path) -> None:
    """The data folder, its backups and the database files (which hold 備考) made owner-only."""
    make_private_folder(home)
    database = database_path(home)
    for suffix in _DATABASE_SUFFIXES:
        owner_only(database.with_name(database.name + suffix), FILE_MODE)
    backups = backup_folder(home)
    if backups.is_dir():
        owner_only(backups, FOLDER_MODE)
        for child in backups.iterdir():
            if child.is_file():
                owner_only(child, FILE_MODE)


def remove_leftovers(home: Path) -> list[Path]:
    """Remove what a killed run left: half-written backups (`backups/.shorei-*.sqlite3.tmp` and their
    journals, partial copies of the database with its 備考), a half-done restore, and the temporary
    folders and files of an interrupted facility-list import. Returns what was removed."""
    removed: list[Path] = []
    backups = backup_folder(home)
    if backups.is_dir():
        for child in backups.iterdir():
            if child.name.startswith(".shorei-") and ".sqlite3.tmp" in child.name:
                _remove(child, removed)
    for child in home.glob(f".{database_path(home).name}.restore.tmp*"):
        _remove(child, removed)
    facilities = facility_folder(home)
    if facilities.is_dir():
        for kind in facilities.iterdir():
            if kind.is_dir():
                _remove_import_leftovers(kind, removed)
    return removed


def _remove_import_leftovers(kind: Path, removed: list[Path]) -> None:
    lock = FolderLock(kind / ".import.lock")
    try:
        if not lock.try_acquire():
            return  # an import is running now: its temporaries are not leftovers
    except OSError:
        return
    try:
        for child in kind.iterdir():
            if child.name.startswith(".import-") or (
                child.name.startswith(".") and child.name.endswith(".tmp")
            ):
                _remove(child, removed)
    finally:
        lock.release()


def _remove(path: Path, removed: list[Path]) -> None:
    # A file another program holds open (Windows) is left for the next start.
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError:
        return
    removed.append(path)
