"""Forms as data: the bundled JBCT definition, its registry, and the loader's refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.models.forms import FormError, FormRegistry, bundled_forms, load_form
from app.resources import resource_path
from tests.factories import jbct_form

SPEC_CODES = {
    "case-count", "section-order", "section-unneeded", "facility-missing", "facility-unknown",
    "enrollment-missing", "enrollment-order", "enrollment-outside-window", "enrollment-overlap",
    "age-missing", "age-range", "sex-missing", "item-missing", "item-unknown", "item-other-text-missing",
    "item-oral-care-not-dental", "period-missing", "period-order", "period-before-window",
    "period-after-application", "period-outside-enrollment", "diagnosis-missing", "diagnosis-abbreviation",
    "diagnosis-not-malignant", "diagnosis-oral-unspecific", "pathology-missing", "duplicate-patient",
    "text-invalid",
}  # fmt: skip


def test_registry_lists_the_jbct_form() -> None:
    """The installed forms include jbct-renewal-2026 with its title and society."""
    registry = bundled_forms()
    assert "jbct-renewal-2026" in registry.ids()
    form = jbct_form()
    assert form.society == "日本がん治療認定医機構"
    assert registry.get(form.id, form.version) is form


def test_jbct_limits_match_the_spec() -> None:
    """JB-1, JB-2, JB-3, JB-7: window, counts, sections and age limits as the seed states them."""
    form = jbct_form()
    window = form.target_window()
    assert (str(window.start), str(window.latest_end)) == ("2022-04", "2026-09")
    assert (form.counts.min, form.counts.max) == (20, 25)
    assert form.sections is not None
    assert form.sections.labels == ["申請2(1)", "申請2(2)", "申請2(3)"]
    assert form.sections.rows == 25
    age = form.field("age")
    assert (age.min, age.max) == (0, 120)


def test_item_list_is_marked_as_a_default() -> None:
    """JB-9: the item list is our default until the 2026 manual is at hand, and says so."""
    items = jbct_form().choices["items"]
    assert items.source == "default"
    assert "既定値" in items.note
    assert items.labels() == [
        "手術",
        "薬物療法",
        "放射線治療",
        "内視鏡治療",
        "IVR",
        "緩和ケア",
        "造血幹細胞移植",
        "口腔ケア",
        "その他",
    ]
    assert [o.label for o in items.options if o.dental_only] == ["口腔ケア"]
    assert [o.label for o in items.options if o.requires_text] == ["その他"]


def test_every_spec_code_has_a_message() -> None:
    """Each issue code of the JBCT set has a Japanese message template in the form data."""
    assert set(jbct_form().messages) >= SPEC_CODES


def test_every_message_the_rules_use_exists() -> None:
    """Every message name used in the rule module has a template (no KeyError at run time)."""
    source = Path("app/validation/jbct.py").read_text(encoding="utf-8")
    used = set(re.findall(r'message="([a-z-]+)"', source)) | set(
        re.findall(r'out\.add\(\s*"([a-z-]+)"', source)
    )
    assert used <= set(jbct_form().messages)


def test_private_field_is_marked() -> None:
    """備考 is private: the form data says so, for the PDF and package to leave it out."""
    assert [spec.key for spec in jbct_form().fields if spec.private] == ["note"]


def test_text_fields_have_limits() -> None:
    """JB-14: every text field has a length limit in the form data."""
    for spec in jbct_form().fields:
        if spec.kind in ("text", "multiline"):
            assert spec.max_length


def test_broken_form_file_is_named(tmp_path: Path) -> None:
    """A form definition that does not load names its file."""
    bad = tmp_path / "bad-form.toml"
    bad.write_text('id = "Bad Id"\n', encoding="utf-8")
    with pytest.raises(FormError, match=r"bad-form\.toml"):
        load_form(bad)


def test_registry_from_folder_and_newest_version(tmp_path: Path) -> None:
    """A registry reads every .toml in a folder; without a version, the newest is chosen."""
    source = resource_path("forms", "jbct-renewal-2026.toml").read_text(encoding="utf-8")
    (tmp_path / "a.toml").write_text(source, encoding="utf-8")
    (tmp_path / "b.toml").write_text(
        source.replace('version = "2026.1"', 'version = "2026.2"'), encoding="utf-8"
    )
    registry = FormRegistry.from_folder(tmp_path)
    assert registry.versions("jbct-renewal-2026") == ["2026.1", "2026.2"]
    form = registry.get("jbct-renewal-2026")
    assert form is not None
    assert form.version == "2026.2"
    assert registry.get("nope") is None
