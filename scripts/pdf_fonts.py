"""Lists the fonts a PDF's text uses and whether each is embedded, read with pypdfium2 (no poppler).

    uv run python scripts/pdf_fonts.py FILE.pdf [--require-embedded NAME]

Prints one line per font (`embedded  IPAexGothic`); with --require-embedded exits 1 unless a font whose
name contains NAME is embedded. scripts/windows/build.sh checks the built Windows program's PDF with it.
"""

from __future__ import annotations

import argparse
import ctypes
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c


def pdf_fonts(path: Path) -> dict[str, bool]:
    """Base font name → embedded, for every font a text object on any page uses."""
    fonts: dict[str, bool] = {}
    document = pdfium.PdfDocument(path)
    try:
        for page in document:
            for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
                font = pdfium_c.FPDFTextObj_GetFont(item.raw)
                if not font:
                    continue
                size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
                buffer = ctypes.create_string_buffer(size)
                pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
                name = buffer.value.decode("utf-8", errors="replace")
                fonts[name] = fonts.get(name, False) or bool(pdfium_c.FPDFFont_GetIsEmbedded(font))
            page.close()
    finally:
        document.close()
    return fonts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--require-embedded", metavar="NAME")
    args = parser.parse_args()
    fonts = pdf_fonts(args.pdf)
    for name, embedded in sorted(fonts.items()):
        print(f"{'embedded' if embedded else 'NOT embedded'}  {name}")
    if args.require_embedded and not any(args.require_embedded in n and e for n, e in fonts.items()):
        print(f"{args.pdf}: no embedded font named like {args.require_embedded}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
