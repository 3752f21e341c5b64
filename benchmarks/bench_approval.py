"""JSPM (SPEC §2.2, §8): the approval files of 20 cases, the case-report PDF and the verification of a
package whose 20 cases each carry a signed approval. The SPEC's PDF and verify budgets apply; the approval
files have none of their own (they are written and read once per request), so they are reported only."""

from __future__ import annotations

import datetime as dt
import json

from app.approval.matching import match_response
from app.approval.request import build_request, read_request
from app.approval.response import build_response, read_response
from app.export.package import prepare_package, sign_package
from app.export.pdf.page import PackageMark, SheetMarks
from app.export.pdf.reports import render_case_reports
from app.export.verify import verify_package
from app.models.application import Application, Approval, Supervisor
from app.models.approval import pending_approval
from app.models.forms import bundled_forms
from app.signing.keys import SigningKey
from app.store.facility_files import bundled_facility_list
from app.validation import validate
from benchmarks.common import Measurement, time_calls
from benchmarks.run import ROOT

EXAMPLE = ROOT / "examples" / "jspm-specialist-new-unapproved.json"
SUPERVISOR = Supervisor(
    name="指導 一郎",
    member_id="J00001",
    qualification="指導医",
    cert_start=dt.date(2020, 4, 1),
    cert_end=dt.date(2030, 3, 31),
)


def run(quick: bool = False) -> list[Measurement]:
    runs, pdf_runs = (2, 1) if quick else (100, 20)
    application = Application.model_validate(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    form = bundled_forms().get(application.form.id, application.form.version)
    assert form is not None
    facilities = bundled_facility_list("jspm-sample")
    applicant, supervisor = SigningKey.generate(), SigningKey.generate()
    now = dt.datetime.now(dt.UTC)
    rows = range(len(application.reports))
    unrequested = application.model_copy(deep=True)

    def request() -> bytes:
        return build_request(
            unrequested, form, rows, SUPERVISOR, "", applicant, now=now, facilities=facilities
        )[1]

    request_bytes = request()
    parsed = read_request(request_bytes, source="bench")

    def respond() -> bytes:
        return build_response(
            parsed, {case.id: ("approved", []) for case in parsed.cases}, supervisor, now=now
        )

    response_bytes = respond()
    for case, report in zip(parsed.cases, application.reports, strict=True):
        report.approval = pending_approval(parsed, case)
    requested = application.model_copy(deep=True)

    def import_response() -> list[tuple[int, Approval]]:
        response, statements = read_response(response_bytes, source="bench")
        return match_response(
            requested,
            response,
            statements,
            applicant_fingerprint=applicant.fingerprint,
            trusted_fingerprint=supervisor.fingerprint,
        )

    for row, approval in import_response():
        application.reports[row].approval = approval

    issues = validate(application, form, facilities)
    prepared = prepare_package(application, form, facilities.info, issues, created=now)
    marks = SheetMarks(
        PackageMark(
            prepared.short_hash, prepared.qr_payload, applicant.fingerprint, now, prepared.content_sha256
        )
    )
    pdf = render_case_reports(application, form, issues, marks)
    package = sign_package(prepared, pdf_name="bench.pdf", pdf_bytes=pdf, key=applicant)
    forms = bundled_forms()

    def verify() -> None:
        result = verify_package(
            package, source="bench", forms=forms, facility_lists=[facilities.info], pdf=pdf
        )
        assert result.ok, result.reason

    cases = len(application.reports)
    return [
        Measurement(
            what=f"JSPM PDF of {cases} case reports (summary + one page per case)",
            budget="≤ 300 ms (the 75-case budget)",
            budget_seconds=0.300,
            samples=time_calls(lambda: render_case_reports(application, form, issues, marks), runs=pdf_runs),
            note=f"{len(pdf) // 1024} kB, {cases + 1} pages",
        ),
        Measurement(
            what=f"verify a JSPM package with {cases} signed approvals and its PDF",
            budget="≤ 20 ms",
            budget_seconds=0.020,
            samples=time_calls(verify, runs=runs, warmup=5),
            note="every package check, plus each statement's signature and binding, and the approval rules",
        ),
        Measurement(
            what=f"approval request of {cases} cases (validate, RFC 8785, Ed25519)",
            budget="—",
            budget_seconds=None,
            samples=time_calls(request, runs=runs, warmup=5),
            note=f"{len(request_bytes) // 1024} kB request",
        ),
        Measurement(
            what=f"read an approval request of {cases} cases",
            budget="—",
            budget_seconds=None,
            samples=time_calls(lambda: read_request(request_bytes, source="bench"), runs=runs, warmup=5),
        ),
        Measurement(
            what=f"answer {cases} cases (one signed statement each)",
            budget="—",
            budget_seconds=None,
            samples=time_calls(respond, runs=runs, warmup=5),
            note=f"{len(response_bytes) // 1024} kB response",
        ),
        Measurement(
            what=f"read and match a response of {cases} statements",
            budget="—",
            budget_seconds=None,
            samples=time_calls(import_response, runs=runs, warmup=5),
        ),
    ]


if __name__ == "__main__":
    for measurement in run():
        print(
            f"{measurement.what}: median {measurement.format(measurement.median)}"
            f" (p10 {measurement.format(measurement.quantile(0.1))}, p90 {measurement.format(measurement.quantile(0.9))})"
        )
