"""A table as a person made it (a CSV file, or a sheet of an XLSX workbook): rows of raw cell values.

Pure data, read from files by `app.store.table_files`, and read into cases by `app.models.case_list`.
Formula cells and Excel error values are markers (`Formula`, `ErrorValue`), never text, so that no reader
mistakes =TODAY() or #N/A for what a person typed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal


class TableFileError(Exception):
    """A table file that cannot be read; the message names the file and the place."""


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula (=A1+1), not a value."""

    text: str


@dataclass(frozen=True)
class ErrorValue:
    """A cell that shows one of Excel's error values (#N/A, #REF! …)."""

    text: str


@dataclass(frozen=True)
class CellRange:
    """A block of cells (1-based, inclusive), as merged cells are."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int

    def __str__(self) -> str:
        return (
            f"{column_letter(self.first_column)}{self.first_row}:"
            f"{column_letter(self.last_column)}{self.last_row}"
        )


@dataclass(frozen=True)
class TableRow:
    """One row: its number in the file (the sheet's row, or the CSV line it starts on) and its cells,
    without trailing empty cells."""

    number: int
    cells: tuple[object, ...]

    def is_blank(self) -> bool:
        return all(is_blank_cell(cell) for cell in self.cells)


@dataclass(frozen=True)
class TableSheet:
    """One sheet (a CSV file is one sheet with no name). Rows after the last one with data are dropped."""

    name: str
    rows: list[TableRow]
    merged: list[CellRange] = field(default_factory=list)

    def where(self, number: int, *, named: bool) -> str:
        """A row as messages name it: 「12行目」 or 「シート「一覧」の12行目」."""
        return f"シート「{self.name}」の{number}行目" if named and self.name else f"{number}行目"


@dataclass(frozen=True)
class TableFile:
    """What a table file holds: its sheets, and how it was read (for the user to see)."""

    source: str
    format: Literal["xlsx", "csv"]
    encoding: str
    """For CSV the encoding found (UTF-8, UTF-8（BOM付き）, Shift_JIS, UTF-16); "" for XLSX."""
    sheets: list[TableSheet]

    def sheet(self, name: str | None) -> TableSheet:
        """The sheet called `name` (the first when None)."""
        if name is None:
            return self.sheets[0]
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        names = "、".join(f"「{sheet.name}」" for sheet in self.sheets)
        raise TableFileError(f"{self.source}: シート「{name}」がありません（シート: {names}）")


def heading_key(value: object) -> str:
    """A column heading as headings are compared: NFKC (全角 and 半角 alike), no spaces, any case."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(text.split()).casefold()


def is_blank_cell(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def column_letter(number: int) -> str:
    """1 → A, 27 → AA (as Excel names columns)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
