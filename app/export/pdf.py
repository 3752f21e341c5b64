"""The seal-ready sheets (SPEC §6): one 症例一覧表 sheet set per used section, A4, IPAex Gothic embedded.

Every page carries the running header (form, applicant), and a footer with the section's page x/y, the
package's short hash, the signing key's fingerprint and a QR code of (form, version, package hash). A draft
has none of the package marks and a 「下書き」 watermark instead.

User text only ever reaches reportlab escaped (`<`, `&` are text, never markup), with control characters
and lone surrogates shown as their code point, and cut to a length that cannot outgrow a page (only
drafts can hold such text: a submittable application is within the form's limits).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final
from xml.sax.saxutils import escape

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.export.fonts import FONT_NAME, missing_glyphs, sheet_font
from app.models.application import Section

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from app.models.application import Application, Case
    from app.models.forms import FormDefinition
    from app.models.yearmonth import YearMonth
    from app.validation import Issue

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X: Final = 36.0
HEADER_HEIGHT: Final = 44.0
FOOTER_HEIGHT: Final = 82.0
CONTENT_WIDTH: Final = PAGE_WIDTH - 2 * MARGIN_X
QR_SIZE: Final = 58.0

CELL_TEXT_LIMIT: Final = 300
"""Characters of one cell shown on paper: a row of this much text still fits on a page."""
REMARK_TEXT_LIMIT: Final = 600
ENROLLMENT_SHOWN: Final = 24

INK = colors.Color(0.1, 0.1, 0.1)
RULE = colors.Color(0.35, 0.35, 0.35)
SHADE = colors.Color(0.91, 0.91, 0.91)
FAINT = colors.Color(0.4, 0.4, 0.4)
WATERMARK = colors.Color(0.55, 0.55, 0.55, alpha=0.22)


@dataclass(frozen=True)
class PackageMark:
    """What each page shows of the package it belongs to."""

    short_hash: str
    qr_payload: str
    fingerprint: str
    created: dt.datetime


@dataclass(frozen=True)
class SheetMarks:
    """The package marks, or None for a draft (watermarked, never to be stamped)."""

    package: PackageMark | None
    draft_errors: int = 0

    @property
    def draft(self) -> bool:
        return self.package is None


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


def markup(text: str, limit: int = CELL_TEXT_LIMIT) -> str:
    """User text as Paragraph markup that can only ever be text."""
    return escape(clipped(printable(text), limit))


def _fit(text: str, width: float, size: float) -> str:
    """`text` cut with … to fit `width` points (for lines drawn straight on the canvas)."""
    font = sheet_font()
    text = printable(text)
    if font.stringWidth(text, size) <= width:
        return text
    while text and font.stringWidth(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


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
        title=style("title", 16, 21, alignment=TA_CENTER),
        label=style("label", 8, 10.5),
        value=style("value", 9, 12),
        head=style("head", 8, 10, alignment=TA_CENTER),
        cell=style("cell", 8.5, 10.5, alignment=TA_LEFT),
        cell_center=style("cell_center", 8.5, 10.5, alignment=TA_CENTER),
        remark_head=style("remark_head", 9, 13),
        remark=style("remark", 8, 11, leftIndent=10, firstLineIndent=-10),
        seal_text=style("seal_text", 9, 14),
        seal_caption=style("seal_caption", 8.5, 11, alignment=TA_CENTER),
    )


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
    choice = form.choices["items"].by_value(case.item)
    if choice is None:
        return case.item
    if choice.requires_text and case.item_other:
        return case.item_other
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

    def para(self, text: str, style: ParagraphStyle, limit: int = CELL_TEXT_LIMIT) -> Paragraph:
        self.texts.append(printable(text))
        return Paragraph(markup(text, limit), style)

    def long_para(self, text: str, style: ParagraphStyle, limit: int) -> Paragraph:
        """A multi-line text (a narrative field): each line as `para` would print it, the breaks kept."""
        lines = clipped(text, limit).split("\n")
        self.texts.extend(printable(line) for line in lines)
        return Paragraph("<br/>".join(escape(printable(line)) for line in lines), style)


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
        Spacer(1, 4),
        *(
            Paragraph(
                form_wording(line.replace("{facility}", "\0")).replace("\0", markup(facility_name)),
                st.seal_text,
            )
            for line in spec.seal_lines
        ),
    ]


def _head_table(
    sheet: SheetTexts, application: Application, section: Section, form: FormDefinition, st: SheetStyles
) -> Table:
    """The applicant, the facility and its 在籍期間, the case count, and the certification with the box for
    the facility's seal (公印), which stays on the first page of the section whatever the table's length."""
    applicant = application.applicant
    label_a, value_a, label_b = 84.0, 170.0, 52.0
    value_b = CONTENT_WIDTH - SEAL_WIDTH - label_a - value_a - label_b
    count = len(section.filled_cases())
    month = applicant.application_month.display() if applicant.application_month else "（未入力）"
    facility = section.facility
    facility_name = facility.name if facility is not None else ""
    spec = form.print
    certification = certification_paragraphs(form, st, facility_name)
    sheet.texts.append(printable(facility_name))
    rows = [
        [
            Paragraph(escape(f"申請者{form.field('name').label}"), st.label),
            sheet.para(applicant.name or "（未入力）", st.value),
            Paragraph(escape(form.field("member_id").label), st.label),
            sheet.para(applicant.member_id or "（未入力）", st.value),
            Paragraph(escape(spec.seal_caption), st.seal_caption),
        ],
        [
            Paragraph(escape(form.facility.label), st.label),
            sheet.para(_facility_text(section, form), st.value),
            "",
            "",
            "",
        ],
        [
            Paragraph("施設在籍期間", st.label),
            Paragraph(escape(_enrollment_text(section)), st.value),
            "",
            "",
            "",
        ],
        [
            Paragraph("登録件数", st.label),
            Paragraph(
                escape(f"{count}件（{_all_sections_label(form)} 合計{application.case_count()}件）"), st.value
            ),
            Paragraph(escape(form.field("application_month").label), st.label),
            Paragraph(escape(month), st.value),
            "",
        ],
        [certification, "", "", "", ""],
    ]
    table = Table(rows, colWidths=[label_a, value_a, label_b, value_b, SEAL_WIDTH])
    table.setStyle(
        TableStyle(
            [
                # Empty (spanned) cells are drawn in the cell font too: no Helvetica in the file.
                ("FONT", (0, 0), (-1, -1), FONT_NAME, 9),
                ("SPAN", (1, 1), (3, 1)),
                ("SPAN", (1, 2), (3, 2)),
                ("SPAN", (0, 4), (3, 4)),
                ("SPAN", (4, 1), (4, 4)),
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
                ("LINEBEFORE", (4, 0), (4, -1), 0.8, RULE),
                ("BACKGROUND", (0, 0), (0, 3), SHADE),
                ("BACKGROUND", (2, 0), (2, 0), SHADE),
                ("BACKGROUND", (2, 3), (2, 3), SHADE),
                ("BACKGROUND", (4, 0), (4, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("VALIGN", (0, 4), (0, 4), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 4), (0, 4), 7),
                ("BOTTOMPADDING", (0, 4), (0, 4), 9),
                ("LEFTPADDING", (0, 4), (0, 4), 8),
            ]
        )
    )
    return table


def _all_sections_label(form: FormDefinition) -> str:
    """「申請2(1)〜(3)」 from the form's section labels."""
    labels = form.sections.labels if form.sections is not None else []
    if len(labels) < 2:
        return "全体"
    first, last = labels[0], labels[-1]
    cut = last.rfind("(")
    return f"{first}〜{last[cut:]}" if cut > 0 and first[:cut] == last[:cut] else f"{first}〜{last}"


COLUMN_WIDTHS: Final = (22.0, 26.0, 28.0, 78.0, 88.0)
"""No., 年齢, 性別, 実施した診療項目, 実施期間; 診断名 and 病理診断名 share the rest."""


def _case_table(sheet: SheetTexts, section: Section, form: FormDefinition, st: SheetStyles) -> Table:
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
    for row, case in section.filled_cases():
        rows.append(
            [
                str(row + 1),
                "" if case.age is None else str(case.age),
                sex_text(case.sex, form),
                sheet.para(_item_text(case, form), st.cell),
                _period(case.start, case.end),
                sheet.para(case.diagnosis, st.cell),
                sheet.para(case.pathology, st.cell),
            ]
        )
    style = [
        ("FONT", (0, 0), (-1, -1), FONT_NAME, 8.5, 10.5),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (2, -1), "CENTER"),
        ("ALIGN", (4, 1), (4, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if len(rows) == 1:
        rows.append([Paragraph("（症例がありません）", st.cell_center), "", "", "", "", "", ""])
        style.append(("SPAN", (0, 1), (-1, 1)))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _remarks(sheet: SheetTexts, issues: list[Issue], st: SheetStyles) -> list[Any]:
    accepted = [
        issue
        for issue in issues
        if not issue.is_error and issue.accepted is not None and issue.section in (None, sheet.index + 1)
    ]
    if not accepted:
        return []
    flowables: list[Any] = [
        Spacer(1, 8),
        Paragraph("注記（警告を確認のうえ登録した症例と、その理由）", st.remark_head),
    ]
    for issue in accepted:
        assert issue.accepted is not None
        sheet.texts.extend((printable(issue.message), printable(issue.accepted)))
        flowables.append(
            Paragraph(
                f"・{markup(issue.message, REMARK_TEXT_LIMIT)}<br/>"
                f"理由：{markup(issue.accepted, REMARK_TEXT_LIMIT)}",
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
    application: Application, index: int, form: FormDefinition, issues: list[Issue], st: SheetStyles
) -> list[Any]:
    section = application.sections[index] if index < len(application.sections) else Section()
    sheet = SheetTexts(index)
    title = f"{form.section_label(index)} {form.print.sheet_title}"
    return [
        Paragraph(escape(title), st.title),
        Spacer(1, 6),
        _head_table(sheet, application, section, form, st),
        Spacer(1, 10),
        _case_table(sheet, section, form, st),
        *_remarks(sheet, issues, st),
        *glyph_note(sheet, st),
    ]


# -- pages ----------------------------------------------------------------------------------------------


def _total_form(index: int) -> str:
    return f"SectionPages{index}"


QR_FORM: Final = "PackageQR"


@dataclass
class _PageCounts:
    """Pages per section, known only once the last page is laid out: the footers draw the totals as PDF
    forms, and the forms are filled in when the document is saved."""

    per_section: dict[int, int] = field(default_factory=dict)


class _SheetCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    def __init__(self, *args: Any, counts: _PageCounts, qr_payload: str | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._counts = counts
        self._qr_payload = qr_payload

    def save(self) -> None:
        for index, total in self._counts.per_section.items():
            self.beginForm(_total_form(index), lowerx=0, lowery=-3, upperx=60, uppery=12)
            self.setFont(FONT_NAME, 9)
            self.setFillColor(INK)
            self.drawString(0, 0, str(total))
            self.endForm()
        if self._qr_payload is not None:
            self.beginForm(QR_FORM, lowerx=0, lowery=0, upperx=QR_SIZE, uppery=QR_SIZE)
            widget = QrCodeWidget(self._qr_payload, barLevel="M", barWidth=QR_SIZE, barHeight=QR_SIZE)
            widget.barBorder = 0
            # The drawing starts in the embedded font too (reportlab's default would name Helvetica).
            drawing = Drawing(QR_SIZE, QR_SIZE, initialFontName=FONT_NAME)
            drawing.add(widget)
            renderPDF.draw(drawing, self, 0, 0)
            self.endForm()
        super().save()


@dataclass(frozen=True)
class _PageDecor:
    """Draws the header, the footer and the watermark of every page. Pages are numbered per sheet set
    (`set_labels`: what the footer shows before a set's x / y, e.g. 「申請2(1)」)."""

    application: Application
    form: FormDefinition
    marks: SheetMarks
    counts: _PageCounts
    set_labels: dict[int, str]

    def on_page(self, index: int) -> Callable[[Any, Any], None]:
        def draw(canvas: Any, doc: Any) -> None:
            number = self.counts.per_section.get(index, 0) + 1
            self.counts.per_section[index] = number
            canvas.saveState()
            if self.marks.draft:
                self._watermark(canvas)
            self._header(canvas)
            self._footer(canvas, index, number)
            canvas.restoreState()

        return draw

    def _watermark(self, canvas: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(WATERMARK)
        canvas.setFont(FONT_NAME, 150)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(35)
        canvas.drawCentredString(0, -50, "下書き")
        canvas.restoreState()

    def _header(self, canvas: Any) -> None:
        top = PAGE_HEIGHT - 26
        canvas.setFillColor(FAINT)
        canvas.setFont(FONT_NAME, 7.5)
        canvas.drawString(MARGIN_X, top, _fit(f"{self.form.society}　{self.form.title}", 300, 7.5))
        applicant = self.application.applicant
        who = f"申請者 {applicant.name or '（未入力）'}　会員番号 {applicant.member_id or '（未入力）'}"
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, _fit(who, CONTENT_WIDTH - 320, 7.5))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 6, PAGE_WIDTH - MARGIN_X, top - 6)

    def _footer(self, canvas: Any, index: int, number: int) -> None:
        rule_y = FOOTER_HEIGHT - 8
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, rule_y, PAGE_WIDTH - MARGIN_X, rule_y)
        qr_x = PAGE_WIDTH - MARGIN_X - QR_SIZE
        # The code is drawn without its own border; 8 pt below the rule and the page margin around it
        # give the four-module quiet zone a scanner needs.
        qr_y = 8.0
        # Page x/y of this sheet set: each section is stamped on its own (JB-3).
        label = self.set_labels[index]
        page_label = f"{label}　{number} / " if label else f"{number} / "
        canvas.setFillColor(INK)
        canvas.setFont(FONT_NAME, 9)
        width = sheet_font().stringWidth(page_label, 9)
        page_x = qr_x - 16 - width - 12
        canvas.drawString(page_x, rule_y - 16, page_label)
        canvas.saveState()
        canvas.translate(page_x + width, rule_y - 16)
        canvas.doForm(_total_form(index))
        canvas.restoreState()

        package = self.marks.package
        left = MARGIN_X
        if package is None:
            canvas.setFont(FONT_NAME, 10)
            canvas.drawString(left, rule_y - 17, "下書き　押印・提出には使えません")
            canvas.setFont(FONT_NAME, 7.5)
            canvas.setFillColor(FAINT)
            errors = self.marks.draft_errors
            why = (
                f"エラー{errors}件。すべて直してから、提出用のPDFとアップロード用ファイルを作成してください。"
                if errors
                else "提出用のPDFとアップロード用ファイルは、下書きではなく通常の作成で出力してください。"
            )
            canvas.drawString(left, rule_y - 31, _fit(why, page_x - left - 8, 7.5))
            return
        canvas.setFont(FONT_NAME, 7.5)
        canvas.setFillColor(FAINT)
        canvas.drawString(left, rule_y - 16, "照合コード")
        canvas.drawString(left + 170, rule_y - 16, f"作成 {package.created.astimezone():%Y-%m-%d %H:%M}")
        canvas.drawString(left, rule_y - 29, "署名鍵の指紋")
        canvas.setFillColor(INK)
        canvas.drawString(left + 50, rule_y - 29, package.fingerprint)
        canvas.setFont(FONT_NAME, 11)
        canvas.drawString(left + 42, rule_y - 16.5, package.short_hash)
        canvas.setFont(FONT_NAME, 6.5)
        canvas.setFillColor(FAINT)
        room = page_x - left - 8
        canvas.drawString(
            left,
            rule_y - 42,
            _fit(
                "照合コードはアップロード用ファイルのハッシュの先頭12桁、QRコードは様式・版・ハッシュ全体です。",
                room,
                6.5,
            ),
        )
        canvas.drawString(
            left,
            rule_y - 52,
            _fit(
                "shorei verify で、この用紙とアップロード用ファイルが対応していることを確かめられます。",
                room,
                6.5,
            ),
        )
        canvas.saveState()
        canvas.translate(qr_x, qr_y)
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
    sets = [
        SheetSet(form.section_label(index), _section_story(application, index, form, issues, st))
        for index in used_section_indexes(application)
    ]
    return render_pages(application, form, marks, sets)


@dataclass(frozen=True)
class SheetSet:
    """Pages numbered together (x / y) under one label: a section's sheets, or all of a case-report PDF."""

    label: str
    story: list[Any]


def render_pages(
    application: Application, form: FormDefinition, marks: SheetMarks, sets: list[SheetSet]
) -> bytes:
    """A4 pages of the sheet sets in order, each page with the running header, the footer (page x / y of
    its set, and the package marks or the draft notice) and, for a draft, the watermark."""
    sheet_font()
    counts = _PageCounts()
    decor = _PageDecor(
        application, form, marks, counts, {index: item.label for index, item in enumerate(sets)}
    )
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
        )
        for index in range(len(sets))
    ]
    story: list[Any] = []
    for index, item in enumerate(sets):
        if index:
            story += [NextPageTemplate(f"set-{index}"), PageBreak()]
        story += item.story
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=templates,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=HEADER_HEIGHT,
        bottomMargin=FOOTER_HEIGHT,
        title=f"{form.title} {form.print.sheet_title}",
        subject="下書き"
        if marks.draft
        else f"照合コード {marks.package.short_hash}"
        if marks.package
        else "",
        creator="Shorei",
        author="",
        invariant=True,
        # Every page starts in the embedded font, so the file names no font it does not carry (Helvetica).
        initialFontName=FONT_NAME,
    )
    qr_payload = marks.package.qr_payload if marks.package is not None else None

    def canvas_maker(*args: Any, **kwargs: Any) -> _SheetCanvas:
        return _SheetCanvas(*args, counts=counts, qr_payload=qr_payload, **kwargs)

    doc.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()
