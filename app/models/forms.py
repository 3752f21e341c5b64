"""Forms as data (SPEC §2): a society's form is a versioned TOML file under `resources/forms/`.

The loader turns each file into a `FormDefinition`; `FormRegistry` lists what is installed. Rules read
their limits, choice lists and messages from here, so next year's form is a new data file.
"""

from __future__ import annotations

import functools
import re
import tomllib
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.models.application import Case
from app.models.yearmonth import YearMonth
from app.resources import read_toml, resource_path

if TYPE_CHECKING:
    from pathlib import Path

REPORT_ATTRIBUTES: frozenset[str] = frozenset(
    {"category", "facility", "start", "end", "age", "sex", "diagnosis", "note"}
)
"""Case-report fields held as attributes of `CaseReport`; any other field key is a narrative field."""

CASE_ATTRIBUTES: tuple[str, ...] = tuple(key for key in Case.model_fields if key != "accepted")
"""What a case row of a form in sections (JBCT) can hold: the fields of `Case`. Which of them a form
asks for, in which order and under which labels, is the form's (`FormDefinition.case_fields`)."""

Source = Literal["seed", "society", "default"]
"""Where a value comes from (SPEC §2.1): stated in the seed, in the society's pages, or our default."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(_Data):
    """JB-1: the target period (今回対象となる期間)."""

    start: YearMonth
    latest_end: YearMonth
    source: Source


class Counts(_Data):
    """JB-2 / JS-2: how many cases the application must hold."""

    min: int = Field(ge=0)
    max: int = Field(ge=1)
    source: Source
    note: str = ""


class CoverageSpec(_Data):
    """JS-2: how many cases each category of a choice list needs (choices with counts_for_coverage)."""

    choices: str
    min_each: int = Field(ge=0)
    max_each: int | None = Field(default=None, ge=1)
    source: Source
    note: str = ""


class SectionsSpec(_Data):
    """JB-3: the facility sections, used in order."""

    labels: list[str] = Field(min_length=1)
    rows: int = Field(ge=1, description="numbered rows per section on the society's form")


class FacilitySpec(_Data):
    """JB-4 / JS-3: where the facility is chosen and from which list."""

    scope: Literal["section", "case"]
    list_kind: str
    label: str
    manual_label: str
    max_length: int = Field(ge=1)


class Choice(_Data):
    value: str
    label: str
    reading: str = ""
    """Hiragana reading(s), space-separated, so a typed や completes to 薬物療法 (the grid's completer)."""
    requires_text: bool = False
    dental_only: bool = False
    counts_for_coverage: bool = True


class ChoiceList(_Data):
    options: list[Choice] = Field(min_length=1)
    source: Source
    note: str = ""

    def labels(self) -> list[str]:
        return [option.label for option in self.options]

    def by_value(self, value: str) -> Choice | None:
        return next((option for option in self.options if option.value == value), None)


FieldKind = Literal["integer", "choice", "text", "multiline", "year-month", "date"]


class FieldSpec(_Data):
    """One input of a case (or of the applicant): label, limits, help, and whether it is private."""

    key: str
    label: str
    kind: FieldKind
    required: bool = True
    choices: str | None = None
    min: int | None = None
    max: int | None = None
    max_length: int | None = Field(default=None, ge=1)
    length_source: Source | None = None
    placeholder: str = ""
    hint: str = ""
    private: bool = False
    aliases: tuple[str, ...] = Field(
        default=(), description="other column headings that mean this field, for case-list imports"
    )

    @model_validator(mode="after")
    def _kind_matches(self) -> FieldSpec:
        if self.kind == "choice" and self.choices is None:
            raise ValueError(f"field {self.key}: a choice field names its choice list")
        if self.kind in ("text", "multiline") and self.max_length is None:
            raise ValueError(f"field {self.key}: a text field has a max_length (JB-14)")
        return self


class ApprovalSpec(_Data):
    """JS-5/JS-6: whether each case needs a supervisor's approval, and the request's message limit."""

    required: bool
    message_max_length: int = Field(ge=1)
    supervisor_kinds: list[str] = Field(default_factory=list)


class PrintSpec(_Data):
    """Wording printed on the sheet for the seal (SPEC §6)."""

    sheet_title: str
    seal_caption: str
    seal_statement: str
    seal_lines: list[str] = Field(
        default_factory=list,
        description="lines under the statement for the date and the signer; {facility} is the section's facility",
    )


class FormDefinition(_Data):
    """A society's form, as loaded from `resources/forms/<id>.toml`."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str
    title: str
    society: str
    source: str
    layout: Literal["sections", "case-reports"]
    rule_set: str
    window: Window | None = None
    counts: Counts
    coverage: CoverageSpec | None = None
    period_label: str = "実施期間"
    sections: SectionsSpec | None = None
    facility: FacilitySpec
    applicant_fields: list[FieldSpec]
    fields: list[FieldSpec] = Field(min_length=1)
    choices: dict[str, ChoiceList]
    approval: ApprovalSpec | None = None
    print: PrintSpec
    messages: dict[str, str]
    cli_messages: dict[str, str] = {}
    """Messages worded for the command line where the window's wording names a control (「認定施設検索」)."""

    @model_validator(mode="after")
    def _consistent(self) -> FormDefinition:
        if self.layout == "sections" and self.sections is None:
            raise ValueError("a form laid out in sections has a [sections] table")
        keys = [spec.key for spec in (*self.applicant_fields, *self.fields)]
        if len(keys) != len(set(keys)):
            raise ValueError("field keys are unique")
        for spec in (*self.applicant_fields, *self.fields):
            if spec.choices is not None and spec.choices not in self.choices:
                raise ValueError(f"field {spec.key}: unknown choice list {spec.choices!r}")
        if self.counts.min > self.counts.max:
            raise ValueError("counts.min ≤ counts.max")
        if self.coverage is not None and self.coverage.choices not in self.choices:
            raise ValueError(f"coverage: unknown choice list {self.coverage.choices!r}")
        if self.layout == "sections":
            for spec in self.fields:
                if spec.key not in CASE_ATTRIBUTES:
                    raise ValueError(
                        f"field {spec.key}: a case row has no such field ({', '.join(CASE_ATTRIBUTES)})"
                    )
        if self.layout == "case-reports":
            for spec in self.fields:
                if spec.key not in REPORT_ATTRIBUTES and spec.kind not in ("text", "multiline"):
                    raise ValueError(f"field {spec.key}: a case report's narrative field is text")
        return self

    def target_window(self) -> Window:
        """The target period of a form that has one (JB-1); a form without one is a data error here."""
        if self.window is None:
            raise ValueError(f"form {self.id} has no [window]")
        return self.window

    @cached_property
    def case_fields(self) -> tuple[str, ...]:
        """The keys of a case's fields in the form's order: the columns of the grid of a form in sections
        (the society's 症例一覧表, then the private 備考), each labelled by its `FieldSpec`."""
        return tuple(spec.key for spec in self.fields)

    def narrative_fields(self) -> list[FieldSpec]:
        """A case report's long fields, kept by key in `CaseReport.narrative` (JS-4 hint, SPEC §4)."""
        if self.layout != "case-reports":
            return []
        return [spec for spec in self.fields if spec.key not in REPORT_ATTRIBUTES]

    @cached_property
    def _field_index(self) -> dict[str, FieldSpec]:
        return {spec.key: spec for spec in (*self.applicant_fields, *self.fields)}

    def field(self, key: str) -> FieldSpec:
        return self._field_index[key]

    @cached_property
    def field_order(self) -> dict[str, int]:
        """Position of each field key, for sorting issues in the order the form shows them."""
        order = ["facility", "enrollment"] + [spec.key for spec in (*self.applicant_fields, *self.fields)]
        return {key: position for position, key in enumerate(order)}

    def section_label(self, index: int) -> str:
        """Label of the 0-based section `index`; beyond the form's sections it continues the pattern."""
        labels = self.sections.labels if self.sections is not None else []
        return labels[index] if index < len(labels) else f"施設{index + 1}"

    def for_command_line(self) -> FormDefinition:
        """This form with the command line's wording of its messages (SPEC §7: flags, not buttons)."""
        if not self.cli_messages:
            return self
        return self.model_copy(update={"messages": {**self.messages, **self.cli_messages}})

    def message(self, code: str, **params: object) -> str:
        return self.messages[code].format_map(params)


class FormError(Exception):
    """A form-definition file that cannot be used; names the file."""


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` over `base`: tables merge key by key, anything else (arrays too) is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_form_data(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A form file's data; `extends = "_name"` starts from the shared part `_name.toml` beside it, so
    forms of one society state what they share once."""
    if path in seen:
        raise FormError(f"{path.name}: extends が循環しています")
    data = read_toml(path)
    base = data.pop("extends", None)
    if base is None:
        return data
    if not isinstance(base, str) or not base.startswith("_"):
        raise FormError(f"{path.name}: extends には「_」で始まる共通定義の名前を書いてください")
    return _merged(_read_form_data(path.with_name(f"{base}.toml"), (*seen, path)), data)


def load_form(path: Path) -> FormDefinition:
    try:
        return FormDefinition.model_validate(_read_form_data(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValidationError) as error:
        raise FormError(f"{path.name}: 様式定義を読めません: {error}") from error


class FormRegistry:
    """The installed forms, by id and version; `origins` names the pack a form came from (bundled: none)."""

    def __init__(
        self, forms: list[FormDefinition], *, origins: dict[tuple[str, str], str] | None = None
    ) -> None:
        self._forms = {(form.id, form.version): form for form in forms}
        self._origins = dict(origins or {})

    def origin(self, form_id: str, version: str) -> str | None:
        """The pack (`id@version`) the form was installed from, or None for a form of the program."""
        return self._origins.get((form_id, version))

    @classmethod
    def from_folder(cls, folder: Path) -> FormRegistry:
        # Files named `_*.toml` are shared parts that forms extend, not forms.
        paths = sorted(path for path in folder.glob("*.toml") if not path.name.startswith("_"))
        return cls([load_form(path) for path in paths])

    def all(self) -> list[FormDefinition]:
        return sorted(self._forms.values(), key=lambda form: (form.id, form.version))

    def ids(self) -> list[str]:
        return sorted({form_id for form_id, _ in self._forms})

    def get(self, form_id: str, version: str | None = None) -> FormDefinition | None:
        """The form with that id (and version, or the newest installed when None)."""
        if version is not None:
            return self._forms.get((form_id, version))
        versions = [form for (fid, _), form in self._forms.items() if fid == form_id]
        return max(versions, key=lambda form: version_order(form.version), default=None)

    def versions(self, form_id: str) -> list[str]:
        return sorted((version for fid, version in self._forms if fid == form_id), key=version_order)


def version_order(version: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for form versions: numbers as numbers, so 2027.10 comes after 2027.9."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.\-+]", version))


@functools.cache
def bundled_forms() -> FormRegistry:
    """The forms shipped under `resources/forms/`, read once on first use (never at import)."""
    return FormRegistry.from_folder(resource_path("forms"))
