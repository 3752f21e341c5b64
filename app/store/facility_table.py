"""Reading a facility list as the societies publish it: CSV (UTF-8, UTF-8 with BOM, Shift_JIS, UTF-16
tab-separated as Excel writes "Unicode text") or XLSX.

The file is hostile until read whole (SPEC §9): size and row limits (app.store.table_files reads the
file, as it does for case lists), the header found among the first
rows under any of its usual names, every row checked (missing 認定番号 or 施設名, dates that cannot be
read, an end before the start, control characters, the same 認定番号 twice for the same period and
kind). The first problem is reported with the file and line, and how many more there are; nothing is
returned unless every row is good.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from pydantic import ValidationError

from app.models.facility import Facility
from app.models.table import TableFile, TableFileError, TableSheet, heading_key
from app.models.text import normalize_text, text_problem
from app.store.table_files import TableLimits, csv_sheet, parse_table, read_table_bytes

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

MAX_FILE_BYTES: Final = 50 * 1024 * 1024
MAX_ROWS: Final = 200_000
"""Far above any society's list (a few thousand facilities), far below what would hurt."""
_HEADER_SEARCH_ROWS: Final = 10

COLUMN_LABELS: Final = {
    "cert_no": "認定番号",
    "name": "施設名",
    "address": "住所",
    "cert_start": "認定開始",
    "cert_end": "認定終了",
    "kind": "種別",
}
_ALIASES: Final = {
    "cert_no": ("認定番号", "施設認定番号", "認定施設番号", "施設番号", "施設コード", "認定no", "番号"),
    "name": ("施設名", "施設名称", "認定施設名", "医療機関名", "病院名", "名称"),
    "address": ("住所", "所在地", "施設住所", "施設所在地"),
    "cert_start": (
        "認定開始",
        "認定開始日",
        "認定開始年月日",
        "認定日",
        "認定年月日",
        "認定期間開始",
        "認定期間(開始)",
        "開始日",
    ),
    "cert_end": (
        "認定終了",
        "認定終了日",
        "認定終了年月日",
        "認定期限",
        "有効期限",
        "認定満了日",
        "認定期間終了",
        "認定期間(終了)",
        "終了日",
    ),
    "kind": ("種別", "施設種別", "認定種別", "区分", "施設区分", "認定区分"),
}
REQUIRED: Final = ("cert_no", "name", "address")
_LIMITS: Final = {"cert_no": 50, "name": 200, "address": 300, "kind": 100}


class FacilityListError(Exception):
    """A facility list that cannot be used; the message names the file and the place."""


class FacilityListMissingError(FacilityListError):
    """No list of that kind at all: none imported and no sample bundled (not a broken list)."""


_BY_HEADER: Final = {heading_key(alias): key for key, aliases in _ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class _Row:
    line: str
    """Where the row is, for messages: 「12行目」 or 「シート「一覧」の12行目」."""
    cells: tuple[object, ...]


_LIMITS_FILE: Final = TableLimits(
    max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS + _HEADER_SEARCH_ROWS, max_scanned_rows=10 * MAX_ROWS
)


def read_facility_file(path: Path) -> list[Facility]:
    """Read a CSV or XLSX facility list from `path`."""
    return parse_facility_table(read_list_bytes(path), source=str(path))


def read_list_bytes(path: Path) -> bytes:
    """The bytes of a list file, refused when it is too large to be a list."""
    try:
        return read_table_bytes(path, MAX_FILE_BYTES)
    except TableFileError as error:
        raise FacilityListError(str(error)) from None


def parse_facility_table(data: bytes, *, source: str) -> list[Facility]:
    """Parse a whole list held in memory; XLSX is told from CSV by its content, not its name."""
    try:
        table = parse_table(data, source=source, limits=_LIMITS_FILE)
    except TableFileError as error:
        raise FacilityListError(str(error)) from None
    return _facilities(_list_rows(table), source)


def parse_facility_text(text: str, *, source: str) -> list[Facility]:
    """Parse a CSV list already decoded."""
    try:
        sheet = csv_sheet(text, source=source, limits=_LIMITS_FILE)
    except TableFileError as error:
        raise FacilityListError(str(error)) from None
    return _facilities(_rows_of(sheet, named=False), source)


def is_facility_table(table: TableFile) -> bool:
    """Whether some sheet of `table` has a facility list's header (認定番号 and 施設名 in its first rows)."""
    return any(_find_header(_rows_of(sheet, named=False)) is not None for sheet in table.sheets)


def _rows_of(sheet: TableSheet, *, named: bool) -> list[_Row]:
    return [_Row(sheet.where(row.number, named=named), row.cells) for row in sheet.rows]


def _list_rows(table: TableFile) -> list[_Row]:
    """The rows of the first sheet that has the list's header (or of the first sheet)."""
    named = len(table.sheets) > 1
    for sheet in table.sheets:
        rows = _rows_of(sheet, named=named)
        if _find_header(rows) is not None:
            return rows
    return _rows_of(table.sheets[0], named=named) if table.sheets else []


# ---- rows -----------------------------------------------------------------------------------------


def _find_header(rows: Iterable[_Row]) -> tuple[int, dict[str, int]] | None:
    for position, row in enumerate(rows):
        if position >= _HEADER_SEARCH_ROWS:
            break
        columns: dict[str, int] = {}
        for index, cell in enumerate(row.cells):
            key = _BY_HEADER.get(heading_key(cell))
            if key is not None and key not in columns:
                columns[key] = index
        if "cert_no" in columns and "name" in columns:
            return position, columns
    return None


def _facilities(rows_iter: Iterable[_Row], source: str) -> list[Facility]:
    rows = list(rows_iter)
    found = _find_header(rows)
    if found is None:
        first = next((row for row in rows if any(_text(cell) for cell in row.cells)), None)
        shown = "、".join(_text(cell) for cell in first.cells[:8] if _text(cell)) if first is not None else ""
        needed = "、".join(COLUMN_LABELS[key] for key in REQUIRED)
        where = f"（{first.line}: {shown}）" if first is not None and shown else ""
        raise FacilityListError(f"{source}: 見出しの行が見つかりません。列「{needed}」が必要です{where}")
    header_at, columns = found
    missing = [COLUMN_LABELS[key] for key in REQUIRED if key not in columns]
    if missing:
        raise FacilityListError(
            f"{source}: {rows[header_at].line}の見出しに列がありません: {'、'.join(missing)}"
        )
    problems: list[str] = []
    facilities: list[Facility] = []
    seen: dict[tuple[str, str, dt.date | None, dt.date | None], str] = {}
    for row in rows[header_at + 1 :]:
        if not any(_text(cell) for cell in row.cells):
            continue
        if len(facilities) >= MAX_ROWS:
            problems.append(f"{row.line}: 行が多すぎます（上限 {MAX_ROWS}行）")
            break
        facility, problem = _facility(row, columns)
        if problem is not None or facility is None:
            problems.append(f"{row.line}: {problem}")
            continue
        key = (facility.cert_no, facility.kind, facility.cert_start, facility.cert_end)
        if (first_line := seen.get(key)) is not None:
            problems.append(
                f"{row.line}: 認定番号 {facility.cert_no} が{first_line}と重複しています"
                "（同じ認定期間・種別の行は1つにしてください）"
            )
            continue
        seen[key] = row.line
        facilities.append(facility)
    if problems:
        more = f"（ほか{len(problems) - 1}件）" if len(problems) > 1 else ""
        raise FacilityListError(f"{source}: {problems[0]}{more}。直してから取り込み直してください")
    if not facilities:
        raise FacilityListError(f"{source}: 施設が1件もありません")
    return facilities


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return normalize_text(str(value))


def _facility(row: _Row, columns: dict[str, int]) -> tuple[Facility | None, str | None]:
    def cell(key: str) -> object:
        index = columns.get(key)
        return row.cells[index] if index is not None and index < len(row.cells) else None

    values = {key: _text(cell(key)) for key in ("cert_no", "name", "address", "kind")}
    for key in ("cert_no", "name"):
        if not values[key]:
            return None, f"{COLUMN_LABELS[key]}がありません"
    for key, limit in _LIMITS.items():
        problem = text_problem(values[key], max_length=limit)
        if problem is not None:
            return None, f"{COLUMN_LABELS[key]}: {problem}"
    dates: dict[str, dt.date | None] = {}
    for key in ("cert_start", "cert_end"):
        try:
            dates[key] = parse_list_date(cell(key), end=key == "cert_end")
        except ValueError as error:
            return None, f"{COLUMN_LABELS[key]}: {error}"
    start, end = dates["cert_start"], dates["cert_end"]
    if start is not None and end is not None and start > end:
        return None, f"認定開始（{start:%Y/%m/%d}）が認定終了（{end:%Y/%m/%d}）より後です"
    try:
        return Facility(cert_start=start, cert_end=end, **values), None
    except ValidationError as error:
        return None, str(error.errors(include_url=False)[0]["msg"])


_FULL_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_ONLY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_ERA_DATE = re.compile(
    r"(令和|平成|昭和|r|h|s)\s*(\d{1,2}|元)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
)
_ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988, "昭和": 1925, "s": 1925}
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_list_date(value: object, *, end: bool = False) -> dt.date | None:
    """A date as lists write it: 2024-04-01, 2024/4/1, 2024年4月1日, 20240401, 令和6年4月1日, R6.4.1, an
    Excel date, or a month alone (2024/04: the first day, or for an end the last day). Empty is None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel serial day number that lost its date format on the way.
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(f"日付が読めません（{value}）")
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if not text:
        return None
    try:
        if match := _FULL_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _ERA_DATE.fullmatch(text):
            year = _ERAS[match[1]] + (1 if match[2] == "元" else int(match[2]))
            return dt.date(year, int(match[3]), int(match[4]))
        if match := _MONTH_ONLY.fullmatch(text):
            year, month = int(match[1]), int(match[2])
            first = dt.date(year, month, 1)
            if not end:
                return first
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
    except ValueError:
        raise ValueError(f"存在しない日付です（{str(value).strip()}）") from None
    raise ValueError(f"日付が読めません（{str(value).strip()}）。2024/04/01 の形で書いてください")
