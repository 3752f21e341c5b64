"""Case lists as clerks make them, for the import tests: a 25-row XLSX with the usual mistakes, the
cases it must give, and the same rows as CSV text."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl

from app.models.application import Case
from app.models.yearmonth import YearMonth

TITLE = "2026年度 がん治療認定医 更新申請 症例一覧（医局作成）"
HEADINGS = ["No.", "年齢", "性", "診療項目", "その他", "開始年月", "終了", "病名", "病理診断", "メモ"]
HEADER_ROW = 3
BLANK_ROW = 16
"""The blank row in the middle of the list (rows 4–15 and 17–29 hold cases)."""


def _ym(year: int, month: int) -> YearMonth:
    return YearMonth(year, month)


# Each entry: the cells as typed (年齢 … メモ), then the case they must give.
ROWS: list[tuple[list[Any], dict[str, Any]]] = [
    (["６５", "男性", "手術", None, "2024/5", "2024/6", "胃癌 ", "腺癌", None],
     {"age": 65, "sex": "male", "item": "手術", "start": _ym(2024, 5), "end": _ym(2024, 6), "diagnosis": "胃癌", "pathology": "腺癌"}),
    (["72歳", "女性", "薬物療法 ", None, "R6.5", "R6.9", "乳癌", "浸潤性乳管癌", None],
     {"age": 72, "sex": "female", "item": "薬物療法", "start": _ym(2024, 5), "end": _ym(2024, 9), "diagnosis": "乳癌", "pathology": "浸潤性乳管癌"}),
    ([58, "M", "放射線治療", None, "令和5年4月", "令和5年6月", "前立腺癌", "腺癌", "ｶﾙﾃ確認済"],
     {"age": 58, "sex": "male", "item": "放射線治療", "start": _ym(2023, 4), "end": _ym(2023, 6), "diagnosis": "前立腺癌", "pathology": "腺癌", "note": "カルテ確認済"}),
    ([61.0, "F", "ＩＶＲ", None, dt.datetime(2023, 7, 1), dt.datetime(2023, 7, 15), "肝細胞癌", "無し", None],
     {"age": 61, "sex": "female", "item": "IVR", "start": _ym(2023, 7), "end": _ym(2023, 7), "diagnosis": "肝細胞癌", "pathology": "無し"}),
    ([" 70 ", "男", "内視鏡治療", None, "2023-01", "2023-02", "食道癌", "扁平上皮癌", None],
     {"age": 70, "sex": "male", "item": "内視鏡治療", "start": _ym(2023, 1), "end": _ym(2023, 2), "diagnosis": "食道癌", "pathology": "扁平上皮癌"}),
    (["４８", "女", "手術", None, "2022/4", "2022/05", "子宮体癌", "類内膜癌", None],
     {"age": 48, "sex": "female", "item": "手術", "start": _ym(2022, 4), "end": _ym(2022, 5), "diagnosis": "子宮体癌", "pathology": "類内膜癌"}),
    ([55, "male", "緩和ケア", None, "2025年1月", "2025年3月", "膵癌", "腺癌", None],
     {"age": 55, "sex": "male", "item": "緩和ケア", "start": _ym(2025, 1), "end": _ym(2025, 3), "diagnosis": "膵癌", "pathology": "腺癌"}),
    ([39, "不明", "手術", None, "2022/10", "2022/11", "甲状腺乳頭癌", "乳頭癌", None],
     {"age": 39, "item": "手術", "start": _ym(2022, 10), "end": _ym(2022, 11), "diagnosis": "甲状腺乳頭癌", "pathology": "乳頭癌"}),
    ([66, "F", "その他", "温熱療法", "R4.6", "R4.8", "悪性ﾘﾝﾊﾟ腫", "びまん性大細胞型B細胞リンパ腫", None],
     {"age": 66, "sex": "female", "item": "その他", "item_other": "温熱療法", "start": _ym(2022, 6), "end": _ym(2022, 8), "diagnosis": "悪性リンパ腫", "pathology": "びまん性大細胞型B細胞リンパ腫"}),
    (["８１歳", "男性 ", "手術", None, "２０２４／７", "2024/8", "大腸癌", "腺癌", None],
     {"age": 81, "sex": "male", "item": "手術", "start": _ym(2024, 7), "end": _ym(2024, 8), "diagnosis": "大腸癌", "pathology": "腺癌"}),
    ([44, "女性", "薬物療法", None, 2024.5, 2024.12, "卵巣癌", "漿液性癌", None],
     {"age": 44, "sex": "female", "item": "薬物療法", "start": _ym(2024, 5), "end": _ym(2024, 12), "diagnosis": "卵巣癌", "pathology": "漿液性癌"}),
    ([77, "M", "放射線治療", None, "R7.2", "R7.4", "膀胱癌", "尿路上皮癌", None],
     {"age": 77, "sex": "male", "item": "放射線治療", "start": _ym(2025, 2), "end": _ym(2025, 4), "diagnosis": "膀胱癌", "pathology": "尿路上皮癌"}),
    # ---- the blank row BLANK_ROW comes here ----
    ([52, "F", "手術", None, dt.date(2023, 10, 3), dt.date(2023, 11, 20), "腎細胞癌", "淡明細胞型腎細胞癌", None],
     {"age": 52, "sex": "female", "item": "手術", "start": _ym(2023, 10), "end": _ym(2023, 11), "diagnosis": "腎細胞癌", "pathology": "淡明細胞型腎細胞癌"}),
    (["６３", "男", "薬物療法", None, "令和6年1月", "令和6年6月", "非小細胞肺癌", "腺癌", None],
     {"age": 63, "sex": "male", "item": "薬物療法", "start": _ym(2024, 1), "end": _ym(2024, 6), "diagnosis": "非小細胞肺癌", "pathology": "腺癌"}),
    ([57, "女性", "手術", None, "2023/3", "2023/4", "子宮頸癌", "扁平上皮癌", "紹介元: 〇〇クリニック"],
     {"age": 57, "sex": "female", "item": "手術", "start": _ym(2023, 3), "end": _ym(2023, 4), "diagnosis": "子宮頸癌", "pathology": "扁平上皮癌", "note": "紹介元: 〇〇クリニック"}),
    ([68, "M", "内視鏡治療", None, "来年", "2024/2", "胃癌", "腺癌", None],
     {"age": 68, "sex": "male", "item": "内視鏡治療", "end": _ym(2024, 2), "diagnosis": "胃癌", "pathology": "腺癌"}),
    ([74, "男性", "IVR", None, "2025/06", "2025/06", "胆管癌", "無し", None],
     {"age": 74, "sex": "male", "item": "IVR", "start": _ym(2025, 6), "end": _ym(2025, 6), "diagnosis": "胆管癌", "pathology": "無し"}),
    ([29, "女", "薬物療法", None, "R5.9", "R6.3", "骨肉腫", "骨肉腫", None],
     {"age": 29, "sex": "female", "item": "薬物療法", "start": _ym(2023, 9), "end": _ym(2024, 3), "diagnosis": "骨肉腫", "pathology": "骨肉腫"}),
    (["59 ", "F", "手術", None, "2024年10月", "2024年11月", "悪性黒色腫", "悪性黒色腫", None],
     {"age": 59, "sex": "female", "item": "手術", "start": _ym(2024, 10), "end": _ym(2024, 11), "diagnosis": "悪性黒色腫", "pathology": "悪性黒色腫"}),
    ([83, "男", "緩和ケア", None, "2025/8", "2025/12", "胆嚢癌", "無し", None],
     {"age": 83, "sex": "male", "item": "緩和ケア", "start": _ym(2025, 8), "end": _ym(2025, 12), "diagnosis": "胆嚢癌", "pathology": "無し"}),
    ([46, "女性", "造血幹細胞移植", None, "R4.11", "R5.2", "急性骨髄性白血病", "急性骨髄性白血病", None],
     {"age": 46, "sex": "female", "item": "造血幹細胞移植", "start": _ym(2022, 11), "end": _ym(2023, 2), "diagnosis": "急性骨髄性白血病", "pathology": "急性骨髄性白血病"}),
    (["７１", "M", "放射線治療", None, "2026/1", "2026/3", "直腸癌", "腺癌", None],
     {"age": 71, "sex": "male", "item": "放射線治療", "start": _ym(2026, 1), "end": _ym(2026, 3), "diagnosis": "直腸癌", "pathology": "腺癌"}),
    ([62, "女", "薬物療法", None, "2022-12", "2023-05", "多発性骨髄腫", "形質細胞腫瘍", None],
     {"age": 62, "sex": "female", "item": "薬物療法", "start": _ym(2022, 12), "end": _ym(2023, 5), "diagnosis": "多発性骨髄腫", "pathology": "形質細胞腫瘍"}),
    ([54, "男性", "手術", None, "令和7年5月", "令和7年5月", "舌癌", "扁平上皮癌", None],
     {"age": 54, "sex": "male", "item": "手術", "start": _ym(2025, 5), "end": _ym(2025, 5), "diagnosis": "舌癌", "pathology": "扁平上皮癌"}),
    ([69, "F", "手術", None, "2024/3", "2024/4", "小細胞肺癌 ", "小細胞癌", None],
     {"age": 69, "sex": "female", "item": "手術", "start": _ym(2024, 3), "end": _ym(2024, 4), "diagnosis": "小細胞肺癌", "pathology": "小細胞癌"}),
]  # fmt: skip

REFUSED = [(11, "C", "性別は「男性」か「女性」で入力してください"), (20, "F", "年月が読めません")]
"""(row in the file, column letter, part of the message) of each value the list cannot give."""


def row_numbers() -> list[int]:
    """The file row of each entry of ROWS."""
    numbers = list(range(HEADER_ROW + 1, BLANK_ROW)) + list(range(BLANK_ROW + 1, BLANK_ROW + 14))
    assert len(numbers) == len(ROWS) == 25
    return numbers


def expected_cases() -> list[Case]:
    return [Case(**expected) for _typed, expected in ROWS]


def clerk_workbook() -> bytes:
    """The list as a clerk keeps it: a merged title row and a subtitle above the headings, a running
    No. column, a blank row in the middle, real date cells and number cells among typed text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "症例一覧"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADINGS))
    sheet.append(["作成: 医局秘書 佐藤"])
    sheet.append(HEADINGS)
    numbers = row_numbers()
    for position, ((typed, _expected), number) in enumerate(zip(ROWS, numbers, strict=True), start=1):
        for column, value in enumerate([position, *typed], start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy/m/d"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows: int = 5) -> str:
    """The first rows as CSV text (typed values as a CSV shows them), title row above the headings."""
    lines = [TITLE, ",".join(HEADINGS)]
    for position, (typed, _expected) in enumerate(ROWS[:rows], start=1):
        cells = [str(position)] + ["" if value is None else _csv_cell(value) for value in typed]
        lines.append(",".join(cells))
    return "\r\n".join(lines) + "\r\n"


def _csv_cell(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}/{value.month}/{value.day}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
