"""Case lists from Excel and CSV: a clerk's sheet becomes the right cases with a clear report; hostile
files are refused with one message and change nothing; the import is one change in the store."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from typing import TYPE_CHECKING

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models.application import Case
from app.models.case_list import (
    CaseListError,
    Column,
    cell_text,
    find_header,
    propose_mapping,
    read_cases,
    remap,
)
from app.models.table import TableFileError, TableRow, TableSheet
from app.models.yearmonth import YearMonth
from app.operations.cases import ImportCases, InsertCase, SetCaseField
from app.store import EditError, Store
from app.store.case_list_files import MAX_FILE_BYTES, MAX_ROWS, default_sheet, parse_case_list, read_case_list
from app.validation import validate
from tests.case_lists import BLANK_ROW, HEADER_ROW, REFUSED, clerk_workbook, csv_text, expected_cases
from tests.factories import facilities, jbct_form

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from app.models.case_list import CaseListReading

MAPPED = [None, "age", "sex", "item", "item_other", "start", "end", "diagnosis", "pathology", "note"]


def _read(data: bytes, source: str = "症例一覧.xlsx") -> CaseListReading:
    """The whole path a file takes before the store: read, find the sheet and header, map, read cases."""
    form = jbct_form()
    table = parse_case_list(data, source=source)
    sheet = default_sheet(form, table)
    header = find_header(form, sheet)
    return read_cases(form, sheet, header, propose_mapping(form, sheet, header))


@pytest.fixture
def store(shorei_home: Path) -> Iterator[Store]:
    with Store.open(shorei_home) as opened:
        yield opened


# ---- a clerk's list ---------------------------------------------------------------------------------


def test_clerk_workbook_gives_the_right_cases() -> None:
    """Full-width digits, 65歳, 男性/女性/M/F/男, 2024/5, R6.5, 令和6年5月, date cells, number cells, trailing
    spaces, half-width kana, a title row above the headings and a blank row: every case as meant."""
    form = jbct_form()
    table = parse_case_list(clerk_workbook(), source="症例一覧.xlsx")
    sheet = default_sheet(form, table)
    assert find_header(form, sheet) == HEADER_ROW
    assert [column.key for column in propose_mapping(form, sheet, HEADER_ROW)] == MAPPED
    result = _read(clerk_workbook())
    assert result.cases() == expected_cases()
    assert result.blank == [BLANK_ROW]


def test_clerk_workbook_report_names_row_column_and_reason() -> None:
    """Each value not taken is named by its row in the file, its column letter and heading, and why."""
    form = jbct_form()
    result = _read(clerk_workbook())
    refused = result.refusals()
    assert [(r.row, r.column.letter) for r in refused] == [(row, letter) for row, letter, _ in REFUSED]
    for refusal, (_row, _letter, reason) in zip(refused, REFUSED, strict=True):
        assert reason in refusal.message
    report = "\n".join(result.report(form))
    assert "11行目 C列（性）: 性別: 性別は「男性」か「女性」で入力してください（入力: '不明'）" in report
    assert "20行目 F列（開始年月）: 実施期間（開始）: 年月が読めません（入力: '来年'）" in report
    assert f"空の行をとばします: {BLANK_ROW}行目" in report
    assert "4行目: 年齢 65、性別 男性、実施した診療項目 手術、実施期間（開始） 2024/05" in report
    assert result.summary() == "25件を取り込みます。2件の値は取り込めません。空の行 1行をとばします"


def test_clerk_workbook_into_the_store_then_the_rules(store: Store) -> None:
    """Imported into an empty 申請2(1), the cases are stored as one change, and the rules report the
    values that could not be taken as missing, at the right row."""
    app_id = store.applications.create("jbct-renewal-2026").id
    version = store.info(app_id).version
    result = _read(clerk_workbook())
    application = store.apply(app_id, ImportCases(0, result.cases(), replace=False, source="症例一覧.xlsx"))
    assert application.sections[0].cases == expected_cases()
    assert store.info(app_id).version == version + 1
    [change] = store.history.changes(app_id, limit=1)
    assert change.operation == "import_cases"
    assert change.summary == "申請2(1)に症例一覧.xlsxから25件を取り込み（追加）"
    issues = validate(application, jbct_form(), facilities())
    assert any(i.code == "sex-missing" and (i.section, i.row) == (1, 8) for i in issues)
    assert any(i.code == "period-missing" and (i.section, i.row) == (1, 16) for i in issues)


@pytest.mark.parametrize(
    ("encoding", "label"),
    [("cp932", "Shift_JIS"), ("utf-8-sig", "UTF-8（BOM付き）"), ("utf-8", "UTF-8")],
)
def test_csv_in_each_encoding(encoding: str, label: str) -> None:
    """A CSV saved by Excel in Shift_JIS, or in UTF-8 with or without BOM, is read alike."""
    data = csv_text(9).encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    table = parse_case_list(data, source="cases.csv")
    assert table.encoding == label
    result = _read(data, "cases.csv")
    assert result.cases() == expected_cases()[:9]
    assert [(r.row, r.column.letter) for r in result.refusals()] == [(10, "C")]


# ---- hostile files ------------------------------------------------------------------------------------


def _workbook(rows: list[list[object]], *, merge: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge is not None:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_HEAD: list[object] = ["年齢", "性別", "診療項目", "開始", "終了", "診断名", "病理"]
_ROW: list[object] = [65, "男", "手術", "2024/5", "2024/6", "胃癌", "腺癌"]


def _far_cell(reference: str) -> bytes:
    """A heading row and one value far away (the last row, or the last column Excel has)."""
    workbook = openpyxl.Workbook()
    workbook.active.append(_HEAD)
    workbook.active[reference] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _many_rows_csv(count: int) -> bytes:
    return ("\n".join([",".join(map(str, _HEAD))] + [",".join(map(str, _ROW))] * count) + "\n").encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "文字コードを読み取れません"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 200, "古い Excel 形式（.xls）は読めません"),
        (b"PK\x03\x04" + b"\x00" * 200, "Excel ファイルとして読めません（壊れているか、途中で切れています）"),
        (clerk_workbook()[: len(clerk_workbook()) // 2], "途中で切れています"),
        (_many_rows_csv(10_000), f"データのある行が多すぎます（見出しなどを含めて上限 {MAX_ROWS:,}行）"),
        (
            _workbook([_HEAD] + [_ROW] * 10_000),
            f"データのある行が多すぎます（見出しなどを含めて上限 {MAX_ROWS:,}行）",
        ),
        (_workbook([_HEAD, [*_ROW[:6], "x", *[None] * 200, "遠い列"]]), "列が多すぎます"),
        (_far_cell("A1048576"), "行が多すぎます（空の行を含めて 50,000行を超えています）"),
        (_far_cell("XFD2"), "2行目: 列が多すぎます（上限 100列）"),
    ],
    ids=[
        "binary",
        "xls",
        "not-a-zip",
        "truncated",
        "csv-10000-rows",
        "xlsx-10000-rows",
        "too-wide",
        "last-row",
        "last-column",
    ],
)
def test_unreadable_files_are_refused_with_one_message(data: bytes, message: str) -> None:
    """Not a table, an old .xls, a broken or truncated zip, 10,000 rows: one message naming the file."""
    with pytest.raises(TableFileError) as raised:
        parse_case_list(data, source="cases.xlsx")
    assert str(raised.value).startswith("cases.xlsx: ")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A file over the size limit is refused from its size alone, and the message says the limit."""
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(TableFileError, match=r"ファイルが大きすぎます（10\.0 MB、上限 10 MB）"):
        read_case_list(path)


def test_zip_that_unpacks_to_too_much_is_refused() -> None:
    """An XLSX whose parts unpack far beyond a case list (a zip bomb) is refused before parsing."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (MAX_FILE_BYTES * 11))
    with pytest.raises(TableFileError, match="展開後のサイズが大きすぎます"):
        parse_case_list(buffer.getvalue(), source="bomb.xlsx")


@pytest.mark.parametrize(
    ("rows", "merge", "message"),
    [
        (
            [_HEAD, [*_ROW[:3], "=DATE(2024,5,1)", *_ROW[4:]]],
            None,
            "数式のセルがあります（D2: =DATE(2024,5,1)）",
        ),
        (
            [_HEAD, _ROW, [66, None, "手術", "2024/7", "2024/8", "肺癌", "腺癌"]],
            "B2:B3",
            "結合されたセルがあります（B2:B3）",
        ),
    ],
    ids=["formula", "merged-cells"],
)
def test_formulas_and_merged_cells_refuse_the_table(
    rows: list[list[object]], merge: str | None, message: str
) -> None:
    """A formula or merged cells where values are read: the file does not hold what it shows; refused."""
    with pytest.raises(CaseListError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _read(_workbook(rows, merge=merge))


def test_formulas_and_merges_outside_what_is_read_are_harmless() -> None:
    """A merged title above the headings and a =ROW() number column left out do not stop the import."""
    rows: list[list[object]] = [["症例一覧"], ["No.", *_HEAD], ["=ROW()-2", *_ROW]]
    result = _read(_workbook(rows, merge="A1:H1"))
    assert len(result.cases()) == 1 and result.cases()[0].diagnosis == "胃癌"


def test_hostile_files_change_nothing_in_the_store(store: Store, tmp_path: Path) -> None:
    """Whatever fails while reading, the application is as it was (no version recorded)."""
    app_id = store.applications.create("jbct-renewal-2026").id
    store.apply(app_id, SetCaseField(0, 0, "diagnosis", "胃癌"))
    version = store.info(app_id).version
    before = store.get(app_id)
    for name, data in [
        ("broken.xlsx", clerk_workbook()[:3000]),
        ("long.csv", _many_rows_csv(10_000)),
        ("formula.xlsx", _workbook([_HEAD, [*_ROW[:3], "=TODAY()", *_ROW[4:]]])),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises((TableFileError, CaseListError)):
            form = jbct_form()
            table = read_case_list(path)
            sheet = default_sheet(form, table)
            header = find_header(form, sheet)
            cases = read_cases(form, sheet, header, propose_mapping(form, sheet, header)).cases()
            store.apply(app_id, ImportCases(0, cases, replace=False, source=name))
    assert store.info(app_id).version == version
    assert store.get(app_id) == before


# ---- the store operation ------------------------------------------------------------------------------


def test_append_goes_after_the_last_filled_row_and_replace_replaces(store: Store) -> None:
    """Append keeps every row up to the last one with anything in it (blank rows after it are reused);
    replace puts the imported cases in place of the section's."""
    app_id = store.applications.create("jbct-renewal-2026").id
    store.apply(app_id, SetCaseField(0, 0, "diagnosis", "胃癌"))
    store.apply(app_id, SetCaseField(0, 2, "note", "メモだけの行"))
    store.apply(app_id, InsertCase(0, 3))
    imported = [Case(diagnosis="肺癌"), Case(diagnosis="膵癌")]
    cases = store.apply(app_id, ImportCases(0, imported, replace=False, source="a.csv")).sections[0].cases
    assert [case.diagnosis for case in cases] == ["胃癌", "", "", "肺癌", "膵癌"]
    assert cases[2].note == "メモだけの行"
    cases = store.apply(app_id, ImportCases(0, imported, replace=True, source="a.csv")).sections[0].cases
    assert [case.diagnosis for case in cases] == ["肺癌", "膵癌"]


def test_import_into_a_section_not_yet_made_is_one_change(store: Store) -> None:
    """Importing into 申請2(3) of a new application makes 2(2) and 2(3) in the same change."""
    app_id = store.applications.create("jbct-renewal-2026").id
    version = store.info(app_id).version
    application = store.apply(app_id, ImportCases(2, [Case(diagnosis="肺癌")], replace=False, source="a.csv"))
    assert len(application.sections) == 3 and application.sections[2].cases[0].diagnosis == "肺癌"
    assert store.info(app_id).version == version + 1
    assert len(store.history.restore(app_id, version).sections) == 1


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (False, "申請2(1)は25行までです。今ある20行の後に6件を追加すると26行になります。"),
        (True, "申請2(1)は25行までです。取り込む症例が26件あります。"),
    ],
)
def test_too_many_for_the_section_is_refused_and_nothing_changes(
    store: Store, examples_dir: Path, replace: bool, message: str
) -> None:
    """Cases that would overflow the section's 25 rows are refused whole, with what to do."""
    app_id = store.applications.import_document(examples_dir / "valid-20-cases.json").id
    version = store.info(app_id).version
    before = store.get(app_id)
    count = 26 if replace else 6
    with pytest.raises(EditError) as raised:
        store.apply(app_id, ImportCases(0, [Case(diagnosis="肺癌")] * count, replace=replace, source="a.csv"))
    assert str(raised.value).startswith(message)
    assert store.info(app_id).version == version and store.get(app_id) == before


def test_nothing_to_import_is_refused(store: Store) -> None:
    """An import with no case says so rather than recording an empty change."""
    app_id = store.applications.create("jbct-renewal-2026").id
    with pytest.raises(EditError, match="取り込む症例がありません"):
        store.apply(app_id, ImportCases(0, [], replace=True, source="a.csv"))


# ---- headings and mapping -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("年齢", "age"), ("歳", "age"), ("年齢（歳）", "age"), ("初診時年齢", "age"),
        ("性", "sex"), ("性別(男/女)", "sex"), ("実施項目", "item"), ("実施した診療項目", "item"),
        ("その他の内容", "item_other"), ("開始年月", "start"), ("実施期間 開始", "start"),
        ("実施期間（開始）", "start"), ("終了", "end"), ("実施期間(終了)", "end"), ("病名", "diagnosis"),
        ("診断名", "diagnosis"), ("病理診断名", "pathology"), ("病理", "pathology"), ("メモ", "note"),
        ("ＭＥＭＯ", None), ("Stage", None), ("悪性度", None), ("No.", None), ("患者ID", None),
    ],
)  # fmt: skip
def test_headings_are_matched_by_name_and_alias(heading: str, key: str | None) -> None:
    """The usual headings of a clerk's sheet map to their field; look-alikes (Stage, 悪性度) do not."""
    sheet = TableSheet("", [TableRow(1, ("No.", heading)), TableRow(2, (1, "x"))])
    assert [column.key for column in propose_mapping(jbct_form(), sheet, 1)] == [None, key]


def test_each_field_goes_to_one_column_the_best_named() -> None:
    """Two columns that could be 診断名: the exact heading wins, the other is left out."""
    sheet = TableSheet("", [TableRow(1, ("診断", "診断名", "病名")), TableRow(2, ("a", "b", "c"))])
    assert [c.key for c in propose_mapping(jbct_form(), sheet, 1)] == [None, "diagnosis", None]


def test_no_heading_row_means_every_row_is_data() -> None:
    """Without a heading row nothing is mapped; mapped by letter, every row is read."""
    form = jbct_form()
    sheet = TableSheet("", [TableRow(1, ("胃癌", "65")), TableRow(2, ("肺癌", "70"))])
    assert find_header(form, sheet) is None
    columns = remap(form, propose_mapping(form, sheet, None), {"A": "診断名", "b": "年齢"})
    cases = read_cases(form, sheet, None, columns).cases()
    assert [(case.diagnosis, case.age) for case in cases] == [("胃癌", 65), ("肺癌", 70)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Z": "年齢"}, "列「Z」がありません"),
        ({"病名": "血液型"}, "項目「血液型」はこの様式にありません"),
    ],
)
def test_remap_errors_name_what_is_wrong(changes: dict[str, str], message: str) -> None:
    """A column or field that does not exist is named in the message."""
    form = jbct_form()
    sheet = default_sheet(form, parse_case_list(clerk_workbook(), source="x.xlsx"))
    with pytest.raises(CaseListError, match=message):
        remap(form, propose_mapping(form, sheet, HEADER_ROW), changes)


def test_two_columns_for_one_field_or_none_at_all_are_refused() -> None:
    """The same field twice, or no column to read, is a mapping the user must fix first."""
    form = jbct_form()
    sheet = default_sheet(form, parse_case_list(clerk_workbook(), source="x.xlsx"))
    columns = remap(form, propose_mapping(form, sheet, HEADER_ROW), {"病理診断": "診断名"})
    with pytest.raises(
        CaseListError, match="「診断名」に2つの列（H列（病名）、I列（病理診断））が割り当てられています"
    ):
        read_cases(form, sheet, HEADER_ROW, columns)
    nothing = [Column(column.index, column.header, None) for column in columns]
    with pytest.raises(CaseListError, match="取り込む列がありません"):
        read_cases(form, sheet, HEADER_ROW, nothing)


def test_a_column_left_out_is_not_read() -> None:
    """Leaving メモ out: the notes stay empty and are not reported."""
    form = jbct_form()
    sheet = default_sheet(form, parse_case_list(clerk_workbook(), source="x.xlsx"))
    columns = remap(form, propose_mapping(form, sheet, HEADER_ROW), {"メモ": "取り込まない"})
    result = read_cases(form, sheet, HEADER_ROW, columns)
    assert all(case.note == "" for case in result.cases())
    assert [case.model_copy(update={"note": ""}) for case in expected_cases()] == result.cases()


# ---- one cell from Excel ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "raw", "text", "problem"),
    [
        ("start", dt.datetime(2024, 5, 17, 9, 30), "2024/05", None),
        ("start", 45413, "2024/05", None),
        ("start", 202405, "202405", None),
        ("start", 2024.5, "2024.5", None),
        ("start", 2024.1, "2024.1", "2024.10（10月）か 2024.1（1月）か分かりません"),
        ("age", 65.0, "65", None),
        ("age", True, "TRUE", "TRUE/FALSE の値は読めません"),
        ("diagnosis", dt.date(2024, 5, 1), "2024-05-01", None),
        ("start", dt.time(9, 30), "09:30:00", "時刻は読めません"),
    ],
)
def test_excel_values_become_text_to_read(key: str, raw: object, text: str, problem: str | None) -> None:
    """Date cells become year-months, serial day numbers too; values with no typed form are refused."""
    found_text, found_problem = cell_text(jbct_form().field(key), raw)
    assert found_text == text
    assert (found_problem is None) if problem is None else (problem in (found_problem or ""))


def test_excel_error_value_is_refused() -> None:
    """#N/A in a cell is reported, never taken as a diagnosis."""
    from app.models.table import ErrorValue

    sheet = TableSheet("", [TableRow(1, ("診断名", "年齢")), TableRow(2, (ErrorValue("#N/A"), 65))])
    result = read_cases(jbct_form(), sheet, 1, propose_mapping(jbct_form(), sheet, 1))
    assert "Excel のエラー値です（#N/A）" in result.refusals()[0].message
    assert result.cases() == [Case(age=65)]


_cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-10, 300_000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
)


@given(st.lists(st.lists(_cells, min_size=9, max_size=9), max_size=8))
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_every_value_is_taken_or_reported(rows: list[list[object]]) -> None:
    """Whatever the cells hold, each non-blank value read is taken or refused with a reason: none is
    dropped unseen, and a row is imported exactly when something in it was taken."""
    form = jbct_form()
    keys = [spec.key for spec in form.fields]
    sheet = TableSheet("", [TableRow(1, tuple(spec.label for spec in form.fields))])
    sheet.rows.extend(TableRow(number, tuple(cells)) for number, cells in enumerate(rows, start=2))
    result = read_cases(form, sheet, 1, propose_mapping(form, sheet, 1))
    by_number = {row.number: row for row in result.rows}
    for number, cells in enumerate(rows, start=2):
        for key, cell in zip(keys, cells, strict=True):
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            read = by_number[number]
            assert (key in read.values) != (key in read.refused)
    assert all(
        isinstance(value, str | int | YearMonth) for row in result.rows for value in row.values.values()
    )
