"""Helpers for the approval-file tests: the two parties' keys, and the request → response → match round
trip as the two installations run it (each with its own key, the files passing as bytes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.approval.matching import match_response
from app.approval.request import build_request, read_request, requested_approvals
from app.approval.response import build_response, read_response
from app.models.application import Application, FieldComment, Supervisor
from app.signing.keys import SigningKey, load_or_create_signing_key
from tests.jspm_factories import SUPERVISOR, jspm_facilities, jspm_form

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from app.models.approval import ApprovalRequest, Decision

REQUESTED = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)
DECIDED = dt.datetime(2024, 5, 10, 18, 30, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Parties:
    """The applicant's and the 指導者's installations: each key made in its own data folder."""

    applicant: SigningKey
    supervisor: SigningKey

    @classmethod
    def make(cls, folder: Path) -> Parties:
        return cls(
            load_or_create_signing_key(folder / "applicant" / "keys"),
            load_or_create_signing_key(folder / "supervisor" / "keys"),
        )

    def registered_supervisor(self, **changes: object) -> Supervisor:
        """The 指導者 as the applicant registers them (key not yet trusted: no fingerprint)."""
        return Supervisor.model_validate({**SUPERVISOR, **changes})


def send(
    application: Application,
    rows: Sequence[int],
    parties: Parties,
    *,
    supervisor: Supervisor | None = None,
    message: str = "ご確認をお願いいたします。",
) -> tuple[ApprovalRequest, bytes]:
    """承認依頼 for `rows`, recorded in `application` as the store does (承認依頼中)."""
    request, data = build_request(
        application,
        jspm_form(application.form.id),
        rows,
        supervisor or parties.registered_supervisor(),
        message,
        parties.applicant,
        now=REQUESTED,
        facilities=jspm_facilities(),
    )
    mark_requested(application, request)
    return request, data


def mark_requested(application: Application, request: ApprovalRequest) -> None:
    pending = requested_approvals(request)
    for report in application.reports:
        if report.id in pending:
            report.approval = pending[report.id]


def answer(
    request_data: bytes,
    parties: Parties,
    decide: Mapping[int, tuple[Decision, list[FieldComment]]] | None = None,
) -> bytes:
    """The 指導者 reads the request file and answers it: `decide` by case number, approve the rest."""
    request = read_request(request_data, source="request.json")
    decisions = {case.id: (decide or {}).get(case.number, ("approved", [])) for case in request.cases}
    return build_response(request, decisions, parties.supervisor, now=DECIDED)


def receive(application: Application, response_data: bytes, parties: Parties) -> list[int]:
    """The applicant imports the response: matched against the trusted key and applied; the rows."""
    response, statements = read_response(response_data, source="response.json")
    matched = match_response(
        application,
        response,
        statements,
        applicant_fingerprint=parties.applicant.fingerprint,
        trusted_fingerprint=parties.supervisor.fingerprint,
    )
    for row, approval in matched:
        application.reports[row].approval = approval
    return [row for row, _ in matched]


def approve_all(application: Application, parties: Parties) -> None:
    """Every case requested in one request (JS-8) and approved."""
    _, data = send(application, range(len(application.reports)), parties)
    receive(application, answer(data, parties), parties)
