"""What was printed and made for upload, kept by the store, and 「印刷後に変更あり」 after an edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from app.operations.cases import SetCaseField
from app.operations.sections import SetApplicantField
from app.store import Store
from app.store.print_state import (
    CHANGED,
    DRAFT,
    PRINTED,
    READY,
    WHOLE_APPLICATION,
    content_fingerprints,
    list_state,
    print_state,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

FORM = "jbct-renewal-2026"


@pytest.fixture
def store(shorei_home: Path) -> Iterator[Store]:
    with Store.open(shorei_home) as opened:
        yield opened


def _export(store: Store, app_id: int) -> None:
    """Record what a successful export records: every section's sheets, the whole, the upload file."""
    found = content_fingerprints(store.get(app_id))
    for part, content in found.items():
        store.archive.record_output(app_id, part, "print", content)
    store.archive.record_output(app_id, WHOLE_APPLICATION, "upload", found[WHOLE_APPLICATION], code="abc123")


def test_new_application_is_neither_printed_nor_uploaded(store: Store) -> None:
    """A new application shows 「印刷 未／アップロード 未」."""
    app_id = store.applications.create(FORM).id
    state = print_state(store.get(app_id), store.archive.outputs(app_id).get(app_id, []))
    assert state.label == "印刷 未／アップロード 未" and not state.changed


def test_export_marks_printed_and_uploaded_with_the_code(store: Store) -> None:
    """After an export the state is 「印刷 済／アップロード 済」 with the 照合コード of the upload file."""
    app_id = store.applications.create(FORM).id
    store.apply(app_id, SetCaseField(0, 0, "age", 60))
    _export(store, app_id)
    state = print_state(store.get(app_id), store.archive.outputs(app_id)[app_id])
    assert state.label == "印刷 済／アップロード 済" and state.code == "abc123"
    assert list_state(state, errors=0) == PRINTED


def test_edit_after_export_marks_changed_and_undo_clears_it(store: Store) -> None:
    """An edit of printed content shows 「印刷後に変更あり」 for its section; restoring the content clears it."""
    app_id = store.applications.create(FORM).id
    store.apply(app_id, SetCaseField(0, 0, "age", 60))
    _export(store, app_id)
    printed_version = store.info(app_id).version
    store.apply(app_id, SetCaseField(0, 0, "age", 61))
    state = print_state(store.get(app_id), store.archive.outputs(app_id)[app_id])
    assert state.changed and state.changed_parts == (0,)
    assert state.section_label(0) == CHANGED and state.section_label(1) == ""
    assert state.label.endswith("（印刷後に変更あり）") and list_state(state, errors=3) == CHANGED
    store.history.restore(app_id, printed_version)
    assert not print_state(store.get(app_id), store.archive.outputs(app_id)[app_id]).changed


def test_a_note_is_not_printed_content(store: Store) -> None:
    """備考 never leave the PC, so editing one after export does not ask for a reprint."""
    app_id = store.applications.create(FORM).id
    store.apply(app_id, SetCaseField(0, 0, "age", 60))
    _export(store, app_id)
    store.apply(app_id, SetCaseField(0, 0, "note", "自分用のメモ"))
    assert not print_state(store.get(app_id), store.archive.outputs(app_id)[app_id]).changed


def test_state_without_output_follows_the_errors() -> None:
    """Not printed: 下書き while there are errors, 提出できます at none."""
    from app.store.print_state import NOT_PRINTED

    assert list_state(NOT_PRINTED, errors=2) == DRAFT
    assert list_state(NOT_PRINTED, errors=0) == READY


def test_outputs_go_with_the_application_and_not_with_a_copy(store: Store) -> None:
    """A 複製 starts unprinted; emptying the trash removes the original's outputs with it."""
    app_id = store.applications.create(FORM).id
    _export(store, app_id)
    copy = store.applications.duplicate(app_id)
    assert copy.id not in store.archive.outputs() and copy.copy_of == app_id
    store.applications.move_to_trash(app_id)
    store.applications.empty_trash()
    assert store.archive.outputs() == {}


def test_list_name_follows_the_applicant_until_renamed(store: Store) -> None:
    """Without a name of its own the list shows 氏名; 新規 with a name or 名前変更 keeps the user's name."""
    app_id = store.applications.create(FORM).id
    store.apply(app_id, SetApplicantField("name", "山田太郎"))
    assert store.info(app_id).display_name == "山田太郎"
    store.applications.rename(app_id, "山田先生 2026")
    store.apply(app_id, SetApplicantField("name", "山田次郎"))
    assert store.info(app_id).display_name == "山田先生 2026"
    assert store.applications.create(FORM, "佐藤先生").display_name == "佐藤先生"
