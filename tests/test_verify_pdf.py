"""`shorei verify --pdf` reads what the PDF prints (SPEC §6, issue 15): the 照合コード, the full package hash
and the signing key on every page must be the package's, so copying a genuine PDF's SHA-256 into another
package, or signing the same content with another key, fails."""

from __future__ import annotations

import functools
import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from app.cli import main
from app.export import Check, export_application, verify_package
from app.export.package import prepare_package, sign_package
from app.models.forms import FormRegistry
from app.signing.keys import SigningKey
from app.signing.signed_files import signed_bytes
from app.validation import validate
from examples.generate import valid_20
from tests import export_support as support

if TYPE_CHECKING:
    from app.export import Verification


@dataclass(frozen=True)
class Pair:
    key: SigningKey
    package: bytes
    pdf: bytes
    draft: bytes


@functools.cache
def genuine() -> Pair:
    """The applicant's export of valid_20 (and a draft of it), made once for the module."""
    key = SigningKey.generate()
    with tempfile.TemporaryDirectory() as folder:
        result = export_application(
            support.valid_20_app(),
            support.form(),
            support.facilities(),
            Path(folder),
            stem="a",
            key=key,
            now=support.NOW,
        )
        draft = export_application(
            support.valid_20_app(), support.form(), support.facilities(), Path(folder), stem="a", draft=True
        )
        assert result.package_path is not None
        return Pair(
            key, result.package_path.read_bytes(), result.pdf_path.read_bytes(), draft.pdf_path.read_bytes()
        )


def _verify(package: bytes, pdf: bytes | None) -> Verification:
    return verify_package(
        package,
        source="package.json",
        forms=FormRegistry([support.form()]),
        facility_lists=[support.facilities().info],
        pdf=pdf,
        pdf_source="sheet.pdf",
    )


def _other_content_naming_the_genuine_pdf(key: SigningKey) -> bytes:
    """A valid package of other content (another pathology) that states the genuine PDF's name and hash."""
    application = support.with_texts(pathology="低分化型腺癌")
    issues = validate(application, support.form(), support.facilities())
    prepared = prepare_package(
        application, support.form(), support.facilities().info, issues, created=support.NOW
    )
    return sign_package(prepared, pdf_name="a.pdf", pdf_bytes=genuine().pdf, key=key)


def test_genuine_pair_verifies_and_names_the_printed_key() -> None:
    """The package with its own PDF verifies; every page shows its code, and the key printed is the signer."""
    files = genuine()
    result = _verify(files.package, files.pdf)
    assert result.ok and result.pdf_checked and result.printed_pages == 1
    assert result.printed_fingerprint == files.key.fingerprint


@pytest.mark.parametrize("signer", ["applicant", "stranger"])
def test_other_content_stating_the_genuine_pdf_hash_fails(signer: str) -> None:
    """A package of other content that copies the genuine PDF's SHA-256 fails, signed by the applicant's
    key or a stranger's: the PDF prints another 照合コード."""
    key = genuine().key if signer == "applicant" else SigningKey.generate()
    result = _verify(_other_content_naming_the_genuine_pdf(key), genuine().pdf)
    assert result.failed is Check.PRINTED
    assert "照合コード" in result.reason and "ほかの内容" in result.reason


def test_same_content_resigned_by_another_key_fails_naming_both_keys() -> None:
    """The genuine package re-signed by another key fails against its PDF, and says which key signed and
    which the sheet names."""
    files = genuine()
    stranger = SigningKey.generate()
    value: dict[str, Any] = json.loads(files.package)
    resigned = signed_bytes({name: item for name, item in value.items() if name != "signature"}, stranger)
    assert _verify(resigned, None).ok  # alone it is a consistent package…
    result = _verify(resigned, files.pdf)  # …but not the one the stamped sheet names
    assert result.failed is Check.PRINTED
    assert stranger.fingerprint in result.reason and files.key.fingerprint in result.reason


def test_cli_verify_pdf_says_which_key_signed_and_that_it_is_the_printed_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`shorei verify --pdf` prints the signer's fingerprint and that it is the one on the sheet; a
    re-signed package exits 1 naming both keys."""
    files = genuine()
    (tmp_path / "a.package.json").write_bytes(files.package)
    (tmp_path / "a.pdf").write_bytes(files.pdf)
    assert main(["verify", str(tmp_path / "a.package.json"), "--pdf", str(tmp_path / "a.pdf")]) == 0
    out = capsys.readouterr().out
    assert f"印刷された署名鍵 {files.key.fingerprint} はこのパッケージに署名した鍵と同じ" in out
    stranger = SigningKey.generate()
    value = json.loads(files.package)
    (tmp_path / "b.package.json").write_bytes(
        signed_bytes({name: item for name, item in value.items() if name != "signature"}, stranger)
    )
    assert main(["verify", str(tmp_path / "b.package.json"), "--pdf", str(tmp_path / "a.pdf")]) == 1
    out = capsys.readouterr().out
    assert "無効" in out and stranger.fingerprint in out and files.key.fingerprint in out


def test_a_pdf_without_printed_marks_fails() -> None:
    """A package that names a draft (no 照合コード printed) as its PDF fails the printed check."""
    files = genuine()
    value = json.loads(files.package)
    value["pdf"]["sha256"] = hashlib.sha256(files.draft).hexdigest()
    package = signed_bytes({name: item for name, item in value.items() if name != "signature"}, files.key)
    result = _verify(package, files.draft)
    assert result.failed is Check.PRINTED and "照合コードが印刷されていません" in result.reason


def test_marks_typed_into_the_sheet_do_not_pass_for_the_footer() -> None:
    """A sheet of other content whose texts print another package's 照合コード, hash and key (a facility
    name typed by hand holds the 64 digits on one line) does not verify with that package: the page then
    prints two different codes."""
    key = genuine().key
    wanted = support.with_texts(pathology="低分化型腺癌")
    issues = validate(wanted, support.form(), support.facilities())
    prepared = prepare_package(wanted, support.form(), support.facilities().info, issues, created=support.NOW)
    document = valid_20()
    document["sections"][0]["facility"] = {
        "cert_no": "",
        "name": f"SHA-256 {prepared.content_sha256}",
        "manual": True,
    }
    document["sections"][0]["cases"][0]["diagnosis"] = (
        f"肺癌 照合コード {prepared.short_hash} 署名鍵の指紋 {key.fingerprint}"
    )
    with tempfile.TemporaryDirectory() as folder:
        sheet = export_application(
            support.application(document),
            support.form(),
            support.facilities(),
            Path(folder),
            stem="a",
            key=key,
            now=support.NOW,
        ).pdf_path.read_bytes()
    package = sign_package(prepared, pdf_name="a.pdf", pdf_bytes=sheet, key=key)
    result = _verify(package, sheet)
    assert result.failed is Check.PRINTED
    assert "異なる値で二つ以上印刷されています" in result.reason


def test_a_supervisor_key_with_its_label_wrapped_is_not_the_footer_key() -> None:
    """「指導者の署名鍵の指紋」 wrapped after 「の」 in its cell is still the 指導者's key, not the footer's."""
    from app.export.printed import _marks

    footer, supervisor = "1111-" * 7 + "1111", "2222-" * 7 + "2222"
    marks = _marks(f"指導者の\n署名鍵の指紋 {supervisor}\n照合コード 0123-4567-89ab\n署名鍵の指紋 {footer}")
    assert marks.fingerprint == footer and marks.conflicting == ()
