"""JSPM case reports in the store: each operation, the locks of JS-6, approval states, the report archive,
the 指導者 registry, history and undo over all of them, and documents with reports in and out."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from app.models.application import Application, Approval, FieldComment, Supervisor
from app.models.approval import REQUEST_FORMAT, ApprovalRequest, report_content, report_hash
from app.models.document import DocumentError, load_application
from app.models.forms import FormRegistry, bundled_forms
from app.operations.approval import ImportResults, MarkRequested, ReopenReport, WithdrawRequest, key_to_trust
from app.operations.plan import MAX_REPORTS
from app.operations.reports import (
    AcceptReportWarning,
    AddReport,
    DeleteReport,
    MoveReport,
    SetReportFacility,
    SetReportField,
    WithdrawReportWarning,
)
from app.store import EditError, Store, StoreReadOnlyError
from app.store.facility_files import bundled_facility_list
from app.store.supervisors import read_fingerprint
from tests.jspm_factories import APPLICANT, SUPERVISOR, jspm_application, report

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

    from app.models.facility import Facility

FORM = "jspm-specialist-new"
TRUSTED = "d953-9dee-b900-8f79-b2f0-7e9a-7140-bc48"
OTHER_KEY = "0000-1111-2222-3333-4444-5555-6666-7777"


@pytest.fixture
def store(shorei_home: Path) -> Iterator[Store]:
    with Store.open(shorei_home) as opened:
        yield opened


@pytest.fixture
def app_id(store: Store) -> int:
    """An application holding three complete reports (the factory's), none requested yet."""
    application = jspm_application([report(n) for n in range(3)])
    return store.applications.import_application(application, title="緩和 花子").id


def _supervisor(**changes: Any) -> Supervisor:
    return Supervisor.model_validate({**SUPERVISOR, "fingerprint": TRUSTED, **changes}, strict=False)


def _request(
    application: Application,
    rows: Sequence[int],
    *,
    supervisor: Supervisor | None = None,
    message: str = "ご確認をお願いします",
) -> ApprovalRequest:
    """A request as app.approval.request writes it (the signature is not checked by the store)."""
    chosen = supervisor or _supervisor()
    cases = [
        {
            "id": application.reports[row].id,
            "number": row + 1,
            "content_hash": report_hash(application.reports[row]),
            "content": report_content(application.reports[row]),
        }
        for row in rows
    ]
    return ApprovalRequest.model_validate(
        {
            "format": REQUEST_FORMAT,
            "request_id": uuid.uuid4().hex,
            "created": "2024-05-01T09:00:00Z",
            "generator": "test",
            "form": {"id": application.form.id, "version": application.form.version},
            "applicant": {**APPLICANT, "fingerprint": OTHER_KEY},
            "supervisor": chosen.model_dump(mode="json"),
            "message": message,
            "cases": cases,
            "signature": {
                "algorithm": "Ed25519",
                "public_key": "0" * 64,
                "fingerprint": OTHER_KEY,
                "value": "0" * 128,
            },
        },
        strict=False,
    )


def _decision(
    application: Application, row: int, state: str = "approved", comments: Sequence[tuple[str, str]] = ()
) -> tuple[int, Approval]:
    """A checked result for a pending report, as match_response returns it (statement included)."""
    pending = application.reports[row].approval
    assert pending is not None
    statement = {"format": "shorei/approval@1", "case_id": application.reports[row].id, "decision": state}
    decided = pending.model_copy(
        update={
            "state": state,
            "decided_at": "2024-05-03T10:00:00Z",
            "comments": [FieldComment(field=field, comment=text) for field, text in comments],
            "statement": statement,
        }
    )
    return row, decided


def _requested(store: Store, app_id: int, rows: Sequence[int]) -> Application:
    request = _request(store.get(app_id), rows)
    return store.apply(app_id, MarkRequested(request, _supervisor()))


def _approved(store: Store, app_id: int, rows: Sequence[int]) -> Application:
    application = _requested(store, app_id, rows)
    return store.apply(app_id, ImportResults([_decision(application, row) for row in rows]))


def _stored(home: Path, app_id: int) -> Application:
    """The application as a fresh reader finds it in the database (not the writer's copy in memory)."""
    with Store.open(home, read_only=True) as reader:
        return reader.get(app_id)


def _facility(cert_no: str = "S001") -> Facility:
    return bundled_facility_list("jspm-sample").by_cert_no(cert_no)[0]


# ---- a new JSPM application -----------------------------------------------------------------------


def test_new_jspm_application_lists_the_forms_count_of_empty_reports(store: Store, shorei_home: Path) -> None:
    """A new 専門医新規申請 holds 20 empty reports (1…20 未登録, as on the society's page), each with its own id."""
    info = store.applications.create(FORM)
    application = store.get(info.id)
    assert application.sections == []
    assert len(application.reports) == 20
    assert all(item.is_blank() for item in application.reports)
    assert len({item.id for item in application.reports}) == 20
    assert _stored(shorei_home, info.id) == application


def test_a_transition_application_starts_with_seven_reports(store: Store) -> None:
    """The 移行申請 form asks for exactly 7 reports, so it starts with 7."""
    info = store.applications.create("jspm-specialist-transition")
    assert len(store.get(info.id).reports) == 7


def test_jbct_applications_still_start_with_one_section(store: Store) -> None:
    """Forms laid out in sections are unchanged: one empty section, no reports."""
    application = store.get(store.applications.create("jbct-renewal-2026").id)
    assert len(application.sections) == 1 and application.reports == []


# ---- fields ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("category", "せん妄", "せん妄"),
        ("category", "  社会的な関わり ", "社会的な関わり"),
        ("start", "R6.5.1", dt.date(2024, 5, 1)),
        ("start", "2024/5/1", dt.date(2024, 5, 1)),
        ("end", "令和6年5月31日", dt.date(2024, 5, 31)),
        ("end", dt.date(2024, 6, 1), dt.date(2024, 6, 1)),
        ("end", "", None),
        ("age", "６５歳", 65),
        ("age", 80, 80),
        ("sex", "女性", "female"),
        ("sex", "M", "male"),
        ("diagnosis", "膵癌　", "膵癌"),
        ("note", "自分用のメモ", "自分用のメモ"),
    ],
)
def test_report_field_is_read_as_typed(
    store: Store, shorei_home: Path, key: str, typed: Any, stored: Any
) -> None:
    """A report's field takes what a person types (和暦, 全角, 「歳」, 「女性」) and stores it typed."""
    app_id = store.applications.create(FORM).id
    application = store.apply(app_id, SetReportField(2, key, typed))
    assert getattr(application.reports[2], key) == stored
    assert getattr(_stored(shorei_home, app_id).reports[2], key) == stored


def test_narrative_field_keeps_its_lines_and_empties_to_nothing(store: Store, shorei_home: Path) -> None:
    """A long field keeps its line breaks (CRLF from a paste becomes LF); emptying it removes it."""
    app_id = store.applications.create(FORM).id
    application = store.apply(
        app_id, SetReportField(0, "history", "実際の提供期間 2023/04/01〜\r\n入院後に増悪。  \r\n")
    )
    assert application.reports[0].narrative == {"history": "実際の提供期間 2023/04/01〜\n入院後に増悪。"}
    assert store.history.changes(app_id)[0].summary.startswith(
        "症例1 介入時までの現病歴: （空） → 実際の提供期間"
    )
    assert "\n" not in store.history.changes(app_id)[0].summary
    assert store.apply(app_id, SetReportField(0, "history", "")).reports[0].narrative == {}
    assert _stored(shorei_home, app_id).reports[0].narrative == {}


def test_text_longer_than_the_form_allows_is_kept_for_the_rules_to_report(store: Store) -> None:
    """The form's limit (600 characters) is reported by the rules, so what was typed is not cut."""
    app_id = store.applications.create(FORM).id
    text = "あ" * 700
    assert store.apply(app_id, SetReportField(0, "history", text)).reports[0].narrative["history"] == text


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("start", "2024/13/01", "症例1 主に緩和医療を提供した期間（開始）: 存在しない日付です"),
        ("start", "きのう", "日付が読めません"),
        ("age", "六十", "症例1 年齢"),
        ("sex", "不明", "症例1 性別"),
        ("category", 3, "値の種類が違います"),
        ("approval", None, "この操作では変更できません"),
        ("id", "0" * 32, "この操作では変更できません"),
        ("pathology", "腺癌", "この様式にありません"),
    ],
)
def test_unreadable_report_input_is_refused_with_the_place(
    store: Store, key: str, typed: Any, message: str
) -> None:
    """Input that cannot be read names the report and field, says what to type, and changes nothing."""
    app_id = store.applications.create(FORM).id
    with pytest.raises(EditError, match=message):
        store.apply(app_id, SetReportField(0, key, typed))
    assert store.info(app_id).version == 0


def test_report_out_of_range_is_refused(store: Store) -> None:
    """A report number that does not exist is named, with how many there are."""
    app_id = store.applications.create(FORM).id
    with pytest.raises(EditError, match="症例21はありません（症例は20件です）"):
        store.apply(app_id, SetReportField(20, "age", 60))


def test_unchanged_report_value_records_nothing(store: Store, app_id: int) -> None:
    """Setting a field to what it already holds is not a change (no history entry)."""
    version = store.info(app_id).version
    store.apply(app_id, SetReportField(0, "age", store.get(app_id).reports[0].age))
    assert store.info(app_id).version == version


def test_facility_entry_keeps_its_kind_and_certification_period(store: Store, shorei_home: Path) -> None:
    """A facility chosen from the list keeps which entry it was (JS-3: the same hospital appears with other
    kinds and periods); a typed one is marked manual; None clears it."""
    app_id = store.applications.create(FORM).id
    entry = _facility()
    chosen = store.apply(app_id, SetReportFacility(0, entry)).reports[0].facility
    assert chosen is not None
    assert (chosen.cert_no, chosen.name, chosen.kind) == (entry.cert_no, entry.name, entry.kind)
    assert (chosen.cert_start, chosen.cert_end, chosen.manual) == (entry.cert_start, entry.cert_end, False)
    assert store.history.changes(app_id)[0].summary.startswith(
        f"症例1 診療施設名: {entry.name}（{entry.cert_no}"
    )
    typed = store.apply(app_id, SetReportFacility(0, None, "ひまわり在宅クリニック")).reports[0].facility
    assert (
        typed is not None and typed.manual and typed.name == "ひまわり在宅クリニック" and typed.cert_no == ""
    )
    assert store.apply(app_id, SetReportFacility(0, None)).reports[0].facility is None
    assert _stored(shorei_home, app_id).reports[0].facility is None
    with pytest.raises(EditError, match="どちらか一方"):
        store.apply(app_id, SetReportFacility(0, entry, "手入力"))


def test_accepted_warning_on_a_report(store: Store, app_id: int) -> None:
    """A warning is kept on a report with a reason, and the choice can be taken back."""
    accepted = store.apply(app_id, AcceptReportWarning(1, "facility-manual", "在宅診療所のため"))
    assert accepted.reports[1].accepted_reason("facility-manual") == "在宅診療所のため"
    with pytest.raises(EditError, match="理由を入力してください"):
        store.apply(app_id, AcceptReportWarning(1, "facility-manual", "  "))
    assert store.apply(app_id, WithdrawReportWarning(1, "facility-manual")).reports[1].accepted == []


# ---- the list -------------------------------------------------------------------------------------


def test_add_delete_and_move_reports(store: Store, shorei_home: Path, app_id: int) -> None:
    """Reports are added at the end, deleted (the rest move up) and moved, each keeping its id."""
    ids = [item.id for item in store.get(app_id).reports]
    added = store.apply(app_id, AddReport())
    assert len(added.reports) == 4 and added.reports[3].is_blank() and added.reports[3].id not in ids
    moved = store.apply(app_id, MoveReport(0, 2))
    assert [item.id for item in moved.reports[:3]] == [ids[1], ids[2], ids[0]]
    assert store.history.changes(app_id)[0].summary == "症例1を3番目へ移動"
    deleted = store.apply(app_id, DeleteReport(1))
    assert [item.id for item in deleted.reports] == [ids[1], ids[0], added.reports[3].id]
    assert _stored(shorei_home, app_id) == deleted
    with pytest.raises(EditError, match="症例4はありません"):
        store.apply(app_id, MoveReport(0, 3))


def test_report_count_has_a_hard_limit(store: Store) -> None:
    """Reports stop at the store's hard limit (far above any form's count) with a message."""
    application = jspm_application([report(n, id=uuid.uuid4().hex) for n in range(MAX_REPORTS)])
    app_id = store.applications.import_application(application).id
    with pytest.raises(EditError, match=f"上限 {MAX_REPORTS}件"):
        store.apply(app_id, AddReport())


# ---- locks (JS-6) ---------------------------------------------------------------------------------

EDITS: dict[str, Callable[[Store, int], object]] = {
    "category": lambda s, a: s.apply(a, SetReportField(0, "category", "せん妄")),
    "start": lambda s, a: s.apply(a, SetReportField(0, "start", "2023/4/2")),
    "end": lambda s, a: s.apply(a, SetReportField(0, "end", "")),
    "age": lambda s, a: s.apply(a, SetReportField(0, "age", "99")),
    "sex": lambda s, a: s.apply(
        a, SetReportField(0, "sex", "男性" if s.get(a).reports[0].sex == "female" else "女性")
    ),
    "diagnosis": lambda s, a: s.apply(a, SetReportField(0, "diagnosis", "肺癌")),
    "narrative": lambda s, a: s.apply(a, SetReportField(0, "course", "書き換え")),
    "narrative-unreadable": lambda s, a: s.apply(a, SetReportField(0, "start", "読めない日付")),
    "facility": lambda s, a: s.apply(a, SetReportFacility(0, None, "別の病院")),
    "facility-cleared": lambda s, a: s.apply(a, SetReportFacility(0, None)),
    "accept": lambda s, a: s.apply(a, AcceptReportWarning(0, "facility-manual", "理由")),
    "delete": lambda s, a: s.apply(a, DeleteReport(0)),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("requested", "症例1は承認依頼中のため(編集|削除)できません。「承認依頼の取り下げをする」"),
        ("approved", "症例1は承認済みのため(編集|削除)できません。修正が必要な場合は「削除して再依頼」"),
    ],
    ids=["requested", "approved"],
)
def test_every_edit_of_a_locked_report_is_refused(
    store: Store, shorei_home: Path, app_id: int, edit: str, state: str, message: str
) -> None:
    """A report 承認依頼中 or 承認 refuses every change, saying why and what to do; nothing changes."""
    locked = _requested(store, app_id, [0]) if state == "requested" else _approved(store, app_id, [0])
    version = store.info(app_id).version
    with pytest.raises(EditError, match=message) as raised:
        EDITS[edit](store, app_id)
    assert "備考はいつでも編集できます" in str(raised.value)
    assert store.info(app_id).version == version
    assert store.get(app_id) == locked == _stored(shorei_home, app_id)


@pytest.mark.parametrize("state", ["requested", "approved"])
def test_private_note_of_a_locked_report_may_always_change(store: Store, app_id: int, state: str) -> None:
    """備考 is private and outside the approved content: it can be written whatever the state."""
    locked = _requested(store, app_id, [0]) if state == "requested" else _approved(store, app_id, [0])
    changed = store.apply(app_id, SetReportField(0, "note", "指導医に電話済み"))
    assert changed.reports[0].note == "指導医に電話済み"
    assert changed.reports[0].approval == locked.reports[0].approval
    assert report_hash(changed.reports[0]) == locked.reports[0].approval.content_hash  # type: ignore[union-attr]


def test_locked_reports_may_be_moved_and_others_edited(store: Store, app_id: int) -> None:
    """Moving keeps a locked report's id and content (its approval still finds it); unlocked reports stay
    editable beside it."""
    approved = _approved(store, app_id, [0])
    moved = store.apply(app_id, MoveReport(0, 2))
    assert moved.reports[2] == approved.reports[0]
    assert store.apply(app_id, SetReportField(0, "diagnosis", "肺癌")).reports[0].diagnosis == "肺癌"


def test_unchanged_value_on_a_locked_report_is_not_an_error(store: Store, app_id: int) -> None:
    """An editor that commits the value the field already holds does not meet the lock."""
    application = _approved(store, app_id, [0])
    version = store.info(app_id).version
    store.apply(app_id, SetReportField(0, "diagnosis", application.reports[0].diagnosis))
    assert store.info(app_id).version == version


# ---- approval: request, withdraw, decisions, reopen -----------------------------------------------


def test_mark_requested_binds_each_report_to_the_requests_content(
    store: Store, shorei_home: Path, app_id: int
) -> None:
    """After the request file is written its reports are 承認依頼中 under its id, with the hash it carries,
    the registry's 指導者 and the 通信欄; the request is recorded with its file."""
    application = store.get(app_id)
    request = _request(application, [0, 2], message="2例お願いします")
    marked = store.apply(app_id, MarkRequested(request, _supervisor(), path=shorei_home / "依頼.json"))
    for row in (0, 2):
        approval = marked.reports[row].approval
        assert approval is not None and approval.state == "requested"
        assert approval.request_id == request.request_id
        assert approval.content_hash == report_hash(application.reports[row])
        assert approval.supervisor.fingerprint == TRUSTED
        assert approval.message == "2例お願いします"
        assert approval.requested_at == request.created
    assert marked.reports[1].approval is None
    assert store.history.changes(app_id)[0].summary == "承認依頼: 症例1、症例3（指導者 指導 一郎）"
    [sent] = store.archive.sent_requests(app_id)
    assert (sent.request_id, sent.supervisor_member_id) == (request.request_id, SUPERVISOR["member_id"])
    assert sent.path is not None and sent.path.name == "依頼.json"
    assert _stored(shorei_home, app_id) == marked


def test_request_for_content_changed_since_is_refused(store: Store, app_id: int) -> None:
    """A report changed after the request file was made is not marked: the file no longer carries it."""
    request = _request(store.get(app_id), [0, 1])
    store.apply(app_id, SetReportField(1, "diagnosis", "胃癌"))
    version = store.info(app_id).version
    with pytest.raises(EditError, match="症例2は承認依頼ファイルの作成後に変更されています"):
        store.apply(app_id, MarkRequested(request, _supervisor()))
    assert store.info(app_id).version == version
    assert store.get(app_id).reports[0].approval is None
    assert store.archive.sent_requests(app_id) == []


def test_request_naming_a_missing_or_locked_report_is_refused(store: Store, app_id: int) -> None:
    """A report already pending cannot be requested again, and one the application lacks is named."""
    application = _requested(store, app_id, [0])
    with pytest.raises(EditError, match="症例1は承認依頼中のため承認依頼できません"):
        store.apply(app_id, MarkRequested(_request(application, [0]), _supervisor()))
    other = store.get(store.applications.import_application(jspm_application([report(7, id="f" * 32)])).id)
    with pytest.raises(EditError, match="承認依頼の症例（番号1）がこの申請にありません"):
        store.apply(app_id, MarkRequested(_request(other, [0]), _supervisor()))
    with pytest.raises(EditError, match="指導者（会員番号 J99999）が承認依頼の指導者"):
        store.apply(app_id, MarkRequested(_request(application, [1]), _supervisor(member_id="J99999")))


def test_withdraw_only_while_requested(store: Store, app_id: int) -> None:
    """承認依頼の取り下げ works on 承認依頼中 reports (together, one change) and nothing else."""
    _approved(store, app_id, [2])
    requested = _requested(store, app_id, [0, 1])
    version = store.info(app_id).version
    withdrawn = store.apply(app_id, WithdrawRequest([1, 0]))
    assert withdrawn.reports[0].approval is None and withdrawn.reports[1].approval is None
    assert store.info(app_id).version == version + 1
    assert store.history.changes(app_id)[0].summary == "承認依頼を取り下げ: 症例1、症例2"
    for row, reason in [(0, "まだ承認依頼をしていません"), (2, "承認です")]:
        with pytest.raises(EditError, match=f"症例{row + 1}は承認依頼中ではありません（{reason}）"):
            store.apply(app_id, WithdrawRequest([row]))
    with pytest.raises(EditError, match="取り下げる症例を選んでください"):
        store.apply(app_id, WithdrawRequest([]))
    assert requested.reports[2] == store.get(app_id).reports[2]


def test_withdraw_of_a_rejected_report_is_refused(store: Store, app_id: int) -> None:
    """A 非承認 report is no longer pending: there is nothing to withdraw."""
    application = _requested(store, app_id, [0])
    store.apply(app_id, ImportResults([_decision(application, 0, "rejected", [("history", "経過を詳しく")])]))
    with pytest.raises(EditError, match="症例1は承認依頼中ではありません（非承認です）"):
        store.apply(app_id, WithdrawRequest([0]))


def test_apply_decisions_sets_states_comments_and_statements(
    store: Store, shorei_home: Path, app_id: int
) -> None:
    """The 指導者's results set 承認 and 非承認 with comments per field and the signed statement, as one change."""
    application = _requested(store, app_id, [0, 1, 2])
    decisions = [
        _decision(application, 0),
        _decision(application, 1, "rejected", [("history", "期間の記載がありません"), ("", "全体に簡潔に")]),
        _decision(application, 2),
    ]
    decided = store.apply(app_id, ImportResults(decisions))
    states = [item.approval.state for item in decided.reports if item.approval is not None]
    assert states == ["approved", "rejected", "approved"]
    rejected = decided.reports[1].approval
    assert rejected is not None
    assert [(c.field, c.comment) for c in rejected.comments] == [
        ("history", "期間の記載がありません"),
        ("", "全体に簡潔に"),
    ]
    assert decided.reports[0].approval is not None and decided.reports[0].approval.statement is not None
    assert decided.reports[0].approval.statement["decision"] == "approved"
    assert (
        store.history.changes(app_id)[0].summary
        == "承認結果を取り込み: 承認 2件、非承認 1件（指導者 指導 一郎）"
    )
    assert _stored(shorei_home, app_id) == decided


def test_rejected_report_is_edited_and_requested_again(store: Store, app_id: int) -> None:
    """A 非承認 report is editable (its comments stay in view until it is requested again) and can be
    requested again."""
    application = _requested(store, app_id, [0])
    store.apply(app_id, ImportResults([_decision(application, 0, "rejected", [("history", "期間を追記")])]))
    edited = store.apply(
        app_id, SetReportField(0, "history", "実際の提供期間 2023/04/01〜2023/07/31。追記しました。")
    )
    assert edited.reports[0].approval is not None and edited.reports[0].approval.state == "rejected"
    again = store.apply(app_id, MarkRequested(_request(edited, [0]), _supervisor()))
    assert again.reports[0].approval is not None and again.reports[0].approval.state == "requested"
    assert again.reports[0].approval.comments == []


def test_decisions_for_reports_not_pending_under_that_request_are_refused(store: Store, app_id: int) -> None:
    """A result is taken only for a report 承認依頼中 under the same request; nothing is half-applied."""
    first = _requested(store, app_id, [0])
    old_answer = _decision(first, 0)
    store.apply(app_id, WithdrawRequest([0]))
    with pytest.raises(EditError, match="症例1は承認依頼中ではないため、結果を取り込めません"):
        store.apply(app_id, ImportResults([old_answer]))
    second = _requested(store, app_id, [0, 1])
    version = store.info(app_id).version
    with pytest.raises(EditError, match=r"症例1はこの承認依頼（依頼番号 .*）の承認依頼中ではありません"):
        store.apply(app_id, ImportResults([_decision(second, 1), old_answer]))
    assert store.info(app_id).version == version and store.get(app_id) == second
    with pytest.raises(EditError, match="承認結果は承認か非承認です"):
        store.apply(app_id, ImportResults([(0, second.reports[0].approval)]))  # type: ignore[list-item]
    with pytest.raises(EditError, match="取り込む承認結果がありません"):
        store.apply(app_id, ImportResults([]))


def test_reopen_keeps_an_archived_copy_first_and_unlocks(
    store: Store, shorei_home: Path, app_id: int
) -> None:
    """「削除して再依頼」 keeps the approved report (approval and statement too) in the archive, then clears
    the approval: the report is editable (未承認) and can be requested again."""
    approved = _approved(store, app_id, [1])
    reopened = store.apply(app_id, ReopenReport(1))
    assert reopened.reports[1].approval is None
    assert store.history.changes(app_id)[0].summary.startswith("症例2を「削除して再依頼」")
    [kept] = store.archive.archived_reports(app_id)
    assert kept.report == approved.reports[1]
    assert kept.report.approval is not None and kept.report.approval.statement is not None
    assert (kept.number, kept.version, kept.reason) == (2, store.info(app_id).version, "reopen")
    assert store.apply(app_id, SetReportField(1, "diagnosis", "肺癌")).reports[1].diagnosis == "肺癌"
    again = _requested(store, app_id, [1])
    assert again.reports[1].approval is not None and again.reports[1].approval.state == "requested"
    with Store.open(shorei_home, read_only=True) as reader:
        assert reader.archive.archived_reports(app_id) == [kept]


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (None, "症例1は承認されていないため、そのまま編集できます"),
        ("requested", "症例1は承認依頼中です。修正するには「承認依頼の取り下げをする」"),
        ("rejected", "症例1は承認されていないため"),
    ],
    ids=["unrequested", "requested", "rejected"],
)
def test_reopen_is_only_for_approved_reports(
    store: Store, app_id: int, state: str | None, message: str
) -> None:
    """Reopening a report that is not approved is refused, saying what to do instead; nothing is archived."""
    if state is not None:
        application = _requested(store, app_id, [0])
        if state == "rejected":
            store.apply(app_id, ImportResults([_decision(application, 0, "rejected", [("", "要修正")])]))
    with pytest.raises(EditError, match=message):
        store.apply(app_id, ReopenReport(0))
    assert store.archive.archived_reports(app_id) == []


def test_undo_of_reopen_brings_the_approval_back_and_keeps_the_copy(store: Store, app_id: int) -> None:
    """The window's undo (restoring the version before) re-locks the report; the archived copy stays."""
    approved = _approved(store, app_id, [0])
    before = store.info(app_id).version
    store.apply(app_id, ReopenReport(0))
    restored = store.history.restore(app_id, before)
    assert restored.reports[0] == approved.reports[0] and restored.reports[0].is_locked()
    assert len(store.archive.archived_reports(app_id)) == 1


# ---- history and undo over every operation ---------------------------------------------------------


def test_every_report_operation_is_one_change_that_history_rebuilds_and_restores(
    store: Store, shorei_home: Path, app_id: int
) -> None:
    """Each operation is one history entry; every earlier state is rebuilt exactly, and restoring each one
    (as the window's undo does) brings it back, rows included."""
    states = {store.info(app_id).version: store.get(app_id)}
    steps: list[Callable[[], Application]] = [
        lambda: store.apply(app_id, SetReportField(0, "category", "せん妄")),
        lambda: store.apply(app_id, SetReportField(0, "history", "一行目\n二行目")),
        lambda: store.apply(app_id, SetReportFacility(1, _facility("S002"))),
        lambda: store.apply(app_id, AcceptReportWarning(1, "facility-manual", "理由")),
        lambda: store.apply(app_id, WithdrawReportWarning(1, "facility-manual")),
        lambda: store.apply(app_id, AddReport()),
        lambda: store.apply(app_id, MoveReport(3, 0)),
        lambda: store.apply(app_id, DeleteReport(0)),
        lambda: _requested(store, app_id, [0, 1]),
        lambda: store.apply(app_id, WithdrawRequest([1])),
        lambda: store.apply(app_id, ImportResults([_decision(store.get(app_id), 0)])),
        lambda: store.apply(app_id, SetReportField(0, "note", "控え")),
        lambda: store.apply(app_id, ReopenReport(0)),
    ]
    for step in steps:
        version = store.info(app_id).version
        states[version + 1] = step()
        assert store.info(app_id).version == version + 1
    operations = [change.operation for change in reversed(store.history.changes(app_id))]
    assert operations[-len(steps) :] == [
        "set_report_field", "set_report_field", "set_report_facility", "accept_report_warning",
        "withdraw_report_warning", "add_report", "move_report", "delete_report", "mark_requested",
        "withdraw_request", "apply_decisions", "set_report_field", "reopen_report",
    ]  # fmt: skip
    for version, expected in states.items():
        assert store.history.state_at(app_id, version) == expected
    for version in sorted(states, reverse=True):
        assert store.history.restore(app_id, version) == states[version]
        assert _stored(shorei_home, app_id) == states[version]


# ---- documents in and out -------------------------------------------------------------------------


def test_document_with_reports_round_trips_with_approvals(
    store: Store, shorei_home: Path, app_id: int
) -> None:
    """Export then import gives the same reports: ids, 備考, approvals with comments and signed statements."""
    store.apply(app_id, SetReportField(2, "note", "私的なメモ"))
    application = _requested(store, app_id, [0, 1])
    decided = store.apply(
        app_id,
        ImportResults(
            [_decision(application, 0), _decision(application, 1, "rejected", [("course", "追記を")])]
        ),
    )
    path = shorei_home / "out.json"
    store.applications.export_document(app_id, path)
    again = store.get(store.applications.import_document(path).id)
    assert again == decided
    assert load_application(path) == decided
    shared = shorei_home / "shared.json"
    store.applications.export_document(app_id, shared, include_private=False)
    assert load_application(shared).reports[2].note == ""


def test_import_refuses_two_reports_with_one_id(store: Store, shorei_home: Path) -> None:
    """Requests and approvals name a report by id, so a document with a repeated id is refused whole."""
    path = shorei_home / "twice.json"
    document = jspm_application([report(0), report(1, id=report(0)["id"])]).model_dump(mode="json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DocumentError, match="症例2の id が別の症例と同じです"):
        store.applications.import_document(path)
    assert store.applications.all() == []


def test_duplicate_is_a_separate_application_without_approvals(store: Store, app_id: int) -> None:
    """A copy's reports have new ids and no approvals (an approval belongs to the original), the rest alike."""
    original = _approved(store, app_id, [0])
    copy = store.get(store.applications.duplicate(app_id).id)
    assert [item.approval for item in copy.reports] == [None, None, None]
    assert not {item.id for item in copy.reports} & {item.id for item in original.reports}
    for mine, theirs in zip(copy.reports, original.reports, strict=True):
        assert report_content(mine) == report_content(theirs)
        assert mine.note == theirs.note
    assert store.get(app_id) == original
    assert store.archive.archived_reports(store.applications.duplicate(app_id).id) == []


def test_archive_goes_with_the_application_when_the_trash_is_emptied(store: Store, app_id: int) -> None:
    """An application removed for good takes its archived reports and request records with it."""
    _approved(store, app_id, [0])
    store.apply(app_id, ReopenReport(0))
    store.applications.move_to_trash(app_id)
    store.applications.empty_trash()
    for table in ("reports", "report_archive", "approval_requests"):
        count = (
            store.database.db()
            .execute(f"SELECT count(*) FROM {table} WHERE app_id = ?", (app_id,))
            .fetchone()[0]
        )
        assert count == 0, table


# ---- the 指導者 registry ---------------------------------------------------------------------------


def test_supervisors_are_registered_updated_and_removed(store: Store, shorei_home: Path) -> None:
    """The registry keeps 指導者 by 会員番号 in the order registered; saving again updates in place."""
    first = store.supervisors.save(_supervisor(fingerprint=""))
    second = store.supervisors.save(_supervisor(name="指導 二郎", member_id="J00002", qualification="専門医"))
    assert store.supervisors.all() == [first, second]
    renamed = store.supervisors.save(_supervisor(name="指導 一郎（改姓）", fingerprint=""))
    assert [s.name for s in store.supervisors.all()] == ["指導 一郎（改姓）", "指導 二郎"]
    assert store.supervisors.get("J00001") == renamed
    store.supervisors.remove("J00002")
    assert store.supervisors.all() == [renamed]
    with pytest.raises(EditError, match="指導者（会員番号 J00002）は登録されていません"):
        store.supervisors.remove("J00002")
    store.close()
    with Store.open(shorei_home) as again:
        assert again.supervisors.all() == [renamed]


def test_trusted_key_changes_only_on_purpose(store: Store) -> None:
    """Editing a 指導者 keeps the trusted key; another key is refused there and taken only by trusting it."""
    store.supervisors.save(_supervisor(fingerprint=""))
    assert (
        store.supervisors.trust_key("J00001", "D953 9DEE B900 8F79 B2F0 7E9A 7140 BC48").fingerprint
        == TRUSTED
    )
    assert store.supervisors.save(_supervisor(qualification="専門医", fingerprint="")).fingerprint == TRUSTED
    with pytest.raises(EditError, match=r"鍵の指紋.*登録済みのもの.*と違います"):
        store.supervisors.save(_supervisor(fingerprint=OTHER_KEY))
    assert store.supervisors.trust_key("J00001", OTHER_KEY).fingerprint == OTHER_KEY
    assert store.supervisors.get("J00001").fingerprint == OTHER_KEY  # type: ignore[union-attr]
    with pytest.raises(EditError, match="登録されていません"):
        store.supervisors.trust_key("J77777", TRUSTED)


@pytest.mark.parametrize(
    "typed",
    [
        TRUSTED,
        TRUSTED.upper(),
        TRUSTED.replace("-", ""),
        TRUSTED.replace("-", " "),
        "ｄ９５３－９ｄｅｅ－ｂ９００－８ｆ７９－ｂ２ｆ０－７ｅ９ａ－７１４０－ｂｃ４８",
    ],
)
def test_fingerprint_is_read_as_people_type_it(typed: str) -> None:
    """Upper case, full width, spaces or no dashes: the fingerprint reads as printed."""
    assert read_fingerprint(typed) == TRUSTED


@pytest.mark.parametrize("typed", ["", "d953-9dee", TRUSTED + "00", TRUSTED.replace("d", "g")])
def test_unreadable_fingerprint_is_refused(store: Store, typed: str) -> None:
    """A fingerprint that is not 32 hex digits is refused with an example of what to type."""
    store.supervisors.save(_supervisor(fingerprint=""))
    with pytest.raises(EditError, match=r"鍵の指紋が読めません.*16進数32桁"):
        store.supervisors.trust_key("J00001", typed)


def test_supervisor_with_a_reversed_period_is_refused(store: Store) -> None:
    """A certification period that ends before it starts is refused at registration."""
    with pytest.raises(EditError, match="認定期間の開始（2030/03/31）が終了（2020/04/01）より後です"):
        store.supervisors.save(_supervisor(cert_start="2030-03-31", cert_end="2020-04-01"))
    assert store.supervisors.all() == []


def test_read_only_store_refuses_registry_and_report_changes(
    store: Store, shorei_home: Path, app_id: int
) -> None:
    """A second Shorei on the folder reads the registry and reports but changes neither."""
    store.supervisors.save(_supervisor())
    with Store.open(shorei_home) as second:
        assert second.read_only
        assert second.supervisors.all() == store.supervisors.all()
        for change in (
            lambda: second.supervisors.save(_supervisor(name="別名")),
            lambda: second.supervisors.trust_key("J00001", OTHER_KEY),
            lambda: second.supervisors.remove("J00001"),
            lambda: second.apply(app_id, SetReportField(0, "note", "x")),
            lambda: second.apply(app_id, ReopenReport(0)),
        ):
            with pytest.raises(StoreReadOnlyError):
                change()


def test_report_of_a_form_not_installed_is_not_guessed_at(shorei_home: Path) -> None:
    """Without its form the kinds of a report's fields are unknown: editing says so instead of guessing,
    and the report stays readable."""
    only_jbct = FormRegistry([form for form in bundled_forms().all() if form.layout == "sections"])
    with Store.open(shorei_home, forms=only_jbct) as store:
        app_id = store.applications.import_application(jspm_application([report(0)])).id
        with pytest.raises(
            EditError, match="症例1 期間（開始）: この申請の様式がインストールされていないため"
        ):
            store.apply(app_id, SetReportField(0, "start", "2024/5/1"))
        assert store.get(app_id).reports[0].start == dt.date(2023, 4, 1)


# ---- trust on first use: the key and the results in one change ------------------------------------


def _unkeyed(store: Store, app_id: int) -> tuple[Application, Supervisor]:
    """Reports 1–3 requested from a 指導者 registered without a key (as the first request is)."""
    registered = store.supervisors.save(_supervisor(fingerprint=""))
    request = _request(store.get(app_id), [0, 1, 2], supervisor=registered)
    return store.apply(app_id, MarkRequested(request, registered)), registered


def test_results_and_the_key_trusted_on_first_use_are_one_change(store: Store, app_id: int) -> None:
    """The first results of a 指導者 without a key trust the signing key in the same change (one entry)."""
    application, registered = _unkeyed(store, app_id)
    trust = key_to_trust(registered, store.supervisors.get(registered.member_id), TRUSTED)
    assert trust is not None and trust.fingerprint == TRUSTED
    version = store.version(app_id)
    decided = store.apply(app_id, ImportResults([_decision(application, row) for row in range(3)], trust))
    assert store.version(app_id) == version + 1
    assert store.history.changes(app_id)[0].summary.endswith("、署名鍵を登録")
    assert all(
        report.approval is not None and report.approval.state == "approved" for report in decided.reports
    )
    found = store.supervisors.get(registered.member_id)
    assert found is not None and found.fingerprint == TRUSTED
    assert key_to_trust(registered, found, TRUSTED) is None  # trusted now: the next results need no trust


def test_results_refused_trust_no_key(store: Store, app_id: int) -> None:
    """Results that do not fit the reports change nothing: the key is not trusted either."""
    application, registered = _unkeyed(store, app_id)
    trust = key_to_trust(registered, registered, TRUSTED)
    store.apply(app_id, WithdrawRequest([2]))
    version = store.version(app_id)
    with pytest.raises(EditError, match="症例3は承認依頼中ではないため"):
        store.apply(app_id, ImportResults([_decision(application, row) for row in range(3)], trust))
    assert store.version(app_id) == version
    found = store.supervisors.get(registered.member_id)
    assert found is not None and found.fingerprint == ""


def test_a_key_that_cannot_be_trusted_keeps_the_results_out(store: Store, app_id: int) -> None:
    """A key that cannot be registered (unreadable, or another one trusted) refuses the results with it."""
    application, registered = _unkeyed(store, app_id)
    decisions = [_decision(application, row) for row in range(3)]
    version = store.version(app_id)
    with pytest.raises(EditError, match="鍵の指紋が読めません"):
        store.apply(app_id, ImportResults(decisions, registered.model_copy(update={"fingerprint": "xyz"})))
    store.supervisors.trust_key(registered.member_id, OTHER_KEY)
    with pytest.raises(EditError, match="別の鍵"):
        store.apply(app_id, ImportResults(decisions, registered.model_copy(update={"fingerprint": TRUSTED})))
    assert store.version(app_id) == version
    assert all(
        report.approval is not None and report.approval.state == "requested"
        for report in store.get(app_id).reports
    )


def test_trust_registers_a_supervisor_named_only_in_the_results(store: Store, app_id: int) -> None:
    """A 指導者 not in the registry is registered, as the results name them, with the key that signed them."""
    named = _supervisor(fingerprint="", member_id="J00009", name="指導 九郎")
    trust = key_to_trust(named, store.supervisors.get("J00009"), TRUSTED)
    assert trust is not None and trust.member_id == "J00009" and trust.fingerprint == TRUSTED
    request = _request(store.get(app_id), [0], supervisor=named)
    application = store.apply(app_id, MarkRequested(request, named))
    store.apply(app_id, ImportResults([_decision(application, 0)], trust))
    found = store.supervisors.get("J00009")
    assert found is not None and (found.name, found.fingerprint) == ("指導 九郎", TRUSTED)
