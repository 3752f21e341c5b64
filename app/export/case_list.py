"""The case list as an Excel workbook (XLSX) a clerk can open, check and send on.

One sheet per used section, named as on the society's form (申請2(1) …), a title row with the facility,
then the form's headings and one row per case: No. as in the application, 性別 and 診療項目 by their
labels, year-months as text (2024/05, so that Excel does not turn them into dates). 備考 is private
(SPEC §4) and is written only when the user asks for it. Text is always written as text: a diagnosis
that begins with = never becomes a formula. The workbook reads back through the case import.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Final

from app.atomic import write_atomically
from app.export.export import ExportError
from app.export.pdf.sheets import used_section_indexes
from app.models.application import Section
from app.models.case_list import list_problem
from app.models.cells import display_value
from app.models.text import describe_character, invalid_characters

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.application import Application
    from app.models.forms import FieldSpec, FormDefinition

_NUMBER: Final = "No."
_WIDTHS: Final = {"integer": 7, "choice": 14, "year-month": 16, "text": 24, "multiline": 40, "date": 14}
_FORBIDDEN_IN_SHEET_NAMES: Final = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _columns(form: FormDefinition, *, include_notes: bool) -> list[FieldSpec]:
    return [spec for spec in form.fields if include_notes or not spec.private]


def _title(form: FormDefinition, index: int, section: Section) -> str:
    facility = section.facility
    if facility is None or facility.is_empty():
        where = "（施設未入力）"
    elif facility.manual:
        where = f"{facility.name}（手入力）"
    else:
        where = f"{facility.name}（認定番号 {facility.cert_no}）"
    return f"{form.title}　{form.section_label(index)}　{where}"


def _check_characters(application: Application, form: FormDefinition, columns: list[FieldSpec]) -> None:
    """A control character cannot be stored in a worksheet: refuse, naming the first place (JB-14)."""
    for index, section in enumerate(application.sections):
        for row, case in section.filled_cases():
            for spec in columns:
                value = getattr(case, spec.key)
                if isinstance(value, str) and (bad := invalid_characters(value, multiline=True)):
                    codes = "、".join(dict.fromkeys(describe_character(c) for c in bad))
                    raise ExportError(
                        f"{form.section_label(index)} No.{row + 1} {spec.label}に使用できない文字（{codes}）があります。"
                        "その文字を削除してから書き出してください"
                    )


def case_list_workbook(
    application: Application, form: FormDefinition, *, include_notes: bool = False
) -> bytes:
    """The XLSX bytes of the case list (備考 only with `include_notes`). ExportError when a text holds a
    character a worksheet cannot (a control character)."""
    import openpyxl  # only this export needs it
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if (problem := list_problem(form)) is not None:
        raise ExportError(problem.replace("取り込めません", "書き出せません"))
    columns = _columns(form, include_notes=include_notes)
    _check_characters(application, form, columns)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for index in used_section_indexes(application):
        section = application.sections[index] if index < len(application.sections) else Section()
        sheet = workbook.create_sheet(form.section_label(index).translate(_FORBIDDEN_IN_SHEET_NAMES)[:31])
        sheet.append([_title(form, index, section)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([_NUMBER, *(spec.label for spec in columns)])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for row, case in section.filled_cases():
            values: list[object] = [row + 1]
            for spec in columns:
                value = getattr(case, spec.key)
                shown = value if isinstance(value, int) else display_value(form, spec.key, value)
                values.append(shown if shown != "" else None)
            sheet.append(values)
            for cell in sheet[sheet.max_row][1:]:
                if isinstance(cell.value, str):
                    # openpyxl reads a string beginning with = as a formula; a case list holds text only.
                    cell.data_type = "s"
                    cell.number_format = "@"
        sheet.freeze_panes = "B3"
        sheet.column_dimensions["A"].width = 6
        for position, spec in enumerate(columns, start=2):
            sheet.column_dimensions[get_column_letter(position)].width = _WIDTHS.get(spec.kind, 16)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_case_list(
    application: Application, form: FormDefinition, path: Path, *, include_notes: bool = False
) -> int:
    """Write the case list to `path` atomically; the number of cases written. ExportError if it cannot."""
    if path.exists() and path.is_dir():
        raise ExportError(f"{path}: フォルダです。保存するファイルの名前を指定してください")
    data = case_list_workbook(application, form, include_notes=include_notes)
    try:
        write_atomically(path, data)
    except OSError as error:
        raise ExportError(f"{path}: 書き込めません（{error.strerror}）") from None
    return application.case_count()
