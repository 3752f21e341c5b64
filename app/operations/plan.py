"""What an operation hands to whoever applies it: a `Plan` (a name, one Japanese line for the history, the
invertible edits, and the rows outside the document to write with them), and the helpers every planner
shares (the places as the form names them, reading a typed value, checking a value by its type).

An operation is a small frozen value (`SetCaseField(section, row, key, value)`) whose `plan(application,
labels)` reads the typed `Application` and returns a `Plan`, or None when nothing would change. The store
applies a plan in one transaction (`Store.apply`); the command line applies it to a document file
(`app.operations.typed.apply_plan`); both check the result against the document types first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol

from pydantic import BaseModel, ValidationError

from app.models.cells import MAX_TEXT as MAX_TEXT  # re-exported for the planners
from app.models.cells import FieldValue as FieldValue
from app.models.cells import read_field
from app.models.document import describe_validation_error
from app.models.text import InputError
from app.models.yearmonth import YearMonth
from app.operations.errors import EditError

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.application import Application, Supervisor
    from app.models.forms import FormDefinition
    from app.operations.patch import Edit, Json

MAX_SECTIONS: Final = 20
MAX_ROWS: Final = 500
MAX_ENROLLMENTS: Final = 50
MAX_REPORTS: Final = 100
"""Hard limits against runaway input; with `MAX_TEXT` (app.models.cells) for one text. The form's own
counts (JB-2, JS-2) are the rules' to report."""


# ---- what a change writes besides the document ----------------------------------------------------


@dataclass(frozen=True)
class RequestSent:
    """An approval request file was written for the application (the store's `sent_requests`)."""

    request_id: str
    supervisor_member_id: str
    path: Path | None = None


@dataclass(frozen=True)
class ReportArchived:
    """「削除して再依頼」 keeps the approved report as it was (the store's archive; a copy of the file on the
    command line), at its 0-based `position`."""

    position: int
    report: Json


@dataclass(frozen=True)
class KeyTrusted:
    """Trust on first use: the 指導者 as registered from now on, with the fingerprint of the key that
    signed the results imported in the same change (the store's 指導者 registry)."""

    supervisor: Supervisor


Record = RequestSent | ReportArchived | KeyTrusted


@dataclass(frozen=True)
class Plan:
    """A change to make: its operation name, a one-line Japanese summary, the edits of the document, and
    the records written in the same transaction."""

    operation: str
    summary: str
    edits: list[Edit]
    records: tuple[Record, ...] = field(default=())


class Operation(Protocol):
    """A named change of an application: `plan` reads it as it is and says what to change (None:
    nothing would), or raises `EditError` naming the place. It never changes `application`."""

    def plan(self, application: Application, labels: Labels) -> Plan | None: ...


# ---- names of places ------------------------------------------------------------------------------


class Labels:
    """Names of places as the form shows them (申請2(1) No.3 年齢), with plain fallbacks when the
    application's form is not installed."""

    def __init__(self, form: FormDefinition | None) -> None:
        self.form = form

    def section(self, index: int) -> str:
        return self.form.section_label(index) if self.form is not None else f"施設{index + 1}"

    def field(self, key: str) -> str:
        if key in ("start", "end"):
            return "実施期間（開始）" if key == "start" else "実施期間（終了）"
        if self.form is not None:
            try:
                return self.form.field(key).label
            except KeyError:
                pass
        return {"dental": "歯科口腔外科", "facility": "症例を経験した施設"}.get(key, key)

    def value(self, key: str, value: Json) -> str:
        """A stored value as the form shows it: 男性 for "male", 2024/05 for "2024-05"."""
        if self.form is not None and isinstance(value, str) and value:
            with contextlib.suppress(KeyError):
                spec = self.form.field(key)
                if spec.choices is not None:
                    choice = self.form.choices[spec.choices].by_value(value)
                    if choice is not None:
                        return shown(choice.label)
        return shown(value)

    def facility(self) -> str:
        return self.form.facility.label if self.form is not None else "施設"

    def row(self, section: int, row: int) -> str:
        return f"{self.section(section)} No.{row + 1}"

    def rows(self) -> int:
        """Numbered rows per section on the form (JB-3), or the hard limit without a form."""
        if self.form is not None and self.form.sections is not None:
            return self.form.sections.rows
        return MAX_ROWS

    def report(self, row: int) -> str:
        """A case report by its number in the list (症例3), as the validation messages name it."""
        return f"症例{row + 1}"

    def report_field(self, key: str) -> str:
        """A case report's field as its form labels it (主に緩和医療を提供した期間（開始）, 診療施設名)."""
        if self.form is not None:
            if key == "facility":
                return self.form.facility.label
            with contextlib.suppress(KeyError):
                return self.form.field(key).label
        return {"facility": "診療施設", "start": "期間（開始）", "end": "期間（終了）"}.get(key, key)


_STORED_DATE: Final = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
"""A year-month (2024-05) or a date (2024-05-01) as stored; shown with slashes as the form does."""


def shown(value: Json) -> str:
    """A stored value in a one-line history summary: （空）, はい/いいえ, 2024/05, cut at 20 characters."""
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "はい"
    if value is False:
        return "いいえ"
    text = " ".join(str(value).split("\n"))
    if isinstance(value, str) and _STORED_DATE.fullmatch(value):
        text = value.replace("-", "/")
    return text if len(text) <= 20 else text[:19] + "…"


# ---- reading and checking values ------------------------------------------------------------------


def read_value(form: FormDefinition | None, key: str, value: FieldValue, place: str) -> Json:
    """`value` for field `key` as the document stores it (JSON), or EditError naming `place`.

    The same reading as the grid's (app.models.cells), except that text over the form's length is kept
    for the rules to report (JB-14)."""
    try:
        stored = read_field(form, key, value, keep_for_rules=True)
    except InputError as error:
        raise EditError(f"{place}: {error}") from None
    return str(stored) if isinstance(stored, YearMonth | dt.date) else stored


def check_length(text: str, place: str) -> None:
    if len(text) > MAX_TEXT:
        raise EditError(
            f"{place}: 入力が長すぎます（{len(text)}文字、上限 {MAX_TEXT}文字）。内容を確認してください"
        )


def validated(model: type[BaseModel], data: Json, place: str) -> Json:
    """`data` checked by the document type `model`, in its stored (JSON) form; EditError naming `place`."""
    try:
        return model.model_validate(data).model_dump(mode="json")
    except ValidationError as error:
        raise EditError(f"{place}: {describe_validation_error(error)}") from None


def stored(model: BaseModel | None) -> Json:
    """A typed part of the document as the history stores it (JSON)."""
    return None if model is None else model.model_dump(mode="json")


def check_index(index: int, limit: int, place: str) -> None:
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < limit:
        raise EditError(f"{place}: 行番号が範囲外です（1〜{limit}）")
