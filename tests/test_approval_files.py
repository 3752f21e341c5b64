"""Approval by signed files (JS-5 … JS-8): request → response → match between two installations, each
with its own key; tampering detected with a message saying which check; refusals of what may not be sent."""

from __future__ import annotations

import functools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.approval.envelope import (
    ApprovalError,
    ApprovalFileError,
    FileCheck,
    request_file_name,
    response_file_name,
)
from app.approval.matching import match_response
from app.approval.request import build_request, read_request
from app.approval.response import build_response, read_response
from app.approval.statements import verify_statement
from app.models.application import Application, FieldComment
from app.models.approval import content_hash, report_hash
from app.models.canonical import canonical_json
from app.signing.keys import SigningKey
from app.signing.signed_files import sign_document, signed_bytes
from tests.approval_support import REQUESTED, Parties, answer, mark_requested, receive, send
from tests.export_support import one_byte_changed
from tests.jspm_factories import (
    APPLICANT,
    SUPERVISOR,
    TRANSITION,
    jspm_application,
    jspm_facilities,
    jspm_form,
    report,
)

if TYPE_CHECKING:
    from app.models.approval import ApprovalRequest, Decision

BYTES_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
COMMENTS = [
    FieldComment(field="history", comment="実際に提供した期間を冒頭に書いてください"),
    FieldComment(field="category", comment="せん妄ではなく精神症状ではありませんか"),
]
REJECT_THIRD: dict[int, tuple[Decision, list[FieldComment]]] = {3: ("rejected", COMMENTS)}


@pytest.fixture
def parties(tmp_path: Path) -> Parties:
    return Parties.make(tmp_path)


@dataclass(frozen=True)
class Exchange:
    """One request for cases 1–3 and its answer (approve 1 and 2, reject 3), made once per module."""

    parties: Parties
    request: bytes
    response: bytes


@functools.cache
def exchange() -> Exchange:
    with tempfile.TemporaryDirectory() as folder:
        parties = Parties.make(Path(folder))
    application = jspm_application()
    _, request = send(application, [0, 1, 2], parties)
    return Exchange(parties, request, answer(request, parties, REJECT_THIRD))


def requested_application(request: bytes) -> Application:
    """The applicant's cases with cases 1–3 承認依頼中 under `request`."""
    application = jspm_application()
    mark_requested(application, read_request(request, source="request.json"))
    return application


def _match(application: Application, response: bytes, parties: Parties, **overrides: str) -> None:
    parsed, statements = read_response(response, source="response.json")
    fingerprints = {
        "applicant_fingerprint": parties.applicant.fingerprint,
        "trusted_fingerprint": parties.supervisor.fingerprint,
        **overrides,
    }
    match_response(application, parsed, statements, **fingerprints)


def _resigned(document: dict[str, Any], key: SigningKey) -> bytes:
    return signed_bytes({name: value for name, value in document.items() if name != "signature"}, key)


def _flip(data: bytes, needle: bytes) -> bytes:
    """`data` with the last byte of the first `needle` changed."""
    position = data.index(needle) + len(needle) - 1
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


# -- the round trip ---------------------------------------------------------------------------------------


def test_request_response_match_round_trip(parties: Parties) -> None:
    """Three cases requested at once; the 指導者 approves two and rejects one with comments per field; the
    import sets 承認, 承認, 非承認 with the comments, each approval carrying its signed statement."""
    application = jspm_application()
    request, data = send(application, [0, 1, 2], parties)
    assert [case.number for case in request.cases] == [1, 2, 3]
    assert all(application.reports[row].approval.state == "requested" for row in range(3))  # type: ignore[union-attr]

    rows = receive(application, answer(data, parties, REJECT_THIRD), parties)

    assert rows == [0, 1, 2]
    states = [application.reports[row].approval.state for row in range(3)]  # type: ignore[union-attr]
    assert states == ["approved", "approved", "rejected"]
    rejected = application.reports[2].approval
    assert rejected is not None and rejected.comments == COMMENTS
    for row in range(2):
        approval = application.reports[row].approval
        assert approval is not None and approval.statement is not None
        assert approval.supervisor.fingerprint == parties.supervisor.fingerprint
        assert approval.decided_at == "2024-05-10T18:30:00Z"
        assert approval.message == "ご確認をお願いいたします。"
        problem = verify_statement(
            approval.statement,
            application.reports[row],
            applicant_fingerprint=parties.applicant.fingerprint,
            applicant_member_id=application.applicant.member_id,
        )
        assert problem is None
    assert application.reports[3].approval is None


def test_files_name_both_parties_and_bind_each_case(parties: Parties) -> None:
    """The request names the applicant's key, the 指導者 and each case's hash; each statement the same."""
    application = jspm_application()
    request, data = send(application, [4], parties, message="5番の症例です")
    assert request.applicant.fingerprint == parties.applicant.fingerprint
    assert request.applicant.member_id == APPLICANT["member_id"]
    assert request.supervisor.member_id == SUPERVISOR["member_id"]
    assert request.message == "5番の症例です"
    [case] = request.cases
    assert case.number == 5 and case.content_hash == report_hash(application.reports[4])
    response, [statement] = read_response(answer(data, parties), source="response.json")
    assert response.request_id == statement.request_id == request.request_id
    assert statement.content_hash == case.content_hash and statement.case_id == case.id
    assert statement.applicant == request.applicant
    assert statement.signature.fingerprint == parties.supervisor.fingerprint


def test_file_names_pair_the_request_and_its_answer(parties: Parties) -> None:
    """The request and its answer are named for a person: what they are, the applicant and the cases."""
    application = jspm_application()
    request, _ = send(application, [0], parties)
    person = application.applicant.name.replace(" ", "").replace("\u3000", "")
    assert request_file_name(application, jspm_form(), request) == f"承認依頼_{person}_症例1.json"
    assert response_file_name(request) == f"承認結果_{person}_症例1.json"
    several, _ = send(application, [1, 2, 3, 5], parties)
    assert request_file_name(application, jspm_form(), several) == f"承認依頼_{person}_症例2-4・6.json"


def test_request_never_holds_the_note(parties: Parties) -> None:
    """備考 is never in the request's bytes (JS-7), whatever it says; the 通信欄 is."""
    application = jspm_application()
    for row in range(3):
        application.reports[row].note = f"自分用メモ{row}：カルテ番号 99{row}"
    _, data = send(application, [0, 1, 2], parties, message="通信欄の本文")
    assert "自分用メモ".encode() not in data and "カルテ番号".encode() not in data
    assert b'"note"' not in data
    assert "通信欄の本文".encode() in data


def test_request_bytes_are_canonical_and_deterministic_in_content(parties: Parties) -> None:
    """The file is its own RFC 8785 form; each case's hash is the hash of the content it carries."""
    _, data = send(jspm_application(), [0, 1], parties)
    value = json.loads(data)
    assert canonical_json(value) == data
    for case in value["cases"]:
        assert content_hash(case["content"]) == case["content_hash"]


# -- tampering --------------------------------------------------------------------------------------------


@BYTES_SETTINGS
@given(data=st.data())
def test_changing_any_byte_of_a_request_is_detected(data: st.DataObject) -> None:
    """Replacing any one byte of a request file with any other byte makes reading it fail."""
    with pytest.raises(ApprovalFileError):
        read_request(one_byte_changed(data, exchange().request), source="r.json")


@BYTES_SETTINGS
@given(data=st.data())
def test_changing_any_byte_of_a_response_is_detected(data: st.DataObject) -> None:
    """Replacing any one byte of a response file with any other byte makes reading it fail."""
    with pytest.raises(ApprovalFileError):
        read_response(one_byte_changed(data, exchange().response), source="s.json")


@pytest.mark.parametrize(
    "needle", [b'"age":51', b'"message":"\xe3\x81\x94', b'"number":2', b'"member_id":"J0000']
)
def test_a_changed_value_in_a_request_fails_the_signature(needle: bytes) -> None:
    """A value changed by one byte fails the request's signature check, named in the message."""
    with pytest.raises(ApprovalFileError) as failure:
        read_request(_flip(exchange().request, needle), source="request.json")
    assert failure.value.check is FileCheck.SIGNATURE
    assert "request.json" in str(failure.value) and "署名の確認に失敗しました" in str(failure.value)


def test_a_changed_decision_in_a_response_fails_the_signature() -> None:
    """Turning a rejection into an approval inside the response fails its signature."""
    response = exchange().response.replace(b'"decision":"rejected"', b'"decision":"approved"')
    with pytest.raises(ApprovalFileError) as failure:
        read_response(response, source="response.json")
    assert failure.value.check is FileCheck.SIGNATURE


def test_a_changed_statement_fails_even_when_the_envelope_is_signed_again() -> None:
    """A statement changed inside a response whose envelope the same key signs again still fails: each
    statement is signed on its own, and the message names the case."""
    parties = exchange().parties
    value = json.loads(exchange().response)
    value["statements"][2]["decision"] = "approved"
    with pytest.raises(ApprovalFileError) as failure:
        read_response(_resigned(value, parties.supervisor), source="response.json")
    assert failure.value.check is FileCheck.SIGNATURE and "症例3" in str(failure.value)


def test_a_changed_statement_in_an_approval_is_detected(parties: Parties) -> None:
    """A statement kept with an approval and changed afterwards (its date) no longer verifies."""
    application = jspm_application()
    _, data = send(application, [0], parties)
    receive(application, answer(data, parties), parties)
    approval = application.reports[0].approval
    assert approval is not None and approval.statement is not None
    changed = json.loads(json.dumps(approval.statement))
    changed["decided_at"] = "2024-05-11T00:00:00Z"
    problem = verify_statement(
        changed,
        application.reports[0],
        applicant_fingerprint=parties.applicant.fingerprint,
        applicant_member_id=application.applicant.member_id,
    )
    assert problem is not None and "署名" in problem


def test_a_report_edited_after_the_request_is_named() -> None:
    """A case changed after it was requested fails the content hash, naming its number."""
    files = exchange()
    application = requested_application(files.request)
    application.reports[1].diagnosis = "肺癌"
    with pytest.raises(ApprovalFileError) as failure:
        _match(application, files.response, files.parties)
    assert failure.value.check is FileCheck.CONTENT_HASH
    assert "症例2" in str(failure.value) and "依頼後に" in str(failure.value)


def test_a_response_signed_by_another_key_than_the_trusted_one_fails() -> None:
    """A response whose key is not the registered 指導者's fingerprint is refused, both shown."""
    files = exchange()
    other = SigningKey.generate().fingerprint
    with pytest.raises(ApprovalFileError) as failure:
        _match(requested_application(files.request), files.response, files.parties, trusted_fingerprint=other)
    assert failure.value.check is FileCheck.SUPERVISOR
    assert other in str(failure.value) and files.parties.supervisor.fingerprint in str(failure.value)


def test_a_response_of_an_impostor_resigning_everything_fails(parties: Parties) -> None:
    """Someone answering in the 指導者's name with their own key (every signature consistent) is refused:
    the key is not the one registered for the 指導者."""
    application = jspm_application()
    _, data = send(application, [0], parties)
    impostor = Parties(parties.applicant, SigningKey.generate())
    forged = answer(data, impostor)
    with pytest.raises(ApprovalFileError) as failure:
        _match(application, forged, parties)
    assert failure.value.check is FileCheck.SUPERVISOR


def test_a_response_without_a_registered_key_asks_to_register_it() -> None:
    """Before the 指導者's key is registered, the import says so and shows the key's fingerprint."""
    files = exchange()
    with pytest.raises(ApprovalFileError) as failure:
        _match(requested_application(files.request), files.response, files.parties, trusted_fingerprint="")
    assert failure.value.check is FileCheck.SUPERVISOR
    assert "登録されていません" in str(failure.value) and files.parties.supervisor.fingerprint in str(
        failure.value
    )


def test_a_response_for_another_request_is_refused(parties: Parties) -> None:
    """The answer to a withdrawn request does not apply to the cases requested again since."""
    application = jspm_application()
    _, first = send(application, [0, 1, 2], parties)
    old_answer = answer(first, parties)
    for row in range(3):
        application.reports[row].approval = None  # withdrawn
    second, _ = send(application, [0, 1, 2], parties)
    with pytest.raises(ApprovalFileError) as failure:
        _match(application, old_answer, parties)
    assert failure.value.check is FileCheck.REQUEST_ID
    assert "症例1" in str(failure.value) and second.request_id not in str(failure.value)


def test_a_statement_from_another_requests_response_is_refused() -> None:
    """A statement taken from another request's response and put into this one (the envelope signed again
    by the same 指導者 key) fails the request id."""
    files = exchange()
    other_parties = files.parties
    other_app = jspm_application()
    _, other_request = send(other_app, [5], other_parties)
    other_statement = json.loads(answer(other_request, other_parties))["statements"][0]
    value = json.loads(files.response)
    value["statements"].append(other_statement)
    with pytest.raises(ApprovalFileError) as failure:
        read_response(_resigned(value, files.parties.supervisor), source="response.json")
    assert failure.value.check is FileCheck.REQUEST_ID and "症例6" in str(failure.value)


def test_a_statement_moved_from_another_applicant_is_refused(parties: Parties) -> None:
    """An answer given to another applicant's key (a copy of the same document on another PC) does not
    approve our cases: the applicant check names the other applicant."""
    application = jspm_application()
    copy_elsewhere = application.model_copy(deep=True)
    other = Parties(SigningKey.generate(), parties.supervisor)
    request, data = send(copy_elsewhere, [0, 1], other)
    mark_requested(application, request)
    with pytest.raises(ApprovalFileError) as failure:
        _match(application, answer(data, other), parties)
    assert failure.value.check is FileCheck.APPLICANT
    assert other.applicant.fingerprint in str(failure.value) and "症例1" in str(failure.value)


def test_a_statement_moved_to_another_case_fails_verification(parties: Parties) -> None:
    """An approval's statement copied onto another case does not verify there."""
    application = jspm_application()
    _, data = send(application, [0], parties)
    receive(application, answer(data, parties), parties)
    statement = application.reports[0].approval.statement  # type: ignore[union-attr]
    assert statement is not None
    problem = verify_statement(
        statement,
        application.reports[1],
        applicant_fingerprint=parties.applicant.fingerprint,
        applicant_member_id=application.applicant.member_id,
    )
    assert problem is not None and "別の症例" in problem


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (lambda value: value.update(format="shorei/approval-response@1"), FileCheck.READ),
        (lambda value: value["cases"][0]["content"].update(note="秘密"), FileCheck.STRUCTURE),
        (lambda value: value["cases"][0]["content"].update(age=99), FileCheck.CONTENT_HASH),
        (
            lambda value: value["applicant"].update(fingerprint="0000-0000-0000-0000-0000-0000-0000-0000"),
            FileCheck.SIGNATURE,
        ),
        (lambda value: value["cases"][0]["content"].update(diagnosis=" 膵癌"), FileCheck.STRUCTURE),
        (lambda value: value["cases"].append(value["cases"][0]), FileCheck.STRUCTURE),
    ],
    ids=["not-a-request", "note", "hash", "applicant-key", "unnormalised", "twice"],
)
def test_a_request_signed_again_after_a_change_is_still_refused(change: Any, check: FileCheck) -> None:
    """A request changed and signed again (by its own applicant's key) is refused by the check named:
    a 備考, content that no longer matches its hash, another applicant key, text Shorei would not write."""
    value = json.loads(exchange().request)
    change(value)
    if check is FileCheck.STRUCTURE:  # the hash made to fit, so that the content itself is what is judged
        value["cases"][0]["content_hash"] = content_hash(value["cases"][0]["content"])
    with pytest.raises(ApprovalFileError) as failure:
        read_request(_resigned(value, exchange().parties.applicant), source="request.json")
    assert failure.value.check is check


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "JSON として読めません"),
        (b"\xff\xfe", "UTF-8"),
        (b"[1]", "オブジェクト"),
        (b'{"format": "shorei/package@1"}', "承認依頼ファイルではありません"),
        (b" " * (5 * 1024 * 1024 + 1), "大きすぎます"),
    ],
)
def test_what_is_not_a_request_is_unreadable(data: bytes, problem: str) -> None:
    """Input that is not a request file at all fails the read check with a Japanese reason."""
    with pytest.raises(ApprovalFileError, match=problem) as failure:
        read_request(data, source="request.json")
    assert failure.value.check is FileCheck.READ


def test_a_pretty_printed_request_fails_as_non_canonical() -> None:
    """The same request written indented (a text editor's save) fails the canonical check."""
    text = json.dumps(json.loads(exchange().request), ensure_ascii=False, indent=2)
    with pytest.raises(ApprovalFileError) as failure:
        read_request(text.encode("utf-8"), source="request.json")
    assert failure.value.check is FileCheck.CANONICAL


def test_a_response_with_a_statement_by_another_key_is_refused() -> None:
    """A statement signed by a key other than the response's fails, naming the case."""
    files = exchange()
    value = json.loads(files.response)
    stranger = SigningKey.generate()
    statement = {name: item for name, item in value["statements"][0].items() if name != "signature"}
    statement["supervisor"] = {**statement["supervisor"], "fingerprint": stranger.fingerprint}
    value["statements"][0] = sign_document(statement, stranger)
    with pytest.raises(ApprovalFileError) as failure:
        read_response(_resigned(value, files.parties.supervisor), source="response.json")
    assert failure.value.check is FileCheck.SIGNATURE and "症例1" in str(failure.value)


# -- refusals ---------------------------------------------------------------------------------------------


def _request(application: Application, parties: Parties, rows: list[int], **changes: Any) -> ApprovalRequest:
    options: dict[str, Any] = {"supervisor": parties.registered_supervisor(), "message": "", **changes}
    request, _ = build_request(
        application,
        jspm_form(application.form.id),
        rows,
        options["supervisor"],
        options["message"],
        parties.applicant,
        now=REQUESTED,
        facilities=jspm_facilities(),
    )
    return request


def test_self_approval_by_member_number_is_refused(parties: Parties) -> None:
    """The applicant cannot name themselves as 指導者 (the same 会員番号)."""
    with pytest.raises(ApprovalError, match="申請者ご本人"):
        _request(
            jspm_application(),
            parties,
            [0],
            supervisor=parties.registered_supervisor(member_id=APPLICANT["member_id"]),
        )


def test_self_approval_by_key_is_refused(parties: Parties) -> None:
    """A 指導者 registered with the applicant's own key fingerprint is refused."""
    supervisor = parties.registered_supervisor(fingerprint=parties.applicant.fingerprint)
    with pytest.raises(ApprovalError, match="ご自身に承認依頼はできません"):
        _request(jspm_application(), parties, [0], supervisor=supervisor)


def test_period_outside_the_supervisors_certification_is_refused(parties: Parties) -> None:
    """A case whose period is outside the 指導者's certification period cannot be requested from them,
    and the message names the case and both periods."""
    application = jspm_application()
    supervisor = parties.registered_supervisor(cert_start="2023-05-01")
    with pytest.raises(ApprovalError) as refusal:
        _request(application, parties, [0, 1], supervisor=supervisor)
    message = str(refusal.value)
    assert "症例1" in message and "症例2" in message
    assert "2023/04/01〜2023/06/30" in message and "2023/05/01〜2030/03/31" in message


def test_message_of_201_characters_is_refused_200_is_sent(parties: Parties) -> None:
    """通信欄 is at most 200 characters (JS-7)."""
    with pytest.raises(ApprovalError, match="200文字以内") as refusal:
        _request(jspm_application(), parties, [0, 1], message="あ" * 201)
    assert str(refusal.value).count("200文字以内") == 1
    assert _request(jspm_application(), parties, [0], message="あ" * 200).message == "あ" * 200


def test_control_characters_in_the_message_are_refused(parties: Parties) -> None:
    """A control character in the 通信欄 is refused with the reason (a line break is fine)."""
    with pytest.raises(ApprovalError, match="通信欄"):
        _request(jspm_application(), parties, [0], message="よろしく\x07")
    assert _request(jspm_application(), parties, [0], message="一行目\n二行目").message == "一行目\n二行目"


def test_incomplete_case_is_refused_as_unregistered(parties: Parties) -> None:
    """A case with errors is 未登録 and cannot be requested; the message names it."""
    application = jspm_application([report(n, **({"diagnosis": ""} if n == 2 else {})) for n in range(20)])
    with pytest.raises(ApprovalError, match=r"症例3は未登録"):
        _request(application, parties, [0, 2], message="")


def test_requested_or_approved_case_cannot_be_requested_again(parties: Parties) -> None:
    """A case 承認依頼中 (or 承認) is locked: withdraw or 「削除して再依頼」 first."""
    application = jspm_application()
    send(application, [0], parties)
    with pytest.raises(ApprovalError, match="症例1は承認依頼中か承認済み"):
        _request(application, parties, [0, 1])


def test_rejected_case_can_be_requested_again(parties: Parties) -> None:
    """A 非承認 case, once fixed, is requested again."""
    application = jspm_application()
    _, data = send(application, [0], parties)
    receive(application, answer(data, parties, {1: ("rejected", COMMENTS)}), parties)
    application.reports[0].narrative["history"] = (
        "実際の提供期間 2023/03/01〜2023/07/31。" + application.reports[0].narrative["history"]
    )
    assert _request(application, parties, [0]).cases[0].number == 1


@pytest.mark.parametrize(
    ("form_id", "rows", "problem"),
    [
        (TRANSITION, [0], "承認が不要な様式"),
        ("jspm-specialist-new", [], "選んでください"),
        ("jspm-specialist-new", [25], "ありません"),
    ],
)
def test_what_cannot_be_requested(parties: Parties, form_id: str, rows: list[int], problem: str) -> None:
    """No request for a form without approval, with nothing chosen, or for a case that does not exist."""
    application = jspm_application([report(n) for n in range(7)] if form_id == TRANSITION else None, form_id)
    with pytest.raises(ApprovalError, match=problem):
        _request(application, parties, rows)


def test_the_supervisor_cannot_answer_their_own_request(parties: Parties) -> None:
    """An answer made with the key that signed the request (self-approval) is refused."""
    request = read_request(exchange().request, source="request.json")
    with pytest.raises(ApprovalError, match="ご自身の症例は承認できません"):
        build_response(request, _everything(request, "approved"), exchange().parties.applicant, now=REQUESTED)


def _everything(
    request: ApprovalRequest, decision: Decision, comments: list[FieldComment] | None = None
) -> dict[str, tuple[Decision, list[FieldComment]]]:
    """The same decision for every case of `request`."""
    return {case.id: (decision, comments or []) for case in request.cases}


def _hand_made_request(parties: Parties, **supervisor: Any) -> ApprovalRequest:
    """A request signed by the applicant's key without build_request's checks (another program's)."""
    value = json.loads(exchange().request)
    value["applicant"]["fingerprint"] = parties.applicant.fingerprint
    value["supervisor"].update(supervisor)
    return read_request(_resigned(value, parties.applicant), source="request.json")


def test_the_supervisor_refuses_a_request_naming_the_applicant_as_supervisor(parties: Parties) -> None:
    """A request whose 指導者 has the applicant's 会員番号 is refused by the 指導者's Shorei as well."""
    request = _hand_made_request(parties, member_id=APPLICANT["member_id"])
    with pytest.raises(ApprovalError, match="申請者ご本人"):
        build_response(request, _everything(request, "rejected", COMMENTS), parties.supervisor, now=REQUESTED)


def test_the_supervisor_cannot_approve_outside_their_certification(parties: Parties) -> None:
    """Approving a case outside the 指導者's certification period is refused; rejecting it is not."""
    request = _hand_made_request(parties, cert_end="2023-05-31")
    with pytest.raises(ApprovalError, match="認定期間") as refusal:
        build_response(request, _everything(request, "approved"), parties.supervisor, now=REQUESTED)
    assert "症例1" in str(refusal.value)
    assert build_response(
        request, _everything(request, "rejected", COMMENTS), parties.supervisor, now=REQUESTED
    )


@pytest.mark.parametrize(
    ("decide", "problem"),
    [
        ({1: ("approved", [])}, "症例2、3の承認・非承認を選んでください"),
        ({1: ("approved", []), 2: ("approved", []), 3: ("rejected", [])}, "症例3を非承認にするには"),
        (
            {
                1: ("approved", []),
                2: ("approved", []),
                3: ("rejected", [FieldComment(field="note", comment="x")]),
            },
            "項目（note）",
        ),
    ],
    ids=["undecided", "bare-rejection", "private-field"],
)
def test_incomplete_answers_are_refused(decide: dict[int, Any], problem: str) -> None:
    """Every case needs a decision; a rejection needs a comment on a field the 指導者 was shown."""
    request = read_request(exchange().request, source="request.json")
    decisions = {case.id: decide[case.number] for case in request.cases if case.number in decide}
    with pytest.raises(ApprovalError, match=problem):
        build_response(request, decisions, exchange().parties.supervisor, now=REQUESTED)


def test_a_request_for_another_supervisor_key_is_refused(parties: Parties) -> None:
    """A request naming another key for its 指導者 is not answered with this one."""
    application = jspm_application()
    other = SigningKey.generate().fingerprint
    request = _request(application, parties, [0], supervisor=parties.registered_supervisor(fingerprint=other))
    with pytest.raises(ApprovalError, match=other):
        build_response(request, {request.cases[0].id: ("approved", [])}, parties.supervisor, now=REQUESTED)
