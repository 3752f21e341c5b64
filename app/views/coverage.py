"""The coverage panel (JS-2): the seven 症例区分, how many cases each has, and which are still missing.

What counts is the form's `[coverage]` (at least `min_each` per category, at most `max_each` where the
form says so, as in 専門医移行申請's one each); whether the application meets it is the rules'
(`category-coverage` issues), which the panel shows beside the counts.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.validation.jspm import coverage_counts

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import Application
    from app.models.forms import FormDefinition
    from app.validation import Issue

OK_STYLE = "QLabel { color: #1e7b34; }"
MISSING_STYLE = "QLabel { color: #b3261e; font-weight: bold; }"
OVER_STYLE = "QLabel { color: #a15c00; font-weight: bold; }"


def coverage_rule_text(form: FormDefinition) -> str:
    """The form's requirement in words: 「7区分すべてに1例以上」 or 「7区分に1例ずつ（各区分ちょうど1例）」."""
    coverage = form.coverage
    if coverage is None:
        return ""
    count = sum(option.counts_for_coverage for option in form.choices[coverage.choices].options)
    if coverage.max_each is not None and coverage.max_each == coverage.min_each:
        return f"{count}区分に{coverage.min_each}例ずつ（各区分ちょうど{coverage.min_each}例）"
    if coverage.max_each is not None:
        return f"{count}区分それぞれ{coverage.min_each}〜{coverage.max_each}例"
    return f"{count}区分すべてに{coverage.min_each}例以上"


def _restyle(label: QLabel, style: str) -> None:
    if label.styleSheet() != style:  # a style sheet set again re-polishes the widget, even if unchanged
        label.setStyleSheet(style)


class CoveragePanel(QFrame):
    """症例区分の充足: a tick or the count for each category, and the ones still missing."""

    COLUMNS = 3
    """Three categories a line, so the case list can give the editor half of a 1366-pixel window."""

    def __init__(self, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = form
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        self.title = QLabel(self.tr("症例区分の充足（{rule}）").format(rule=coverage_rule_text(form)), self)
        self.title.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(0)
        self.cells: dict[str, QLabel] = {}
        choices = form.choices[form.coverage.choices].options if form.coverage is not None else []
        for position, choice in enumerate(option for option in choices if option.counts_for_coverage):
            cell = QLabel(self)
            cell.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(cell, position // self.COLUMNS, position % self.COLUMNS)
            self.cells[choice.value] = cell
        layout.addLayout(grid)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

    def show_application(self, application: Application, issues: Sequence[Issue]) -> None:
        coverage = self._form.coverage
        if coverage is None:
            return
        missing: list[str] = []
        over: list[str] = []
        marks = {"missing": ("✗", MISSING_STYLE), "over": ("!", OVER_STYLE), "ok": ("✓", OK_STYLE)}
        for category in coverage_counts(self._form, application):
            mark, style = marks[category.state]
            {"missing": missing, "over": over, "ok": []}[category.state].append(category.choice.label)
            cell = self.cells[category.choice.value]
            cell.setText(f"{mark} {category.choice.label} {category.count}")
            _restyle(cell, style)
        parts: list[str] = []
        if missing:
            parts.append(self.tr("まだない区分: {names}").format(names="、".join(missing)))
        if over:
            parts.append(
                self.tr("多すぎる区分: {names}（各区分{n}例まで）").format(
                    names="、".join(over), n=coverage.max_each
                )
            )
        if not parts:
            parts.append(self.tr("すべての区分がそろっています"))
        self.summary.setText("　".join(parts))
        _restyle(self.summary, MISSING_STYLE if missing or over else OK_STYLE)
        coverage_issues = [i for i in issues if i.code == "category-coverage"]
        self.setToolTip("\n".join(i.message for i in coverage_issues) or self.summary.text())


def coverage_in_one_line(issues: Sequence[Issue]) -> list[Issue]:
    """The problems list's issues with the coverage ones (one per missing 症例区分) folded into a single
    line that points to the coverage panel, where each category is shown: said once, not twice."""
    coverage = [issue for issue in issues if issue.code == "category-coverage"]
    if len(coverage) <= 1:
        return list(issues)
    first = coverage[0]
    line = dataclasses.replace(
        first,
        place="症例区分",
        text=f"{len(coverage)}区分が条件を満たしていません（「症例区分の充足」欄に区分ごとに表示）",
    )
    return [line if issue is first else issue for issue in issues if issue is first or issue not in coverage]
