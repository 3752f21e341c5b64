"""Reading and writing application documents: strict types, one clear line for anything unreadable."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.document import (
    MAX_DOCUMENT_BYTES,
    DocumentError,
    dump_application,
    load_application,
    parse_application,
    save_application,
)
from tests.factories import case, document, section

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.application import Application


def _parse(doc: Any) -> Application:
    return parse_application(json.dumps(doc, ensure_ascii=False).encode(), source="test.json")


def _error(doc: Any) -> str:
    with pytest.raises(DocumentError) as caught:
        _parse(doc)
    return caught.value.problem


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    """A saved document reads back equal, 備考 included, in UTF-8 with Japanese as is."""
    app = _parse(document([section([case(0, note="カルテ 1234")])]))
    path = tmp_path / "申請.json"
    save_application(app, path)
    assert load_application(path) == app
    assert "カルテ 1234" in path.read_text(encoding="utf-8")


def test_export_form_has_no_private_notes() -> None:
    """Without private fields, every 備考 is gone and nothing else changes."""
    app = _parse(document([section([case(0, note="秘密のメモ")])]))
    text = dump_application(app, include_private=False)
    assert "秘密のメモ" not in text
    assert app.sections[0].cases[0].note == "秘密のメモ"


def test_save_is_atomic_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed save leaves the previous file intact and no temporary file behind."""
    app = _parse(document())
    path = tmp_path / "a.json"
    save_application(app, path)
    before = path.read_bytes()

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", fail)
    with pytest.raises(OSError):
        save_application(app.model_copy(update={"sections": []}), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(format="shorei/application@2"), "形式ではありません"),
        (lambda d: d.pop("format"), "format がありません"),
        (lambda d: d.update(form={"id": "jbct-renewal-2099", "version": "1"}), "インストールされていません"),
        (lambda d: d.update(form={"id": "jbct-renewal-2026", "version": "0.0"}), "版「0.0」"),
        (lambda d: d.pop("form"), "様式"),
        (lambda d: d.update(extra=1), "/extra: この項目は申請データにありません"),
        (lambda d: d["sections"][0]["cases"][3].update(colour="red"), "/sections/0/cases/3/colour"),
        (
            lambda d: d["sections"][0]["cases"][0].update(age="65"),
            "/sections/0/cases/0/age: 整数で書いてください",
        ),
        (lambda d: d["sections"][0]["cases"][0].update(age=True), "整数で書いてください"),
        (lambda d: d["sections"][0]["cases"][0].update(age=65.5), "整数で書いてください"),
        (lambda d: d["sections"][0]["cases"][0].update(sex="男"), "male"),
        (lambda d: d["sections"][0]["cases"][0].update(start="2024/05"), "YYYY-MM"),
        (lambda d: d["sections"][0]["cases"][0].update(start="2024-13"), "月は1〜12"),
        (lambda d: d["sections"][0].update(cases={}), "配列"),
        (lambda d: d["applicant"].update(dental="yes"), "true か false"),
        (lambda d: d["sections"][0].update(accepted=[{"code": "x", "reason": "  "}]), "空にできません"),
    ],
)
def test_bad_documents_give_one_clear_line(mutate: Any, expected: str) -> None:
    """Wrong format, unknown form or version, unknown fields and wrong types: a Japanese line with the place."""
    doc = document()
    mutate(doc)
    problem = _error(doc)
    assert expected in problem
    assert "\n" not in problem


def test_error_lists_every_problem() -> None:
    """When several values are wrong, the line counts them and names each place (no 「ほか2件」)."""
    doc = document()
    for row in doc["sections"][0]["cases"][:3]:
        row["age"] = "x"
    problem = _error(doc)
    assert "（3件）" in problem and "ほか" not in problem
    assert all(f"/sections/0/cases/{row}/age: 整数で書いてください" in problem for row in range(3))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "空です"),
        (b"   \n", "空です"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "UTF-8"),
        (b"[1, 2]", "オブジェクト"),
        (b'{"format": "shorei/application@1", "form": {"id": ', "途中で終わっています"),
        (b'{"format": }', "JSON として読めません（1行12列目）: 値がありません"),
        (b"[" * 100_000, "JSON"),
    ],
)
def test_unreadable_bytes(data: bytes, expected: str) -> None:
    """Empty, binary, truncated or malformed input is refused with where and why."""
    with pytest.raises(DocumentError) as caught:
        parse_application(data, source="x.json")
    assert expected in str(caught.value)
    assert str(caught.value).startswith("x.json: ")


def test_truncated_file_from_disk(tmp_path: Path) -> None:
    """A document cut off mid-way (an interrupted copy) is reported as truncated."""
    path = tmp_path / "cut.json"
    text = json.dumps(document(), ensure_ascii=False)
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(DocumentError, match="途中で終わっています"):
        load_application(path)


def test_oversized_file_is_refused_without_reading(tmp_path: Path) -> None:
    """A 50 MB file is refused by its size."""
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(DocumentError, match="大きすぎます") as caught:
        load_application(path)
    assert "50.0 MB" in str(caught.value)
    assert MAX_DOCUMENT_BYTES < 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "expected"), [("missing.json", "ファイルがありません"), ("", "フォルダです")]
)
def test_missing_file_or_folder(tmp_path: Path, name: str, expected: str) -> None:
    """A path that is not a readable file says so."""
    with pytest.raises(DocumentError, match=expected):
        load_application(tmp_path / name)


def test_utf8_bom_is_accepted() -> None:
    """Files saved by Windows Notepad start with a BOM; they still read."""
    data = "\ufeff".encode() + json.dumps(document(), ensure_ascii=False).encode()
    assert parse_application(data, source="bom.json").case_count() == 20


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    """Whatever the bytes, the loader either returns a document or raises DocumentError."""
    try:
        parse_application(data, source="fuzz")
    except DocumentError as error:
        assert str(error).startswith("fuzz: ")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@given(st.sampled_from(["applicant", "sections", "form", "format"]), json_values)
def test_any_wrong_value_is_a_clear_error(key: str, value: Any) -> None:
    """Replacing any top-level part with arbitrary JSON never crashes the loader."""
    doc = document()
    doc[key] = value
    try:
        _parse(doc)
    except DocumentError as error:
        assert "\n" not in str(error)
