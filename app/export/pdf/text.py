"""User text and the form's wording as reportlab paragraphs, and the sheets' paragraph styles.

User text only ever reaches reportlab escaped (`<`, `&` are text, never markup), with control characters
and lone surrogates shown as their code point, and cut to a length that cannot outgrow a page (only
drafts can hold such text: a submittable application is within the form's limits). Lines are broken by
the Japanese rules of app.export.linebreak, and characters IPAex lacks are drawn from the fallback font.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Spacer

from app.export.fonts import FALLBACK_FONT_NAME, FONT_NAME, missing_glyphs, runs, sheet_font, text_width
from app.export.linebreak import break_lines
from app.export.pdf.measures import CELL_LEADING, CELL_SIZE, CELL_TEXT_LIMIT, ERROR_MARK, INK

if TYPE_CHECKING:
    from app.models.forms import FormDefinition


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


def sex_text(sex: str | None, form: FormDefinition) -> str:
    """性別 as the form labels it (男性, 女性)."""
    if sex is None:
        return ""
    choice = form.choices["sex"].by_value(sex)
    return choice.label if choice is not None else sex


def marked(text_markup: str, numbers: list[int]) -> str:
    if not numbers:
        return text_markup
    tag = "".join(f"※{number}" for number in numbers)
    return f'<font size="6.5" color="{ERROR_MARK}">{tag}</font> {text_markup}'


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
