"""The upload package `shorei/package@1` (SPEC §6): what it holds, how it is hashed and signed.

The file is the RFC 8785 canonical JSON of

    {"format": "shorei/package@1",
     "content": {form, facility_list, application, validation},
     "content_sha256": SHA-256 of the canonical `content`  (the *package hash* printed on every sheet),
     "exported": {created, generator},
     "pdf": {"name", "sha256"},
     "signature": {"algorithm": "Ed25519", "public_key", "fingerprint", "value"}}

The time and the program's version are outside `content`, so the same application gives the same content,
the same package hash and the same 照合コード on every export (SPEC §6: a stamped sheet stays valid when
the files are made again); the signature still covers them. Packages made before this kept `created` and
`generator` inside `content`; they still verify.

and `signature.value` signs the canonical form of that same object with `value` left out (the scheme of
app.signing.signed_files, shared with the approval files). The sheets show
the package hash, which exists before the PDF does; the signature, made after, also covers the PDF's
SHA-256. docs/signing.md explains the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from app.models.approval import Sha256Hex, SignatureBlock
from app.models.canonical import canonical_json, sha256_hex
from app.signing.signed_files import generator_name, signed_bytes, utc_timestamp

if TYPE_CHECKING:
    import datetime as dt

    from app.models.application import Application
    from app.models.facility import FacilityListInfo
    from app.models.forms import FormDefinition
    from app.signing.keys import SigningKey
    from app.validation import Issue

PACKAGE_FORMAT: Final = "shorei/package@1"
SHORT_HASH_DIGITS: Final = 12


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FormStamp(_Strict):
    id: str
    version: str


class FacilityListStamp(_Strict):
    """The facility list the application was checked against (JB-4)."""

    list_id: str
    name: str
    version_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    sha256: Sha256Hex


class WarningRecord(_Strict):
    """A warning that remained, with the user's reason when they accepted it (SPEC §5)."""

    code: str
    section: int | None
    row: int | None
    field: str | None
    message: str
    reason: str | None


class ValidationSummary(_Strict):
    errors: int = Field(ge=0)
    warnings: list[WarningRecord]


class PackageContent(_Strict):
    """What the package says, hashed into the package hash the sheets show. `created` and `generator`
    are only in packages of earlier versions (now in `Package.exported`, outside the hash)."""

    created: str | None = None
    generator: str | None = None
    form: FormStamp
    facility_list: FacilityListStamp
    application: dict[str, Any]
    validation: ValidationSummary


class PdfStamp(_Strict):
    name: str = Field(min_length=1)
    sha256: Sha256Hex


class ExportStamp(_Strict):
    """When and by what program the files were made: signed, but outside the hashed content."""

    created: str
    generator: str


class Package(_Strict):
    format: Literal["shorei/package@1"]
    content: PackageContent
    content_sha256: Sha256Hex
    exported: ExportStamp | None = None
    pdf: PdfStamp
    signature: SignatureBlock


def short_hash(package_hash: str) -> str:
    """The package hash as people compare it on paper: the first 12 hex digits in threes of four."""
    head = package_hash[:SHORT_HASH_DIGITS]
    return "-".join(head[i : i + 4] for i in range(0, SHORT_HASH_DIGITS, 4))


def qr_payload(form_id: str, form_version: str, package_hash: str) -> str:
    """What the QR code on every sheet holds: the form, its version and the full package hash."""
    return f"shorei:package@1?form={quote(form_id)}&version={quote(form_version)}&sha256={package_hash}"


def warning_records(issues: list[Issue]) -> list[WarningRecord]:
    return [
        WarningRecord(
            code=issue.code,
            section=issue.section,
            row=issue.row,
            field=issue.field,
            message=issue.message,
            reason=issue.accepted,
        )
        for issue in issues
        if not issue.is_error
    ]


@dataclass(frozen=True)
class PreparedPackage:
    """The content of a package and its hash, made before the PDF (which prints the hash)."""

    content: PackageContent
    content_sha256: str
    created: str = ""

    def content_json(self) -> dict[str, Any]:
        """The content as the package holds it (without the unset fields of earlier versions)."""
        dumped = self.content.model_dump(mode="json")
        for key in ("created", "generator"):
            if dumped[key] is None:
                del dumped[key]
        return dumped

    @property
    def short_hash(self) -> str:
        return short_hash(self.content_sha256)

    @property
    def qr_payload(self) -> str:
        return qr_payload(self.content.form.id, self.content.form.version, self.content_sha256)


def prepare_package(
    application: Application,
    form: FormDefinition,
    facility_list: FacilityListInfo,
    issues: list[Issue],
    *,
    created: dt.datetime,
) -> PreparedPackage:
    """The content of the package for an application without errors; 備考 is left out (SPEC §4). The
    content, and so its hash, depends on the application alone: `created` goes outside it."""
    content = PackageContent(
        form=FormStamp(id=form.id, version=form.version),
        facility_list=FacilityListStamp(
            list_id=facility_list.list_id,
            name=facility_list.name,
            version_date=facility_list.version_date.isoformat(),
            sha256=facility_list.sha256,
        ),
        application=application.without_private().model_dump(mode="json"),
        validation=ValidationSummary(
            errors=sum(issue.is_error for issue in issues), warnings=warning_records(issues)
        ),
    )
    prepared = PreparedPackage(content, "", utc_timestamp(created))
    return PreparedPackage(content, sha256_hex(canonical_json(prepared.content_json())), prepared.created)


def sign_package(prepared: PreparedPackage, *, pdf_name: str, pdf_bytes: bytes, key: SigningKey) -> bytes:
    """The package file's bytes: canonical JSON, signed by `key`, naming the PDF and its SHA-256."""
    package: dict[str, Any] = {
        "format": PACKAGE_FORMAT,
        "content": prepared.content_json(),
        "content_sha256": prepared.content_sha256,
        "exported": {"created": prepared.created, "generator": generator_name()},
        "pdf": {"name": pdf_name, "sha256": sha256_hex(pdf_bytes)},
    }
    return signed_bytes(package, key)
