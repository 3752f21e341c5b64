"""Reading the PDFs Shorei writes, for the tests, with pypdfium2 (a pinned wheel on every OS) instead of
poppler's command-line tools: the tests need no system package and run on Windows as on Linux.

`page_texts` reads text the way `pdftotext -raw` does: in drawing order, the pieces drawn on one baseline
joined into one line (a table row comes out as its cells left to right). `fonts` lists the fonts the way
`pdffonts` does, from the PDF's own font dictionaries: name with its subset tag, embedded, subset, and
whether a ToUnicode map lets a reader copy the text.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

_SAME_LINE = 2.0
"""Pieces whose baselines differ by less than this many points are one line."""


def page_texts(path: Path) -> list[str]:
    """The text of each page, one line per baseline, white space as single ASCII spaces."""
    document = pdfium.PdfDocument(path)
    try:
        return [_page_text(document[index]) for index in range(len(document))]
    finally:
        document.close()


def text(path: Path) -> str:
    """All pages' text, each page followed by a form feed (as pdftotext separates them)."""
    return "".join(page + "\f" for page in page_texts(path))


def page_count(path: Path) -> int:
    document = pdfium.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def _page_text(page: pdfium.PdfPage) -> str:
    lines: list[str] = []
    previous: _Piece | None = None
    # PDFium's text page may reorder what one baseline holds; pdftotext -raw keeps the drawing order.
    drawn = {_address(item.raw): number for number, item in enumerate(page.get_objects())}
    pieces = sorted(_pieces(page.get_textpage()), key=lambda piece: drawn.get(piece.handle, len(drawn)))
    for piece in pieces:
        # PDFium gives UTF-16 code units: a character beyond the BMP comes as a surrogate pair.
        words = " ".join(piece.text.encode("utf-16-le", "surrogatepass").decode("utf-16-le").split())
        if not words:
            continue
        if previous is None or abs(piece.y - previous.y) >= _SAME_LINE or piece.left < previous.left:
            # A new line where the baseline moves, or where drawing goes back to the left on the same one.
            lines.append(words)
        elif (
            piece.left - previous.right > _GAP * piece.size
            or piece.text[:1].isspace()
            or previous.text[-1:].isspace()
        ):
            lines[-1] += " " + words
        else:
            # Drawn right after the previous piece (a font switch inside a word splits it): no space.
            lines[-1] += words
        previous = piece
    return "".join(line + "\n" for line in lines)


_GAP = 0.1
"""Pieces further apart than this fraction of the font size are separate words."""


@dataclass
class _Piece:
    handle: int
    text: str
    left: float
    right: float
    y: float
    size: float


def _pieces(textpage: pdfium.PdfTextPage) -> Iterator[_Piece]:
    """The runs of characters drawn by one text object, in drawing order, in page coordinates, without the
    characters PDFium adds between them (generated spaces and line breaks)."""
    current: _Piece | None = None
    handle_of_current = 0
    box = pdfium_c.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    for index in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage, index) == 1:
            continue
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        handle = _address(pdfium_c.FPDFText_GetTextObject(textpage, index))
        if not code or not handle:
            continue
        pdfium_c.FPDFText_GetLooseCharBox(textpage, index, box)
        pdfium_c.FPDFText_GetCharOrigin(textpage, index, x, y)
        if current is None or handle != handle_of_current:
            if current is not None:
                yield current
            size = pdfium_c.FPDFText_GetFontSize(textpage, index) or 10.0
            current = _Piece(handle, "", box.left, box.right, y.value, size)
            handle_of_current = handle
        current.text += chr(code)
        current.left = min(current.left, box.left)
        current.right = max(current.right, box.right)
    if current is not None:
        yield current


def _address(handle: Any) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


@dataclass(frozen=True)
class PdfFont:
    name: str
    """As the file names it, with the six-letter subset tag (`AAAAAA+IPAexGothic`)."""
    embedded: bool
    subset: bool
    to_unicode: bool


_OBJECT = re.compile(rb"(\d+)\s+(\d+)\s+obj\s*<<")
_REFERENCE = rb"\s+(\d+)\s+\d+\s+R"


def fonts(path: Path) -> list[PdfFont]:
    """Every font dictionary of the file (descendants of composite fonts count with their parent)."""
    data = path.read_bytes()
    if b"/ObjStm" in data:
        raise ValueError(f"{path}: uses object streams, which this reader does not parse")
    objects = {int(match[1]): _dictionary(data, match.end() - 2) for match in _OBJECT.finditer(data)}
    descendants = {
        int(number)
        for body in objects.values()
        for number in re.findall(rb"/DescendantFonts\s*\[\s*(\d+)\s+\d+\s+R", body)
    }
    found = []
    for number, body in sorted(objects.items()):
        if not re.search(rb"/Type\s*/Font\b", body) or number in descendants:
            continue
        name = re.search(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", body)
        font_name = name[1].decode("latin-1") if name else ""
        # A composite (Type0) font keeps its descriptor in its descendant font.
        holder = body
        descendant = re.search(rb"/DescendantFonts\s*\[\s*(\d+)\s+\d+\s+R", body)
        if descendant:
            holder = objects.get(int(descendant[1]), b"")
        descriptor = re.search(rb"/FontDescriptor" + _REFERENCE, holder)
        descriptor_body = objects.get(int(descriptor[1]), b"") if descriptor else b""
        found.append(
            PdfFont(
                name=font_name,
                embedded=re.search(rb"/FontFile[23]?\s", descriptor_body) is not None,
                subset=re.match(r"[A-Z]{6}\+", font_name) is not None,
                to_unicode=b"/ToUnicode" in body,
            )
        )
    return found


def _dictionary(data: bytes, start: int) -> bytes:
    """The bytes of the dictionary that opens at `start` (`<<`), up to its matching `>>`."""
    depth = 0
    index = start
    while index < len(data) - 1:
        pair = data[index : index + 2]
        if pair == b"<<":
            depth += 1
            index += 2
            continue
        if pair == b">>":
            depth -= 1
            index += 2
            if depth == 0:
                return data[start:index]
            continue
        if data[index : index + 1] == b"(":
            index = _skip_string(data, index)
            continue
        index += 1
    return data[start:]


def _skip_string(data: bytes, index: int) -> int:
    depth = 0
    while index < len(data):
        char = data[index : index + 1]
        if char == b"\\":
            index += 2
            continue
        if char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return index
