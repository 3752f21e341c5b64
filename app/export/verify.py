"""`shorei verify`: is a package exactly what an installation signed, and is this PDF the one it names?

The checks run in a fixed order and the first that fails is reported by name (SPEC §7): the package's
structure, its canonical form (RFC 8785, byte for byte), the signature, the content hash, the form, the
指導者's signed approvals when the form needs them, the facility list it names, and, when given, the PDF:
the PDF file's SHA-256 must be the one the package states, and the 照合コード, full package hash and
signing key printed on every page must be this package's (so a package of other content that copies the
PDF's SHA-256, or the same content re-signed by another key, fails). Together they make any changed
byte fail:
a change either breaks the JSON, or changes a value the signature covers, or leaves the value the same
and so spells it non-canonically.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from app.approval.statements import verify_statement
from app.export.package import PACKAGE_FORMAT, Package, short_hash
from app.models.application import Application
from app.models.canonical import canonical_json, sha256_hex
from app.signing.signed_files import (
    UnreadableFileError,
    is_canonical,
    json_pointer,
    parse_json_object,
    signature_problem,
)
from app.validation import validate
from app.validation.jspm import APPROVAL_CODES, repeated_reports, report_status

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.facility import FacilityListInfo
    from app.models.forms import FormDefinition, FormRegistry

MAX_PACKAGE_BYTES: Final = 20 * 1024 * 1024
MAX_PDF_BYTES: Final = 200 * 1024 * 1024
PACKAGE_NAME: Final = "アップロード用パッケージ"


class Check(StrEnum):
    STRUCTURE = "structure"
    CANONICAL = "canonical"
    SIGNATURE = "signature"
    CONTENT_HASH = "content-hash"
    FORM = "form"
    APPROVALS = "approvals"
    FACILITY_LIST = "facility-list"
    PDF = "pdf"
    PRINTED = "printed"

    @property
    def label(self) -> str:
        return _CHECK_LABELS[self]


_CHECK_LABELS = {
    Check.STRUCTURE: "形式",
    Check.CANONICAL: "正規形（RFC 8785）",
    Check.SIGNATURE: "署名",
    Check.CONTENT_HASH: "内容のハッシュ",
    Check.FORM: "様式",
    Check.APPROVALS: "指導者の承認",
    Check.FACILITY_LIST: "施設一覧",
    Check.PRINTED: "PDF に印刷された照合コードと署名鍵",
    Check.PDF: "PDF",
}


class UnreadablePackageError(UnreadableFileError):
    """Not a package at all (missing, not UTF-8 JSON, another format). `str()`: the file and the problem."""


@dataclass(frozen=True)
class Verification:
    """The outcome: `failed` names the first check that failed (None when valid), `reason` says why."""

    failed: Check | None
    reason: str
    package: Package | None = None
    pdf_checked: bool = False
    approvals: int = 0
    """How many cases' signed approvals were checked (0 for a form without approval)."""
    printed_pages: int = 0
    """With a PDF: how many pages print this package's 照合コード, full hash and signing key."""
    printed_fingerprint: str | None = None
    """With a PDF: the signing key's fingerprint printed on it (the first page's)."""

    @property
    def ok(self) -> bool:
        return self.failed is None


def parse_package_json(data: bytes, source: str) -> dict[str, Any]:
    """The JSON object of a package file, or UnreadablePackageError when it is not one."""
    try:
        return parse_json_object(
            data, source=source, what=PACKAGE_NAME, expected_format=PACKAGE_FORMAT, limit=MAX_PACKAGE_BYTES
        )
    except UnreadableFileError as error:
        raise UnreadablePackageError(error.source, error.problem) from None


def _fail(check: Check, reason: str, package: Package | None = None) -> Verification:
    return Verification(check, reason, package)


def verify_package(
    data: bytes,
    *,
    source: str,
    forms: FormRegistry,
    facility_lists: Sequence[FacilityListInfo],
    pdf: bytes | None = None,
    pdf_source: str = "PDF",
) -> Verification:
    """Check a package's bytes (and a PDF's, when given). Raises UnreadablePackageError for what is not a
    package; every other problem is a Verification naming the failed check."""
    raw = parse_package_json(data, source)

    try:
        package = Package.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        return _fail(
            Check.STRUCTURE,
            f"パッケージの {json_pointer(first['loc'])} が不正です（{first['msg']}）。変更されたか、壊れています",
        )

    if not is_canonical(raw, data):
        return _fail(
            Check.CANONICAL,
            "パッケージが RFC 8785 の正規形で書かれていません（整形・並べ替え・文字コードの変更など、"
            "作成後に書き直されています）。作成されたままのファイルを使ってください",
            package,
        )

    if (failure := signature_problem(raw, package.signature)) is not None:
        return _fail(Check.SIGNATURE, failure, package)

    content_hash = sha256_hex(canonical_json(raw["content"]))
    if content_hash != package.content_sha256:
        return _fail(
            Check.CONTENT_HASH,
            f"内容のハッシュが記載の値と一致しません（記載 {short_hash(package.content_sha256)}、"
            f"実際 {short_hash(content_hash)}）",
            package,
        )

    checked = _check_form(package, forms)
    if isinstance(checked, str):
        return _fail(Check.FORM, checked, package)
    approvals = approvals_problem(*checked, signer=package.signature.fingerprint)
    if isinstance(approvals, str):
        return _fail(Check.APPROVALS, approvals, package)
    if (repeated := _repeated_problem(checked[0])) is not None:
        return _fail(Check.APPROVALS, repeated, package)
    if (failure := _check_facility_list(package, facility_lists)) is not None:
        return _fail(Check.FACILITY_LIST, failure, package)

    if pdf is not None:
        if sha256_hex(pdf) != package.pdf.sha256:
            return _fail(
                Check.PDF,
                f"{pdf_source} はこのパッケージの PDF（{package.pdf.name}）ではありません"
                "（SHA-256 が一致しません）。同時に作成した PDF を指定してください",
                package,
            )
        # The package states the PDF's SHA-256, but anyone can copy that into a package of other content
        # or sign the same content with another key: the PDF must also show this package and this key.
        printed = _check_printed(package, pdf, pdf_source)
        if isinstance(printed, str):
            return _fail(Check.PRINTED, printed, package)
        return Verification(
            None,
            "",
            package,
            pdf_checked=True,
            approvals=approvals,
            printed_pages=printed,
            printed_fingerprint=package.signature.fingerprint,
        )
    return Verification(None, "", package, approvals=approvals)


def _check_printed(package: Package, pdf: bytes, source: str) -> int | str:
    """The number of pages of `pdf` that print this package's code, full hash and signing key, or why the
    PDF does not show this package."""
    from app.export.printed import UnreadablePdfError, read_printed_marks

    try:
        pages = read_printed_marks(pdf)
    except UnreadablePdfError as error:
        return f"{source}: {error}"
    if not pages:
        return f"{source} にページがありません"
    code = short_hash(package.content_sha256)
    signer = package.signature.fingerprint
    for number, page in enumerate(pages, start=1):
        if page.conflicting:
            return (
                f"{source} の{number}ページ目に{'・'.join(page.conflicting)}が異なる値で二つ以上印刷されています"
                "（本文に書き込まれた値が用紙の欄外の値を装っています）。この PDF はこのパッケージの用紙と確かめられません"
            )
        if page.code is None or page.package_hash is None:
            return (
                f"{source} の{number}ページ目に照合コードが印刷されていません（下書きの PDF か、Shorei で"
                "作成した提出用の PDF ではありません）。パッケージと同時に作成した PDF を指定してください"
            )
        if page.package_hash != package.content_sha256 or page.code != code:
            return (
                f"{source} の{number}ページ目の照合コード {page.code} は、このパッケージの照合コード {code} と"
                "一致しません。この PDF はほかの内容のパッケージの用紙です"
            )
        if page.fingerprint is None:
            return f"{source} の{number}ページ目に署名鍵の指紋が印刷されていません"
        if page.fingerprint != signer:
            return (
                f"このパッケージは署名鍵 {signer} で署名されていますが、{source} に印刷された署名鍵は "
                f"{page.fingerprint} です（{number}ページ目）。用紙を作成した鍵とは別の鍵で署名し直されています"
            )
    return len(pages)


def _check_form(package: Package, forms: FormRegistry) -> tuple[Application, FormDefinition] | str:
    """The package's application and its installed form, or why they cannot be used."""
    stamp = package.content.form
    try:
        application = Application.model_validate(package.content.application)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        return f"申請データ {json_pointer(first['loc'])} が不正です（{first['msg']}）"
    if (application.form.id, application.form.version) != (stamp.id, stamp.version):
        return (
            f"申請データの様式（{application.form.id} {application.form.version}）が"
            f"パッケージの様式（{stamp.id} {stamp.version}）と一致しません"
        )
    form = forms.get(stamp.id, stamp.version)
    if form is None:
        installed = "、".join(forms.versions(stamp.id)) or "なし"
        return (
            f"様式「{stamp.id}」の版「{stamp.version}」はこの環境にありません（インストール済みの版: {installed}）。"
            "この版に対応した Shorei で確認してください"
        )
    notes = [case.note for section in application.sections for case in section.cases]
    if any(notes + [report.note for report in application.reports]):
        return "申請データに備考（非公開の項目）が含まれています。パッケージには含めない項目です"
    return application, form


def _repeated_problem(application: Application) -> str | None:
    """SPEC §6: a case id or a signed approval used twice fails (one approval counted twice)."""
    for row, code, first in repeated_reports(application):
        if code == "case-id-duplicate":
            return f"症例{row + 1}: 症例{first + 1}と同じ症例ID です（同じ症例が二度数えられています）"
        return f"症例{row + 1}: 症例{first + 1}と同じ指導者の承認（署名）が使われています（1つの承認が二度数えられています）"
    return None


def approvals_problem(application: Application, form: FormDefinition, *, signer: str) -> int | str:
    """JS-5, JS-6: when the form needs approval, every case carries its 指導者's signed statement, which
    approves the case as it stands, for the key that signed this package, by someone other than the
    applicant; and the rules on who may approve hold for the 指導者 the statement names. The number of
    approvals checked, or why one fails."""
    if form.approval is None or not form.approval.required:
        return 0
    for row, report in enumerate(application.reports):
        if report.is_blank():
            continue
        where = f"症例{row + 1}"
        approval = report.approval
        if approval is None or approval.state != "approved":
            return f"{where}: 指導者の承認がありません（状態: {report_status(report, ())}）"
        if approval.statement is None:
            return f"{where}: 指導者の署名付きの承認が含まれていません"
        if (
            problem := verify_statement(
                approval.statement,
                report,
                applicant_fingerprint=signer,
                applicant_member_id=application.applicant.member_id,
                applicant_name=application.applicant.name,
            )
        ) is not None:
            return f"{where}: {problem}"
    # The statements back the 指導者 each approval names, so the rules read a signed name and period.
    for issue in validate(application, form, None):
        if issue.is_error and issue.code in APPROVAL_CODES:
            return issue.message
    return sum(not report.is_blank() for report in application.reports)


def _check_facility_list(package: Package, known: Sequence[FacilityListInfo]) -> str | None:
    stamp = package.content.facility_list
    same_list = [info for info in known if info.list_id == stamp.list_id]
    match = next((info for info in same_list if info.version_date.isoformat() == stamp.version_date), None)
    if match is None:
        versions = "、".join(sorted(info.version_date.isoformat() for info in same_list)) or "なし"
        return (
            f"施設一覧「{stamp.name}」（{stamp.list_id}、{stamp.version_date}版）はこの環境にありません"
            f"（この環境の版: {versions}）。同じ版の施設一覧を取り込んでから確認してください"
        )
    if match.sha256 != stamp.sha256:
        return (
            f"施設一覧「{stamp.name}」（{stamp.version_date}版）の SHA-256 がこの環境の同じ版と一致しません"
            f"（パッケージ {stamp.sha256[:12]}…、この環境 {match.sha256[:12]}…）"
        )
    return None
