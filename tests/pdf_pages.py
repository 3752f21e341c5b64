"""Reading printed PDFs the way a scanner and a reader would, without poppler (the suite runs on Windows):
pages rendered with pypdfium2, QR codes decoded with zxingcpp, text and fonts read through pdfium."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pypdfium2
import pypdfium2.raw as pdfium_c
import zxingcpp

if TYPE_CHECKING:
    from pathlib import Path

    from PIL.Image import Image

MM_PER_INCH = 25.4


def page_count(path: Path) -> int:
    document = pypdfium2.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def render(path: Path, dpi: float) -> list[Image]:
    """Every page as a grayscale image at `dpi`, as a scanner at that resolution would see it."""
    document = pypdfium2.PdfDocument(path)
    try:
        return [
            document[index].render(scale=dpi / 72, grayscale=True).to_pil() for index in range(len(document))
        ]
    finally:
        document.close()


def page_texts(path: Path) -> list[str]:
    """The text of every page, in reading order as pdfium extracts it."""
    document = pypdfium2.PdfDocument(path)
    try:
        texts = []
        for index in range(len(document)):
            text_page = document[index].get_textpage()
            texts.append(text_page.get_text_bounded())
            text_page.close()
        return texts
    finally:
        document.close()


def squeezed(text: str) -> str:
    return "".join(text.split())


def ink_near_edges(image: Image, dpi: float, mm: float) -> list[str]:
    """The edges (top, bottom, left, right) of a page image with anything darker than paper within `mm`."""
    width, height = image.size
    band = round(mm / MM_PER_INCH * dpi)
    strips = {
        "top": (0, 0, width, band),
        "bottom": (0, height - band, width, height),
        "left": (0, 0, band, height),
        "right": (width - band, 0, width, height),
    }
    dirty = []
    for edge, box in strips.items():
        low, _high = image.crop(box).getextrema()
        assert isinstance(low, (int, float)), "a grayscale page"
        if low < 250:
            dirty.append(edge)
    return dirty


def qr_texts(image: Image) -> list[str]:
    return [
        result.text
        for result in zxingcpp.read_barcodes(image)
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


@dataclass(frozen=True)
class TextRun:
    """One text object of a page: its text, the font's base name, and whether the font is embedded."""

    text: str
    font: str
    embedded: bool


def text_runs(path: Path) -> list[TextRun]:
    """Every text object of every page, form XObjects included, with the font it is drawn in."""
    document = pypdfium2.PdfDocument(path)
    runs: list[TextRun] = []
    try:
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=8):
                size = pdfium_c.FPDFTextObj_GetText(item.raw, text_page.raw, None, 0)
                buffer = ctypes.create_string_buffer(size)
                pdfium_c.FPDFTextObj_GetText(
                    item.raw, text_page.raw, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size
                )
                text = buffer.raw[: max(size - 2, 0)].decode("utf-16-le")
                font = pdfium_c.FPDFTextObj_GetFont(item.raw)
                length = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
                name = ctypes.create_string_buffer(length)
                pdfium_c.FPDFFont_GetBaseFontName(font, name, length)
                runs.append(TextRun(text, name.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
            text_page.close()
    finally:
        document.close()
    return runs


def metadata(path: Path) -> dict[str, str]:
    document = pypdfium2.PdfDocument(path)
    try:
        return dict(document.get_metadata_dict())
    finally:
        document.close()
