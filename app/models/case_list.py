"""Reading a clerk's case list (a sheet of rows) into cases, with a report of what was taken and why not.

The steps, each a pure function the window, the CLI and the tests share:

1. `find_header`: the heading row among the first rows (clerk sheets often have a title or two above).
2. `propose_mapping`: which file column holds which field, by the headings the form lists for each field
   (its label and `aliases`: 年齢/歳, 性別/性, 診療項目/実施項目, 開始/開始年月, 診断名/病名, 病理 …).
   The user may change it; a column may be left out (None).
3. `read_cases`: every value of a mapped column through `app.models.cells.read_cell` (full-width digits,
   65歳, 男性/M, 2024/5, R6.5, 令和6年5月, trailing spaces …); Excel date cells become year-months. A
   value that cannot be read is left empty and reported with its row in the file, its column and why;
   blank rows are skipped and listed. Formulas and merged cells in what would be read refuse the whole
   table (`CaseListError`), since their value is not what the file shows.

The rules (`app.validation.validate`) then judge the imported cases as they judge typed ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from app.models.application import Case
from app.models.cells import CellProblem, CellValue, display_value, read_cell
from app.models.table import ErrorValue, Formula, column_letter, heading_key, is_blank_cell

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.forms import FieldSpec, FormDefinition
    from app.models.table import TableRow, TableSheet

HEADER_SEARCH_ROWS: Final = 10
"""The heading is looked for among this many rows with something in them."""
_MIN_RECOGNISED: Final = 2
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
_SERIAL_DAYS: Final = range(1, 100_000)
"""Whole numbers in a year-month column below 100000 are Excel day numbers that lost their date format
(45413 is 2024-05-01); six-digit ones are YYYYMM (202405)."""


class CaseListError(ValueError):
    """A table that cannot be imported as it is mapped; the message says where and what to do."""


@dataclass(frozen=True)
class Column:
    """A column of the file: its position (0-based), its heading, and the field it is read into."""

    index: int
    header: str
    key: str | None

    @property
    def letter(self) -> str:
        return column_letter(self.index + 1)

    def describe(self) -> str:
        """「C列（性別）」, or 「C列」 for a column without a heading."""
        return f"{self.letter}列（{self.header}）" if self.header else f"{self.letter}列"


def case_fields(form: FormDefinition) -> list[FieldSpec]:
    """The fields a case list may fill, in the form's order."""
    return list(form.fields)


def list_problem(form: FormDefinition) -> str | None:
    """Why cases of this form cannot come from (or go to) a case list, or None. Only forms laid out in
    sections of numbered rows (JBCT) have one; a case report (JSPM) is written case by case."""
    if form.layout != "sections":
        return f"この様式（{form.title}）の症例は一覧表から取り込めません（1例ずつの症例報告です）"
    return None


def _heading_score(spec: FieldSpec, heading: str) -> int:
    """How well a heading names the field: an exact name beats one contained in a longer heading; a
    longer contained name beats a shorter one. 0: not at all."""
    if not heading:
        return 0
    best = 0
    for name in (spec.label, spec.key, *spec.aliases):
        wanted = heading_key(name)
        if not wanted:
            continue
        if heading == wanted:
            return 1000 + len(wanted)
        # 「年齢（歳）」 holds 年齢; a one-letter or Latin name only counts exactly (性 in 悪性度, age in stage).
        if len(wanted) > 1 and not wanted.isascii() and wanted in heading:
            best = max(best, len(wanted))
    return best


def _match(form: FormDefinition, headings: Sequence[str]) -> list[str | None]:
    """Each heading's field, each field given to at most one column (the best named, then the first)."""
    keys: list[str | None] = [None] * len(headings)
    scored = sorted(
        (
            (-score, index, spec.key)
            for index, heading in enumerate(headings)
            for spec in case_fields(form)
            if (score := _heading_score(spec, heading_key(heading)))
        ),
    )
    used: set[str] = set()
    for _score, index, key in scored:
        if keys[index] is None and key not in used:
            keys[index] = key
            used.add(key)
    return keys


def _cell_heading(value: object) -> str:
    if is_blank_cell(value) or isinstance(value, Formula | ErrorValue):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def find_header(form: FormDefinition, sheet: TableSheet) -> int | None:
    """The row number (in the file) of the heading row: of the first rows with something in them, the
    one that names the most fields (at least two); None when no row does."""
    best: tuple[int, int] | None = None
    candidates = [row for row in sheet.rows if not row.is_blank()][:HEADER_SEARCH_ROWS]
    for row in candidates:
        named = sum(key is not None for key in _match(form, [_cell_heading(cell) for cell in row.cells]))
        if named >= _MIN_RECOGNISED and (best is None or named > best[1]):
            best = (row.number, named)
    return None if best is None else best[0]


def _width(sheet: TableSheet) -> int:
    return max((len(row.cells) for row in sheet.rows), default=0)


def propose_mapping(form: FormDefinition, sheet: TableSheet, header: int | None) -> list[Column]:
    """Every column of the sheet with its heading (from row `header`) and the field it seems to hold."""
    heading_row = next((row for row in sheet.rows if row.number == header), None)
    cells = heading_row.cells if heading_row is not None else ()
    headings = [_cell_heading(cells[index]) if index < len(cells) else "" for index in range(_width(sheet))]
    return [
        Column(index, heading, key)
        for index, (heading, key) in enumerate(zip(headings, _match(form, headings), strict=True))
    ]


@dataclass(frozen=True)
class Refusal:
    """A value in the file that was not taken, and why (Japanese)."""

    row: int
    """The row's number in the file (as Excel or a text editor shows it)."""
    column: Column
    key: str
    text: str
    message: str

    def describe(self) -> str:
        return f"{self.row}行目 {self.column.describe()}: {self.message}"


@dataclass(frozen=True)
class ReadRow:
    """One row of the file with something in it: the case read from it, and the values refused."""

    number: int
    case: Case
    values: dict[str, CellValue]
    """The values taken, by field (only those with something in them)."""
    refused: dict[str, Refusal]

    @property
    def imported(self) -> bool:
        """A row from which nothing could be taken is not imported (it would be an empty line)."""
        return bool(self.values)


@dataclass(frozen=True)
class CaseListReading:
    """What a sheet yields: the rows read (in file order), and the blank rows skipped."""

    sheet: str
    header: int | None
    columns: list[Column]
    rows: list[ReadRow]
    blank: list[int] = field(default_factory=list)

    def imported(self) -> list[ReadRow]:
        return [row for row in self.rows if row.imported]

    def cases(self) -> list[Case]:
        return [row.case for row in self.imported()]

    def refusals(self) -> list[Refusal]:
        return [refusal for row in self.rows for refusal in row.refused.values()]

    def dropped(self) -> list[ReadRow]:
        """Rows with something in them of which nothing could be taken."""
        return [row for row in self.rows if not row.imported]

    def summary(self) -> str:
        """One line: 「24件を取り込みます。2件の値は取り込めません。空の行 1行をとばします」."""
        parts = [f"{len(self.imported())}件を取り込みます"]
        if refused := self.refusals():
            parts.append(f"{len(refused)}件の値は取り込めません")
        if self.dropped():
            parts.append(f"値を読めない行 {len(self.dropped())}行は取り込みません")
        if self.blank:
            parts.append(f"空の行 {len(self.blank)}行をとばします")
        return "。".join(parts)

    def report(self, form: FormDefinition) -> list[str]:
        """Lines for the user: each value not taken and why (naming the row in the file, the column's
        letter and heading), rows of which nothing could be read, blank rows skipped, then per row the
        values taken."""
        lines: list[str] = []
        refused = self.refusals()
        if refused:
            lines.append(
                f"取り込めない値 {len(refused)}件（その項目は空のままになります。表を直して取り込み直すか、画面で入力してください）:"
            )
            lines += [f"  {refusal.describe()}" for refusal in refused]
        else:
            lines.append("取り込めない値はありません。")
        for row in self.dropped():
            lines.append(f"{row.number}行目は読める値がないため取り込みません。")
        if self.blank:
            lines.append(f"空の行をとばします: {describe_rows(self.blank)}")
        lines.append("取り込む値:")
        for row in self.imported():
            taken = "、".join(
                f"{form.field(key).label} {display_value(form, key, value)}"
                for key, value in row.values.items()
            )
            lines.append(f"  {row.number}行目: {taken}")
        return lines


def describe_rows(numbers: Sequence[int]) -> str:
    """3, 5, 6, 7, 9 → 「3行目、5〜7行目、9行目」."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return "、".join(f"{a}行目" if a == b else f"{a}〜{b}行目" for a, b in spans)


def _check_mapping(form: FormDefinition, columns: Sequence[Column]) -> None:
    by_key: dict[str, list[Column]] = {}
    known = {spec.key for spec in case_fields(form)}
    for column in columns:
        if column.key is None:
            continue
        if column.key not in known:
            raise CaseListError(f"{column.describe()}: 「{column.key}」という項目はこの様式にありません")
        by_key.setdefault(column.key, []).append(column)
    if not by_key:
        raise CaseListError("取り込む列がありません。どの列をどの項目として取り込むかを選んでください")
    for key, same in by_key.items():
        if len(same) > 1:
            shown = "、".join(column.describe() for column in same)
            raise CaseListError(
                f"「{form.field(key).label}」に{len(same)}つの列（{shown}）が割り当てられています。"
                "どちらかを「取り込まない」にしてください"
            )


def _check_cells(sheet: TableSheet, header: int | None, columns: Sequence[Column]) -> None:
    """Formulas and merged cells where values would be read: their value is not what the file shows."""
    mapped = {column.index for column in columns if column.key is not None}
    first = 1 if header is None else header + 1
    for merged in sheet.merged:
        if merged.last_row >= first and any(
            merged.first_column - 1 <= index <= merged.last_column - 1 for index in mapped
        ):
            raise CaseListError(
                f"結合されたセルがあります（{merged}）。結合を解除し、各行にそれぞれの値を入れてから取り込んでください"
            )
    for row in sheet.rows:
        if row.number < first:
            continue
        for index in sorted(mapped):
            cell = row.cells[index] if index < len(row.cells) else None
            if isinstance(cell, Formula):
                place = f"{column_letter(index + 1)}{row.number}"
                raise CaseListError(
                    f"数式のセルがあります（{place}: {cell.text}）。数式の結果ではなく値を取り込むため、"
                    "Excel で表をコピーし「値として貼り付け」てから保存し直してください"
                )


def read_cases(
    form: FormDefinition, sheet: TableSheet, header: int | None, columns: Sequence[Column]
) -> CaseListReading:
    """The cases in the rows below `header` (every row when None), read through `columns`' mapping."""
    if (problem := list_problem(form)) is not None:
        raise CaseListError(problem)
    _check_mapping(form, columns)
    _check_cells(sheet, header, columns)
    mapped = [column for column in columns if column.key is not None]
    rows: list[ReadRow] = []
    blank: list[int] = []
    for row in sheet.rows:
        if header is not None and row.number <= header:
            continue
        cells = [row.cells[column.index] if column.index < len(row.cells) else None for column in mapped]
        if all(is_blank_cell(cell) for cell in cells):
            blank.append(row.number)
            continue
        rows.append(_read_row(form, row, mapped))
    return CaseListReading(sheet.name, header, list(columns), rows, blank)


def _read_row(form: FormDefinition, row: TableRow, mapped: Sequence[Column]) -> ReadRow:
    values: dict[str, CellValue] = {}
    refused: dict[str, Refusal] = {}
    for column in mapped:
        assert column.key is not None
        key = column.key
        spec = form.field(key)
        raw = row.cells[column.index] if column.index < len(row.cells) else None
        text, problem = cell_text(spec, raw)
        result: CellValue | CellProblem = (
            CellProblem(key, text, f"{spec.label}: {problem}")
            if problem is not None
            else read_cell(form, key, text)
        )
        if isinstance(result, CellProblem):
            refused[key] = Refusal(row.number, column, key, text, result.message)
        elif result is not None and result != "":
            values[key] = result
    return ReadRow(row.number, Case.model_validate(values), values, refused)


def cell_text(spec: FieldSpec, raw: object) -> tuple[str, str | None]:
    """A raw cell as the text `read_cell` reads, or the reason it cannot be read (an Excel value that
    has no typed form: a time, TRUE, #N/A, or a number that hides which month it means)."""
    if raw is None:
        return "", None
    if isinstance(raw, str):
        return raw, None
    if isinstance(raw, ErrorValue):
        return raw.text, f"Excel のエラー値です（{raw.text}）。元の値を入力し直してください"
    if isinstance(raw, bool):
        return str(raw).upper(), f"TRUE/FALSE の値は読めません（{str(raw).upper()}）"
    year_month = spec.kind == "year-month"
    if isinstance(raw, dt.datetime | dt.date):
        day = raw.date() if isinstance(raw, dt.datetime) else raw
        return (f"{day.year}/{day.month:02d}", None) if year_month else (day.isoformat(), None)
    if isinstance(raw, dt.time | dt.timedelta):
        return str(raw), f"時刻は読めません（{raw}）"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int):
        if year_month and raw in _SERIAL_DAYS:
            day = _EXCEL_EPOCH + dt.timedelta(days=raw)
            return f"{day.year}/{day.month:02d}", None
        return str(raw), None
    if isinstance(raw, float):
        text = repr(raw)
        if year_month and text.endswith(".1"):
            # Excel keeps 2024.10 typed in a number cell as 2024.1: October or January cannot be told.
            return (
                text,
                f"数値 {text} は {text}0（10月）か {text}（1月）か分かりません。2024/10 のように入力してください",
            )
        return text, None
    return str(raw), None


IGNORED: Final = "取り込まない"
"""How a column left out is named (the window's choice, and `--map 列=取り込まない` on the command line)."""


def field_for_name(form: FormDefinition, name: str) -> str | None:
    """The field a person names by its key, label or an alias (None for 「取り込まない」 or "-")."""
    wanted = heading_key(name)
    if wanted in (heading_key(IGNORED), "-", ""):
        return None
    for spec in case_fields(form):
        if wanted in {heading_key(text) for text in (spec.key, spec.label, *spec.aliases)}:
            return spec.key
    known = "、".join(spec.label for spec in case_fields(form))
    raise CaseListError(f"項目「{name}」はこの様式にありません（{known}、または「{IGNORED}」）")


def remap(form: FormDefinition, columns: Sequence[Column], changes: dict[str, str]) -> list[Column]:
    """`columns` with some columns' fields changed: each change names a column by its heading or its
    letter (B) and a field by key, label or alias (or 「取り込まない」)."""
    result = list(columns)
    for name, target in changes.items():
        wanted = heading_key(name)
        found = [
            column
            for column in result
            if heading_key(column.header) == wanted or column.letter.casefold() == wanted
        ]
        if not found:
            headings = "、".join(column.describe() for column in result)
            raise CaseListError(f"列「{name}」がありません（列: {headings}）")
        column = found[0]
        result[column.index] = Column(column.index, column.header, field_for_name(form, target))
    return result
