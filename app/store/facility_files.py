"""Facility lists as bundled files: a manifest and a UTF-8 CSV, checked against the manifest's SHA-256."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import TYPE_CHECKING

from pydantic import ValidationError

from app.models.facility import Facility, FacilityList, FacilityListInfo
from app.models.text import normalize_text
from app.models.yearmonth import parse_date
from app.resources import facility_data_path

if TYPE_CHECKING:
    from pathlib import Path

COLUMNS = ("認定番号", "施設名", "住所", "認定開始", "認定終了", "種別")


class FacilityListError(Exception):
    """A facility list that cannot be used; the message names the file and the place."""


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
    return FacilityList(info, parse_facility_csv(data.decode("utf-8-sig"), source=str(data_path)))


def parse_facility_csv(text: str, *, source: str) -> list[Facility]:
    reader = csv.reader(io.StringIO(text))
    header = [normalize_text(cell) for cell in next(reader, [])]
    missing = [column for column in COLUMNS[:3] if column not in header]
    if missing:
        raise FacilityListError(f"{source}: 列がありません: {'、'.join(missing)}")
    index = {name: header.index(name) for name in COLUMNS if name in header}
    facilities: list[Facility] = []
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            position = index.get(name)
            return normalize_text(row[position]) if position is not None and position < len(row) else ""

        try:
            facilities.append(
                Facility(
                    cert_no=cell("認定番号"),
                    name=cell("施設名"),
                    address=cell("住所"),
                    cert_start=parse_date(cell("認定開始").replace("/", "-")) if cell("認定開始") else None,
                    cert_end=parse_date(cell("認定終了").replace("/", "-")) if cell("認定終了") else None,
                    kind=cell("種別"),
                )
            )
        except (ValueError, ValidationError) as error:
            raise FacilityListError(f"{source}: {line_no}行目: {error}") from None
    return facilities


def bundled_facility_list(list_id: str = "jbct-sample") -> FacilityList:
    """A list shipped in `facility_data/`."""
    return load_facility_list(facility_data_path(list_id))
