"""`shorei import-cases` and `shorei export-cases`: what is written, what is refused, exit codes 0 / 1 / 2;
and the exported workbook reads back through the import."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

import openpyxl
import pytest

from app.cli import main
from app.export.case_list import case_list_workbook
from app.models.case_list import find_header, propose_mapping, read_cases
from app.models.document import load_application
from app.store.case_list_files import default_sheet, parse_case_list
from tests.case_lists import clerk_workbook, csv_text, expected_cases
from tests.factories import case, document, jbct_form, section

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.application import Application


def _empty_application(tmp_path: Path) -> Path:
    path = tmp_path / "app.json"
    doc = document([section([])])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _clerk_file(tmp_path: Path) -> Path:
    path = tmp_path / "症例一覧.xlsx"
    path.write_bytes(clerk_workbook())
    return path


def test_unreadable_values_stop_the_import_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two values cannot be read: by default nothing is written (exit 1) and the report says where."""
    out = tmp_path / "out.json"
    code = main(["import-cases", str(_empty_application(tmp_path)), str(_clerk_file(tmp_path)), "--section", "1",
                 "--out", str(out)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1 and not out.exists()
    assert "11行目 C列（性）" in captured.out and "20行目 F列（開始年月）" in captured.out
    assert "取り込めない値が2件あるため、何も書き込みませんでした" in captured.err


def test_skip_unreadable_writes_what_was_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --skip-unreadable the 25 cases are written, the unreadable values left empty (exit 0)."""
    out = tmp_path / "out.json"
    code = main(["import-cases", str(_empty_application(tmp_path)), str(_clerk_file(tmp_path)), "--section", "1",
                 "--skip-unreadable", "--out", str(out)])  # fmt: skip
    assert code == 0
    assert load_application(out).sections[0].cases == expected_cases()
    assert "申請2(1)に25件を取り込みました" in capsys.readouterr().out


def test_map_leaves_a_column_out_and_sections_are_one_based(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--map メモ=取り込まない leaves the notes out; --section 2 fills 申請2(2) (made on the way)."""
    data = csv_text(5).encode("cp932")
    table = tmp_path / "cases.csv"
    table.write_bytes(data)
    out = tmp_path / "out.json"
    code = main(["import-cases", str(_empty_application(tmp_path)), str(table), "--section", "2",
                 "--map", "メモ=取り込まない", "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    application = load_application(out)
    assert application.sections[0].cases == []
    expected = [c.model_copy(update={"note": ""}) for c in expected_cases()[:5]]
    assert application.sections[1].cases == expected
    assert "J列（メモ） → 取り込まない" in capsys.readouterr().out


def test_replace_and_the_section_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Appending 5 to 22 cases is refused (exit 1, nothing written); --replace puts the 5 in their place."""
    path = tmp_path / "app.json"
    path.write_text(
        json.dumps(document([section([case(n) for n in range(22)])]), ensure_ascii=False), "utf-8"
    )
    table = tmp_path / "cases.csv"
    table.write_text(csv_text(5), encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["import-cases", str(path), str(table), "--section", "1", "--out", str(out)]) == 1
    assert "申請2(1)は25行までです。今ある22行の後に5件を追加すると27行になります" in capsys.readouterr().err
    assert not out.exists()
    assert (
        main(["import-cases", str(path), str(table), "--section", "1", "--replace", "--out", str(out)]) == 0
    )
    assert len(load_application(out).sections[0].cases) == 5


@pytest.mark.parametrize("number", ["0", "4"])
def test_section_outside_the_form_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], number: str
) -> None:
    """--section counts the form's sections from 1: 0 or 4 (the form has three) is refused, exit 1."""
    table = tmp_path / "cases.csv"
    table.write_text(csv_text(2), encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["import-cases", str(_empty_application(tmp_path)), str(table), "--section", number,
                 "--out", str(out)]) == 1  # fmt: skip
    assert f"取り込み先の施設欄は1〜3の番号で指定してください（指定: {number}）" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04broken", "Excel ファイルとして読めません"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "古い Excel 形式"),
    ],
)
def test_unreadable_table_exits_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    """A file that is not a readable table: one line on stderr naming it, exit 2, nothing written."""
    table = tmp_path / "cases.xlsx"
    table.write_bytes(content)
    out = tmp_path / "out.json"
    assert main(["import-cases", str(_empty_application(tmp_path)), str(table), "--section", "1",
                 "--out", str(out)]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert err.startswith(f"shorei: {table}: ") and message in err and err.count("\n") == 1
    assert not out.exists()


def test_export_cases_leaves_notes_out_unless_asked(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """export-cases writes one sheet per used section; 備考 only with --with-notes."""
    source = examples_dir / "valid-25-cases-3-sections.json"
    out = tmp_path / "cases.xlsx"
    assert main(["export-cases", str(source), "--out", str(out)]) == 0
    assert "（25例）" in capsys.readouterr().out
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["申請2(1)", "申請2(2)", "申請2(3)"]
    assert [cell.value for cell in workbook["申請2(1)"][2]] == [
        "No.", "年齢", "性別", "実施した診療項目", "その他の内容", "実施期間（開始）", "実施期間（終了）", "診断名",
        "病理診断名",
    ]  # fmt: skip
    with_notes = tmp_path / "with-notes.xlsx"
    assert main(["export-cases", str(source), "--out", str(with_notes), "--with-notes"]) == 0
    assert openpyxl.load_workbook(with_notes)["申請2(1)"]["J2"].value == "備考"


def test_control_character_refuses_the_export(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A text with a control character cannot go into a worksheet: the place is named, nothing written."""
    out = tmp_path / "cases.xlsx"
    assert main(["export-cases", str(examples_dir / "broken.json"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "申請2(1) No.19 診断名に使用できない文字（U+0007）があります" in err
    assert not out.exists()


def _notes(application: Application) -> set[str]:
    return {c.note for s in application.sections for c in s.cases if c.note}


def _round_trip(application: Application, *, include_notes: bool) -> list[list[object]]:
    """Export, then import each sheet back through the case import: the cases per section."""
    form = jbct_form()
    table = parse_case_list(
        case_list_workbook(application, form, include_notes=include_notes), source="cases.xlsx"
    )
    assert default_sheet(form, table) is table.sheets[0]
    result: list[list[object]] = []
    for sheet in table.sheets:
        header = find_header(form, sheet)
        read = read_cases(form, sheet, header, propose_mapping(form, sheet, header))
        assert read.refusals() == [] and read.blank == []
        result.append(list(read.cases()))
    return result


@pytest.mark.parametrize(
    "name", ["valid-20-cases.json", "valid-25-cases-3-sections.json", "valid-25-cases-1-section.json"]
)
def test_export_round_trips_through_import(examples_dir: Path, name: str) -> None:
    """Every case written to XLSX reads back as the same case (備考 only when written, no accepted
    warnings: they are the application's, not the list's)."""
    application = load_application(examples_dir / name)
    for include_notes in (False, True):
        sheets = _round_trip(application, include_notes=include_notes)
        used = [s for s in application.sections if s.is_used()]
        assert len(sheets) == len(used)
        for read, original in zip(sheets, used, strict=True):
            expected = [
                c.model_copy(update={"accepted": [], **({} if include_notes else {"note": ""})})
                for _, c in original.filled_cases()
            ]
            assert read == expected


def test_notes_are_not_in_the_file_unless_asked(examples_dir: Path) -> None:
    """The private 備考 text appears nowhere in the default workbook."""
    application = load_application(examples_dir / "valid-25-cases-1-section.json")
    notes = _notes(application)
    assert notes
    workbook = openpyxl.load_workbook(io.BytesIO(case_list_workbook(application, jbct_form())))
    values = {str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row}
    assert not notes & values


def test_text_that_looks_like_a_formula_stays_text(examples_dir: Path) -> None:
    """A diagnosis typed as =1+1 is written as text, not a formula, and reads back as typed."""
    application = load_application(examples_dir / "valid-20-cases.json")
    application.sections[0].cases[0].diagnosis = "=1+1"
    data = case_list_workbook(application, jbct_form())
    cell = openpyxl.load_workbook(io.BytesIO(data))["申請2(1)"]["H3"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert _round_trip(application, include_notes=False)[0][0].diagnosis == "=1+1"  # type: ignore[attr-defined]


def test_case_report_forms_have_no_case_list(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSPM application (one report per case) has no case list to import or export: one line, exit 2."""
    source = examples_dir / "jspm-transition-7-cases.json"
    table = tmp_path / "cases.csv"
    table.write_text(csv_text(2), encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["import-cases", str(source), str(table), "--section", "1", "--out", str(out)]) == 2
    assert "の症例は一覧表から取り込めません（1例ずつの症例報告です）" in capsys.readouterr().err
    assert main(["export-cases", str(source), "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "の症例は一覧表から書き出せません" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "x.xlsx").exists()
