"""What a file given to the window is (dropped on it, or named as `Shorei.exe FILE`), told by its content
where the name is not enough, so the window opens it as the matching menu item would.

A form pack is known by its name (`.shoreipack`); JSON files say what they are in their `format`; a CSV or Excel table is a facility list when it has the
facility list's header (認定番号 and 施設名) and a case list otherwise. A file that cannot be read is given
to the reader its name suggests, whose message then says what is wrong.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from app.models.application import FORMAT
from app.models.approval import REQUEST_FORMAT, RESPONSE_FORMAT
from app.models.form_packs import PACK_SUFFIX
from app.models.table import TableFileError
from app.store.case_list_files import read_case_list
from app.store.facility_table import is_facility_table

if TYPE_CHECKING:
    from pathlib import Path

JSON_SUFFIXES: Final = frozenset({".json", ".shorei"})
TABLE_SUFFIXES: Final = frozenset({".csv", ".xlsx", ".xlsm", ".txt", ".tsv"})
MAX_JSON_BYTES: Final = 64 * 1024 * 1024
"""Larger than any file Shorei writes; a bigger one is handed to the document reader, which refuses it."""


class FileKind(StrEnum):
    """What the window does with a file: the menu item it stands for."""

    APPLICATION = "application"
    """申請データ: ファイル → 申請データを開く."""
    CASE_LIST = "case_list"
    """症例一覧 (CSV/Excel): ファイル → Excel/CSVから症例を取り込む."""
    FACILITY_LIST = "facility_list"
    """認定施設一覧 (CSV/Excel): 施設一覧を取り込む."""
    APPROVAL_REQUEST = "approval_request"
    """承認依頼ファイル: the 指導者's review screen."""
    APPROVAL_RESPONSE = "approval_response"
    """承認結果ファイル: 承認結果を取り込む."""
    FORM_PACK = "form_pack"
    """様式パック (.shoreipack): ファイル → 様式パックを取り込む."""
    UNKNOWN = "unknown"


_BY_FORMAT: Final = {
    FORMAT: FileKind.APPLICATION,
    REQUEST_FORMAT: FileKind.APPROVAL_REQUEST,
    RESPONSE_FORMAT: FileKind.APPROVAL_RESPONSE,
}


def file_kind(path: Path) -> FileKind:
    """The kind of the file at `path` (see the module's docstring). Never raises for a bad file."""
    suffix = path.suffix.lower()
    if path.is_dir():
        # The document reader explains that a folder is not a file, the same on every system.
        return FileKind.APPLICATION
    if suffix == PACK_SUFFIX:
        # The pack reader checks the zip, its manifest and signature, and says what is wrong.
        return FileKind.FORM_PACK
    if suffix in JSON_SUFFIXES:
        return _json_kind(path)
    if suffix in TABLE_SUFFIXES:
        return _table_kind(path)
    return FileKind.UNKNOWN


def _json_kind(path: Path) -> FileKind:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:
            return FileKind.APPLICATION
        document = json.loads(data.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return FileKind.APPLICATION
    fmt = document.get("format") if isinstance(document, dict) else None
    if not isinstance(fmt, str):
        return FileKind.APPLICATION
    return _BY_FORMAT.get(fmt, FileKind.UNKNOWN if fmt.startswith("shorei/") else FileKind.APPLICATION)


def _table_kind(path: Path) -> FileKind:
    try:
        table = read_case_list(path)
    except (TableFileError, OSError):
        return FileKind.CASE_LIST
    return FileKind.FACILITY_LIST if is_facility_table(table) else FileKind.CASE_LIST
