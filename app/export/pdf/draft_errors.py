"""The errors of a draft on paper: each cell with an error marked ※n, and the numbered list after the cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph, Spacer

from app.export.pdf.measures import ERROR_MARK, REMARK_TEXT_LIMIT
from app.export.pdf.text import SheetStyles, markup

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.models.forms import FormDefinition
    from app.validation import Issue


@dataclass
class ErrorMarks:
    """The errors of a draft, numbered in the order the sheets print them: each marked cell shows ※n and
    the list after the cases says what n is. `where` names a place for the list (「No.3 診断名」)."""

    issues: list[Issue]
    listed: list[tuple[int, str, str]] = field(default_factory=list)
    _numbers: dict[int, int] = field(default_factory=dict)

    form: FormDefinition | None = None
    """With a form, the list gives each issue's text without its place (it says the place in the printed
    numbering); without one, the whole message."""
    renumber: Callable[[Issue, str], str] | None = None
    """Rewrites a message's row references into the printed numbering."""

    def numbers(self, match: Callable[[Issue], bool], where: str) -> list[int]:
        """The numbers of the errors `match` selects (numbering those not numbered yet)."""
        out = []
        for position, issue in enumerate(self.issues):
            if not issue.is_error or not match(issue):
                continue
            if position not in self._numbers:
                self._numbers[position] = len(self._numbers) + 1
                # The sheets say the place in their own numbering: the list takes the text alone.
                text = issue.text if where and self.form else issue.message
                if self.renumber is not None:
                    text = self.renumber(issue, text)
                self.listed.append((self._numbers[position], where, text))
            out.append(self._numbers[position])
        return out

    def rest(self, match: Callable[[Issue], bool], where: str) -> None:
        """Number the errors `match` selects that no cell showed."""
        self.numbers(match, where)


def error_list(marks: ErrorMarks, st: SheetStyles, *, start: int = 0) -> list[Any]:
    """The numbered errors listed from `start` on (a draft's last block)."""
    shown = marks.listed[start:]
    if not shown:
        return []
    flowables: list[Any] = [
        Spacer(1, 8),
        Paragraph(
            escape("エラー一覧（下書き：直すまで提出できません。※の番号は表の印と対応）"), st.remark_head
        ),
    ]
    for number, where, message in shown:
        place = f"{where}：" if where else ""
        flowables.append(
            Paragraph(
                f'<font color="{ERROR_MARK}">※{number}</font> {markup(place + message, REMARK_TEXT_LIMIT)}',
                st.remark,
            )
        )
    return flowables


def finding(issue: Issue) -> str:
    """What a warning found, without the place and the program's advice: its first sentence."""
    head, _, _rest = issue.text.partition("。")
    return head
