"""The facility lists in use, one per kind a form names, reopened after an import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.store import FacilityListError, facilities_for, import_facility_list

if TYPE_CHECKING:
    from app.models.facility import Facility, FacilityLookup


class ActiveFacilities:
    """The facility list in use (imported, or the bundled sample), reopened after an import."""

    def __init__(self, home: Path, kind: str) -> None:
        self._home, self._kind = home, kind
        self.index = facilities_for(home, kind)

    def lookup(self) -> FacilityLookup:
        return self.index

    def search(self, text: str) -> list[Facility]:
        return [hit.facility for hit in self.index.search(text, limit=200)]

    def reopen(self) -> None:
        self.index.close()
        self.index = facilities_for(self._home, self._kind)

    def import_file(self, parent: QWidget, dropped: Path | None = None) -> bool:
        """Ask for the society's list (CSV or XLSX), or take the `dropped` one, and import it; the whole
        file or nothing."""
        path = str(dropped) if dropped is not None else ""
        if dropped is None:
            path, _ = QFileDialog.getOpenFileName(
                parent, "施設一覧を取り込む", "", "施設一覧 (*.csv *.xlsx);;すべてのファイル (*)"
            )
        if not path:
            return False
        try:
            result = import_facility_list(self._home, Path(path), kind=self._kind)
        except FacilityListError as error:
            QMessageBox.warning(parent, "取り込めません", str(error))
            return False
        self.reopen()
        QMessageBox.information(
            parent,
            "施設一覧",
            f"「{result.info.name}」（{result.count}施設）を取り込み、使用を開始しました。",
        )
        return True


class FacilitySources:
    """The facility list in use for each kind a form names (`[facility] list_kind`), opened on first use."""

    def __init__(self, home: Path) -> None:
        self._home = home
        self._open: dict[str, ActiveFacilities] = {}

    def get(self, kind: str) -> ActiveFacilities:
        if kind not in self._open:
            self._open[kind] = ActiveFacilities(self._home, kind)
        return self._open[kind]

    def close(self) -> None:
        for source in self._open.values():
            source.index.close()
        self._open.clear()
