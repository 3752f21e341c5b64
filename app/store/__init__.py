"""SQLite: schema, migrations, autosave, history, backups, facility index (no Qt)."""

from app.store.backups import Backup, list_backups, newest_backup, restore_backup
from app.store.edits import FieldValue
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
    facility_list_status,
    import_facility_list,
    known_facility_lists,
    revert_facility_list,
)
from app.store.facility_table import FacilityListError
from app.store.patch import Edit
from app.store.store import ApplicationInfo, ArchivedReport, Change, SentRequest, Store

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
    "facility_list_status",
    "fold",
    "import_facility_list",
    "known_facility_lists",
    "list_backups",
    "newest_backup",
    "restore_backup",
    "revert_facility_list",
]
