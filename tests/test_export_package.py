"""The signed package `shorei/package@1` (SPEC §6) and the installation's signing key."""

from __future__ import annotations

import json
import os
import stat
from typing import TYPE_CHECKING

import pytest

from app.export import ExportError, export_application
from app.export.package import short_hash
from app.models.canonical import canonical_json, sha256_hex
from app.signing.keys import (
    KeyFileError,
    SigningKey,
    fingerprint,
    load_or_create_signing_key,
    verify_signature,
)
from app.signing.signed_files import signed_message
from tests import export_support as support

if TYPE_CHECKING:
    from pathlib import Path

    from app.export import ExportResult


def _export(folder: Path, *, key_folder: Path | None = None) -> ExportResult:
    return export_application(
        support.with_accepted_duplicate(),
        support.form(),
        support.facilities(),
        folder,
        stem="application",
        key_folder=key_folder,
        now=support.NOW,
    )


def test_package_holds_what_spec_names(tmp_path: Path) -> None:
    """The package states the document, form, facility list, validation summary, PDF and signer."""
    result = _export(tmp_path / "out")
    assert result.package_path is not None
    package = json.loads(result.package_path.read_bytes())
    content = package["content"]
    assert package["format"] == "shorei/package@1"
    assert content["form"] == {"id": "jbct-renewal-2026", "version": "2026.1"}
    info = support.facilities().info
    assert content["facility_list"] == {
        "list_id": info.list_id,
        "name": info.name,
        "version_date": info.version_date.isoformat(),
        "sha256": info.sha256,
    }
    assert content["application"]["format"] == "shorei/application@1"
    assert content["validation"]["errors"] == 0
    [warning] = content["validation"]["warnings"]
    assert warning["code"] == "duplicate-patient" and warning["reason"] == support.DUPLICATE_REASON
    assert "created" not in content and "generator" not in content
    assert package["exported"]["created"] == "2026-09-20T03:04:05Z"
    assert package["pdf"] == {
        "name": "application.pdf",
        "sha256": sha256_hex(result.pdf_path.read_bytes()),
    }
    assert package["signature"]["algorithm"] == "Ed25519"
    assert package["signature"]["fingerprint"] == result.fingerprint


def test_package_is_canonical_and_signed(tmp_path: Path) -> None:
    """The file is its own RFC 8785 form, and the signature verifies over it without `signature.value`."""
    result = _export(tmp_path / "out")
    assert result.package_path is not None
    data = result.package_path.read_bytes()
    package = json.loads(data)
    assert canonical_json(package) == data
    public_key = bytes.fromhex(package["signature"]["public_key"])
    assert fingerprint(public_key) == package["signature"]["fingerprint"]
    signature = bytes.fromhex(package["signature"]["value"])
    assert verify_signature(public_key, signature, signed_message(package))


def test_sheet_hash_is_the_package_content_hash(tmp_path: Path) -> None:
    """The short hash on the sheets is the start of the SHA-256 of the package's canonical content."""
    result = _export(tmp_path / "out")
    assert result.package_path is not None
    package = json.loads(result.package_path.read_bytes())
    content_hash = sha256_hex(canonical_json(package["content"]))
    assert package["content_sha256"] == content_hash == result.package_hash
    assert short_hash(content_hash) == result.short_hash
    assert result.short_hash in support.pdf_text(result.pdf_path)


def test_private_note_is_emptied_in_the_package(tmp_path: Path) -> None:
    """Every case in the package has an empty 備考; the texts typed there appear nowhere in the file."""
    result = _export(tmp_path / "out")
    assert result.package_path is not None
    package = json.loads(result.package_path.read_bytes())
    cases = [case for section in package["content"]["application"]["sections"] for case in section["cases"]]
    assert cases and all(case["note"] == "" for case in cases)


def test_key_is_made_once_with_owner_only_permissions(shorei_home: Path, tmp_path: Path) -> None:
    """The first export makes the key in <data>/keys (folder 0700, file 0600); later exports reuse it."""
    first = _export(tmp_path / "one")
    second = _export(tmp_path / "two")
    key_file = shorei_home / "keys" / "signing-key.pem"
    assert key_file.is_file()
    assert first.fingerprint == second.fingerprint == load_or_create_signing_key().fingerprint
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700


def test_loose_key_permissions_are_tightened(tmp_path: Path) -> None:
    """A key file others could read is made owner-only again when it is loaded."""
    key = load_or_create_signing_key(tmp_path / "keys")
    key_file = tmp_path / "keys" / "signing-key.pem"
    key_file.chmod(0o644)
    assert load_or_create_signing_key(tmp_path / "keys").fingerprint == key.fingerprint
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_damaged_key_is_reported_not_replaced(tmp_path: Path) -> None:
    """A damaged key file is an error that names the file; it is never silently overwritten."""
    folder = tmp_path / "keys"
    folder.mkdir()
    (folder / "signing-key.pem").write_text("not a key", encoding="utf-8")
    with pytest.raises(KeyFileError, match=r"signing-key\.pem: 署名鍵が壊れている"):
        load_or_create_signing_key(folder)
    with pytest.raises(ExportError, match="署名鍵が壊れている"):
        _export(tmp_path / "out", key_folder=folder)
    assert (folder / "signing-key.pem").read_text(encoding="utf-8") == "not a key"


def test_draft_needs_no_key(shorei_home: Path, tmp_path: Path) -> None:
    """Printing a draft does not make a signing key."""
    export_application(
        support.valid_20_app(), support.form(), support.facilities(), tmp_path, stem="d", draft=True
    )
    assert not (shorei_home / "keys").exists()


def test_output_folder_that_is_a_file_is_reported(tmp_path: Path) -> None:
    """An output path that is a file gives a Japanese message, not a traceback."""
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="フォルダではありません"):
        _export(target)


def test_fingerprint_is_eight_groups_of_four_hex_digits() -> None:
    """The fingerprint people compare is 128 bits of SHA-256 written as 8 groups of 4 hex digits."""
    value = SigningKey.generate().fingerprint
    groups = value.split("-")
    assert len(groups) == 8 and all(len(group) == 4 for group in groups)
    assert int("".join(groups), 16) >= 0
