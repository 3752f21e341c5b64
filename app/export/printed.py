"""What a sheet PDF prints of its package, read back from the PDF's text (`shorei verify --pdf`, SPEC §6).

Every page of a final (not draft) sheet PDF prints, in its footer, the 照合コード, the full package hash
(SHA-256 of the package's canonical `content`) and the fingerprint of the key that signed the package.
`read_printed_marks` extracts them page by page with pdfium, so verify can check that the PDF shows the
very package it is given, signed by the key it names, and not merely that the package states the PDF's
SHA-256 (which anyone can copy into a package of other content).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_CODE: Final = re.compile(r"照合コード\s*([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})")
_HASH: Final = re.compile(r"SHA-256\s*([0-9a-f]{64})(?![0-9a-f])")
# The footer's key, not a 指導者's (「指導者の署名鍵の指紋」 on JSPM case pages, its label maybe wrapped
# after 「の」 in its narrow cell).
_KEY: Final = re.compile(r"(?<!指導者の)(?<!指導者の )署名鍵の指紋\s*((?:[0-9a-f]{4}-){7}[0-9a-f]{4})")


class UnreadablePdfError(Exception):
    """The bytes are not a PDF pdfium can open. `str()` is one Japanese line."""


@dataclass(frozen=True)
class PageMarks:
    """What one page prints: None for a mark the page does not show."""

    code: str | None
    package_hash: str | None
    fingerprint: str | None
    conflicting: tuple[str, ...] = ()
    """The marks the page prints with two different values (one of them typed into a free text to pass
    for the footer's): such a page shows no package for certain."""


def read_printed_marks(pdf: bytes) -> list[PageMarks]:
    """The marks printed on each page of `pdf`, in page order."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as error:
        raise UnreadablePdfError(f"PDF として開けません（{error}）") from None
    pages: list[PageMarks] = []
    try:
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            text = text_page.get_text_bounded()
            text_page.close()
            page.close()
            pages.append(_marks(text))
    finally:
        document.close()
    return pages


def _marks(text: str) -> PageMarks:
    squeezed = re.sub(r"[ \t\r\n\u3000]+", " ", text)
    found = {name: set(pattern.findall(squeezed)) for name, pattern in _MARKS.items()}
    # The footer is not the only text on the page: a mark typed into a case or a facility name must not
    # pass for it, so every occurrence must print the same value.
    conflicting = tuple(name for name, values in found.items() if len(values) > 1)
    single = {name: next(iter(values)) if len(values) == 1 else None for name, values in found.items()}
    return PageMarks(single["照合コード"], single["SHA-256"], single["署名鍵の指紋"], conflicting)


_MARKS: Final = {"照合コード": _CODE, "SHA-256": _HASH, "署名鍵の指紋": _KEY}
