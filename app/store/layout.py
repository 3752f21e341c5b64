"""Where the store keeps its files inside the data folder (`app.paths.data_home()`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pathlib import Path

DATABASE_NAME: Final = "shorei.sqlite3"
LOCK_NAME: Final = "shorei.lock"
BACKUP_FOLDER: Final = "backups"
FACILITY_FOLDER: Final = "facilities"


def database_path(home: Path) -> Path:
    return home / DATABASE_NAME


def lock_path(home: Path) -> Path:
    return home / LOCK_NAME


def backup_folder(home: Path) -> Path:
    return home / BACKUP_FOLDER


def facility_folder(home: Path) -> Path:
    return home / FACILITY_FOLDER
