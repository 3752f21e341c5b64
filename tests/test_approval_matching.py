"""The approval protocol's pure parts that the operations call: the pending checks (state, request id,
指導者, content hash, 通信欄) for a statement or a matched approval, and the values a case takes, returned
without changing the application."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from app.approval.envelope import FileCheck
from app.approval.matching import decided_approval, pending_problem
from app.approval.request import as_requested, read_request
from app.approval.response import read_response
from tests.approval_support import Parties, answer, receive, send
from tests.jspm_factories import jspm_application

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.application import Approval


@pytest.fixture
def parties(tmp_path: Path) -> Parties:
    return Parties.make(tmp_path)


def _answered(parties: Parties) -> tuple[Approval, Approval]:
    """Case 1 requested and answered: its 承認依頼中 approval and the approval matched from the answer."""
    application = jspm_application()
    _, data = send(application, [0], parties)
    pending = application.reports[0].approval
    assert pending is not None
    receive(application, answer(data, parties), parties)
    matched = application.reports[0].approval
    assert matched is not None
    return pending, matched


def test_a_matched_approval_answers_its_pending_request(parties: Parties) -> None:
    """The approval match_response returned passes the same checks against the 承認依頼中 it answers."""
    pending, matched = _answered(parties)
    assert matched.state == "approved"
    assert pending_problem(pending, matched) is None


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ({"state": "approved"}, FileCheck.REQUEST_ID),
        ({"request_id": "b" * 32}, FileCheck.REQUEST_ID),
        ({"content_hash": "0" * 64}, FileCheck.CONTENT_HASH),
        ({"message": "別の通信欄"}, FileCheck.REQUEST_ID),
    ],
)
def test_pending_problem_names_the_failed_check(
    parties: Parties, change: dict[str, str], check: FileCheck
) -> None:
    """A case no longer 承認依頼中 under that request, or asked for other content or 通信欄, is refused by check."""
    pending, matched = _answered(parties)
    problem = pending_problem(pending.model_copy(update=change), matched)
    assert problem is not None
    assert problem[0] is check


def test_pending_problem_refuses_a_withdrawn_case(parties: Parties) -> None:
    """A withdrawn case (no approval) is not 承認依頼中: the text names the request, not the case."""
    _, matched = _answered(parties)
    problem = pending_problem(None, matched)
    assert problem is not None
    assert problem[0] is FileCheck.REQUEST_ID
    assert problem[1].startswith(f"はこの承認依頼（依頼番号 {matched.request_id}）")


def test_decided_approval_keeps_the_request_and_carries_the_statement(parties: Parties) -> None:
    """The decided approval keeps the 通信欄 and time of the request and carries the signed statement."""
    application = jspm_application()
    _, data = send(application, [0], parties)
    pending = application.reports[0].approval
    assert pending is not None
    response, statements = read_response(answer(data, parties), source="response.json")
    decided = decided_approval(pending, statements[0], response.statements[0])
    assert (decided.state, decided.message, decided.requested_at) == (
        "approved",
        pending.message,
        pending.requested_at,
    )
    assert decided.statement == response.statements[0]


def test_as_requested_leaves_the_application_unchanged(parties: Parties) -> None:
    """Judging a request builds a new application; the applicant's own is not touched."""
    application = jspm_application()
    before = application.model_copy(deep=True)
    _, data = send(jspm_application(), [0, 2], parties)
    request = read_request(data, source="request.json")
    pending = as_requested(application, [0, 2], request)
    assert application == before
    assert [report.approval is not None for report in pending.reports[:3]] == [True, False, True]
