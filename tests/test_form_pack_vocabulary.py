"""A form pack's diagnosis vocabulary (issue 18): the rules and the completer of the pack's forms read it;
the program's forms keep the program's; a vocabulary that cannot be used is refused when packing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.export.form_pack_install import install_pack
from app.export.form_packs import PackError, make_pack
from app.models.application import Application
from app.models.form_packs import forms_for
from app.models.forms import bundled_forms
from app.resources import resource_path
from app.validation import validate
from app.validation.diagnosis import check_diagnosis
from app.validation.diagnosis_suggest import suggest_diagnoses

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WORKED = EXAMPLES / "packs" / "jbct-renewal-2027"
TARGET = ("jbct-renewal-2027", "2027.1")
NEW_ABBREVIATION = "ZQXCA"  # not in the program's vocabulary: there an unknown upper-case token


def _source_with_vocabulary(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "source"
    shutil.copytree(WORKED, folder)
    (folder / "vocabulary").mkdir()
    for name, text in files.items():
        (folder / "vocabulary" / name).write_text(text, encoding="utf-8")
    return folder


def _abbreviations_with_new_entry() -> str:
    bundled = resource_path("vocabulary", "diagnosis-abbreviations.toml").read_text(encoding="utf-8")
    return bundled + f'\n[abbreviations.pack]\n{NEW_ABBREVIATION} = "肺癌"\n'


@pytest.fixture
def pack_with_vocabulary(tmp_path: Path) -> Path:
    """The worked example carrying only an abbreviations file, with one abbreviation the program lacks."""
    source = _source_with_vocabulary(
        tmp_path, {"diagnosis-abbreviations.toml": _abbreviations_with_new_entry()}
    )
    return make_pack(source, tmp_path / "k.pem", tmp_path / "v.shoreipack").path


def _application_under(form_id: str, version: str, diagnosis: str) -> Application:
    document = json.loads((EXAMPLES / "valid-25-cases-1-section.json").read_text(encoding="utf-8"))
    document["form"] = {"id": form_id, "version": version}
    document["sections"][0]["cases"][0]["diagnosis"] = diagnosis
    return Application.model_validate(document)


def test_the_pack_forms_rules_read_the_packs_vocabulary(
    pack_with_vocabulary: Path, shorei_home: Path
) -> None:
    """Under the pack's form the pack's abbreviation is an error proposing its name; under the program's
    form the same text stays an unknown-abbreviation warning."""
    install_pack(shorei_home, pack_with_vocabulary, trust=True)
    forms = forms_for(shorei_home)
    pack_form = forms.get(*TARGET)
    bundled_form = forms.get("jbct-renewal-2026", "2026.1")
    assert pack_form is not None and bundled_form is not None
    assert pack_form.vocabulary is not bundled_form.vocabulary

    def diagnosis_issues(form_id: str, version: str) -> list[tuple[str, str]]:
        form = forms.get(form_id, version)
        assert form is not None
        issues = validate(_application_under(form_id, version, NEW_ABBREVIATION), form)
        return [(i.severity, i.message) for i in issues if i.row == 1 and i.field == "diagnosis"]

    ((severity, message),) = diagnosis_issues(*TARGET)
    assert severity == "error" and "『肺癌』" in message
    ((severity, _),) = diagnosis_issues("jbct-renewal-2026", "2026.1")
    assert severity == "warning"
    # The checks of two vocabularies never share results, in either order.
    assert check_diagnosis(NEW_ABBREVIATION, dental=False)[0].severity == "warning"
    assert (
        check_diagnosis(NEW_ABBREVIATION, dental=False, vocabulary=pack_form.vocabulary)[0].severity
        == "error"
    )


def test_the_completer_proposes_from_the_forms_vocabulary(
    pack_with_vocabulary: Path, shorei_home: Path
) -> None:
    """The completer given the pack form's vocabulary expands the pack's abbreviation; the program's does not."""
    install_pack(shorei_home, pack_with_vocabulary, trust=True)
    pack_form = forms_for(shorei_home).get(*TARGET)
    assert pack_form is not None
    (first, *_) = suggest_diagnoses(NEW_ABBREVIATION, vocabulary=pack_form.vocabulary)
    assert (first.name, first.reason) == ("肺癌", "abbreviation")
    assert suggest_diagnoses(NEW_ABBREVIATION) == []


def test_a_pack_without_a_vocabulary_reads_the_programs(worked_pack_path: Path, shorei_home: Path) -> None:
    """A pack that carries no vocabulary: its forms read the program's (the same object as the bundled forms)."""
    install_pack(shorei_home, worked_pack_path, trust=True)
    pack_form = forms_for(shorei_home).get(*TARGET)
    assert pack_form is not None and pack_form.vocabulary_source is None
    bundled = bundled_forms().get("jbct-renewal-2026", "2026.1")
    assert bundled is not None and pack_form.vocabulary is bundled.vocabulary


@pytest.fixture
def worked_pack_path(tmp_path: Path) -> Path:
    """The worked example of docs/forms.md, signed with a new key."""
    return make_pack(WORKED, tmp_path / "k.pem", tmp_path / "w.shoreipack").path


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"extra.toml": 'version = "1"\n'}, "語彙のファイルではありません"),
        ({"diagnosis.toml": 'version = "1"\n'}, "診断名の語彙を使えません"),
        ({"diagnosis-names.toml": "names = ["}, "語彙"),
    ],
)
def test_a_vocabulary_the_rules_cannot_use_is_refused_when_packing(
    tmp_path: Path, files: dict[str, str], problem: str
) -> None:
    """A file that is not one of the three, a file of the wrong shape, or one that is not TOML: refused
    before anything is signed."""
    source = _source_with_vocabulary(tmp_path, files)
    with pytest.raises(PackError, match=problem):
        make_pack(source, tmp_path / "k.pem", tmp_path / "bad.shoreipack")
    assert not (tmp_path / "bad.shoreipack").exists()


def test_install_names_the_vocabulary_files_the_pack_carries(
    pack_with_vocabulary: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`shorei forms install` says which vocabulary files the pack's forms read from the pack."""
    from app.cli import main

    assert main(["forms", "install", str(pack_with_vocabulary), "--trust"]) == 0
    assert (
        "診断名の語彙: diagnosis-abbreviations.toml（この様式パックの様式で使います"
        in capsys.readouterr().out
    )
