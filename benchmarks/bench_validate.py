"""SPEC §8: validate a full application (3 sections × 25 cases) — budget 2 ms."""

from __future__ import annotations

import json

from app.models.application import Application
from app.models.forms import bundled_forms
from app.store.facility_files import bundled_facility_list
from app.validation import validate
from benchmarks.common import Measurement, time_calls
from examples.generate import valid_25_three_sections


def full_application() -> Application:
    """Three sections of 25 filled rows each: every rule runs on every row."""
    document = valid_25_three_sections()
    for index, section in enumerate(document["sections"]):
        rows = section["cases"]
        section["cases"] = [{**rows[n % len(rows)], "age": 20 + (index * 25 + n) % 90} for n in range(25)]
    return Application.model_validate(json.loads(json.dumps(document)))


def run(quick: bool = False) -> list[Measurement]:
    runs = 3 if quick else 2000
    application = full_application()
    form = bundled_forms().get(application.form.id, application.form.version)
    assert form is not None
    facilities = bundled_facility_list()
    samples = time_calls(
        lambda: validate(application, form, facilities), runs=runs, warmup=1 if quick else 50
    )
    return [
        Measurement(
            what="validate a full application (3 sections × 25 cases)",
            budget="≤ 2 ms",
            budget_seconds=0.002,
            samples=samples,
            spec_row=2,
            note=f"{application.case_count()} cases, {len(validate(application, form, facilities))} issues found",
        )
    ]
