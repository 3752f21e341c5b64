"""The seal-ready 症例一覧表 sheets (SPEC §6): one sheet set per used section, A4, IPAex Gothic embedded.

The first page of a set holds the head table (applicant, facility, 在籍期間, count) with the certification
and the box for the facility's seal; then the cases, the warnings kept with a reason, and for a draft the
numbered errors. A draft has no seal box: it is never to be sealed. The pages themselves (head, footer,
QR code, watermark) are app.export.pdf.page's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final
from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.export.fonts import FONT_NAME
from app.export.pdf.draft_errors import ErrorMarks, error_list, finding
from app.export.pdf.measures import (
    CELL_LEADING,
    CELL_SIZE,
    CONTENT_WIDTH,
    ENROLLMENT_SHOWN,
    ERROR_SHADE,
    INK,
    REMARK_TEXT_LIMIT,
    RULE,
    SEAL_WIDTH,
    SHADE,
)
from app.export.pdf.page import SheetMarks, SheetSet, render_pages
from app.export.pdf.text import (
    SheetStyles,
    SheetTexts,
    certification_paragraphs,
    glyph_note,
    marked,
    markup,
    printable,
    sex_text,
    sheet_styles,
)
from app.models.application import Section

if TYPE_CHECKING:
    from app.models.application import Application, Case
    from app.models.forms import FormDefinition
    from app.models.yearmonth import YearMonth
    from app.validation import Issue


# -- the story ------------------------------------------------------------------------------------------


def _period(start: YearMonth | None, end: YearMonth | None) -> str:
    if start is None and end is None:
        return ""
    left = start.display() if start else "　　"
    right = end.display() if end else "　　"
    return f"{left}〜{right}"


def _facility_text(section: Section, form: FormDefinition) -> str:
    facility = section.facility
    if facility is None or facility.is_empty():
        return "（未入力）"
    if facility.manual:
        return f"{facility.name}　［手入力：{form.facility.manual_label.removesuffix('する')}］"
    return f"認定番号 {facility.cert_no}　{facility.name}"


def _enrollment_text(section: Section) -> str:
    periods = [_period(period.start, period.end) for period in section.enrollment]
    periods = [period for period in periods if period]
    if not periods:
        return "（未入力）"
    shown = "、".join(periods[:ENROLLMENT_SHOWN])
    if len(periods) > ENROLLMENT_SHOWN:
        shown += f"　ほか{len(periods) - ENROLLMENT_SHOWN}件"
    return shown


def _item_text(case: Case, form: FormDefinition) -> str:
    """実施した診療項目 as chosen; 「その他」 with its text, so 「その他：手術」 is not read as 手術 (JB-9)."""
    choice = form.choices["items"].by_value(case.item)
    if choice is None:
        return case.item
    if choice.requires_text:
        return f"{choice.label}：{case.item_other}" if case.item_other else choice.label
    return choice.label


def _head_table(
    sheet: SheetTexts,
    application: Application,
    section: Section,
    form: FormDefinition,
    st: SheetStyles,
    errors: ErrorMarks | None,
) -> Table:
    """The applicant, the facility and its 在籍期間, the case count, and the certification with the box for
    the facility's seal (公印), which stays on the first page of the section whatever the table's length.
    A draft has neither the certification nor the seal box: it is never to be sealed."""
    applicant = application.applicant
    draft = errors is not None
    seal = 0.0 if draft else SEAL_WIDTH
    label_a, value_a, label_b = 84.0, 170.0, 52.0
    value_b = CONTENT_WIDTH - seal - label_a - value_a - label_b
    count = len(section.filled_cases())
    month = applicant.application_month.display() if applicant.application_month else "（未入力）"
    facility = section.facility
    facility_name = facility.name if facility is not None else ""
    spec = form.print
    sheet.texts.append(printable(facility_name))
    number = sheet.index + 1

    def error_numbers(*fields: str, where: str) -> list[int]:
        if errors is None:
            return []
        return errors.numbers(
            lambda issue: (
                issue.row is None
                and issue.field in fields
                and issue.section in ((None, number) if fields[0] in ("name", "member_id") else (number,))
            ),
            where,
        )

    name_errors = error_numbers("name", where="申請者")
    member_errors = error_numbers("member_id", where=form.field("member_id").label)
    facility_errors = error_numbers("facility", where=form.facility.label)
    enrollment_errors = error_numbers("enrollment", where="施設在籍期間")
    month_errors = error_numbers("application_month", where=form.field("application_month").label)
    wide = value_a + label_b + value_b - 10
    first_row: list[Any] = [
        Paragraph(escape(f"申請者{form.field('name').label}"), st.label),
        sheet.para(applicant.name or "（未入力）", st.value, errors=name_errors),
        Paragraph(escape(form.field("member_id").label), st.label),
        sheet.para(applicant.member_id or "（未入力）", st.value, errors=member_errors),
    ]
    rows: list[list[Any]] = [
        first_row,
        [
            Paragraph(escape(form.facility.label), st.label),
            sheet.para(_facility_text(section, form), st.value, width=wide, errors=facility_errors),
            "",
            "",
        ],
        [
            Paragraph("施設在籍期間", st.label),
            Paragraph(marked(escape(_enrollment_text(section)), enrollment_errors), st.value),
            "",
            "",
        ],
        [
            Paragraph("登録件数", st.label),
            Paragraph(
                escape(f"{count}件（{_all_sections_label(form)} 合計{application.case_count()}件）"), st.value
            ),
            Paragraph(escape(form.field("application_month").label), st.label),
            Paragraph(marked(escape(month), month_errors), st.value),
        ],
    ]
    widths = [label_a, value_a, label_b, value_b]
    style: list[tuple[Any, ...]] = [
        # Empty (spanned) cells are drawn in the cell font too: no Helvetica in the file.
        ("FONT", (0, 0), (-1, -1), FONT_NAME, 9),
        ("SPAN", (1, 1), (3, 1)),
        ("SPAN", (1, 2), (3, 2)),
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
        ("BACKGROUND", (0, 0), (0, 3), SHADE),
        ("BACKGROUND", (2, 0), (2, 0), SHADE),
        ("BACKGROUND", (2, 3), (2, 3), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
    ]
    for cell, found in (
        ((1, 0), name_errors),
        ((3, 0), member_errors),
        ((1, 1), facility_errors),
        ((1, 2), enrollment_errors),
        ((3, 3), month_errors),
    ):
        if found:
            style.append(("BACKGROUND", cell, cell, ERROR_SHADE))
    if not draft:
        rows[0].append(Paragraph(escape(spec.seal_caption), st.seal_caption))
        for row in rows[1:]:
            row.append("")
        rows.append([certification_paragraphs(form, st, facility_name), "", "", "", ""])
        widths.append(seal)
        style += [
            ("SPAN", (0, 4), (3, 4)),
            ("SPAN", (4, 1), (4, 4)),
            ("LINEBEFORE", (4, 0), (4, -1), 0.8, RULE),
            ("BACKGROUND", (4, 0), (4, 0), SHADE),
            ("VALIGN", (0, 4), (0, 4), "TOP"),
            ("TOPPADDING", (0, 4), (0, 4), 5),
            ("BOTTOMPADDING", (0, 4), (0, 4), 6),
            ("LEFTPADDING", (0, 4), (0, 4), 8),
        ]
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle(style))
    return table


def _all_sections_label(form: FormDefinition) -> str:
    """「申請2(1)〜(3)」 from the form's section labels."""
    labels = form.sections.labels if form.sections is not None else []
    if len(labels) < 2:
        return "全体"
    first, last = labels[0], labels[-1]
    cut = last.rfind("(")
    return f"{first}〜{last[cut:]}" if cut > 0 and first[:cut] == last[:cut] else f"{first}〜{last}"


COLUMN_WIDTHS: Final = (17.0, 21.0, 24.0, 78.0, 77.0)
"""No., 年齢, 性別, 実施した診療項目, 実施期間; 診断名 and 病理診断名 share the rest, so a name of 20
characters fits one line at 7.5 pt and 25 cases fit one page."""
CELL_PADDING: Final = 2.5
_COLUMN_FIELDS: Final = {
    "age": 1,
    "sex": 2,
    "item": 3,
    "item_other": 3,
    "start": 4,
    "end": 4,
    "diagnosis": 5,
    "pathology": 6,
}


def printed_numbers(section: Section) -> dict[int, int]:
    """The 0-based grid row of each case → its printed No. (1, 2, 3 … with no gaps for empty rows)."""
    return {row: number for number, (row, _case) in enumerate(section.filled_cases(), start=1)}


def _case_table(
    sheet: SheetTexts,
    section: Section,
    form: FormDefinition,
    st: SheetStyles,
    errors: ErrorMarks | None,
) -> Table:
    rest = (CONTENT_WIDTH - sum(COLUMN_WIDTHS)) / 2
    widths = [*COLUMN_WIDTHS, rest, rest]
    labels = [
        "No.",
        form.field("age").label,
        form.field("sex").label,
        form.field("item").label,
        "実施期間",
        form.field("diagnosis").label,
        form.field("pathology").label,
    ]
    rows: list[list[Any]] = [[Paragraph(escape(label), st.head) for label in labels]]
    marked_cells: list[tuple[int, int]] = []
    section_number = sheet.index + 1
    for number, (row, case) in enumerate(section.filled_cases(), start=1):
        line = len(rows)
        found = _cell_errors(errors, section_number, row, number, labels)
        marked_cells += [(column, line) for column, numbers in found.items() if numbers]
        texts = [
            str(number),
            "" if case.age is None else str(case.age),
            sex_text(case.sex, form),
            _item_text(case, form),
            _period(case.start, case.end),
            case.diagnosis,
            case.pathology,
        ]
        rows.append(
            [
                sheet.para(
                    text,
                    st.cell if column in (3, 5, 6) else st.cell_center,
                    width=widths[column] - 2 * CELL_PADDING,
                    errors=found.get(column),
                )
                for column, text in enumerate(texts)
            ]
        )
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT_NAME, CELL_SIZE, CELL_LEADING),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        *(("BACKGROUND", at, at, ERROR_SHADE) for at in marked_cells),
    ]
    if len(rows) == 1:
        rows.append([Paragraph("（症例がありません）", st.cell_center), "", "", "", "", "", ""])
        style.append(("SPAN", (0, 1), (-1, 1)))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _cell_errors(
    errors: ErrorMarks | None, section: int, row: int, number: int, labels: list[str]
) -> dict[int, list[int]]:
    """The error numbers of each column of a case's row (the No. column: errors of the row as a whole)."""
    if errors is None:
        return {}
    found: dict[int, list[int]] = {}
    for column, label in enumerate(labels):
        fields = {key for key, at in _COLUMN_FIELDS.items() if at == column}

        def match(issue: Issue, fields: set[str] = fields, column: int = column) -> bool:
            if issue.section != section or issue.row != row + 1:
                return False
            return issue.field in fields if column else issue.field not in _COLUMN_FIELDS

        found[column] = errors.numbers(match, f"No.{number} {label}" if column else f"No.{number}")
    return found


_ROW_REFERENCE = re.compile(r"((?:申請\S*?|施設\d+)\s?)?No\.(\d+)")


def renumbered(message: str, application: Application, form: FormDefinition, index: int) -> str:
    """A message's 「No.N」 (the row of the window's grid) as the printed No. of that case."""
    labels = {form.section_label(at): at for at in range(len(application.sections))}

    def replace(match: re.Match[str]) -> str:
        label = (match.group(1) or "").strip()
        at = labels.get(label, index)
        if at >= len(application.sections):
            return match.group(0)
        number = printed_numbers(application.sections[at]).get(int(match.group(2)) - 1)
        if number is None:
            return match.group(0)
        return f"{match.group(1) or ''}No.{number}"

    return _ROW_REFERENCE.sub(replace, message)


def _remarks(
    sheet: SheetTexts,
    application: Application,
    form: FormDefinition,
    issues: list[Issue],
    st: SheetStyles,
) -> list[Any]:
    """The warnings kept with a reason, as the society reads them: where, what was found, and the
    applicant's reason (not the program's advice to the user)."""
    accepted = [
        issue
        for issue in issues
        if not issue.is_error and issue.accepted is not None and issue.section in (None, sheet.index + 1)
    ]
    if not accepted:
        return []
    section = application.sections[sheet.index] if sheet.index < len(application.sections) else Section()
    numbers = printed_numbers(section)
    flowables: list[Any] = [
        Spacer(1, 8),
        Paragraph("注記（確認のうえ登録した症例と、申請者の説明）", st.remark_head),
    ]
    for issue in accepted:
        assert issue.accepted is not None
        place = ""
        if issue.row is not None and (number := numbers.get(issue.row - 1)) is not None:
            place = f"No.{number}"
            if issue.field is not None and issue.field in form.field_order:
                place += f"（{form.field(issue.field).label}）"
            place += "："
        found = renumbered(finding(issue), application, form, sheet.index)
        sheet.texts.extend((printable(found), printable(issue.accepted)))
        flowables.append(
            Paragraph(
                f"・{markup(place + found, REMARK_TEXT_LIMIT)}。"
                f"申請者の説明：{markup(issue.accepted, REMARK_TEXT_LIMIT)}",
                st.remark,
            )
        )
    return flowables


def _section_story(
    application: Application,
    index: int,
    form: FormDefinition,
    issues: list[Issue],
    st: SheetStyles,
    errors: ErrorMarks | None,
) -> list[Any]:
    section = application.sections[index] if index < len(application.sections) else Section()
    sheet = SheetTexts(index)
    title = f"{form.section_label(index)} {form.print.sheet_title}"
    first_error = len(errors.listed) if errors is not None else 0
    story: list[Any] = [Paragraph(escape(title), st.title), Spacer(1, 6)]
    story.append(_head_table(sheet, application, section, form, st, errors))
    story.append(Spacer(1, 8))
    story.append(_case_table(sheet, section, form, st, errors))
    story += _remarks(sheet, application, form, issues, st)
    story += glyph_note(sheet, st)
    if errors is not None:
        errors.rest(lambda issue: issue.section == index + 1, form.section_label(index))
        if index == used_section_indexes(application)[0]:
            errors.rest(lambda issue: issue.section is None, "申請全体")
        story += error_list(errors, st, start=first_error)
    return story


# -- pages ----------------------------------------------------------------------------------------------


def used_section_indexes(application: Application) -> list[int]:
    """The sections that get a sheet set: those holding cases; 申請2(1) alone for an empty draft."""
    used = [index for index, section in enumerate(application.sections) if section.is_used()]
    return used or [0]


def render_sheets(
    application: Application, form: FormDefinition, issues: list[Issue], marks: SheetMarks
) -> bytes:
    """The PDF of every used section's sheet set. Deterministic: the same input gives the same bytes."""
    st = sheet_styles()
    errors = None
    if marks.draft:

        def renumber(issue: Issue, text: str) -> str:
            index = (issue.section or 1) - 1
            return renumbered(text, application, form, index)

        errors = ErrorMarks(issues, form=form, renumber=renumber)
    sets = []
    for index in used_section_indexes(application):
        section = application.sections[index] if index < len(application.sections) else Section()
        head = f"{form.section_label(index)}　{_facility_text(section, form)}"
        story = _section_story(application, index, form, issues, st, errors)
        sets.append(SheetSet(form.section_label(index), story, head))
    return render_pages(application, form, marks, sets)
