"""Reading facility lists as the societies publish them, and refusing broken ones with file and line."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING

import openpyxl
import pytest

from app.store.facility_files import bundled_facility_list, parse_facility_csv
from app.store.facility_table import (
    FacilityListError,
    parse_facility_table,
    parse_list_date,
    read_facility_file,
)

if TYPE_CHECKING:
    from pathlib import Path

HEADER = "認定番号,施設名,住所,認定開始,認定終了,種別"
ROWS = [
    "20953,伊勢赤十字病院,三重県伊勢市船江1-471-2,2020/04/01,2025/03/31,認定研修施設",
    "20953,伊勢赤十字病院,三重県伊勢市船江1-471-2,2025/04/01,2030/03/31,認定研修施設",
    "0608,岐阜赤十字病院,岐阜県岐阜市吉田町3-36,令和2年4月1日,,関連施設",
]
CSV = "\n".join([HEADER, *ROWS]) + "\n"


def _xlsx(rows: list[list[object]], title: str = "施設一覧") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        CSV.encode("utf-8"),
        CSV.encode("utf-8-sig"),
        CSV.encode("cp932"),
        CSV.replace("\n", "\r\n").encode("shift_jis"),
        CSV.replace(",", "\t").encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "shift_jis", "shift_jis-crlf", "utf-16-tsv"],
)
def test_csv_in_every_encoding_societies_use(data: bytes) -> None:
    """UTF-8 (with or without BOM), Shift_JIS and Excel's UTF-16 text all read the same."""
    facilities = parse_facility_table(data, source="list.csv")
    assert [(f.cert_no, f.name) for f in facilities] == [
        ("20953", "伊勢赤十字病院"),
        ("20953", "伊勢赤十字病院"),
        ("0608", "岐阜赤十字病院"),
    ]
    assert facilities[0].cert_start == dt.date(2020, 4, 1) and facilities[0].cert_end == dt.date(2025, 3, 31)
    assert facilities[2].cert_start == dt.date(2020, 4, 1) and facilities[2].cert_end is None
    assert facilities[2].kind == "関連施設"


def test_xlsx_with_dates_numbers_and_a_title_row() -> None:
    """An Excel list with a title above the header, date cells and numeric 認定番号 reads as meant."""
    data = _xlsx(
        [
            ["がん治療認定医 認定研修施設一覧（2026年4月1日現在）"],
            [],
            ["施設番号", "施設名称", "所在地", "認定開始日", "認定期限", "施設区分"],
            [
                20953,
                "伊勢赤十字病院",
                "三重県伊勢市",
                dt.datetime(2020, 4, 1),
                dt.datetime(2025, 3, 31),
                "認定研修施設",
            ],
            ["0608", "岐阜赤十字病院", "岐阜県岐阜市", None, None, None],
        ]
    )
    facilities = parse_facility_table(data, source="list.xlsx")
    assert [(f.cert_no, f.name, f.address) for f in facilities] == [
        ("20953", "伊勢赤十字病院", "三重県伊勢市"),
        ("0608", "岐阜赤十字病院", "岐阜県岐阜市"),
    ]
    assert facilities[0].cert_end == dt.date(2025, 3, 31)


def test_full_width_and_spaces_in_cells_are_normalised() -> None:
    """Full-width digits and stray spaces in a list become what users type and search for."""
    facilities = parse_facility_table(
        "認定番号,施設名,住所\n２０９５３ , 伊勢赤十字病院　,三重県\n".encode(), source="x.csv"
    )
    assert (facilities[0].cert_no, facilities[0].name) == ("20953", "伊勢赤十字病院")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-01", dt.date(2024, 4, 1)),
        ("2024/4/1", dt.date(2024, 4, 1)),
        ("2024.04.01", dt.date(2024, 4, 1)),
        ("2024年4月1日", dt.date(2024, 4, 1)),
        ("２０２４年４月１日", dt.date(2024, 4, 1)),
        ("20240401", dt.date(2024, 4, 1)),
        ("令和6年4月1日", dt.date(2024, 4, 1)),
        ("R6.4.1", dt.date(2024, 4, 1)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("2024/04/01 0:00", dt.date(2024, 4, 1)),
        ("2024/04", dt.date(2024, 4, 1)),
        ("", None),
    ],
)
def test_dates_as_lists_write_them(text: str, expected: dt.date | None) -> None:
    """Western, Japanese-era, compact and month-only dates all read."""
    assert parse_list_date(text) == expected


def test_month_only_end_is_the_last_day() -> None:
    """A certification ending 2025/03 ends on 31 March."""
    assert parse_list_date("2025/03", end=True) == dt.date(2025, 3, 31)
    assert parse_list_date("2024/12", end=True) == dt.date(2024, 12, 31)
    assert parse_list_date(45383) == dt.date(2024, 4, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("認定番号,施設名\n1,A\n", "list.csv: 1行目の見出しに列がありません: 住所"),
        (
            "番号なし,名前\n1,A\n",
            "list.csv: 見出しの行が見つかりません。列「認定番号、施設名、住所」が必要です（1行目: 番号なし、名前）",
        ),
        (f"{HEADER}\n{ROWS[0]}\n{ROWS[0]}\n", "list.csv: 3行目: 認定番号 20953 が2行目と重複しています"),
        (
            f"{HEADER}\n{ROWS[0]}\n1,A,B,2024/02/30,,\n",
            "list.csv: 3行目: 認定開始: 存在しない日付です（2024/02/30）",
        ),
        (f"{HEADER}\n1,A,B,そのうち,,\n", "list.csv: 2行目: 認定開始: 日付が読めません（そのうち）"),
        (
            f"{HEADER}\n1,A,B,2025/04/01,2024/03/31,\n",
            "list.csv: 2行目: 認定開始（2025/04/01）が認定終了（2024/03/31）より後です",
        ),
        (f"{HEADER}\n,A,B,,,\n", "list.csv: 2行目: 認定番号がありません"),
        (f"{HEADER}\n1,,B,,,\n", "list.csv: 2行目: 施設名がありません"),
        (f"{HEADER}\n1,A\x07病院,B,,,\n", "list.csv: 2行目: 施設名: 使用できない制御文字（U+0007）"),
        (f"{HEADER}\n", "list.csv: 施設が1件もありません"),
        ("", "list.csv: 見出しの行が見つかりません"),
    ],
)
def test_broken_list_is_refused_naming_file_and_line(text: str, message: str) -> None:
    """Missing columns, duplicates, bad dates and empty fields are reported with file and line."""
    with pytest.raises(FacilityListError) as raised:
        parse_facility_table(text.encode(), source="list.csv")
    assert str(raised.value).startswith(message)


def test_several_problems_report_the_first_and_how_many_more() -> None:
    """With several broken rows the message names the first and counts the rest."""
    text = f"{HEADER}\n1,,B,,,\n2,,B,,,\n3,,B,,,\n"
    with pytest.raises(FacilityListError, match=r"2行目: 施設名がありません（ほか2件）"):
        parse_facility_table(text.encode(), source="list.csv")


def test_same_number_for_another_period_or_kind_is_not_a_duplicate() -> None:
    """A facility listed again for another period or kind (JS-3) is two entries, not an error."""
    text = f"{HEADER}\n{ROWS[0]}\n{ROWS[1]}\n20953,伊勢赤十字病院,三重県,2020/04/01,2025/03/31,関連施設\n"
    assert len(parse_facility_table(text.encode(), source="x.csv")) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "古い Excel 形式（.xls）は読めません"),
        (b"PK\x03\x04not really a zip", "Excel ファイルとして読めません"),
        (b"\x82\xa0\xff\xfe\x80\x81" * 20, "文字コードを読み取れません"),
    ],
)
def test_files_that_are_not_lists_are_refused(data: bytes, message: str) -> None:
    """An old .xls, a broken Excel file or binary garbage is refused with what to do."""
    with pytest.raises(FacilityListError, match=message):
        parse_facility_table(data, source="list")


def test_xlsx_sheet_with_the_list_is_found_and_lines_name_the_sheet() -> None:
    """In a workbook with a cover sheet, the list is found and a bad row names its sheet and line."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "表紙"
    workbook.active.append(["一覧は次のシートです"])
    sheet = workbook.create_sheet("一覧")
    sheet.append(["認定番号", "施設名", "住所", "認定開始"])
    sheet.append([1, "A病院", "B", "いつか"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(FacilityListError, match="シート「一覧」の2行目: 認定開始: 日付が読めません"):
        parse_facility_table(buffer.getvalue(), source="list.xlsx")


def test_missing_and_oversized_files(tmp_path: Path) -> None:
    """A missing file or a folder is named in the message."""
    with pytest.raises(FacilityListError, match="ファイルがありません"):
        read_facility_file(tmp_path / "none.csv")
    with pytest.raises(FacilityListError, match="フォルダです"):
        read_facility_file(tmp_path)


def test_bundled_sample_reads_as_before() -> None:
    """The bundled sample (ten facilities of the seed) still reads, with its leading-zero 認定番号."""
    sample = bundled_facility_list()
    assert sample.info.sample is True and len(sample) == 10
    assert sample.by_cert_no("0608")[0].name == "岐阜赤十字病院"
    assert [f.cert_no for f in parse_facility_csv(CSV, source="x")] == ["20953", "20953", "0608"]
