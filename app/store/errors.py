"""What can go wrong in the store, each with a Japanese message that says what happened and what to do."""

from __future__ import annotations

import errno
import sqlite3
from typing import TYPE_CHECKING, Final, Literal

from app.operations.errors import EditError as EditError  # defined below the store, raised by both
from app.operations.errors import HistoryError as HistoryError
from app.operations.errors import StoreError as StoreError

if TYPE_CHECKING:
    from pathlib import Path

_SQLITE_BUSY: Final = 5
_SQLITE_LOCKED: Final = 6
_SQLITE_IOERR: Final = 10
_SQLITE_FULL: Final = 13

Fault = Literal["full", "io", "busy"]


def fault_of(error: BaseException) -> Fault | None:
    """What kind of fault outside the data an error is: a full disk, a failing disk (I/O), or another
    writer holding the database (busy); None for anything else (corruption included). SQLite's own code
    decides when it is there; its message when it is not (an error raised by a wrapper or a test)."""
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(error).lower()
        if primary == _SQLITE_FULL or "database or disk is full" in text:
            return "full"
        if primary == _SQLITE_IOERR or "disk i/o error" in text:
            return "io"
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
            return "busy"
        return None
    if isinstance(error, OSError):
        if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return "full"
        if error.errno == errno.EIO:
            return "io"
    return None


class StoreLockedError(StoreError):
    """Another Shorei holds the data folder and a read-only view was not wanted (or not possible)."""

    def __init__(self, home: Path, holder: str) -> None:
        who = f"（{holder}）" if holder else ""
        super().__init__(
            f"{home}: このデータフォルダは別の Shorei が使用中です{who}。"
            "もう一方の Shorei を終了してから開き直してください"
        )
        self.home = home
        self.holder = holder


class StoreReadOnlyError(StoreError):
    """A change was asked of a store opened read-only because another Shorei is writing to it."""

    def __init__(self) -> None:
        super().__init__(
            "読み取り専用で開いているため変更できません（別の Shorei がこのデータフォルダを使用中です）。"
            "もう一方の Shorei を終了してから開き直してください"
        )


class StoreCorruptError(StoreError):
    """The database failed its integrity check or is not a database. `backup` is the newest backup to
    restore from (`app.store.restore_backup`), or None when there is none."""

    def __init__(self, path: Path, detail: str, backup: Path | None) -> None:
        if backup is not None:
            advice = f"最新のバックアップ（{backup.name}）から復元してください"
        else:
            advice = "バックアップがありません。データフォルダごと保管し、サポートに相談してください"
        super().__init__(f"{path}: データベースが壊れています（{detail}）。{advice}")
        self.path = path
        self.detail = detail
        self.backup = backup


class StoreDiskError(StoreError):
    """The disk is full or fails to read or write (SPEC §9): never reported as a corrupt database, whose
    advice (restore a backup) would throw away up to a day of work that is intact."""

    def __init__(self, place: Path | str, detail: str, fault: Fault, *, saving: bool) -> None:
        if fault == "full":
            what = f"ディスクの空き容量が足りません（{detail}）"
        else:
            what = f"ディスクの読み書きに失敗しました（{detail}）。ディスクの空き容量と接続を確認してください"
        kept = "保存済みのデータは失われていません（データベースは壊れていません）"
        then = (
            "この変更は保存されていません。空き容量を作ってから、もう一度操作してください"
            if saving
            else "空き容量を作ってから開き直してください"
        )
        super().__init__(f"{place}: {what}。{kept}。{then}")
        self.fault = fault


class StoreTakenError(StoreError):
    """A change found the folder written by another Shorei (its lock file was deleted or replaced)."""

    def __init__(self, home: Path) -> None:
        super().__init__(
            f"{home}: 別の Shorei がこのデータフォルダを使用しています（ロックファイル shorei.lock が削除または"
            "置き換えられました）。この変更は保存されていません。すべての Shorei を終了してから開き直してください"
        )


class StoreVersionError(StoreError):
    """The database was written by a newer Shorei; opening it here could lose what that version stores."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        super().__init__(
            f"{path}: 新しい版の Shorei で作成されたデータベースです（形式 {found}、この版は {supported} まで）。"
            "Shorei を最新版に更新してから開いてください"
        )
        self.path = path
        self.found = found
        self.supported = supported


class NotFoundError(StoreError, LookupError):
    """No application with that id (it may have been removed from the trash)."""

    def __init__(self, app_id: int) -> None:
        super().__init__(f"申請データ（番号 {app_id}）が見つかりません。ゴミ箱を空にした後かもしれません")
        self.app_id = app_id


class FormRemovedError(EditError):
    """An earlier state cannot be brought back: its form's pack was removed (`shorei forms remove`). The
    window drops such an undo step; installing the pack again makes the state reachable again."""
