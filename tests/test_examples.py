"""The example documents stay what the README says they are."""

from __future__ import annotations

import json
from pathlib import Path

from app.models.document import load_application
from app.models.schema import application_schema_text
from examples.generate import EXAMPLES
from tests.factories import issues_of
from tests.test_forms import SPEC_CODES

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_example_files_are_generated_from_the_script(examples_dir: Path) -> None:
    """examples/*.json equal what examples/generate.py writes (no hand edits drifting)."""
    for name, builder in EXAMPLES.items():
        assert json.loads((examples_dir / name).read_text(encoding="utf-8")) == builder()


def test_valid_examples_raise_no_code_at_all(examples_dir: Path) -> None:
    """No issue of the JBCT set, error or warning, is raised on the valid examples."""
    for name in ("valid-20-cases.json", "valid-25-cases-3-sections.json"):
        assert issues_of(load_application(examples_dir / name)) == []


def test_broken_example_trips_most_rules(examples_dir: Path) -> None:
    """The broken example raises nearly every JBCT code (the rest are tested one by one)."""
    codes = {issue.code for issue in issues_of(load_application(examples_dir / "broken.json"))}
    assert codes <= SPEC_CODES
    assert len(codes) >= len(SPEC_CODES) - 3, sorted(SPEC_CODES - codes)


def test_published_schema_is_current() -> None:
    """docs/application.schema.json matches the types (regenerate: uv run python -m app.models.schema)."""
    assert (DOCS / "application.schema.json").read_text(encoding="utf-8") == application_schema_text()


def test_jspm_examples_are_what_their_names_say(examples_dir: Path) -> None:
    """The transition example is ready to print; the specialist one lacks only its approvals."""
    from tests.jspm_factories import jspm_issues

    transition = load_application(examples_dir / "jspm-transition-7-cases.json")
    assert jspm_issues(transition) == []
    specialist = load_application(examples_dir / "jspm-specialist-new-unapproved.json")
    issues = jspm_issues(specialist)
    assert {issue.code for issue in issues} == {"not-approved"} and len(issues) == 20
