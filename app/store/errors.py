"""What can go wrong in the store, each with a Japanese message that says what happened and what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class StoreError(Exception):
    """Base of every store error. `str()` is one Japanese line fit for a dialog or stderr."""


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


class EditError(StoreError, ValueError):
    """An operation refused its input (a value that cannot be read, a row that does not exist).
    Nothing was changed; the message names the place and says what to type."""


class NotFoundError(StoreError, LookupError):
    """No application with that id (it may have been removed from the trash)."""

    def __init__(self, app_id: int) -> None:
        super().__init__(f"申請データ（番号 {app_id}）が見つかりません。ゴミ箱を空にした後かもしれません")
        self.app_id = app_id


class HistoryError(StoreError):
    """The recorded history does not fit the stored state, so an earlier state cannot be rebuilt."""
