"""The approval files themselves (docs/signing.md): their limits and names, the errors, and the checks
every request and response goes through before anything of it is used — readable, the strict shape
Shorei writes, RFC 8785 canonical, the signature (app.signing.signed_files)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from app.file_names import safe_stem
from app.models.canonical import canonical_json, sha256_hex
from app.signing.signed_files import (
    UnreadableFileError,
    is_canonical,
    json_pointer,
    parse_json_object,
    signature_problem,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import Application
    from app.models.approval import ApprovalRequest, ApprovalResponse
    from app.models.forms import FormDefinition

MAX_REQUEST_BYTES: Final = 5 * 1024 * 1024
MAX_RESPONSE_BYTES: Final = 5 * 1024 * 1024
REQUEST_NAME: Final = "承認依頼ファイル"
RESPONSE_NAME: Final = "承認結果ファイル"
REQUEST_SUFFIX: Final = ".approval-request.json"
RESPONSE_SUFFIX: Final = ".approval-response.json"

_M = TypeVar("_M", bound=BaseModel)


class ApprovalError(Exception):
    """A request or response that Shorei refuses to write. `str()` is Japanese: which case(s), what is
    wrong, and what to do."""


class FileCheck(StrEnum):
    """The checks a request or response file goes through, in order; a failure names one of them."""

    READ = "read"
    STRUCTURE = "structure"
    CANONICAL = "canonical"
    SIGNATURE = "signature"
    REQUEST_ID = "request-id"
    CONTENT_HASH = "content-hash"
    APPLICANT = "applicant"
    SUPERVISOR = "supervisor"
    CASE = "case"

    @property
    def label(self) -> str:
        return _FILE_CHECK_LABELS[self]


_FILE_CHECK_LABELS: Final = {
    FileCheck.READ: "読み込み",  # not a file of the kind at all (size, UTF-8, JSON, format)
    FileCheck.STRUCTURE: "形式",
    FileCheck.CANONICAL: "正規形（RFC 8785）",
    FileCheck.SIGNATURE: "署名",
    FileCheck.REQUEST_ID: "依頼番号",
    FileCheck.CONTENT_HASH: "内容ハッシュ",
    FileCheck.APPLICANT: "申請者",
    FileCheck.SUPERVISOR: "指導者",
    FileCheck.CASE: "症例",
}


class ApprovalFileError(Exception):
    """A request or response file that cannot be read or trusted. `check` names the check that failed;
    `str()` names the file, the check and the problem in Japanese. Nothing of such a file is used."""

    def __init__(self, source: str, check: FileCheck, problem: str) -> None:
        if check is FileCheck.READ:
            super().__init__(f"{source}: 読み込めません — {problem}")
        else:
            super().__init__(f"{source}: {check.label}の確認に失敗しました — {problem}")
        self.source = source
        self.check = check
        self.problem = problem


def case_numbers(numbers: Sequence[int]) -> str:
    """Case numbers as a message names them (`1、3、5`)."""
    return "、".join(str(number) for number in numbers)


def parse_file(data: bytes, *, source: str, what: str, expected_format: str, limit: int) -> dict[str, Any]:
    """The JSON object of an approval file (app.signing.signed_files.parse_json_object), or
    ApprovalFileError at the READ check."""
    try:
        return parse_json_object(data, source=source, what=what, expected_format=expected_format, limit=limit)
    except UnreadableFileError as error:
        raise ApprovalFileError(source, FileCheck.READ, error.problem) from None


def strict_model(kind: type[_M], raw: Any, *, source: str, what: str) -> _M:
    """`raw` as `kind`, and exactly as `kind` writes it back: a value the type would spell otherwise
    (untrimmed text, full-width digits) is refused, so what was signed is what is shown."""
    try:
        model = kind.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise ApprovalFileError(
            source,
            FileCheck.STRUCTURE,
            f"{what}の {json_pointer(first['loc'])} が不正です（{first['msg']}）。変更されたか、壊れています",
        ) from None
    # Strict types never coerce, so equal values are equal JSON (and this costs no second RFC 8785 pass).
    if model.model_dump(mode="json") != raw:
        raise ApprovalFileError(
            source,
            FileCheck.STRUCTURE,
            f"{what}に Shorei が書かない形の値があります。作成後に書き換えられています",
        )
    return model


def check_signed(
    raw: dict[str, Any], data: bytes, model: ApprovalRequest | ApprovalResponse, source: str
) -> None:
    """ApprovalFileError unless `data` is exactly the canonical form of `raw` and `model`'s signature holds."""
    if not is_canonical(raw, data):
        raise ApprovalFileError(
            source,
            FileCheck.CANONICAL,
            "RFC 8785 の正規形で書かれていません（整形・並べ替え・文字コードの変更など、作成後に書き直されています）。"
            "受け取ったままのファイルを使ってください",
        )
    if (problem := signature_problem(raw, model.signature)) is not None:
        raise ApprovalFileError(source, FileCheck.SIGNATURE, problem)


def request_sha256(request: ApprovalRequest) -> str:
    """SHA-256 of the request file's bytes (a request read by `read_request` is its canonical form)."""
    return sha256_hex(canonical_json(request.model_dump(mode="json")))


def request_file_name(application: Application, form: FormDefinition, request: ApprovalRequest) -> str:
    """A name a person understands for the request file: what it is, the applicant and the cases
    (`承認依頼_山田太郎_症例1-3.json`). The file is known by its content, not its name."""
    return f"{request_stem('承認依頼', request.applicant.name or application.applicant.name, request)}.json"


def response_file_name(request: ApprovalRequest) -> str:
    """A name for the answer to `request`, matching the request's (`承認結果_山田太郎_症例1-3.json`)."""
    return f"{request_stem('承認結果', request.applicant.name, request)}.json"


def request_stem(what: str, applicant: str, request: ApprovalRequest) -> str:
    """`what`, the applicant without spaces and the case numbers as ranges (症例1-3・5), safe on every OS."""
    numbers = sorted({case.number for case in request.cases})
    runs: list[str] = []
    start = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        runs.append(str(start) if start == previous else f"{start}-{previous}")
        if number is not None:
            start = previous = number
    person = applicant.replace(" ", "").replace("\u3000", "") or request.applicant.member_id
    return safe_stem(f"{what}_{person}_症例{'・'.join(runs)}", what)
