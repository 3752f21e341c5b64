"""Reading and writing application documents, with one clear Japanese line for anything unreadable.

Every input is hostile (SPEC §9): size-limited, decoded strictly, parsed, checked for the format and an
installed form, then validated by the strict types. Errors name the file and the place in it.
"""

from __future__ import annotations

import errno
import json
import math
import re
import stat
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from app.atomic import write_atomically
from app.models.application import FORMAT, Application
from app.models.forms import FormRegistry, bundled_forms

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic_core import ErrorDetails

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""Far above any real application (75 cases is ~30 kB), far below what would hurt to read."""

MAX_SAFE_INTEGER: Final = 2**53 - 1
"""RFC 8785 (the signed form of cases, approvals and packages) holds integers up to ±(2^53 − 1) only."""


class _OutOfRangeError(ValueError):
    def __init__(self, digits: str) -> None:
        super().__init__(digits)
        self.digits = digits


def parse_safe_int(digits: str) -> int:
    """`json.loads`'s `parse_int`: refuse, before converting, what no signature could hold. Checking the
    length first also keeps Python's 4,300-digit conversion limit from ever raising (issue 15, item 4)."""
    if len(digits.lstrip("-")) > 16:
        raise _OutOfRangeError(digits)
    value = int(digits)
    if abs(value) > MAX_SAFE_INTEGER:
        raise _OutOfRangeError(digits)
    return value


def parse_finite_float(text: str) -> float:
    """`json.loads`'s `parse_float`: 1e400 would become infinity, which JSON (and RFC 8785) cannot hold."""
    value = float(text)
    if not math.isfinite(value):
        raise _OutOfRangeError(text)
    return value


def parse_constant(name: str) -> Any:
    """`json.loads`'s `parse_constant`: NaN and Infinity are not JSON."""
    raise _OutOfRangeError(name)


def integer_problem(error: ValueError) -> str | None:
    """The one-line Japanese reason when `error` came from parse_safe_int, else None."""
    if not isinstance(error, _OutOfRangeError):
        return None
    shown = error.digits if len(error.digits) <= 24 else f"{error.digits[:12]}…（{len(error.digits)}桁）"
    return f"数 {shown} は大きすぎて扱えません（±{MAX_SAFE_INTEGER} まで）。値を確かめてください"


class DocumentError(Exception):
    """An application document that cannot be read. `str()` is one line: the file and the problem."""

    def __init__(self, source: str, problem: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem
        self.details = details
        """Each problem of a document that parsed but broke the schema, with its place; else empty."""

    @property
    def headline(self) -> str:
        """The problem without the list of details (a caller that lists them one per line)."""
        return self.problem.split("：", 1)[0] if self.details else self.problem


def load_application(
    path: Path, registry: FormRegistry | None = None, *, notices: list[str] | None = None
) -> Application:
    """Read a document from `path`, or raise DocumentError naming the file and the problem. What was
    read differently from what is written (a form named without its version) is added to `notices`."""
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            # Windows refuses to open a folder with PermissionError, Linux with IsADirectoryError.
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        size = status.st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(
                str(path),
                f"ファイルが大きすぎます（{size / 1024 / 1024:.1f} MB、上限 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB）",
            )
        data = path.read_bytes()
    except IsADirectoryError:
        raise DocumentError(
            str(path), "フォルダです。申請データのファイル（.json）を指定してください"
        ) from None
    except FileNotFoundError:
        raise DocumentError(str(path), "ファイルがありません") from None
    except OSError as error:
        raise DocumentError(str(path), f"読み込めません（{error.strerror}）") from None
    return parse_application(data, source=str(path), registry=registry, notices=notices)


def parse_application(
    data: bytes, *, source: str, registry: FormRegistry | None = None, notices: list[str] | None = None
) -> Application:
    """Parse and check a document held in memory (`notices` as for `load_application`)."""
    forms = registry if registry is not None else bundled_forms()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(source, f"データが大きすぎます（上限 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB）")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            source,
            f"UTF-8 のテキストとして読めません（{error.start} バイト目）。申請データの JSON ファイルではないようです",
        ) from None
    if not text.strip():
        raise DocumentError(source, "ファイルが空です")
    try:
        raw = json.loads(
            text, parse_int=parse_safe_int, parse_float=parse_finite_float, parse_constant=parse_constant
        )
    except _OutOfRangeError as error:
        raise DocumentError(source, f"JSON の値が不正です: {integer_problem(error)}") from None
    except json.JSONDecodeError as error:
        # An unterminated string can only end at the end of the input: the file was cut off as well.
        if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string"):
            problem = "途中で終わっています（ファイルが壊れているか、保存が完了していません）"
        else:
            problem = next((ja for en, ja in _JSON_ERRORS.items() if error.msg.startswith(en)), error.msg)
        raise DocumentError(
            source, f"JSON として読めません（{error.lineno}行{error.colno}列目）: {problem}"
        ) from None
    except RecursionError:
        raise DocumentError(source, "JSON の入れ子が深すぎます") from None
    if not isinstance(raw, dict):
        raise DocumentError(source, "申請データは JSON のオブジェクト（{ … }）で始まる必要があります")
    notice = _check_envelope(raw, source, forms)
    try:
        application = Application.model_validate(raw)
    except ValidationError as error:
        raise DocumentError(
            source, describe_validation_error(error), tuple(describe_validation_errors(error))
        ) from None
    if notice is not None and notices is not None:
        notices.append(notice)
    return application


def _check_envelope(raw: dict[str, Any], source: str, forms: FormRegistry) -> str | None:
    """Refuse a document that is not ours or names a form not installed. A form named by its id alone is
    taken as the newest installed version of it (`raw` gets that version): the notice saying so."""
    fmt = raw.get("format")
    if fmt != FORMAT:
        shown = "ありません" if fmt is None else f"「{fmt}」です"
        raise DocumentError(source, f"申請データの形式ではありません（format が{shown}。期待: 「{FORMAT}」）")
    form = raw.get("form")
    notice = None
    if isinstance(form, str):
        form = raw["form"] = {"id": form}
    if isinstance(form, dict) and isinstance(form.get("id"), str) and "version" not in form:
        newest = forms.get(form["id"])
        if newest is not None:
            form["version"] = newest.version
            notice = f"様式の版が書かれていないため、インストール済みの版 {newest.version} として読みました"
    if (
        not isinstance(form, dict)
        or not isinstance(form.get("id"), str)
        or not isinstance(form.get("version"), str)
    ):
        raise DocumentError(source, "様式（form の id と version）が書かれていません")
    form_id, version = form["id"], form["version"]
    if form_id not in forms.ids():
        installed = "、".join(forms.ids()) or "なし"
        raise DocumentError(
            source, f"様式「{form_id}」はインストールされていません（インストール済み: {installed}）"
        )
    if forms.get(form_id, version) is None:
        installed = "、".join(forms.versions(form_id))
        raise DocumentError(
            source,
            f"様式「{form_id}」の版「{version}」はインストールされていません（インストール済みの版: {installed}）",
        )
    return notice


_JSON_ERRORS = {
    "Expecting value": "値がありません",
    "Expecting property name": '項目名は "…" で囲んでください',
    "Expecting ',' delimiter": "「,」が足りません",
    "Expecting ':' delimiter": "「:」が足りません",
    "Extra data": "データの後に余分な文字があります",
    "Invalid control character": "文字列の中に改行などの制御文字があります",
    "Invalid \\escape": "「\\」の使い方が正しくありません",
}

_ERROR_TEXT = {
    "extra_forbidden": "この項目は申請データにありません（綴りを確認してください）",
    "missing": "必要な項目がありません",
    "int_type": "整数で書いてください",
    "int_from_float": "整数で書いてください",
    "string_type": "文字列で書いてください",
    "bool_type": "true か false で書いてください",
    "list_type": "配列（[ … ]）で書いてください",
    "model_type": "オブジェクト（{ … }）で書いてください",
    "model_attributes_type": "オブジェクト（{ … }）で書いてください",
    "dict_type": "オブジェクト（{ … }）で書いてください",
    "string_too_short": "空にできません",
}


def _pointer(loc: tuple[int | str, ...]) -> str:
    """A JSON pointer to the place, with control characters escaped so the message stays one line."""
    parts = (
        json.dumps(part, ensure_ascii=False)[1:-1] if isinstance(part, str) else str(part) for part in loc
    )
    return "/" + "/".join(parts) if loc else "/"


def _describe(detail: ErrorDetails) -> str:
    kind = detail["type"]
    if kind == "literal_error":
        expected = re.findall(r"'((?:[^'\\]|\\.)*)'", str(detail.get("ctx", {}).get("expected", "")))
        given = json.dumps(detail["input"], ensure_ascii=False)
        if detail["loc"] and detail["loc"][-1] == "sex":
            text = f'性別は "male"（男性）か "female"（女性）で書いてください（値: {given}）'
        else:
            choices = "、".join(f'"{value}"' for value in expected)
            text = f"次のどれかで書いてください: {choices}（値: {given}）"
    elif kind in ("less_than_equal", "greater_than_equal"):
        bound = detail.get("ctx", {}).get("le" if kind == "less_than_equal" else "ge")
        text = f"{bound} {'以下' if kind == 'less_than_equal' else '以上'}の整数で書いてください"
    elif kind == "value_error":
        text = str(detail.get("ctx", {}).get("error", detail["msg"]))
    else:
        text = _ERROR_TEXT.get(kind, detail["msg"])
    return f"{_pointer(detail['loc'])}: {text}"


def describe_validation_errors(error: ValidationError) -> list[str]:
    """Every problem, each with its place as a JSON pointer."""
    return [_describe(detail) for detail in error.errors(include_url=False)]


def describe_validation_error(error: ValidationError) -> str:
    """Every problem on one line, each with its place as a JSON pointer."""
    problems = describe_validation_errors(error)
    count = f"（{len(problems)}件）" if len(problems) > 1 else ""
    return f"申請データの内容が不正です{count}：" + "／".join(problems)


def dump_application(application: Application, *, include_private: bool = True) -> str:
    """The document as JSON text (UTF-8, Japanese as is, stable key order)."""
    document = application if include_private else application.without_private()
    return json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def save_application(application: Application, path: Path, *, include_private: bool = True) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, dump_application(application, include_private=include_private).encode("utf-8"))
