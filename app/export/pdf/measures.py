"""The page's geometry, the type sizes, the lengths of text shown and the colours of every PDF sheet.

Print-safe (SPEC §6): nothing is drawn within 12 mm of a paper edge (printers lose the outer ~4 mm; SPEC
asks 10 mm), and the QR code is large enough to decode from a 100 dpi scan, its quiet zone kept clear.
"""

from __future__ import annotations

from typing import Final

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4

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

SEAL_WIDTH: Final = 112.0
