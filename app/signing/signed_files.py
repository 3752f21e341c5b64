"""Signed JSON files: the one scheme the package and the approval files share (docs/signing.md).

A signed file is the RFC 8785 canonical JSON of an object that holds a `signature` block
{algorithm: "Ed25519", public_key, fingerprint, value}; `value` signs the canonical object with `value`
left out, so it covers everything else, the public key and the fingerprint included. Reading one is the
same for every kind: a size limit, strict UTF-8 JSON (no NaN), the expected `format`, then — once the
caller has checked the structure — the canonical form byte for byte and the signature.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import stat
from importlib import metadata
from typing import TYPE_CHECKING, Any, Final

from app.models.canonical import canonical_json
from app.models.document import integer_problem, parse_finite_float, parse_safe_int
from app.signing.keys import fingerprint, verify_signature

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.approval import SignatureBlock
    from app.signing.keys import SigningKey

SIGNATURE_ALGORITHM: Final = "Ed25519"


class UnreadableFileError(Exception):
    """Not a file of the expected kind at all (too large, not UTF-8 JSON, another format).
    `str()` is the file and the problem in Japanese."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """The bytes of `path`, or UnreadableFileError naming the file and the problem. `what` names the kind
    of file (「パッケージ」, 「PDF」, 「承認依頼ファイル」 …)."""
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            # Windows refuses to open a folder with PermissionError, Linux with IsADirectoryError.
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        size = status.st_size
        if size > limit:
            raise UnreadableFileError(str(path), f"{what}として大きすぎます（{size / 1024 / 1024:.1f} MB）")
        return path.read_bytes()
    except IsADirectoryError:
        raise UnreadableFileError(str(path), f"フォルダです。{what}のファイルを指定してください") from None
    except FileNotFoundError:
        raise UnreadableFileError(str(path), "ファイルがありません") from None
    except OSError as error:
        raise UnreadableFileError(str(path), f"読み込めません（{error.strerror}）") from None


def generator_name() -> str:
    """What made a signed file, as its `generator` states it (`shorei 1.4.0`)."""
    try:
        return f"shorei {metadata.version('shorei')}"
    except metadata.PackageNotFoundError:
        return "shorei"


def utc_timestamp(moment: dt.datetime) -> str:
    """When a signed file was made, as it states it: UTC to the second (`2026-09-20T03:04:05Z`)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_message(document: dict[str, Any]) -> bytes:
    """The bytes the signature covers: the canonical document with `signature.value` left out."""
    unsigned = dict(document)
    unsigned["signature"] = {key: value for key, value in document["signature"].items() if key != "value"}
    return canonical_json(unsigned)


def sign_document(document: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """`document` with a `signature` block by `key` (a new dict; `document` is left as it is)."""
    signed = dict(document)
    signed["signature"] = {
        "algorithm": SIGNATURE_ALGORITHM,
        "public_key": key.public_key.hex(),
        "fingerprint": key.fingerprint,
    }
    signed["signature"]["value"] = key.sign(signed_message(signed)).hex()
    return signed


def signed_bytes(document: dict[str, Any], key: SigningKey) -> bytes:
    """The file's bytes: `document` signed by `key`, as canonical JSON."""
    return canonical_json(sign_document(document, key))


def signature_problem(document: dict[str, Any], block: SignatureBlock) -> str | None:
    """Why `document`'s signature does not hold (its fingerprint is not its public key's, or the Ed25519
    signature does not verify), or None. `block` is the document's `signature`, already checked for shape."""
    public_key = bytes.fromhex(block.public_key)
    if fingerprint(public_key) != block.fingerprint:
        return "署名鍵の指紋が公開鍵と一致しません"
    if not verify_signature(public_key, bytes.fromhex(block.value), signed_message(document)):
        return f"署名が一致しません。作成後に内容が変更されています（署名鍵の指紋 {block.fingerprint}）"
    return None


def is_canonical(document: Any, data: bytes) -> bool:
    """True when `data` is exactly the RFC 8785 form of `document` (what it parsed to)."""
    try:
        return canonical_json(document) == data
    except ValueError:
        return False


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} は JSON の値ではありません")


def parse_json_object(
    data: bytes, *, source: str, what: str, expected_format: str, limit: int
) -> dict[str, Any]:
    """The JSON object in `data` whose `format` is `expected_format`, or UnreadableFileError saying why
    not. `what` names the kind of file for the messages (「パッケージ」, 「承認依頼ファイル」 …)."""
    if len(data) > limit:
        raise UnreadableFileError(
            source,
            f"{what}として大きすぎます（{len(data) / 1024 / 1024:.1f} MB、上限 {limit // 1024 // 1024} MB）",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            source, f"UTF-8 のテキストとして読めません（{error.start} バイト目）。{what}ではないようです"
        ) from None
    try:
        raw = json.loads(
            text, parse_constant=_reject_constant, parse_int=parse_safe_int, parse_float=parse_finite_float
        )
    except (ValueError, RecursionError) as error:
        if isinstance(error, ValueError) and (number := integer_problem(error)) is not None:
            raise UnreadableFileError(source, f"{what}の値が不正です: {number}") from None
        where = f"（{error.lineno}行{error.colno}列目）" if isinstance(error, json.JSONDecodeError) else ""
        raise UnreadableFileError(source, f"JSON として読めません{where}。{what}が壊れています") from None
    if not isinstance(raw, dict):
        raise UnreadableFileError(source, f"{what}は JSON のオブジェクト（{{ … }}）です")
    fmt = raw.get("format")
    if fmt != expected_format:
        shown = "ありません" if fmt is None else f"「{str(fmt)[:60]}」です"
        raise UnreadableFileError(
            source, f"{what}ではありません（format が{shown}。期待: 「{expected_format}」）"
        )
    return raw


def json_pointer(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a JSON pointer (`/pdf/sha256`), to name the place in a message."""
    return "/" + "/".join(str(part) for part in loc)
