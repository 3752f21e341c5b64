"""Year-month (`"YYYY-MM"`) and date (`"YYYY-MM-DD"`) values as the application document writes them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, PlainSerializer, PlainValidator
from pydantic_core import core_schema

if TYPE_CHECKING:
    from pydantic.json_schema import JsonSchemaValue

_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class YearMonthError(ValueError):
    """A text that is not a year-month; the message is Japanese and names the expected shape."""


@dataclass(frozen=True, order=True, slots=True)
class YearMonth:
    """A calendar month. Ordered; `ordinal` counts months so periods can be compared with integers."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise YearMonthError(f"月は1〜12で指定してください（{self.month}）")
        if not 1900 <= self.year <= 2999:
            raise YearMonthError(f"年は西暦4桁で指定してください（{self.year}）")

    @classmethod
    def parse(cls, text: str) -> Self:
        """Parse exactly `YYYY-MM` (the document's form); lenient user input goes through app.models.text."""
        match = _YEAR_MONTH.fullmatch(text)
        if match is None:
            raise YearMonthError(
                f"年月は「YYYY-MM」の形で書いてください（例: 2024-05）。読めない値: {text!r}"
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def from_ordinal(cls, ordinal: int) -> Self:
        year, month0 = divmod(ordinal, 12)
        return cls(year, month0 + 1)

    @property
    def ordinal(self) -> int:
        return self.year * 12 + self.month - 1

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def display(self) -> str:
        """As the society's screens show it: 2024/05."""
        return f"{self.year:04d}/{self.month:02d}"

    # pydantic: validated from the string form, serialised back to it.
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> YearMonth:
            if isinstance(value, YearMonth):
                return value
            if not isinstance(value, str):
                raise YearMonthError(
                    f"年月は文字列「YYYY-MM」で書いてください（{type(value).__name__} が来ました）"
                )
            return cls.parse(value)

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "examples": ["2024-05"]}


def parse_date(value: Any) -> dt.date:
    """Exactly `YYYY-MM-DD`, with a Japanese message for anything else."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or (match := _DATE.fullmatch(value)) is None:
        raise ValueError(f"日付は「YYYY-MM-DD」の形で書いてください（例: 2024-05-01）。読めない値: {value!r}")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"存在しない日付です: {value}") from None


Date = Annotated[
    dt.date,
    PlainValidator(parse_date, json_schema_input_type=str),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
]
"""A calendar date in the document (JSPM periods)."""
