"""The seal-ready sheets (SPEC §6): one 症例一覧表 sheet set per used section, A4, IPAex Gothic embedded.

Print-safe: nothing is drawn within 12 mm of a paper edge (printers lose the outer ~4 mm; SPEC asks 10 mm),
and the QR code is large enough to decode from a 100 dpi scan, its quiet zone kept clear.

Every page carries the sheet head (form, applicant with 会員番号, section and facility, page x/y of its
set) and a footer with the package's 照合コード, its full SHA-256, the signing key's fingerprint, what the
code is a hash of and how to check the files without Shorei, and a QR code of (form, version, package
hash). A set of more than one page has a 割印 box on each page; the first page holds the seal box. A draft
has none of the package marks and no seal box: a 「下書き」 watermark instead, each cell with an error
marked ※n, and the numbered errors listed after the cases.

User text only ever reaches reportlab escaped (`<`, `&` are text, never markup), with control characters
and lone surrogates shown as their code point, and cut to a length that cannot outgrow a page (only
drafts can hold such text: a submittable application is within the form's limits). Lines are broken by
the Japanese rules of app.export.linebreak, and characters IPAex lacks are drawn from the fallback font.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.export.fonts import (
    FALLBACK_FONT_NAME,
    FONT_NAME,
    missing_glyphs,
    runs,
    sheet_font,
    text_width,
)
from app.export.linebreak import break_lines
from app.models.application import Section

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from app.models.application import Application, Case
    from app.models.forms import FormDefinition
    from app.models.yearmonth import YearMonth
    from app.validation import Issue

PAGE_WIDTH, PAGE_HEIGHT = A4
MM: Final = 72 / 25.4
PAGE_MARGIN: Final = 12 * MM
"""Nothing is drawn closer than this to any paper edge (SPEC §6 asks 10 mm; 2 mm spare for paper skew)."""
MARGIN_X: Final = PAGE_MARGIN
HEADER_HEIGHT: Final = PAGE_MARGIN + 38.0
"""From the top edge to the frame: the margin, the two head lines and the 割印 box beside them."""
QR_SIZE: Final = 84.0
"""About 30 mm: modules of ~0.65 mm, 2.5 pixels at 100 dpi (decodes) and 3.8 at 150 dpi."""
QR_QUIET: Final = 14.0
"""White kept above and left of the code; the page margin keeps it below and right (≥ 4 modules)."""
FOOTER_HEIGHT: Final = PAGE_MARGIN + QR_SIZE + QR_QUIET
CONTENT_WIDTH: Final = PAGE_WIDTH - 2 * MARGIN_X
SEAL_MARK_SIZE: Final = 30.0

CELL_SIZE: Final = 7.5
"""The case table's type: 20 characters in 150 pt, above the ~7 pt floor of a legible form."""
CELL_LEADING: Final = 9.0
CELL_TEXT_LIMIT: Final = 300
"""Characters of one cell shown on paper: a row of this much text still fits on a page."""
REMARK_TEXT_LIMIT: Final = 600
ENROLLMENT_SHOWN: Final = 24

INK = colors.Color(0.1, 0.1, 0.1)
RULE = colors.Color(0.35, 0.35, 0.35)
SHADE = colors.Color(0.91, 0.91, 0.91)
FAINT = colors.Color(0.4, 0.4, 0.4)
WATERMARK = colors.Color(0.55, 0.55, 0.55, alpha=0.22)
ERROR_SHADE = colors.Color(1.0, 0.86, 0.86)
ERROR_MARK: Final = "#b00000"


@dataclass(frozen=True)
class PackageMark:
    """What each page shows of the package it belongs to: the code (`short_hash`), the full package hash,
    the QR payload, the signing key's fingerprint, and the names of the two files (for the footer's
    instructions)."""

    short_hash: str
    qr_payload: str
    fingerprint: str
    created: dt.datetime
    package_hash: str = ""
    pdf_name: str = ""
    package_name: str = ""


@dataclass(frozen=True)
class SheetMarks:
    """The package marks, or None for a draft (watermarked, never to be stamped). `created` is the export
    time for the PDF's metadata (outside anything hashed); a draft without it shows no date."""

    package: PackageMark | None
    draft_errors: int = 0
    created: dt.datetime | None = None

    @property
    def draft(self) -> bool:
        return self.package is None

    @property
    def when(self) -> dt.datetime | None:
        return self.package.created if self.package is not None else self.created


# -- text -----------------------------------------------------------------------------------------------


def printable(text: str) -> str:
    """`text` with what cannot be printed (control characters, lone surrogates) shown as its code point,
    〔U+0007〕, so a draft shows where the invisible character sits."""
    if text.isprintable():
        return text
    return "".join(
        f"〔U+{ord(char):04X}〕" if unicodedata.category(char) in ("Cc", "Cs") else char for char in text
    )


def clipped(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（全{len(text)}文字のうち先頭{limit}文字）"


def _escaped_runs(text: str) -> str:
    """Printable text as markup, the characters IPAex lacks wrapped in the fallback font."""
    return "".join(
        escape(part) if name != FALLBACK_FONT_NAME else f'<font name="{name}">{escape(part)}</font>'
        for name, part in runs(text)
    )


def markup(text: str, limit: int = CELL_TEXT_LIMIT, *, width: float | None = None, size: float = 8) -> str:
    """User text as Paragraph markup that can only ever be text. With `width`, the lines are broken by the
    Japanese rules (app.export.linebreak) for that width at font `size`."""
    shown = clipped(printable(text), limit)
    if width is None:
        return _escaped_runs(shown)
    lines = break_lines(shown, width, lambda part: text_width(part, size))
    return "<br/>".join(_escaped_runs(line) for line in lines)


def _fit(text: str, width: float, size: float) -> str:
    """`text` cut with … to fit `width` points (for lines drawn straight on the canvas)."""
    text = printable(text)
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def draw_text(canvas: Any, x: float, y: float, text: str, size: float, *, right: bool = False) -> float:
    """Draw `text` at (x, y) run by run in the font that has each character; `right` aligns its end at
    x. Returns the width drawn."""
    width = text_width(text, size)
    left = x - width if right else x
    for name, part in runs(text):
        canvas.setFont(name, size)
        canvas.drawString(left, y, part)
        left += canvas.stringWidth(part, name, size)
    canvas.setFont(FONT_NAME, size)
    return width


# -- styles ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetStyles:
    title: ParagraphStyle
    label: ParagraphStyle
    value: ParagraphStyle
    head: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    remark_head: ParagraphStyle
    remark: ParagraphStyle
    seal_text: ParagraphStyle
    seal_caption: ParagraphStyle


def sheet_styles() -> SheetStyles:
    """The paragraph styles of the sheets (registering the embedded font first: styles name it)."""
    sheet_font()

    def style(name: str, size: float, leading: float, **extra: Any) -> ParagraphStyle:
        extra.setdefault("textColor", INK)
        return ParagraphStyle(
            name, fontName=FONT_NAME, fontSize=size, leading=leading, wordWrap="CJK", **extra
        )

    return SheetStyles(
        title=style("title", 14, 17, alignment=TA_CENTER),
        label=style("label", 8, 10.5),
        value=style("value", 9, 12),
        head=style("head", 8, 10, alignment=TA_CENTER),
        cell=style("cell", CELL_SIZE, CELL_LEADING, alignment=TA_LEFT),
        cell_center=style("cell_center", CELL_SIZE, CELL_LEADING, alignment=TA_CENTER),
        remark_head=style("remark_head", 9, 13),
        remark=style("remark", 8, 11, leftIndent=10, firstLineIndent=-10),
        seal_text=style("seal_text", 9, 12.5),
        seal_caption=style("seal_caption", 8.5, 11, alignment=TA_CENTER),
    )


def sheet_title(form: FormDefinition) -> str:
    """The form's title and its sheet's name, without saying 「症例報告書」 twice."""
    title, sheet = form.title, form.print.sheet_title
    return title if title.endswith(sheet) else f"{title} {sheet}"


# -- errors on a draft ----------------------------------------------------------------------------------


@dataclass
class ErrorMarks:
    """The errors of a draft, numbered in the order the sheets print them: each marked cell shows ※n and
    the list after the cases says what n is. `where` names a place for the list (「No.3 診断名」)."""

    issues: list[Issue]
    listed: list[tuple[int, str, str]] = field(default_factory=list)
    _numbers: dict[int, int] = field(default_factory=dict)

    form: FormDefinition | None = None
    """With a form, the list gives each issue's text without its place (it says the place in the printed
    numbering); without one, the whole message."""
    renumber: Callable[[Issue, str], str] | None = None
    """Rewrites a message's row references into the printed numbering."""

    def numbers(self, match: Callable[[Issue], bool], where: str) -> list[int]:
        """The numbers of the errors `match` selects (numbering those not numbered yet)."""
        out = []
        for position, issue in enumerate(self.issues):
            if not issue.is_error or not match(issue):
                continue
            if position not in self._numbers:
                self._numbers[position] = len(self._numbers) + 1
                # The sheets say the place in their own numbering: the list takes the text alone.
                text = issue.text if where and self.form else issue.message
                if self.renumber is not None:
                    text = self.renumber(issue, text)
                self.listed.append((self._numbers[position], where, text))
            out.append(self._numbers[position])
        return out

    def rest(self, match: Callable[[Issue], bool], where: str) -> None:
        """Number the errors `match` selects that no cell showed."""
        self.numbers(match, where)


def marked(text_markup: str, numbers: list[int]) -> str:
    if not numbers:
        return text_markup
    tag = "".join(f"※{number}" for number in numbers)
    return f'<font size="6.5" color="{ERROR_MARK}">{tag}</font> {text_markup}'


def error_list(marks: ErrorMarks, st: SheetStyles, *, start: int = 0) -> list[Any]:
    """The numbered errors listed from `start` on (a draft's last block)."""
    shown = marks.listed[start:]
    if not shown:
        return []
    flowables: list[Any] = [
        Spacer(1, 8),
        Paragraph(
            escape("エラー一覧（下書き：直すまで提出できません。※の番号は表の印と対応）"), st.remark_head
        ),
    ]
    for number, where, message in shown:
        place = f"{where}：" if where else ""
        flowables.append(
            Paragraph(
                f'<font color="{ERROR_MARK}">※{number}</font> {markup(place + message, REMARK_TEXT_LIMIT)}',
                st.remark,
            )
        )
    return flowables


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


def sex_text(sex: str | None, form: FormDefinition) -> str:
    """性別 as the form labels it (男性, 女性)."""
    if sex is None:
        return ""
    choice = form.choices["sex"].by_value(sex)
    return choice.label if choice is not None else sex


@dataclass
class SheetTexts:
    """The user texts one sheet set prints, kept to find characters the font lacks (`index`: the section)."""

    index: int = 0
    texts: list[str] = field(default_factory=list)

    def para(
        self,
        text: str,
        style: ParagraphStyle,
        limit: int = CELL_TEXT_LIMIT,
        *,
        width: float | None = None,
        errors: list[int] | None = None,
    ) -> Paragraph:
        """A paragraph of user text; with `width` (the room inside its cell) broken by the Japanese rules,
        with `errors` marked ※n."""
        self.texts.append(printable(text))
        body = markup(text, limit, width=width, size=style.fontSize)
        return Paragraph(marked(body, errors or []), style)

    def long_para(
        self, text: str, style: ParagraphStyle, limit: int, *, width: float | None = None
    ) -> Paragraph:
        """A multi-line text (a narrative field): each line as `para` would print it, the breaks kept."""
        lines = clipped(text, limit).split("\n")
        self.texts.extend(printable(line) for line in lines)
        return Paragraph(
            "<br/>".join(markup(line, len(line) + 1, width=width, size=style.fontSize) for line in lines),
            style,
        )


SEAL_WIDTH: Final = 112.0


def form_wording(text: str) -> str:
    """Wording from the form data as markup, its spacing kept (a Paragraph would collapse runs of spaces,
    and 「年　　月　　日」 is written to leave room for the date by hand)."""
    return escape(text).replace("\u3000", "\u00a0" * 4).replace(" ", "\u00a0")


def certification_paragraphs(form: FormDefinition, st: SheetStyles, facility_name: str = "") -> list[Any]:
    """The form's certification beside the seal box: its statement, then the lines for the date and the
    signer (`{facility}` in a line is the facility's name)."""
    spec = form.print
    return [
        Paragraph(form_wording(spec.seal_statement), st.seal_text),
        Spacer(1, 2),
        *(
            Paragraph(
                form_wording(line.replace("{facility}", "\0")).replace("\0", markup(facility_name)),
                st.seal_text,
            )
            for line in spec.seal_lines
        ),
    ]


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


def finding(issue: Issue) -> str:
    """What a warning found, without the place and the program's advice: its first sentence."""
    head, _, _rest = issue.text.partition("。")
    return head


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


def glyph_note(sheet: SheetTexts, st: SheetStyles) -> list[Any]:
    missing = missing_glyphs(sheet.texts)
    if not missing:
        return []
    listed = "、".join(f"{char}（U+{ord(char):04X}）" for char in missing[:20])
    more = f" ほか{len(missing) - 20}字" if len(missing) > 20 else ""
    return [
        Spacer(1, 6),
        Paragraph(
            escape(
                "※ 次の文字は印刷用フォントにないため枠で印刷しています"
                f"（アップロード用ファイルには正しく記録されています）：{listed}{more}"
            ),
            st.remark,
        ),
    ]


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


def _total_form(index: int) -> str:
    return f"SectionPages{index}"


def _seal_mark_form(index: int) -> str:
    return f"SealMark{index}"


QR_FORM: Final = "PackageQR"


class HeadMark(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """An invisible mark in the story: from here on the pages' head names `text` (「症例3」), and a page
    that starts inside it names 「症例3（続き）」."""

    def __init__(self, text: str, heads: PageHeads) -> None:
        super().__init__()
        self.text = text
        self.heads = heads
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.heads.current = self.text
        self.heads.started_here = True


@dataclass
class PageHeads:
    current: str = ""
    started_here: bool = False


@dataclass
class _PageCounts:
    """Pages per section, known only once the last page is laid out: the footers draw the totals as PDF
    forms, and the forms are filled in when the document is saved."""

    per_section: dict[int, int] = field(default_factory=dict)


def draw_qr(canvas: Any, payload: str, size: float) -> None:
    """The QR code of `payload` as one filled path, `size` points square at the origin, no border (the
    page keeps the quiet zone). Level L keeps the ~130-character payload at version 6 (41 modules), so
    each module is as large as the size allows."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.L)
    code.addData(payload)
    code.make()
    count = code.getModuleCount()
    module = size / count
    path = canvas.beginPath()
    for row, cells in enumerate(code.modules):
        column = 0
        for dark, run in itertools.groupby(bool(cell) for cell in cells):
            length = len(list(run))
            if dark:
                path.rect(column * module, size - (row + 1) * module, length * module, module)
            column += length
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)


class _SheetCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    def __init__(
        self,
        *args: Any,
        counts: _PageCounts,
        qr_payload: str | None,
        seal_marks: bool,
        created: dt.datetime | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._counts = counts
        self._qr_payload = qr_payload
        self._seal_marks = seal_marks
        if created is not None:
            # The real time of the export in /CreationDate; the file is otherwise reproducible (invariant).
            stamp = self._doc._timeStamp
            stamp.YMDhms = tuple(created.utctimetuple())[:6]
            stamp.dhh = stamp.dmm = 0

    def save(self) -> None:
        for index, total in self._counts.per_section.items():
            self.beginForm(_total_form(index), lowerx=0, lowery=-3, upperx=60, uppery=12)
            self.setFont(FONT_NAME, 8)
            self.setFillColor(INK)
            self.drawString(0, 0, str(total))
            self.endForm()
            self.beginForm(
                _seal_mark_form(index), lowerx=0, lowery=0, upperx=SEAL_MARK_SIZE, uppery=SEAL_MARK_SIZE
            )
            if self._seal_marks and total > 1:
                self.setStrokeColor(FAINT)
                self.setLineWidth(0.5)
                self.setDash(2, 2)
                self.rect(0, 0, SEAL_MARK_SIZE, SEAL_MARK_SIZE)
                self.setFillColor(FAINT)
                self.setFont(FONT_NAME, 6)
                self.drawCentredString(SEAL_MARK_SIZE / 2, SEAL_MARK_SIZE / 2 - 2, "割印")
            self.endForm()
        if self._qr_payload is not None:
            self.beginForm(QR_FORM, lowerx=0, lowery=0, upperx=QR_SIZE, uppery=QR_SIZE)
            draw_qr(self, self._qr_payload, QR_SIZE)
            self.endForm()
        super().save()


@dataclass(frozen=True)
class _PageDecor:
    """Draws the head, the footer and the watermark of every page. Pages are numbered per sheet set
    (`sets[i].label`: what the head shows before a set's x / y, e.g. 「申請2(1)」)."""

    application: Application
    form: FormDefinition
    marks: SheetMarks
    counts: _PageCounts
    sets: list[SheetSet]
    heads: PageHeads

    def on_page(self, index: int) -> Callable[[Any, Any], None]:
        def draw(canvas: Any, doc: Any) -> None:
            self.counts.per_section[index] = self.counts.per_section.get(index, 0) + 1
            self.heads.started_here = False
            if self.marks.draft:
                canvas.saveState()
                self._watermark(canvas)
                canvas.restoreState()

        return draw

    def on_page_end(self, index: int) -> Callable[[Any, Any], None]:
        def draw(canvas: Any, doc: Any) -> None:
            canvas.saveState()
            self._header(canvas, index, self.counts.per_section[index])
            self._footer(canvas)
            canvas.restoreState()

        return draw

    def _watermark(self, canvas: Any) -> None:
        canvas.setFillColor(WATERMARK)
        canvas.setFont(FONT_NAME, 150)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(35)
        canvas.drawCentredString(0, -50, "下書き")

    def _header(self, canvas: Any, index: int, number: int) -> None:
        """The sheet head of every page: form and applicant with 会員番号 (never cut), section and
        facility, page x / y; the 割印 box when the set has more than one page."""
        top = PAGE_HEIGHT - PAGE_MARGIN
        right = PAGE_WIDTH - MARGIN_X
        if not self.marks.draft:
            canvas.saveState()
            canvas.translate(right - SEAL_MARK_SIZE, top - SEAL_MARK_SIZE)
            canvas.doForm(_seal_mark_form(index))
            canvas.restoreState()
            right -= SEAL_MARK_SIZE + 8
        line_1, line_2 = top - 9, top - 22
        size = 8.0
        canvas.setFillColor(INK)
        applicant = self.application.applicant
        member = f"　会員番号 {applicant.member_id or '（未入力）'}"
        room = (right - MARGIN_X) * 0.55
        name = _fit(
            f"申請者 {applicant.name or '（未入力）'}", max(room - text_width(member, size), 40), size
        )
        who = name + member
        width = draw_text(canvas, right, line_1, who, size, right=True)
        canvas.setFillColor(FAINT)
        title = f"{self.form.society}　{sheet_title(self.form)}"
        draw_text(canvas, MARGIN_X, line_1, _fit(title, right - MARGIN_X - width - 12, size), size)

        item = self.sets[index]
        page_label = f"{item.label}　{number} / " if item.label else f"{number} / "
        canvas.setFillColor(INK)
        canvas.setFont(FONT_NAME, size)
        page_width = text_width(page_label, size) + text_width("00", size)
        page_x = right - page_width
        canvas.drawString(page_x, line_2, page_label)
        canvas.saveState()
        canvas.translate(page_x + text_width(page_label, size), line_2)
        canvas.doForm(_total_form(index))
        canvas.restoreState()
        head = item.head
        if not head and self.heads.current:
            head = self.heads.current if self.heads.started_here else f"{self.heads.current}（続き）"
        draw_text(canvas, MARGIN_X, line_2, _fit(head, page_x - MARGIN_X - 12, size), size)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, line_2 - 6, right, line_2 - 6)

    def _footer(self, canvas: Any) -> None:
        top = FOOTER_HEIGHT - 4
        right = PAGE_WIDTH - MARGIN_X
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top, right, top)
        left = MARGIN_X
        package = self.marks.package
        room = right - QR_SIZE - QR_QUIET - left
        if package is None:
            canvas.setFillColor(INK)
            canvas.setFont(FONT_NAME, 10)
            canvas.drawString(left, top - 16, "下書き　押印・提出には使えません")
            canvas.setFont(FONT_NAME, 7.5)
            canvas.setFillColor(FAINT)
            errors = self.marks.draft_errors
            why = (
                f"エラー{errors}件（表の※印と、最後のエラー一覧）。すべて直してから、提出用のPDFと"
                "アップロード用ファイルを作成してください。"
                if errors
                else "提出用のPDFとアップロード用ファイルは、下書きではなく通常の作成で出力してください。"
            )
            # A draft has no QR code: its notice takes the whole width.
            for number, line in enumerate(
                break_lines(why, right - left, lambda part: text_width(part, 7.5))[:3]
            ):
                canvas.drawString(left, top - 31 - 11 * number, line)
            return
        canvas.setFillColor(FAINT)
        canvas.setFont(FONT_NAME, 7.5)
        canvas.drawString(left, top - 15, "照合コード")
        canvas.setFillColor(INK)
        canvas.setFont(FONT_NAME, 12)
        canvas.drawString(left + 42, top - 15.5, package.short_hash)
        canvas.setFont(FONT_NAME, 7.5)
        canvas.setFillColor(FAINT)
        canvas.drawString(left + 160, top - 15, f"作成 {package.created.astimezone():%Y-%m-%d %H:%M}")
        canvas.drawString(left, top - 27, "署名鍵の指紋")
        canvas.setFillColor(INK)
        canvas.drawString(left + 50, top - 27, package.fingerprint)
        canvas.setFillColor(FAINT)
        canvas.drawString(left, top - 38, "SHA-256")
        canvas.setFillColor(INK)
        canvas.setFont(FONT_NAME, 6.5)
        canvas.drawString(left + 50, top - 38, package.package_hash)
        canvas.setFillColor(FAINT)
        package_name = package.package_name or "アップロード用ファイル"
        pdf_name = package.pdf_name or "このPDF"
        notes = (
            f'照合コードは、アップロード用ファイル {package_name} に記録された申請内容（"content"、'
            f"RFC 8785 の正規形）の SHA-256 の先頭12桁です（全桁は上と QR コード、同ファイルの "
            f'"content_sha256"）。同ファイルの "pdf" にはこの PDF の SHA-256 も記録され、署名されています。'
            f"Shorei がなくても PDF の SHA-256 は確かめられます：Windows「CertUtil -hashfile {pdf_name} SHA256」、"
            f"macOS・Linux「sha256sum {pdf_name}」。"
        )
        lines = break_lines(notes, room, lambda part: text_width(part, 6.5))
        for number, line in enumerate(lines[:5]):
            draw_text(canvas, left, top - 49 - 8.5 * number, line, 6.5)
        canvas.saveState()
        canvas.translate(right - QR_SIZE, PAGE_MARGIN)
        canvas.doForm(QR_FORM)
        canvas.restoreState()


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


@dataclass(frozen=True)
class SheetSet:
    """Pages numbered together (x / y) under one label: a section's sheets, or all of a case-report PDF.
    `head` is the second line of every page's head (section and facility); empty when HeadMarks in the
    story name it page by page."""

    label: str
    story: list[Any]
    head: str = ""


def render_pages(
    application: Application,
    form: FormDefinition,
    marks: SheetMarks,
    sets: list[SheetSet],
    heads: PageHeads | None = None,
) -> bytes:
    """A4 pages of the sheet sets in order, each page with the head, the footer (the package marks or the
    draft notice) and, for a draft, the watermark."""
    sheet_font()
    counts = _PageCounts()
    decor = _PageDecor(application, form, marks, counts, sets, heads or PageHeads())
    frame_height = PAGE_HEIGHT - HEADER_HEIGHT - FOOTER_HEIGHT
    templates = [
        PageTemplate(
            id=f"set-{index}",
            frames=[
                Frame(
                    MARGIN_X,
                    FOOTER_HEIGHT,
                    CONTENT_WIDTH,
                    frame_height,
                    leftPadding=0,
                    rightPadding=0,
                    topPadding=0,
                    bottomPadding=0,
                )
            ],
            onPage=decor.on_page(index),
            onPageEnd=decor.on_page_end(index),
        )
        for index in range(len(sets))
    ]
    story: list[Any] = []
    for index, item in enumerate(sets):
        if index:
            story += [NextPageTemplate(f"set-{index}"), PageBreak()]
        story += item.story
    buffer = io.BytesIO()
    package = marks.package
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=templates,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=HEADER_HEIGHT,
        bottomMargin=FOOTER_HEIGHT,
        title=f"{sheet_title(form)}（下書き）" if marks.draft else sheet_title(form),
        subject=f"{form.society} {sheet_title(form)}"
        + (f" 照合コード {package.short_hash}" if package is not None else " 下書き"),
        creator="Shorei",
        author=application.applicant.name,
        lang="ja-JP",
        invariant=True,
        # Every page starts in the embedded font, so the file names no font it does not carry (Helvetica).
        initialFontName=FONT_NAME,
    )
    qr_payload = package.qr_payload if package is not None else None

    def canvas_maker(*args: Any, **kwargs: Any) -> _SheetCanvas:
        return _SheetCanvas(
            *args,
            counts=counts,
            qr_payload=qr_payload,
            seal_marks=not marks.draft,
            created=marks.when,
            **kwargs,
        )

    doc.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()
