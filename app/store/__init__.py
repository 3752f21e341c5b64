"""SQLite: schema, migrations, autosave, history, backups, facility index (no Qt)."""

from app.store.backups import Backup, list_backups, newest_backup, restore_backup
from app.store.edits import FieldValue
from app.store.errors import (
    EditError,
    HistoryError,
    NotFoundError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
    StoreVersionError,
)
from app.store.patch import Edit
from app.store.store import ApplicationInfo, Change, Store

__all__ = [
    "ApplicationInfo",
    "Backup",
    "Change",
    "Edit",
    "EditError",
    "FieldValue",
    "HistoryError",
    "NotFoundError",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreReadOnlyError",
    "StoreVersionError",
    "list_backups",
    "newest_backup",
    "restore_backup",
]
