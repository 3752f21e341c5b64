"""`verify_package`: any changed byte, another PDF, or a re-serialised package fails, naming the check."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.export import Check, UnreadablePackageError, export_application, verify_package
from app.models.canonical import canonical_json, sha256_hex
from app.models.facility import FacilityListInfo
from app.models.forms import FormRegistry
from app.signing.keys import SigningKey
from app.signing.signed_files import signed_bytes
from tests import export_support as support

if TYPE_CHECKING:
    from pathlib import Path

    from app.export import Verification

# The properties below are about bytes in memory; the autouse fixtures (no network, a fresh SHOREI_HOME)
# need no reset between examples.
BYTES_SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@dataclass(frozen=True)
class Exported:
    package: bytes
    pdf: bytes
    other_pdf: bytes


@functools.cache
def exported() -> Exported:
    """One signed export (and a draft of the same application), made once for the whole module."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        result = export_application(
            support.with_accepted_duplicate(),
            support.form(),
            support.facilities(),
            Path(folder),
            stem="a",
            key=SigningKey.generate(),
            now=support.NOW,
        )
        draft = export_application(
            support.with_accepted_duplicate(),
            support.form(),
            support.facilities(),
            Path(folder),
            stem="a",
            draft=True,
        )
        assert result.package_path is not None
        return Exported(
            result.package_path.read_bytes(), result.pdf_path.read_bytes(), draft.pdf_path.read_bytes()
        )


def _verify(
    data: bytes,
    pdf: bytes | None = None,
    *,
    forms: FormRegistry | None = None,
    lists: list[FacilityListInfo] | None = None,
) -> Verification:
    return verify_package(
        data,
        source="package.json",
        forms=forms or FormRegistry([support.form()]),
        facility_lists=lists if lists is not None else [support.facilities().info],
        pdf=pdf,
        pdf_source="sheet.pdf",
    )


def _is_rejected(data: bytes, pdf: bytes | None = None) -> bool:
    try:
        return not _verify(data, pdf).ok
    except UnreadablePackageError:
        return True


def _resign(package: dict[str, Any], key: SigningKey) -> bytes:
    """`package` signed again by `key`: what someone with their own key could make."""
    return signed_bytes({name: value for name, value in package.items() if name != "signature"}, key)


def test_exported_package_and_pdf_verify() -> None:
    """A package as written verifies, with and without its PDF."""
    files = exported()
    assert _verify(files.package).ok
    result = _verify(files.package, files.pdf)
    assert result.ok and result.pdf_checked


@BYTES_SETTINGS
@given(data=st.data())
def test_changing_any_single_byte_fails(data: st.DataObject) -> None:
    """Replacing any one byte of the package with any other byte makes verification fail."""
    assert _is_rejected(support.one_byte_changed(data, exported().package))


@pytest.mark.parametrize("needle", [b'"age":38', b'"Ed25519"', b'"errors":0', b'"format":"shorei/package@1"'])
def test_changing_a_byte_inside_a_value_names_the_check(needle: bytes) -> None:
    """A value changed by one byte in the content fails the signature (or the format), never passes."""
    package = exported().package
    position = package.index(needle) + len(needle) - 2
    changed = package[:position] + bytes([package[position] ^ 0x01]) + package[position + 1 :]
    try:
        result = _verify(changed)
    except UnreadablePackageError:
        return
    assert result.failed in (Check.SIGNATURE, Check.STRUCTURE)


@BYTES_SETTINGS
@given(pdf=st.binary(max_size=2048))
def test_a_pdf_other_than_the_named_one_fails(pdf: bytes) -> None:
    """Any PDF whose bytes differ from the one the package names fails the PDF check."""
    result = _verify(exported().package, pdf)
    assert result.failed is Check.PDF
    assert "sheet.pdf" in result.reason and "a.pdf" in result.reason


def test_the_draft_of_the_same_application_is_not_its_pdf() -> None:
    """Even a PDF of the same application (the draft) is not the PDF the package names."""
    files = exported()
    assert _verify(files.package, files.other_pdf).failed is Check.PDF


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    indent=st.sampled_from([None, 0, 1, 2, 4, "\t"]),
    sort_keys=st.booleans(),
    ensure_ascii=st.booleans(),
    separators=st.sampled_from([None, (",", ":"), (", ", ": "), (",", ": ")]),
    trailing_newline=st.booleans(),
    bom=st.booleans(),
)
def test_non_canonical_reserialisation_fails(
    indent: int | str | None,
    sort_keys: bool,
    ensure_ascii: bool,
    separators: tuple[str, str] | None,
    trailing_newline: bool,
    bom: bool,
) -> None:
    """The same JSON written any other way (indented, reordered, escaped, BOM, newline) fails as
    non-canonical, although its meaning and signature are unchanged."""
    package = exported().package
    value = json.loads(package)
    text = json.dumps(
        value, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii, separators=separators
    )
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8") + (b"\n" if trailing_newline else b"")
    if data == package:
        return
    assert _verify(data).failed is Check.CANONICAL


def test_reordered_keys_fail_as_non_canonical() -> None:
    """Moving `signature` first, with every value the same, fails the canonical check."""
    value = json.loads(exported().package)
    reordered = {"signature": value.pop("signature"), **value}
    data = json.dumps(reordered, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert _verify(data).failed is Check.CANONICAL


def test_content_resigned_by_another_key_shows_another_fingerprint() -> None:
    """Someone else's key can sign changed content consistently, but the fingerprint then differs from the
    one printed on the stamped sheets: the signature proves origin only together with that fingerprint."""
    original = json.loads(exported().package)
    value = json.loads(exported().package)
    value["content"]["application"]["applicant"]["name"] = "別人"
    value["content_sha256"] = sha256_hex(canonical_json(value["content"]))
    result = _verify(_resign(value, SigningKey.generate()))
    assert result.ok and result.package is not None
    assert result.package.signature.fingerprint != original["signature"]["fingerprint"]
    assert result.package.content_sha256 != original["content_sha256"]


def test_content_hash_that_does_not_match_the_content_fails() -> None:
    """A signed package whose stated content hash is not its content's fails the content-hash check."""
    value = json.loads(exported().package)
    value["content"]["application"]["applicant"]["name"] = "別人"
    assert _verify(_resign(value, SigningKey.generate())).failed is Check.CONTENT_HASH


def test_fingerprint_that_does_not_match_the_key_fails() -> None:
    """A fingerprint other than the public key's fails the signature check."""
    value = json.loads(exported().package)
    value["signature"]["fingerprint"] = "0000-0000-0000-0000-0000-0000-0000-0000"
    result = _verify(canonical_json(value))
    assert result.failed is Check.SIGNATURE and "指紋" in result.reason


def test_unknown_form_version_is_named() -> None:
    """A package for a form version this installation lacks fails the form check, naming the version."""
    result = _verify(exported().package, forms=FormRegistry([]))
    assert result.failed is Check.FORM
    assert "jbct-renewal-2026" in result.reason and "2026.1" in result.reason


def test_unknown_facility_list_version_is_named() -> None:
    """A package checked against a facility list version not present here fails, naming the version."""
    info = support.facilities().info
    other = info.model_copy(update={"version_date": info.version_date.replace(year=2030)})
    result = _verify(exported().package, lists=[other])
    assert result.failed is Check.FACILITY_LIST
    assert info.version_date.isoformat() in result.reason


def test_facility_list_with_another_hash_fails() -> None:
    """The same list version with different contents (another SHA-256) fails the facility-list check."""
    info = support.facilities().info
    other = FacilityListInfo.model_validate({**info.model_dump(mode="json"), "sha256": "0" * 64})
    result = _verify(exported().package, lists=[other])
    assert result.failed is Check.FACILITY_LIST and "SHA-256" in result.reason


def test_package_carrying_a_note_fails() -> None:
    """A package whose document carries 備考 fails: private fields never travel (SPEC §4)."""
    value = json.loads(exported().package)
    value["content"]["application"]["sections"][0]["cases"][0]["note"] = "秘密"
    value["content_sha256"] = sha256_hex(canonical_json(value["content"]))
    result = _verify(_resign(value, SigningKey.generate()))
    assert result.failed is Check.FORM and "備考" in result.reason


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "JSON として読めません"),
        (b"\xff\xfe", "UTF-8"),
        (b"[1, 2]", "オブジェクト"),
        (b'{"format": "shorei/application@1"}', "アップロード用パッケージではありません"),
        (b'{"format": "shorei/package@1", "x": NaN}', "JSON として読めません"),
        (b"[" * 100_000, "JSON として読めません"),
    ],
)
def test_what_is_not_a_package_is_unreadable(data: bytes, problem: str) -> None:
    """Input that is not a package at all raises UnreadablePackageError with a Japanese reason."""
    with pytest.raises(UnreadablePackageError, match=problem):
        _verify(data)


def test_structure_problem_names_the_place() -> None:
    """A package missing a member fails the structure check with a JSON pointer to the place."""
    value = json.loads(exported().package)
    del value["pdf"]["sha256"]
    result = _verify(canonical_json(value))
    assert result.failed is Check.STRUCTURE and "/pdf/sha256" in result.reason


def test_exported_files_verify_from_disk(tmp_path: Path) -> None:
    """Files written by export verify when read back from disk (no state shared in memory)."""
    result = export_application(
        support.valid_25_app(), support.form(), support.facilities(), tmp_path, stem="x", now=support.NOW
    )
    assert result.package_path is not None
    verdict = _verify(result.package_path.read_bytes(), result.pdf_path.read_bytes())
    assert verdict.ok
