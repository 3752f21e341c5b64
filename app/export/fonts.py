"""The Japanese fonts of the printed sheets: IPAex Gothic, bundled in `resources/fonts/`, embedded as subsets,
and a fallback for the characters of names it lacks (𠮷 …): a small subset of IPAmj明朝, drawn per character
(`runs` splits a text by the font that draws each character).

Two things reportlab 5 does not do for us, and a physician's text needs both:

- A character the font lacks is silently dropped from the text layer. Here it is drawn from the fallback
  font when that has it; otherwise (emoji …) it prints as the font's empty box (.notdef) and still reads as
  itself when the PDF's text is copied or searched, and `missing_glyphs` lets the sheet say which
  characters could not be drawn.
- Characters outside the BMP get a malformed ToUnicode entry (five hex digits, read back as another
  character). Here the ToUnicode maps are written in UTF-16BE, as the PDF reference requires.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFError, TTFont

from app.resources import resource_path

if TYPE_CHECKING:
    from collections.abc import Iterable

FONT_NAME: Final = "ShoreiIPAexGothic"
FONT_FILE: Final = "ipaexg.ttf"
FALLBACK_FONT_NAME: Final = "ShoreiFallbackMincho"
FALLBACK_FONT_FILE: Final = "shorei-fallback-mincho.ttf"


class _NotdefForMissing(dict[int, int]):
    """A character-to-glyph map in which every code point is present: those the font lacks map to glyph 0
    (.notdef), so reportlab gives them a code and a ToUnicode entry instead of dropping them."""

    def __init__(self, real: dict[int, int]) -> None:
        super().__init__(real)
        self.real: frozenset[int] = frozenset(real)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int) and 0 <= code <= 0x10FFFF

    def __missing__(self, code: int) -> int:
        return 0


def _utf16_hex(code: int) -> str:
    # Lone surrogates cannot be encoded; they show as U+FFFD, which is what they are worth as text.
    char = chr(code) if not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return char.encode("utf-16-be").hex().upper()


def to_unicode_cmap(font_name: str, subset: list[int]) -> str:
    """A ToUnicode CMap for one 256-code subset, with UTF-16BE destinations (surrogate pairs beyond BMP)."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({font_name})",
        f"/Ordering ({font_name})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{font_name} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
    ]
    # A bfchar block holds at most 100 entries (PDF reference, 5.9.2).
    for start in range(0, len(subset), 100):
        chunk = subset[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{start + i:02X}> <{_utf16_hex(code)}>" for i, code in enumerate(chunk))
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


class SheetFont(TTFont):  # type: ignore[misc]  # reportlab has no type hints
    """IPAex Gothic with missing characters kept as text and correct ToUnicode maps (see module doc)."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self.face.charToGlyph = _NotdefForMissing(self.face.charToGlyph)

    def has_glyph(self, char: str) -> bool:
        char_to_glyph: _NotdefForMissing = self.face.charToGlyph
        return ord(char) in char_to_glyph.real

    def addObjects(self, doc: Any) -> None:
        # The base class forgets the document's subsets once it has written them: read them first.
        state = self.state.get(doc)
        subsets: list[list[int]] = [] if state is None else [list(subset) for subset in state.subsets]
        super().addObjects(doc)
        for number, subset in enumerate(subsets):
            base = b"".join((SUBSETN(number), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject["toUnicodeCMap:" + base]
            stream.content = to_unicode_cmap(base, subset)


class FontMissingError(Exception):
    """The bundled font is missing or unreadable (a damaged installation); one Japanese line."""


def _registered(name: str, file: str) -> SheetFont:
    try:
        found = pdfmetrics.getFont(name)
    except KeyError:
        found = None
    if isinstance(found, SheetFont):
        return found
    if found is None:
        path = resource_path("fonts", file)
        try:
            font = SheetFont(name, str(path))
        except (OSError, TTFError) as error:
            raise FontMissingError(
                f"印刷用のフォント {path} を読み込めません（{error}）。Shorei を入れ直してください"
            ) from None
        pdfmetrics.registerFont(font)
    font = pdfmetrics.getFont(name)
    assert isinstance(font, SheetFont)
    return font


def sheet_font() -> SheetFont:
    """The registered sheet font, loaded on first use (about 0.2 s for the 6 MB file), then reused; the
    fallback font is registered with it."""
    font = _registered(FONT_NAME, FONT_FILE)
    _registered(FALLBACK_FONT_NAME, FALLBACK_FONT_FILE)
    return font


def fallback_font() -> SheetFont:
    sheet_font()
    return _registered(FALLBACK_FONT_NAME, FALLBACK_FONT_FILE)


def runs(text: str) -> list[tuple[str, str]]:
    """`text` as (font name, text) runs, each drawn whole by one font: IPAex Gothic, or the fallback for
    the characters only it has."""
    main = sheet_font().face.charToGlyph.real
    if all(ord(char) in main for char in text):
        return [(FONT_NAME, text)] if text else []
    fallback = fallback_font().face.charToGlyph.real
    out: list[tuple[str, str]] = []
    for char in text:
        code = ord(char)
        name = (
            FALLBACK_FONT_NAME if code not in main and code in fallback and not char.isspace() else FONT_NAME
        )
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + char)
        else:
            out.append((name, char))
    return out


def text_width(text: str, size: float) -> float:
    """The width of `text` in points as the sheets draw it (each run in its own font)."""
    font = sheet_font()
    main = font.face.charToGlyph.real
    if all(ord(char) in main for char in text):
        return float(font.stringWidth(text, size))
    return float(sum(pdfmetrics.stringWidth(part, name, size) for name, part in runs(text)))


def missing_glyphs(texts: Iterable[str]) -> list[str]:
    """Characters of `texts` neither sheet font can draw, in order of first appearance (white space aside)."""
    font = sheet_font()
    fallback = fallback_font()
    seen: dict[str, None] = {}
    for text in texts:
        for char in text:
            if (
                char not in seen
                and not char.isspace()
                and not font.has_glyph(char)
                and not fallback.has_glyph(char)
            ):
                seen[char] = None
    return list(seen)
