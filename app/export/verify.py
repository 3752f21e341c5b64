"""`shorei verify`: is a package exactly what an installation signed, and is this PDF the one it names?

The checks run in a fixed order and the first that fails is reported by name (SPEC §7): the package's
structure, its canonical form (RFC 8785, byte for byte), the signature, the content hash, the form and the
facility list it names, and, when given, the PDF's SHA-256. Together they make any changed byte fail:
a change either breaks the JSON, or changes a value the signature covers, or leaves the value the same
and so spells it non-canonically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from app.export.keys import fingerprint, verify_signature
from app.export.package import PACKAGE_FORMAT, Package, short_hash, signed_message
from app.models.application import Application
from app.models.canonical import canonical_json, sha256_hex

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from app.models.facility import FacilityListInfo
    from app.models.forms import FormRegistry

MAX_PACKAGE_BYTES: Final = 20 * 1024 * 1024
MAX_PDF_BYTES: Final = 200 * 1024 * 1024


class Check(StrEnum):
    STRUCTURE = "structure"
    CANONICAL = "canonical"
    SIGNATURE = "signature"
    CONTENT_HASH = "content-hash"
    FORM = "form"
    FACILITY_LIST = "facility-list"
    PDF = "pdf"

    @property
    def label(self) -> str:
        return _CHECK_LABELS[self]


_CHECK_LABELS = {
    Check.STRUCTURE: "形式",
    Check.CANONICAL: "正規形（RFC 8785）",
    Check.SIGNATURE: "署名",
    Check.CONTENT_HASH: "内容のハッシュ",
    Check.FORM: "様式",
    Check.FACILITY_LIST: "施設一覧",
    Check.PDF: "PDF",
}


class UnreadablePackageError(Exception):
    """Not a package at all (missing, not UTF-8 JSON, another format). `str()`: the file and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


@dataclass(frozen=True)
class Verification:
    """The outcome: `failed` names the first check that failed (None when valid), `reason` says why."""

    failed: Check | None
    reason: str
    package: Package | None = None
    pdf_checked: bool = False

    @property
    def ok(self) -> bool:
        return self.failed is None


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """The bytes of `path`, or UnreadablePackageError naming the file and the problem."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise UnreadablePackageError(
                str(path), f"{what}として大きすぎます（{size / 1024 / 1024:.1f} MB）"
            )
        return path.read_bytes()
    except IsADirectoryError:
        raise UnreadablePackageError(str(path), f"フォルダです。{what}のファイルを指定してください") from None
    except FileNotFoundError:
        raise UnreadablePackageError(str(path), "ファイルがありません") from None
    except OSError as error:
        raise UnreadablePackageError(str(path), f"読み込めません（{error.strerror}）") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} は JSON の値ではありません")


def parse_package_json(data: bytes, source: str) -> dict[str, Any]:
    """The JSON object of a package file, or UnreadablePackageError when it is not one."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise UnreadablePackageError(source, "パッケージとして大きすぎます")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadablePackageError(
            source, f"UTF-8 のテキストとして読めません（{error.start} バイト目）。パッケージではないようです"
        ) from None
    try:
        raw = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        where = f"（{error.lineno}行{error.colno}列目）" if isinstance(error, json.JSONDecodeError) else ""
        raise UnreadablePackageError(
            source, f"JSON として読めません{where}。パッケージが壊れています"
        ) from None
    if not isinstance(raw, dict):
        raise UnreadablePackageError(source, "パッケージは JSON のオブジェクト（{ … }）です")
    fmt = raw.get("format")
    if fmt != PACKAGE_FORMAT:
        shown = "ありません" if fmt is None else f"「{str(fmt)[:60]}」です"
        raise UnreadablePackageError(
            source, f"アップロード用パッケージではありません（format が{shown}。期待: 「{PACKAGE_FORMAT}」）"
        )
    return raw


def _pointer(loc: tuple[int | str, ...]) -> str:
    return "/" + "/".join(str(part) for part in loc)


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
            f"パッケージの {_pointer(first['loc'])} が不正です（{first['msg']}）。変更されたか、壊れています",
        )

    try:
        canonical = canonical_json(raw)
    except ValueError:
        canonical = b""
    if canonical != data:
        return _fail(
            Check.CANONICAL,
            "パッケージが RFC 8785 の正規形で書かれていません（整形・並べ替え・文字コードの変更など、"
            "作成後に書き直されています）。作成されたままのファイルを使ってください",
            package,
        )

    signature = package.signature
    public_key = bytes.fromhex(signature.public_key)
    if fingerprint(public_key) != signature.fingerprint:
        return _fail(Check.SIGNATURE, "署名鍵の指紋が公開鍵と一致しません", package)
    if not verify_signature(public_key, bytes.fromhex(signature.value), signed_message(raw)):
        return _fail(
            Check.SIGNATURE,
            f"署名が一致しません。作成後に内容が変更されています（署名鍵の指紋 {signature.fingerprint}）",
            package,
        )

    content_hash = sha256_hex(canonical_json(raw["content"]))
    if content_hash != package.content_sha256:
        return _fail(
            Check.CONTENT_HASH,
            f"内容のハッシュが記載の値と一致しません（記載 {short_hash(package.content_sha256)}、"
            f"実際 {short_hash(content_hash)}）",
            package,
        )

    if (failure := _check_form(package, forms)) is not None:
        return _fail(Check.FORM, failure, package)
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
        return Verification(None, "", package, pdf_checked=True)
    return Verification(None, "", package)


def _check_form(package: Package, forms: FormRegistry) -> str | None:
    stamp = package.content.form
    try:
        application = Application.model_validate(package.content.application)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        return f"申請データ {_pointer(first['loc'])} が不正です（{first['msg']}）"
    if (application.form.id, application.form.version) != (stamp.id, stamp.version):
        return (
            f"申請データの様式（{application.form.id} {application.form.version}）が"
            f"パッケージの様式（{stamp.id} {stamp.version}）と一致しません"
        )
    if forms.get(stamp.id, stamp.version) is None:
        installed = "、".join(forms.versions(stamp.id)) or "なし"
        return (
            f"様式「{stamp.id}」の版「{stamp.version}」はこの環境にありません（インストール済みの版: {installed}）。"
            "この版に対応した Shorei で確認してください"
        )
    if any(case.note for section in application.sections for case in section.cases):
        return "申請データに備考（非公開の項目）が含まれています。パッケージには含めない項目です"
    return None


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
