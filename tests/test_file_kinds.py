"""What a file dropped on the window is (app.store.file_kinds), so it opens as its menu item would."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import openpyxl
import pytest

from app.models.approval import REQUEST_FORMAT, RESPONSE_FORMAT
from app.store.file_kinds import FileKind, file_kind

if TYPE_CHECKING:
    from pathlib import Path


def _json(path: Path, fmt: object) -> Path:
    path.write_text(json.dumps({"format": fmt, "x": 1}), encoding="utf-8")
    return path


def test_an_application_document(examples_dir: Path) -> None:
    """A sample application is an application document."""
    assert file_kind(examples_dir / "valid-20-cases.json") is FileKind.APPLICATION


@pytest.mark.parametrize(
    ("name", "fmt", "kind"),
    [
        ("request.approval-request.json", REQUEST_FORMAT, FileKind.APPROVAL_REQUEST),
        ("renamed.json", REQUEST_FORMAT, FileKind.APPROVAL_REQUEST),
        ("result.approval-response.json", RESPONSE_FORMAT, FileKind.APPROVAL_RESPONSE),
        ("a.package.json", "shorei/package@1", FileKind.UNKNOWN),
        ("other.json", "something-else", FileKind.APPLICATION),
        ("APP.JSON", "shorei/application@1", FileKind.APPLICATION),
    ],
)
def test_json_files_are_told_by_their_format(tmp_path: Path, name: str, fmt: str, kind: FileKind) -> None:
    """The `format` decides, not the name; a format that is not Shorei's goes to the document reader."""
    assert file_kind(_json(tmp_path / name, fmt)) is kind


@pytest.mark.parametrize("content", [b"{broken", b"\xff\xfe\x00", b"[1, 2]", b""])
def test_an_unreadable_json_goes_to_the_document_reader(tmp_path: Path, content: bytes) -> None:
    """A broken .json is an application document: its reader then says what is wrong with it."""
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    assert file_kind(path) is FileKind.APPLICATION


def test_a_folder_goes_to_the_document_reader(tmp_path: Path) -> None:
    """A folder is handed to the document reader, which says it is a folder (the same on every system)."""
    folder = tmp_path / "folder.json"
    folder.mkdir()
    assert file_kind(folder) is FileKind.APPLICATION


def test_a_csv_with_the_facility_header_is_a_facility_list(tmp_path: Path) -> None:
    """認定番号 and 施設名 in the header: the society's facility list."""
    path = tmp_path / "list.csv"
    path.write_text("認定番号,施設名,所在地\n20953,伊勢赤十字病院,三重県伊勢市\n", encoding="utf-8")
    assert file_kind(path) is FileKind.FACILITY_LIST


def test_an_xlsx_facility_list_with_a_title_row(tmp_path: Path) -> None:
    """An Excel list whose header sits below a title row is still a facility list."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["認定施設一覧 2026年4月"])
    sheet.append(["認定番号", "施設名", "住所"])
    sheet.append(["20953", "伊勢赤十字病院", "三重県伊勢市"])
    path = tmp_path / "施設.xlsx"
    book.save(path)
    assert file_kind(path) is FileKind.FACILITY_LIST


def test_a_case_table_is_a_case_list(tmp_path: Path) -> None:
    """Any other table (a case list's columns) is a case list."""
    path = tmp_path / "cases.csv"
    path.write_text("No,年齢,性別,診断名\n1,65,男,肝細胞癌\n", encoding="utf-8-sig")
    assert file_kind(path) is FileKind.CASE_LIST


def test_an_unreadable_table_goes_to_the_case_list_importer(tmp_path: Path) -> None:
    """A table that cannot be read is a case list: the importer names the problem."""
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert file_kind(path) is FileKind.CASE_LIST


@pytest.mark.parametrize("name", ["scan.pdf", "notes", "photo.PNG"])
def test_other_files_are_unknown(tmp_path: Path, name: str) -> None:
    """Files Shorei has no use for are unknown (the window says which files it opens)."""
    path = tmp_path / name
    path.write_bytes(b"x")
    assert file_kind(path) is FileKind.UNKNOWN


@pytest.mark.parametrize("name", ["jbct-renewal-2027.shoreipack", "NEXT.SHOREIPACK"])
def test_a_form_pack_is_known_by_its_name(tmp_path: Path, name: str) -> None:
    """A .shoreipack goes to the pack reader, which checks the zip and its signature itself."""
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 whatever is inside")
    assert file_kind(path) is FileKind.FORM_PACK
