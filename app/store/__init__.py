"""SQLite: schema, migrations, autosave, history, backups, facility index (no Qt).

The names below are loaded when first used (PEP 562), so that a command needing one module of the
store (`shorei validate` needs only the facility lists) does not import the whole of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.operations.patch import Edit
    from app.operations.plan import FieldValue
    from app.store.applications import ApplicationInfo
    from app.store.archive import ArchivedReport, SentRequest
    from app.store.backups import Backup, list_backups, newest_backup, restore_backup
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
    )
    from app.store.facility_index import FacilityHit, FacilityIndex, fold
    from app.store.facility_lists import (
        FacilityListStatus,
        ImportResult,
        active_facility_list,
        facilities_for,
        facility_list_status,
        import_facility_list,
        known_facility_lists,
        revert_facility_list,
    )
    from app.store.facility_table import FacilityListError
    from app.store.history import Change
    from app.store.store import Store

_WHERE = {
    "Backup": "app.store.backups",
    "list_backups": "app.store.backups",
    "newest_backup": "app.store.backups",
    "restore_backup": "app.store.backups",
    "FieldValue": "app.operations.plan",
    "EditError": "app.store.errors",
    "HistoryError": "app.store.errors",
    "NotFoundError": "app.store.errors",
    "StoreCorruptError": "app.store.errors",
    "StoreDiskError": "app.store.errors",
    "StoreError": "app.store.errors",
    "StoreLockedError": "app.store.errors",
    "StoreReadOnlyError": "app.store.errors",
    "StoreTakenError": "app.store.errors",
    "StoreVersionError": "app.store.errors",
    "FacilityHit": "app.store.facility_index",
    "FacilityIndex": "app.store.facility_index",
    "fold": "app.store.facility_index",
    "FacilityListStatus": "app.store.facility_lists",
    "ImportResult": "app.store.facility_lists",
    "active_facility_list": "app.store.facility_lists",
    "facilities_for": "app.store.facility_lists",
    "facility_list_status": "app.store.facility_lists",
    "import_facility_list": "app.store.facility_lists",
    "known_facility_lists": "app.store.facility_lists",
    "revert_facility_list": "app.store.facility_lists",
    "FacilityListError": "app.store.facility_table",
    "Edit": "app.operations.patch",
    "ApplicationInfo": "app.store.applications",
    "ArchivedReport": "app.store.archive",
    "Change": "app.store.history",
    "SentRequest": "app.store.archive",
    "Store": "app.store.store",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "ApplicationInfo",
    "ArchivedReport",
    "Backup",
    "Change",
    "Edit",
    "EditError",
    "FacilityHit",
    "FacilityIndex",
    "FacilityListError",
    "FacilityListStatus",
    "FieldValue",
    "HistoryError",
    "ImportResult",
    "NotFoundError",
    "SentRequest",
    "Store",
    "StoreCorruptError",
    "StoreDiskError",
    "StoreError",
    "StoreLockedError",
    "StoreReadOnlyError",
    "StoreTakenError",
    "StoreVersionError",
    "active_facility_list",
    "facilities_for",
    "facility_list_status",
    "fold",
    "import_facility_list",
    "known_facility_lists",
    "list_backups",
    "newest_backup",
    "restore_backup",
    "revert_facility_list",
]
