"""Facility lists as bundled files: a manifest and a data file, checked against the manifest's SHA-256."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from pydantic import ValidationError

from app.models.facility import Facility, FacilityList, FacilityListInfo
from app.resources import facility_data_path
from app.store.facility_table import FacilityListError, parse_facility_table, parse_facility_text

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "COLUMNS",
    "FacilityListError",
    "bundled_facility_list",
    "load_facility_list",
    "parse_facility_csv",
]

COLUMNS = ("認定番号", "施設名", "住所", "認定開始", "認定終了", "種別")


def load_facility_list(folder: Path) -> FacilityList:
    """Read `folder/manifest.json` and the data file it names."""
    manifest_path = folder / "manifest.json"
    try:
        info = FacilityListInfo.model_validate_json(manifest_path.read_bytes())
    except (OSError, ValidationError) as error:
        raise FacilityListError(f"{manifest_path}: 施設一覧の目録を読めません: {error}") from None
    data_path = folder / info.data_file
    try:
        data = data_path.read_bytes()
    except OSError as error:
        raise FacilityListError(f"{data_path}: 読み込めません（{error.strerror}）") from None
    if hashlib.sha256(data).hexdigest() != info.sha256:
        raise FacilityListError(f"{data_path}: 目録の SHA-256 と一致しません（ファイルが変更されています）")
    return FacilityList(info, parse_facility_table(data, source=str(data_path)))


def parse_facility_csv(text: str, *, source: str) -> list[Facility]:
    """A CSV list already decoded (the same reader as `shorei facilities import`)."""
    return parse_facility_text(text, source=source)


def bundled_facility_list(list_id: str = "jbct-sample") -> FacilityList:
    """A list shipped in `facility_data/`."""
    return load_facility_list(facility_data_path(list_id))
