"""The A4 pages every PDF sheet set is laid out on, and what each page carries besides its story.

Every page carries the sheet head (form, applicant with 会員番号, section and facility, page x/y of its
set) and a footer with the package's 照合コード, its full SHA-256, the signing key's fingerprint, what the
code is a hash of and how to check the files without Shorei, and a QR code of (form, version, package
hash). A set of more than one page has a 割印 box on each page. A draft has none of the package marks:
a 「下書き」 watermark instead, and a footer saying why it cannot be sealed.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate

from app.export.fonts import FONT_NAME, runs, sheet_font, text_width
from app.export.linebreak import break_lines
from app.export.pdf.measures import (
    CONTENT_WIDTH,
    FAINT,
    FOOTER_HEIGHT,
    HEADER_HEIGHT,
    INK,
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_MARGIN,
    PAGE_WIDTH,
    QR_QUIET,
    QR_SIZE,
    RULE,
    SEAL_MARK_SIZE,
    WATERMARK,
)
from app.export.pdf.text import printable, sheet_title

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from app.models.application import Application
    from app.models.forms import FormDefinition


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
