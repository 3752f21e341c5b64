"""History: every change recorded, any earlier state rebuilt and restored, restoring undoable."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models.application import Case, FacilityChoice
from app.operations.cases import DeleteCase, InsertCase, MoveCase, PasteCases, SetCaseField
from app.operations.patch import Edit, apply, invert
from app.operations.sections import AddEnrollment, AddSection, RemoveSection, SetApplicantField, SetFacility
from app.store import EditError, HistoryError, Store

if TYPE_CHECKING:
    from collections.abc import Iterator

    from app.models.application import Application

FORM = "jbct-renewal-2026"


@pytest.fixture
def store(shorei_home: Path) -> Iterator[Store]:
    with Store.open(shorei_home) as opened:
        yield opened


def test_history_lists_changes_newest_first_with_before_and_after(store: Store) -> None:
    """Each change is listed with its time, what it did, and the value before and after."""
    app_id = store.applications.create(FORM, "山田").id
    store.apply(app_id, SetCaseField(0, 0, "age", 60))
    store.apply(app_id, SetCaseField(0, 0, "age", 61))
    changes = store.history.changes(app_id)
    assert [change.version for change in changes] == [2, 1, 0]
    latest = changes[0]
    assert latest.operation == "set_case_field"
    assert latest.summary == "申請2(1) No.1 年齢: 60 → 61"
    assert latest.edits[0].before["age"] == 60 and latest.edits[0].after["age"] == 61
    assert latest.at.tzinfo is not None
    assert latest.session == store.session
    assert [c.version for c in store.history.changes(app_id, limit=1, before=2)] == [1]


def test_earlier_state_can_be_previewed_and_restored(store: Store) -> None:
    """Any earlier state can be looked at and brought back; restoring is itself a change."""
    app_id = store.applications.create(FORM).id
    store.apply(app_id, SetCaseField(0, 0, "diagnosis", "胃癌"))
    store.apply(app_id, SetCaseField(0, 1, "diagnosis", "肺癌"))
    store.apply(app_id, DeleteCase(0, 0))
    assert [c.diagnosis for c in store.history.state_at(app_id, 2).sections[0].cases] == ["胃癌", "肺癌"]
    assert store.info(app_id).version == 3
    restored = store.history.restore(app_id, 2)
    assert [c.diagnosis for c in restored.sections[0].cases] == ["胃癌", "肺癌"]
    assert store.info(app_id).version == 4
    assert store.history.changes(app_id)[0].operation == "restore"
    assert store.history.changes(app_id)[0].summary.startswith("版 2（")
    undone = store.history.restore(app_id, 3)
    assert [c.diagnosis for c in undone.sections[0].cases] == ["肺癌"]


def test_version_that_does_not_exist_is_refused(store: Store) -> None:
    """Asking for a version past the newest says which versions there are."""
    app_id = store.applications.create(FORM).id
    with pytest.raises(EditError, match=r"版 5 はありません（0〜0）"):
        store.history.state_at(app_id, 5)


def test_history_survives_reopening(shorei_home: Path) -> None:
    """After closing and reopening, the old states are still there to restore."""
    with Store.open(shorei_home) as store:
        app_id = store.applications.create(FORM).id
        first = store.apply(app_id, SetCaseField(0, 0, "diagnosis", "胃癌"))
        store.apply(app_id, SetCaseField(0, 0, "diagnosis", "大腸癌"))
        first_session = store.session
    with Store.open(shorei_home) as store:
        assert store.history.restore(app_id, 1) == first
        sessions = [change.session for change in store.history.changes(app_id)]
        assert sessions[0] == store.session and sessions[1] == first_session != store.session


def test_tampered_history_is_detected_not_applied(store: Store) -> None:
    """A history that does not fit the stored rows raises instead of rebuilding a wrong state."""
    app_id = store.applications.create(FORM).id
    store.apply(app_id, SetCaseField(0, 0, "age", 60))
    connection = store.database.db()
    connection.execute("UPDATE cases SET data = json_set(data, '$.age', 99)")
    store._rows.forget_all()
    with pytest.raises(HistoryError, match="履歴と保存されている内容が一致しません"):
        store.history.state_at(app_id, 0)


def test_edits_invert_exactly() -> None:
    """Applying edits then their inverse gives back the document, untouched in place."""
    document = {"sections": [{"cases": [{"age": 1}, {"age": 2}], "facility": None}]}
    edits = [
        Edit("set", ("sections", 0, "cases", 0), {"age": 1}, {"age": 5}),
        Edit("insert", ("sections", 0, "cases", 2), after={"age": 3}),
        Edit("move", ("sections", 0, "cases"), 2, 0),
        Edit("delete", ("sections", 0, "cases", 1), before={"age": 5}),
        Edit("set", ("$title",), "a", "b"),
    ]
    changed = apply(document, edits)
    assert changed == {"sections": [{"cases": [{"age": 3}, {"age": 2}], "facility": None}]}
    assert apply(changed, invert(edits)) == document
    assert document == {"sections": [{"cases": [{"age": 1}, {"age": 2}], "facility": None}]}


_SECTION = st.integers(0, 2)
_ROW = st.integers(0, 5)
_TEXT = st.text(alphabet=st.sampled_from("胃癌肺ａ1 　\t髙ｶﾞ"), max_size=6)
_VALUE = st.one_of(
    st.none(), st.integers(-1, 130), _TEXT, st.sampled_from(["男性", "女", "R6.5", "2024/13", "６５"])
)
_OPERATION = st.one_of(
    st.tuples(
        st.just("set"), _SECTION, _ROW, st.sampled_from(["age", "sex", "diagnosis", "start", "note"]), _VALUE
    ),
    st.tuples(st.just("insert"), _SECTION, _ROW, _TEXT),
    st.tuples(st.just("delete"), _SECTION, _ROW),
    st.tuples(st.just("move"), _SECTION, _ROW, _SECTION, _ROW),
    st.tuples(st.just("paste"), _SECTION, _ROW, st.integers(0, 3)),
    st.tuples(st.just("add_section")),
    st.tuples(st.just("remove_section"), _SECTION),
    st.tuples(st.just("enroll"), _SECTION, st.sampled_from(["2022/4", "R5.3", None, "x"])),
    st.tuples(st.just("facility"), _SECTION, _TEXT),
    st.tuples(st.just("applicant"), _TEXT),
    st.tuples(st.just("rename"), _TEXT),
    st.tuples(st.just("restore"), st.integers(0, 40)),
)


def _run(store: Store, app_id: int, operation: tuple[Any, ...]) -> None:
    kind, *args = operation
    if kind == "set":
        store.apply(app_id, SetCaseField(*args))
    elif kind == "insert":
        store.apply(app_id, InsertCase(args[0], args[1], Case(diagnosis=args[2])))
    elif kind == "delete":
        store.apply(app_id, DeleteCase(*args))
    elif kind == "move":
        store.apply(app_id, MoveCase(*args))
    elif kind == "paste":
        store.apply(app_id, PasteCases(args[0], args[1], [Case(age=n) for n in range(args[2])]))
    elif kind == "add_section":
        store.apply(app_id, AddSection())
    elif kind == "remove_section":
        store.apply(app_id, RemoveSection(args[0]))
    elif kind == "enroll":
        store.apply(app_id, AddEnrollment(args[0], args[1], args[1]))
    elif kind == "facility":
        store.apply(app_id, SetFacility(args[0], FacilityChoice(name=args[1], manual=True)))
    elif kind == "applicant":
        store.apply(app_id, SetApplicantField("name", args[0]))
    elif kind == "rename":
        store.applications.rename(app_id, args[0])
    else:
        store.history.restore(app_id, args[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_OPERATION, max_size=25), st.data())
def test_any_sequence_of_edits_then_restore_gives_exactly_that_state(
    operations: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    """Whatever was done, in any order, each saved state comes back exactly, also after reopening."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        with Store.open(home) as store:
            app_id = store.applications.create(FORM, "履歴").id
            states: dict[int, Application] = {0: store.get(app_id)}
            for operation in operations:
                # Refused input changes nothing: the states below check that too.
                with contextlib.suppress(EditError):
                    _run(store, app_id, operation)
                states[store.info(app_id).version] = store.get(app_id)
            last = store.info(app_id).version
            assert sorted(states) == list(range(last + 1))
            for version, state in states.items():
                assert store.history.state_at(app_id, version) == state
            target = data.draw(st.integers(0, last), label="restore to")
            assert store.history.restore(app_id, target) == states[target]
        with Store.open(home) as store:
            assert store.get(app_id) == states[target]
            expected_version = last if store.info(app_id).version == last else last + 1
            assert store.info(app_id).version == expected_version
            assert store.history.restore(app_id, last) == states[last]


def test_a_restore_says_what_it_changed(store: Store) -> None:
    """A restore's history line names the first cells it changes and counts the rest."""
    app_id = store.applications.create(FORM).id
    store.apply(app_id, SetCaseField(0, 0, "diagnosis", "胃癌"))
    store.apply(app_id, SetCaseField(0, 0, "sex", "男"))
    store.apply(app_id, SetCaseField(0, 0, "age", 60))
    store.apply(app_id, SetApplicantField("name", "山田 太郎"))
    store.history.restore(app_id, 1)
    summary = store.history.changes(app_id)[0].summary
    assert summary.startswith("版 1（")
    assert summary.endswith(
        "の状態に戻す（氏名: 山田 太郎 → （空）、申請2(1) No.1 年齢: 60 → （空） ほか1件）"
    )
