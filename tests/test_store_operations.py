"""The store's named operations: what a cell edit stores, what it refuses, and that it is on disk."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from app.models.application import Case, FacilityChoice
from app.models.document import DocumentError, load_application
from app.models.facility import Facility
from app.models.yearmonth import YearMonth
from app.operations.cases import (
    AcceptWarning,
    DeleteCase,
    InsertCase,
    MoveCase,
    PasteCases,
    SetCaseField,
    WithdrawWarning,
)
from app.operations.plan import MAX_ROWS, MAX_TEXT
from app.operations.sections import (
    AddEnrollment,
    AddSection,
    ChangeEnrollment,
    RemoveEnrollment,
    SetApplicantField,
    SetFacility,
)
from app.store import EditError, NotFoundError, Store, StoreReadOnlyError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

FORM = "jbct-renewal-2026"


@pytest.fixture
def store(shorei_home: Path) -> Iterator[Store]:
    with Store.open(shorei_home) as opened:
        yield opened


@pytest.fixture
def app_id(store: Store) -> int:
    return store.applications.create(FORM, "山田先生").id


def test_new_application_has_one_empty_section(store: Store) -> None:
    """A new application opens on 申請2(1), empty, under the newest installed form."""
    info = store.applications.create(FORM, "山田先生")
    application = store.get(info.id)
    assert info.title == "山田先生"
    assert info.form_id == FORM and info.form_version == application.form.version
    assert len(application.sections) == 1 and application.sections[0].cases == []
    assert [item.id for item in store.applications.all()] == [info.id]


def test_unknown_form_is_refused_in_japanese(store: Store) -> None:
    """Creating an application for a form that is not installed says which forms are."""
    with pytest.raises(EditError, match="インストールされていません"):
        store.applications.create("no-such-form")


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("age", "６５", 65),
        ("age", "65歳", 65),
        ("age", 70, 70),
        ("age", "", None),
        ("sex", "男性", "male"),
        ("sex", "F", "female"),
        ("start", "R6.5", YearMonth(2024, 5)),
        ("end", "2026年9月", YearMonth(2026, 9)),
        ("start", YearMonth(2023, 1), YearMonth(2023, 1)),
        ("diagnosis", "  胃癌　", "胃癌"),
        ("pathology", "ＡＢＣ腺癌", "ABC腺癌"),
        ("item", "手術", "手術"),
    ],
)
def test_cell_edit_stores_what_was_meant(
    store: Store, app_id: int, field: str, typed: object, stored: object
) -> None:
    """Full-width digits, 65歳, 男性, R6.5 and stray spaces are stored as the form expects them."""
    store.apply(app_id, SetCaseField(0, 0, "age", 99))
    application = store.apply(app_id, SetCaseField(0, 0, field, typed))  # type: ignore[arg-type]
    assert getattr(application.sections[0].cases[0], field) == stored
    assert getattr(store.get(app_id).sections[0].cases[0], field) == stored


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("age", "六十五", "申請2(1) No.3 年齢: 年齢は0〜120の数字で入力してください"),
        ("sex", "不明", "申請2(1) No.3 性別: 性別は「男性」か「女性」で入力してください"),
        ("start", "そのうち", "申請2(1) No.3 実施期間（開始）: 年月が読めません"),
        ("start", "2024/13", "申請2(1) No.3 実施期間（開始）: 月は1〜12で指定してください"),
        ("diagnosis", 5, "申請2(1) No.3 診断名: 値の種類が違います"),
        ("diagnosis", "癌" * (MAX_TEXT + 1), "申請2(1) No.3 診断名: 入力が長すぎます"),
        ("accepted", "x", "申請2(1) No.3: 症例の項目「accepted」はありません"),
    ],
)
def test_unreadable_cell_is_refused_and_nothing_changes(
    store: Store, app_id: int, field: str, typed: object, message: str
) -> None:
    """A value that cannot be read is refused with the place and what to type; the row keeps its value."""
    store.apply(app_id, SetCaseField(0, 2, "age", "50"))
    version = store.info(app_id).version
    with pytest.raises(EditError) as raised:
        store.apply(app_id, SetCaseField(0, 2, field, typed))  # type: ignore[arg-type]
    assert str(raised.value).startswith(message)
    assert store.info(app_id).version == version
    assert store.get(app_id).sections[0].cases[2].age == 50


def test_out_of_range_age_is_kept_for_the_rules_to_report(store: Store, app_id: int) -> None:
    """130 is stored as typed (the rules flag it), rather than lost."""
    assert store.apply(app_id, SetCaseField(0, 0, "age", "130")).sections[0].cases[0].age == 130


def test_editing_an_empty_numbered_row_creates_the_rows_before_it(store: Store, app_id: int) -> None:
    """Typing in row No.5 of an empty sheet keeps it in row 5, with blank rows 1–4."""
    application = store.apply(app_id, SetCaseField(0, 4, "diagnosis", "胃癌"))
    cases = application.sections[0].cases
    assert len(cases) == 5 and cases[4].diagnosis == "胃癌"
    assert all(case.is_blank() for case in cases[:4])


def test_row_beyond_the_limit_is_refused(store: Store, app_id: int) -> None:
    """A row number far past the sheet is refused with the allowed range."""
    with pytest.raises(EditError, match=f"1〜{MAX_ROWS}"):
        store.apply(app_id, SetCaseField(0, MAX_ROWS, "age", 1))


def test_unchanged_value_records_nothing(store: Store, app_id: int) -> None:
    """Leaving a cell without changing it adds no history entry."""
    store.apply(app_id, SetCaseField(0, 0, "age", 60))
    version = store.info(app_id).version
    store.apply(app_id, SetCaseField(0, 0, "age", "６０"))
    assert store.info(app_id).version == version


def test_every_edit_is_on_disk_when_it_returns(shorei_home: Path) -> None:
    """What an operation returned is what a fresh opening of the data folder reads."""
    with Store.open(shorei_home) as store:
        app_id = store.applications.create(FORM).id
        store.apply(app_id, SetCaseField(0, 0, "diagnosis", "肝細胞癌"))
        expected = store.apply(app_id, AddEnrollment(0, "2022/04", "2026/09"))
    with Store.open(shorei_home) as store:
        assert store.get(app_id) == expected


def test_insert_delete_and_move_rows(store: Store, app_id: int) -> None:
    """Rows can be inserted, deleted and moved, within a section and to another one."""
    for row, name in enumerate(["A癌", "B癌", "C癌"]):
        store.apply(app_id, SetCaseField(0, row, "diagnosis", name))
    store.apply(app_id, InsertCase(0, 1, Case(diagnosis="X癌")))
    assert [c.diagnosis for c in store.get(app_id).sections[0].cases] == ["A癌", "X癌", "B癌", "C癌"]
    store.apply(app_id, MoveCase(0, 3, 0, 0))
    assert [c.diagnosis for c in store.get(app_id).sections[0].cases] == ["C癌", "A癌", "X癌", "B癌"]
    store.apply(app_id, DeleteCase(0, 2))
    store.apply(app_id, AddSection())
    application = store.apply(app_id, MoveCase(0, 0, 1, 0))
    assert [c.diagnosis for c in application.sections[0].cases] == ["A癌", "B癌"]
    assert [c.diagnosis for c in application.sections[1].cases] == ["C癌"]


def test_deleting_a_missing_row_says_which(store: Store, app_id: int) -> None:
    """Deleting a row that does not exist names the row and the range."""
    with pytest.raises(EditError, match=r"申請2\(1\) No\.4: 行番号が範囲外です"):
        store.apply(app_id, DeleteCase(0, 3))


def test_missing_section_is_named(store: Store, app_id: int) -> None:
    """An edit in a section that does not exist names it."""
    with pytest.raises(EditError, match=r"申請2\(2\)はありません"):
        store.apply(app_id, SetCaseField(1, 0, "age", 1))


def test_pasted_rows_are_one_change(store: Store, app_id: int) -> None:
    """Rows pasted from a spreadsheet land from the chosen row on, and one undo takes them all back."""
    store.apply(app_id, SetCaseField(0, 0, "diagnosis", "残す癌"))
    before = store.info(app_id).version
    pasted = [Case(age=60 + n, diagnosis=f"貼付{n}癌") for n in range(5)]
    application = store.apply(app_id, PasteCases(0, 1, pasted))
    assert [c.diagnosis for c in application.sections[0].cases] == ["残す癌"] + [
        f"貼付{n}癌" for n in range(5)
    ]
    assert store.info(app_id).version == before + 1
    assert store.history.restore(app_id, before).sections[0].cases[1:] == []


def test_facility_from_the_list_or_typed(store: Store, app_id: int) -> None:
    """A facility is picked from the list (its 認定番号 kept) or typed by hand (marked manual)."""
    listed = Facility(cert_no="20953", name="伊勢赤十字病院", address="三重県伊勢市船江1-471-2")
    chosen = store.apply(app_id, SetFacility(0, listed)).sections[0].facility
    assert chosen == FacilityChoice(cert_no="20953", name="伊勢赤十字病院", manual=False)
    typed = store.apply(app_id, SetFacility(0, FacilityChoice(name=" 山田クリニック ", manual=True)))
    assert typed.sections[0].facility == FacilityChoice(name="山田クリニック", manual=True)
    assert store.apply(app_id, SetFacility(0, None)).sections[0].facility is None


def test_enrollment_periods(store: Store, app_id: int) -> None:
    """施設在籍期間 can be added as typed, changed and removed."""
    store.apply(app_id, AddEnrollment(0, "2022/4", "R5.3"))
    store.apply(app_id, AddEnrollment(0))
    application = store.apply(app_id, ChangeEnrollment(0, 1, YearMonth(2024, 1), "2026-09"))
    periods = [(str(p.start), str(p.end)) for p in application.sections[0].enrollment]
    assert periods == [("2022-04", "2023-03"), ("2024-01", "2026-09")]
    assert len(store.apply(app_id, RemoveEnrollment(0, 0)).sections[0].enrollment) == 1
    with pytest.raises(EditError, match="施設在籍期間 1: 年月が読めません"):
        store.apply(app_id, ChangeEnrollment(0, 0, "いつか", None))


def test_applicant_fields(store: Store, app_id: int) -> None:
    """The applicant's name, member number, dental flag and application month are stored normalised."""
    store.apply(app_id, SetApplicantField("name", "山田　太郎 "))
    store.apply(app_id, SetApplicantField("member_id", "１２３４５６"))
    store.apply(app_id, SetApplicantField("dental", True))
    applicant = store.apply(app_id, SetApplicantField("application_month", "2026/9")).applicant
    assert (applicant.name, applicant.member_id, applicant.dental) == ("山田　太郎", "123456", True)
    assert applicant.application_month == YearMonth(2026, 9)
    assert store.info(app_id).applicant_name == "山田　太郎"
    with pytest.raises(EditError, match="申請者の項目"):
        store.apply(app_id, SetApplicantField("email", "x"))


def test_accepted_warning_with_reason(store: Store, app_id: int) -> None:
    """A kept warning stores the reason; withdrawing removes it; an empty reason is refused."""
    store.apply(app_id, SetCaseField(0, 0, "age", 50))
    case = store.apply(app_id, AcceptWarning(0, 0, "duplicate-patient", "別の患者です")).sections[0].cases[0]
    assert case.accepted_reason("duplicate-patient") == "別の患者です"
    section = store.apply(app_id, AcceptWarning(0, None, "section-unneeded", "施設が別")).sections[0]
    assert section.accepted_reason("section-unneeded") == "施設が別"
    with pytest.raises(EditError, match="理由を入力してください"):
        store.apply(app_id, AcceptWarning(0, 0, "duplicate-patient", "  "))
    assert store.apply(app_id, WithdrawWarning(0, 0, "duplicate-patient")).sections[0].cases[0].accepted == []


def test_several_applications_rename_and_duplicate(store: Store) -> None:
    """A clerk keeps one application per doctor; a copy is independent of its original."""
    first = store.applications.create(FORM, "A先生")
    second = store.applications.create(FORM, "B先生")
    store.apply(first.id, SetCaseField(0, 0, "diagnosis", "胃癌"))
    copy = store.applications.duplicate(first.id)
    store.apply(copy.id, SetCaseField(0, 0, "diagnosis", "大腸癌"))
    assert store.get(first.id).sections[0].cases[0].diagnosis == "胃癌"
    assert copy.title == "A先生（コピー）"
    renamed = store.applications.rename(second.id, "B先生 2026")
    assert renamed.title == "B先生 2026"
    assert {info.title for info in store.applications.all()} == {"A先生", "A先生（コピー）", "B先生 2026"}
    assert store.history.changes(second.id)[0].summary == "名前を変更: B先生 → B先生 2026"
    with pytest.raises(EditError, match="名前を入力してください"):
        store.applications.rename(second.id, "　")


def test_trash_keeps_until_emptied(store: Store, app_id: int) -> None:
    """Deleting moves to the trash (not editable there); putting back restores it; emptying is final."""
    store.apply(app_id, SetCaseField(0, 0, "diagnosis", "胃癌"))
    store.applications.move_to_trash(app_id)
    assert store.applications.all() == []
    assert [info.id for info in store.applications.in_trash()] == [app_id]
    with pytest.raises(EditError, match="ゴミ箱"):
        store.apply(app_id, SetCaseField(0, 0, "age", 1))
    store.applications.restore_from_trash(app_id)
    assert store.get(app_id).sections[0].cases[0].diagnosis == "胃癌"
    store.applications.move_to_trash(app_id)
    assert store.applications.empty_trash() == 1
    with pytest.raises(NotFoundError, match="見つかりません"):
        store.get(app_id)
    assert store.applications.in_trash() == []


def test_import_and_export_documents(store: Store, examples_dir: Path, tmp_path: Path) -> None:
    """An application document comes in whole and goes out the same; private notes can be left out."""
    source = examples_dir / "valid-20-cases.json"
    info = store.applications.import_document(source)
    assert info.title == "valid-20-cases"
    assert store.get(info.id) == load_application(source)
    assert store.history.changes(info.id)[0].summary == "取り込み: valid-20-cases.json"
    out = tmp_path / "out" / "doc.json"
    store.applications.export_document(info.id, out)
    assert load_application(out) == load_application(source)
    store.applications.export_document(info.id, out, include_private=False)
    notes = [
        case["note"]
        for section in json.loads(out.read_text("utf-8"))["sections"]
        for case in section["cases"]
    ]
    assert set(notes) == {""}


def test_broken_document_is_refused_and_nothing_is_stored(store: Store, tmp_path: Path) -> None:
    """A document that cannot be read is refused with its name, and no application appears."""
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "shorei/application@1", "form": {', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"broken\.json"):
        store.applications.import_document(broken)
    assert store.applications.all() == []


def test_document_with_too_many_rows_is_refused(store: Store, examples_dir: Path, tmp_path: Path) -> None:
    """A hostile document with thousands of rows is refused before anything is stored."""
    data = json.loads((examples_dir / "valid-20-cases.json").read_text("utf-8"))
    data["sections"][0]["cases"] = data["sections"][0]["cases"][:1] * (MAX_ROWS + 1)
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DocumentError, match="症例が多すぎます"):
        store.applications.import_document(path)
    assert store.applications.all() == []


def test_read_only_store_refuses_every_change(shorei_home: Path) -> None:
    """A store opened read-only reads everything and refuses every change with a message."""
    with Store.open(shorei_home) as writer:
        app_id = writer.applications.create(FORM, "山田").id
        with Store.open(shorei_home) as reader:
            assert reader.read_only
            assert reader.get(app_id) == writer.get(app_id)
            writer.apply(app_id, SetCaseField(0, 0, "age", 44))
            assert reader.get(app_id).sections[0].cases[0].age == 44
            for change in (
                lambda: reader.apply(app_id, SetCaseField(0, 0, "age", 1)),
                lambda: reader.applications.create(FORM),
                lambda: reader.applications.move_to_trash(app_id),
                lambda: reader.history.restore(app_id, 0),
                lambda: reader.applications.rename(app_id, "x"),
                lambda: reader.database.backup_now(),
            ):
                with pytest.raises(StoreReadOnlyError, match="読み取り専用"):
                    change()


def test_summaries_read_like_the_form(store: Store, app_id: int) -> None:
    """The history says what changed in the form's words (申請2(1) No.1 性別: （空） → 男性)."""
    store.apply(app_id, SetCaseField(0, 0, "sex", "男"))
    store.apply(app_id, SetCaseField(0, 0, "start", "2024/5"))
    summaries = [change.summary for change in store.history.changes(app_id)]
    assert summaries[:2] == [
        "申請2(1) No.1 実施期間（開始）: （空） → 2024/05",
        "申請2(1) No.1 性別: （空） → 男性",
    ]
    assert summaries[-1] == "新規作成"
