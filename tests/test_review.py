"""The 指導者's decisions on a request (app.approval.review), without a window: what is refused, the draft."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest

from app.approval.envelope import ApprovalFileError
from app.approval.request import build_request, read_request
from app.approval.response import read_response
from app.approval.review import Review, ReviewError, draft_path, load_draft
from app.models.application import Supervisor
from app.signing.keys import SigningKey
from app.signing.signed_files import signed_bytes
from tests.jspm_factories import SUPERVISOR, jspm_application, jspm_facilities, jspm_form, report

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.approval import ApprovalRequest

NOW = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)
APPLICANT_KEY = SigningKey.generate()
SUPERVISOR_KEY = SigningKey.generate()


def request_bytes(count: int = 3) -> bytes:
    _request, data = build_request(
        jspm_application([report(n) for n in range(count)]),
        jspm_form(),
        range(count),
        Supervisor.model_validate(SUPERVISOR, strict=False),
        "",
        APPLICANT_KEY,
        now=NOW,
        facilities=jspm_facilities(),
    )
    return data


def changed(data: bytes, change: Any) -> ApprovalRequest:
    """The request edited and signed again by the applicant's key (what another program could write)."""
    document = json.loads(data)
    change(document)
    del document["signature"]
    return read_request(signed_bytes(document, APPLICANT_KEY), source="request.json")


def review(request: ApprovalRequest | None = None, **kwargs: Any) -> Review:
    request = request or read_request(request_bytes(), source="request.json")
    return Review(request, jspm_form(), signer_fingerprint=SUPERVISOR_KEY.fingerprint, **kwargs)


def test_a_response_needs_every_case_decided() -> None:
    """Until every case is decided the response is refused, naming the undecided numbers."""
    current = review()
    current.approve(current.cases[0].id, now=NOW)
    with pytest.raises(ReviewError, match="番号 2、3"):
        current.response(SUPERVISOR_KEY, now=NOW)


def test_comments_travel_in_form_order_and_empty_ones_are_dropped() -> None:
    """Whole-case comment first, then the fields in the form's order; blank comments are not sent."""
    current = review()
    first = current.cases[0].id
    current.set_comment(first, "course", "経過を詳しく")
    current.set_comment(first, "facility", "施設種別を確認してください")
    current.set_comment(first, "", "全体として記載不足です")
    current.set_comment(first, "diagnosis", "   ")
    current.reject(first, now=NOW)
    for case in current.cases[1:]:
        current.approve(case.id, now=NOW)
    _response, statements = read_response(current.response(SUPERVISOR_KEY, now=NOW), source="r.json")
    assert [c.field for c in statements[0].comments] == ["", "facility", "course"]


def test_emptying_the_last_comment_withdraws_a_rejection() -> None:
    """A rejection stands on its comments: clearing them leaves the case undecided again."""
    current = review()
    first = current.cases[0].id
    current.set_comment(first, "age", "年齢を確認")
    current.reject(first, now=NOW)
    current.set_comment(first, "age", "")
    assert current.state(first).decision is None


def test_an_unreadable_draft_is_reported_and_left_alone(shorei_home: Path) -> None:
    """A damaged draft is not used and not overwritten on opening; the note names the file."""
    request = read_request(request_bytes(), source="request.json")
    path = draft_path(shorei_home, request.request_id)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"{broken")
    draft, note = load_draft(shorei_home, request.request_id)
    assert draft is None and note is not None and str(path) in note
    assert path.read_bytes() == b"{broken"


def test_a_draft_keeps_only_what_still_applies(shorei_home: Path) -> None:
    """Restored decisions for unknown cases and comments on unknown fields are dropped."""
    data = request_bytes()
    current = review(read_request(data, source="request.json"))
    first = current.cases[0].id
    current.set_comment(first, "history", "現病歴に期間を")
    current.approve(first, now=NOW)
    current.save_draft(shorei_home)
    path = draft_path(shorei_home, current.request.request_id)
    stored = json.loads(path.read_text(encoding="utf-8"))
    stored["cases"]["f" * 32] = {"decision": "approved", "decided_at": None, "comments": {}}
    stored["cases"][first]["comments"]["nonsense"] = "?"
    path.write_text(json.dumps(stored), encoding="utf-8")

    draft, note = load_draft(shorei_home, current.request.request_id)
    assert note is None
    again = review(read_request(data, source="request.json"), draft=draft)
    assert again.state(first).decision == "approved"
    assert again.state(first).comments == {"history": "現病歴に期間を"}
    assert "f" * 32 not in {case.id for case in again.cases}


def test_case_numbers_beyond_the_form_are_refused() -> None:
    """A request numbering a case beyond the form's list (20) is not reviewed (nor allocated for); one
    numbering it beyond any form is refused already when read, as malformed."""
    request = changed(request_bytes(1), lambda doc: doc["cases"][0].update(number=21))
    with pytest.raises(ReviewError, match="21"):
        review(request)
    with pytest.raises(ApprovalFileError, match="形式"):
        changed(request_bytes(1), lambda doc: doc["cases"][0].update(number=10**9))
