"""SPEC §8: PDF of 75 cases ≤ 300 ms; package sign ≤ 20 ms; verify ≤ 20 ms."""

from __future__ import annotations

import datetime as dt
import time

from app.export.fonts import sheet_font
from app.export.keys import SigningKey
from app.export.package import prepare_package, sign_package
from app.export.pdf import PackageMark, SheetMarks, render_sheets
from app.export.verify import verify_package
from app.models.forms import bundled_forms
from app.store.facility_files import bundled_facility_list
from app.validation import validate
from benchmarks.bench_validate import full_application
from benchmarks.common import Measurement, time_calls


def run(quick: bool = False) -> list[Measurement]:
    pdf_runs, runs, warmup = (1, 3, 1) if quick else (30, 300, 10)
    application = full_application()
    form = bundled_forms().get(application.form.id, application.form.version)
    assert form is not None
    facilities = bundled_facility_list()
    issues = validate(application, form, facilities)
    key = SigningKey.generate()
    created = dt.datetime.now(dt.UTC)

    start = time.perf_counter()
    sheet_font()
    font_load = time.perf_counter() - start

    prepared = prepare_package(application, form, facilities.info, issues, created=created)
    marks = SheetMarks(PackageMark(prepared.short_hash, prepared.qr_payload, key.fingerprint, created))
    pdf = render_sheets(application, form, issues, marks)

    def sign() -> bytes:
        again = prepare_package(application, form, facilities.info, issues, created=created)
        return sign_package(again, pdf_name="bench.pdf", pdf_bytes=pdf, key=key)

    package = sign()
    forms = bundled_forms()

    def verify() -> None:
        result = verify_package(
            package, source="bench", forms=forms, facility_lists=[facilities.info], pdf=pdf
        )
        assert result.ok, result.reason

    return [
        Measurement(
            what="PDF of 75 cases (3 sheet sets)",
            budget="≤ 300 ms",
            budget_seconds=0.300,
            samples=time_calls(
                lambda: render_sheets(application, form, issues, marks), runs=pdf_runs, warmup=1
            ),
            spec_row=5,
            note=(
                f"{len(pdf) // 1024} kB; the font file is read once per process first "
                f"({font_load * 1e3:.0f} ms, not included)"
            ),
        ),
        Measurement(
            what="package sign (content, RFC 8785, SHA-256, Ed25519) of 75 cases",
            budget="≤ 20 ms",
            budget_seconds=0.020,
            samples=time_calls(sign, runs=runs, warmup=warmup),
            spec_row=6,
            note=f"{len(package) // 1024} kB package",
        ),
        Measurement(
            what="verify a 75-case package and its PDF",
            budget="≤ 20 ms",
            budget_seconds=0.020,
            samples=time_calls(verify, runs=runs, warmup=warmup),
            spec_row=7,
            note="all checks: structure, canonical form, signature, content hash, form, facility list, PDF",
        ),
    ]
