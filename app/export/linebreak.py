"""Japanese line breaking for the printed sheets (JIS X 4051, simplified): where a line may end.

reportlab's CJK wrapping breaks between any two characters, so a cell could end a line with 「（」 or start
one with 「）」, 「ー」 or a small kana, split 「NSCLC」 or leave one character alone on the last line. Here the
lines are chosen before reportlab sees the text, by width, with these rules (kinsoku):

- no line starts with a closing bracket, a 、。 mark, a small kana, 「ー」 or 「々」 (NO_START);
- no line ends with an opening bracket (NO_END), and a range 2020/04/01〜2030/03/31 is not split at 〜;
- a katakana word is not split when the line can end before it and keep half its length;
- a run of Latin letters, digits and signs (a code, 2024/05, an English word) is not split when it fits
  a line;
- a last line of one character takes a second one from the line before, where the rules allow it.

A break that no rule allows (a line of closing brackets) falls back to the width alone: the text always fits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable

NO_START: Final = frozenset(
    "、。，．,.・：；:;？！?!ー－‐〜～…‥々ゝゞヽヾ"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "）〕］｝〉》」』】〙〗〟’”)]}％%゛゜"
)
NO_END: Final = frozenset("（〔［｛〈《「『【〘〖〝‘“([{￥＄＃＠#$")


def _joined(left: str, right: str) -> bool:
    """True when a line may not break between `left` and `right`."""
    if right in NO_START or left in NO_END:
        return True
    if "〜" in (left, right) and (left + right).replace("〜", "").isdigit():
        return True  # a range of dates or numbers, 2020/04/01〜2030/03/31, stays on one line
    return left.isascii() and right.isascii() and not left.isspace() and not right.isspace()


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` as lines no wider than `width` (as `measure` gives it), broken by the rules above. Line
    breaks already in `text` are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += _break_paragraph(paragraph, width, measure)
    return lines


def _break_paragraph(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    if not text or measure(text) <= width:
        return [text]
    lines: list[str] = []
    start = 0
    while start < len(text):
        end = _fill(text, start, width, measure)
        if end >= len(text):
            lines.append(text[start:])
            break
        cut = end
        while cut > start + 1 and _joined(text[cut - 1], text[cut]):
            cut -= 1
        if cut <= start + 1 and _joined(text[cut - 1], text[cut]):
            cut = end
        cut = _out_of_word(text, start, cut)
        lines.append(text[start:cut])
        start = cut
        while start < len(text) and text[start] == " ":
            start += 1
    return _no_lone_last(lines)


def _katakana(char: str) -> bool:
    return "ァ" <= char <= "ヺ" or char == "ー"


def _out_of_word(text: str, start: int, cut: int) -> int:
    """A cut moved back out of a katakana word (スピリチュ／アル), when the line keeps half its length and
    the rules allow the earlier break."""
    if not (_katakana(text[cut - 1]) and _katakana(text[cut])):
        return cut
    earlier = cut
    while earlier > start and _katakana(text[earlier - 1]):
        earlier -= 1
    if (
        earlier - start >= (cut - start) / 2
        and earlier > start
        and not _joined(text[earlier - 1], text[earlier])
    ):
        return earlier
    return cut


def _fill(text: str, start: int, width: float, measure: Callable[[str], float]) -> int:
    """The end of the longest run from `start` that fits `width` (at least one character)."""
    low, high = start + 1, len(text)
    if measure(text[start:high]) <= width:
        return high
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[start:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _no_lone_last(lines: list[str]) -> list[str]:
    if len(lines) < 2 or len(lines[-1]) != 1 or len(lines[-2]) < 3:
        return lines
    before, last = lines[-2], lines[-1]
    if _joined(before[-2], before[-1]):
        return lines
    return [*lines[:-2], before[:-1], before[-1] + last]
