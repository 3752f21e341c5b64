"""Reading a table a person made (CSV or XLSX) as rows of cell values, treating the file as hostile.

Shared by the facility-list import and the case import (SPEC §9):

- limits on the file's size, on what an XLSX unpacks to, on the rows that hold data, on the rows read
  at all (blank ones included) and on the columns;
- CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or Shift_JIS (cp932), comma- or
  tab-separated, told apart by content; XLSX told from CSV by its first bytes, never by its name;
- formula cells and Excel error values come back as markers (`Formula`, `ErrorValue`) when the caller
  asks, so that no caller mistakes them for typed text; merged ranges are listed for the caller to judge.

Every failure is a `TableFileError` whose message names the file and, where there is one, the place.
The table itself (`TableFile`, its sheets and rows) is pure data in `app.models.table`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import io
import re
import stat
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from app.models.table import (
    CellRange,
    ErrorValue,
    Formula,
    TableFile,
    TableFileError,
    TableRow,
    TableSheet,
    is_blank_cell,
)

if TYPE_CHECKING:
    import zipfile
    from collections.abc import Iterable
    from pathlib import Path

_UNPACKED_FACTOR: Final = 10
"""An XLSX may unpack to this many times its size (text compresses well; a zip bomb far more)."""


@dataclass(frozen=True)
class TableLimits:
    """How much a caller accepts. `max_rows` counts rows that hold data; `max_scanned_rows` bounds the
    rows read at all, blank ones included (a sheet formatted down to row 1,048,576)."""

    max_bytes: int
    max_rows: int
    max_columns: int = 200
    max_scanned_rows: int = 100_000
    keep_formulas: bool = False
    """True: a formula cell comes back as `Formula` (its text); False: as Excel's last computed value."""


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def read_table_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a table file, refused when it is too large to be one."""
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            # Windows refuses to open a folder with PermissionError, Linux with IsADirectoryError.
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        size = status.st_size
        if size > max_bytes:
            raise TableFileError(
                f"{path}: ファイルが大きすぎます（{_megabytes(size)}、上限 {max_bytes // 1024 // 1024} MB）"
            )
        return path.read_bytes()
    except IsADirectoryError:
        raise TableFileError(
            f"{path}: フォルダです。CSV か Excel（.xlsx）のファイルを指定してください"
        ) from None
    except FileNotFoundError:
        raise TableFileError(f"{path}: ファイルがありません") from None
    except OSError as error:
        raise TableFileError(f"{path}: 読み込めません（{error.strerror}）") from None
    except ValueError:
        # "embedded null byte": a name from a hostile manifest, not a path any file system has (issue 15).
        shown = str(path).replace("\0", "\\0")
        raise TableFileError(f"{shown}: ファイル名に使えない文字（NUL）が含まれています") from None


def read_table_file(path: Path, limits: TableLimits) -> TableFile:
    """Read a CSV or XLSX file from `path`."""
    return parse_table(read_table_bytes(path, limits.max_bytes), source=str(path), limits=limits)


def parse_table(data: bytes, *, source: str, limits: TableLimits) -> TableFile:
    """A whole table held in memory; XLSX is told from CSV by its content, not its name."""
    if len(data) > limits.max_bytes:
        raise TableFileError(f"{source}: データが大きすぎます（上限 {limits.max_bytes // 1024 // 1024} MB）")
    if data.startswith(b"PK\x03\x04"):
        return TableFile(source, "xlsx", "", _xlsx_sheets(data, source, limits))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableFileError(
            f"{source}: 古い Excel 形式（.xls）は読めません。Excel で「.xlsx」か「CSV」として保存し直してください"
        )
    text, encoding = decode_text(data, source)
    return TableFile(source, "csv", encoding, [csv_sheet(text, source=source, limits=limits)])


# ---- CSV ------------------------------------------------------------------------------------------


def decode_text(data: bytes, source: str) -> tuple[str, str]:
    """The text of a CSV file and the name of its encoding, found from the bytes."""
    if data.startswith(codecs.BOM_UTF8):
        encodings: tuple[tuple[str, str], ...] = (("utf-8-sig", "UTF-8（BOM付き）"),)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = (("utf-16", "UTF-16"),)
    else:
        # Excel on Japanese Windows saves CSV as Shift_JIS (cp932, with its NEC/IBM extensions).
        encodings = (("utf-8", "UTF-8"), ("cp932", "Shift_JIS"))
    for encoding, label in encodings:
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode(encoding), label
    raise TableFileError(
        f"{source}: 文字コードを読み取れません。UTF-8 か Shift_JIS の CSV、または Excel（.xlsx）で保存し直してください"
    )


def csv_sheet(text: str, *, source: str, limits: TableLimits) -> TableSheet:
    """The rows of a CSV text (comma- or tab-separated, whichever the first line uses more)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = _Collector(source, "", limits, named=False)
    start = 1
    try:
        for cells in reader:
            rows.add(start, cells)
            start = reader.line_num + 1
    except csv.Error as error:
        raise TableFileError(f"{source}: {start}行目: CSV として読めません（{error}）") from None
    return TableSheet("", rows.finish())


class _Collector:
    """Rows as they are read, checked against the limits; trailing blank rows are dropped."""

    def __init__(self, source: str, sheet: str, limits: TableLimits, *, named: bool) -> None:
        self._source, self._limits = source, limits
        self._place = TableSheet(sheet, [])
        self._named = named
        self._rows: list[TableRow] = []
        self._kept = 0
        self._filled = 0
        self._scanned = 0

    def _error(self, number: int, problem: str) -> TableFileError:
        return TableFileError(f"{self._source}: {self._place.where(number, named=self._named)}: {problem}")

    def add(self, number: int, cells: Iterable[object]) -> None:
        self._scanned += 1
        if self._scanned > self._limits.max_scanned_rows:
            raise self._error(
                number,
                f"行が多すぎます（空の行を含めて {self._limits.max_scanned_rows:,}行を超えています）。"
                "データのある部分だけを新しいシートにコピーして保存し直してください",
            )
        values = list(cells)
        while values and is_blank_cell(values[-1]):
            values.pop()
        if len(values) > self._limits.max_columns:
            raise self._error(number, f"列が多すぎます（上限 {self._limits.max_columns}列）")
        row = TableRow(number, tuple(values))
        if not values:
            if self._rows:
                self._rows.append(row)
            return
        self._filled += 1
        if self._filled > self._limits.max_rows:
            raise self._error(
                number, f"データのある行が多すぎます（見出しなどを含めて上限 {self._limits.max_rows:,}行）"
            )
        self._rows.append(row)
        self._kept = len(self._rows)

    def finish(self) -> list[TableRow]:
        return self._rows[: self._kept]


# ---- XLSX -----------------------------------------------------------------------------------------

_MAIN_NS: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_MERGE_CELL: Final = f"{{{_MAIN_NS}}}mergeCell"
_REFERENCE = re.compile(r"([A-Z]{1,3})(\d{1,7})")


def _xlsx_sheets(data: bytes, source: str, limits: TableLimits) -> list[TableSheet]:
    import zipfile  # only a workbook needs it; reading a CSV (the facility lists) keeps its start light

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise TableFileError(
            f"{source}: Excel ファイルとして読めません（壊れているか、途中で切れています）。Excel で開けるか確かめ、保存し直してください"
        ) from None
    with archive:
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            kind = "OpenDocument（.ods）" if "mimetype" in names else "Excel（.xlsx）"
            raise TableFileError(
                f"{source}: Excel（.xlsx）のファイルではありません（{kind}の形式ではないか、壊れています）。"
                "Excel で「.xlsx」か「CSV」として保存し直してください"
            )
        unpacked = sum(member.file_size for member in members)
        if unpacked > limits.max_bytes * _UNPACKED_FACTOR:
            raise TableFileError(
                f"{source}: 展開後のサイズが大きすぎます（{_megabytes(unpacked)}）。"
                "症例の表だけを新しいブックにコピーして保存し直してください"
            )
        return _workbook_sheets(data, archive, source, limits)


def _workbook_sheets(
    data: bytes, archive: zipfile.ZipFile, source: str, limits: TableLimits
) -> list[TableSheet]:
    import openpyxl  # only an import needs it; keeps every other start fast

    _skip_sizing_scan()
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter to a table.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=not limits.keep_formulas
            )
            try:
                if not workbook.worksheets:
                    raise TableFileError(
                        f"{source}: 表のシートがありません（グラフのシートだけのブックです）"
                    )
                named = len(workbook.worksheets) > 1
                return [_sheet(sheet, archive, source, limits, named=named) for sheet in workbook.worksheets]
            finally:
                workbook.close()
    except TableFileError:
        raise
    # A hostile file may break the parser anywhere, with any exception: each is the same refusal.
    except Exception as error:
        raise TableFileError(f"{source}: Excel ファイルとして読めません（{type(error).__name__}）") from None


def _skip_sizing_scan() -> None:
    """openpyxl sizes a read-only sheet on opening it, and a sheet without a `<dimension>` element is read
    whole for that, before any row is counted (a 9.7 MB list took 14 s to be refused, issue 15 item 6).
    The size is never used here (`_sheet` resets it and streams the rows against the limits), so the sheets
    are opened unsized. openpyxl makes its read-only sheets through this one name in its reader."""
    from openpyxl.reader import excel
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if excel.ReadOnlyWorksheet is ReadOnlyWorksheet:

        class UnsizedReadOnlyWorksheet(ReadOnlyWorksheet):  # type: ignore[misc]
            def _get_size(self) -> None:
                return None

        excel.ReadOnlyWorksheet = UnsizedReadOnlyWorksheet


def _sheet(
    sheet: Any, archive: zipfile.ZipFile, source: str, limits: TableLimits, *, named: bool
) -> TableSheet:
    # The dimension a file declares may be wrong or hostile (A1:XFD1048576): rows are read as they are.
    sheet.reset_dimensions()
    rows = _Collector(source, sheet.title, limits, named=named)
    if limits.keep_formulas:
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            rows.add(number, (_cell_value(cell) for cell in cells))
    else:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.add(number, values)
    # openpyxl's read-only sheets do not report merged cells; they are read from the sheet's own part.
    return TableSheet(sheet.title, rows.finish(), _merged_ranges(archive, sheet._worksheet_path))


def _cell_value(cell: Any) -> object:
    data_type = getattr(cell, "data_type", None)
    if data_type == "f":
        value = cell.value
        return Formula(str(getattr(value, "text", None) or value))
    if data_type == "e":
        return ErrorValue(str(cell.value))
    return cell.value


def _merged_ranges(archive: zipfile.ZipFile, part: str) -> list[CellRange]:
    from xml.etree import ElementTree

    ranges: list[CellRange] = []
    with archive.open(part.lstrip("/")) as stream:
        for _event, element in ElementTree.iterparse(stream):
            if element.tag == _MERGE_CELL:
                found = _cell_range(element.get("ref", ""))
                if found is not None:
                    ranges.append(found)
            element.clear()
    return ranges


def _cell_range(reference: str) -> CellRange | None:
    corners: list[tuple[int, int]] = []
    for part in reference.upper().split(":"):
        match = _REFERENCE.fullmatch(part)
        if match is None:
            return None
        corners.append((int(match[2]), _column_number(match[1])))
    if len(corners) not in (1, 2):
        return None
    (first_row, first_column), (last_row, last_column) = corners[0], corners[-1]
    return CellRange(first_row, first_column, last_row, last_column)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
