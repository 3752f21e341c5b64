"""Supervisor mode (指導者): one requested case as the review screen shows it, every field read-only
beside a comment box, with its decision (承認 / 非承認) and the banner when its period is outside the
指導者's certification.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.approval.response import comment_fields
from app.approval.review import FACILITY, WHOLE_CASE, Review, ReviewCase

if TYPE_CHECKING:
    from app.models.application import CaseReport
    from app.models.forms import FormDefinition


STATE_LABELS: Final = {None: "承認依頼中", "approved": "承認", "rejected": "非承認"}
STATE_COLOURS: Final = {None: "#5f6368", "approved": "#1e7b34", "rejected": "#b3261e"}
RED_BANNER: Final = "background: #fde7e9; color: #8c1d18; border: 1px solid #e8a7a3; padding: 6px;"


def local_time(stamp: str | None, pattern: str = "%Y/%m/%d %H:%M") -> str:
    """A UTC timestamp of a file as local time; the raw text if it is not one."""
    if not stamp:
        return ""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime(pattern)
    except ValueError:
        return stamp


def date_text(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%Y/%m/%d}"


def value_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # what a request says is text, never markup
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


class CommentBox(QPlainTextEdit):
    """A comment on one field: one line high when empty, growing with what is written (up to five lines,
    then it scrolls), so a long remark on a narrative field can be read whole. Tab moves on."""

    MAX_LINES: Final = 5

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self.document().setDocumentMargin(3)
        self.document().documentLayout().documentSizeChanged.connect(lambda _: self._fit())
        self._fit()

    def _fit(self) -> None:
        wanted = int(self.document().size().height())
        lines = max(1, min(self.MAX_LINES, wanted))
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if wanted > self.MAX_LINES
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        margins = self.contentsMargins()
        height = (
            lines * self.fontMetrics().lineSpacing()
            + 2 * round(self.document().documentMargin())
            + margins.top()
            + margins.bottom()
            + 2
        )
        self.setFixedHeight(height)


def _mark_commented(box: QWidget, text: str) -> None:
    """A comment box that holds a comment stands out, so the 指導者 sees at a glance what they wrote."""
    box.setStyleSheet("background: #fff6d5;" if text.strip() else "")


class _ScrollIntoView(QObject):
    """Keeps a focused comment box visible inside the scroll area while tabbing through the fields."""

    def __init__(self, area: QScrollArea) -> None:
        super().__init__(area)
        self._area = area

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self._area.ensureWidgetVisible(watched, 20, 40)
        return False


class CaseDetail(QWidget):
    """One requested case, every field read-only beside a comment box, with 承認 / 非承認."""

    commentChanged = Signal()
    """A comment of the case shown was typed (the window saves the draft and updates the list)."""

    def __init__(self, form: FormDefinition, review: Review, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form, self._review = form, review
        self.case: ReviewCase | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        heading = QHBoxLayout()
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.decision = QLabel(self)
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.decision)
        layout.addLayout(heading)
        self.period_banner = value_label(self)
        self.period_banner.setStyleSheet(RED_BANNER)
        self.period_banner.hide()
        layout.addWidget(self.period_banner)

        self.fields_area = QScrollArea(self)
        self.fields_area.setWidgetResizable(True)
        self.fields_area.setFrameShape(QFrame.Shape.StyledPanel)
        body = QWidget(self.fields_area)
        grid = QGridLayout(body)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        for column, text in enumerate((self.tr("項目"), self.tr("内容"), self.tr("コメント（任意）"))):
            header = QLabel(text, body)
            header.setStyleSheet("color: #5f6368; font-weight: bold;")
            grid.addWidget(header, 0, column)
        self.values: dict[str, QLabel] = {}
        self.comments: dict[str, CommentBox] = {}
        follow = _ScrollIntoView(self.fields_area)
        for row, key in enumerate((k for k in comment_fields(form) if k != WHOLE_CASE), start=1):
            caption = QLabel(self._label(key), body)
            caption.setWordWrap(True)
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            caption.setStyleSheet("font-weight: bold;")
            value = value_label(body)
            comment = CommentBox(self.tr("この項目へのコメント"), body)
            comment.setAccessibleName(self.tr("{label}へのコメント").format(label=self._label(key)))
            comment.textChanged.connect(lambda field=key: self._comment_edited(field))
            comment.installEventFilter(follow)
            caption.setBuddy(comment)
            grid.addWidget(caption, row, 0)
            grid.addWidget(value, row, 1)
            grid.addWidget(comment, row, 2, Qt.AlignmentFlag.AlignTop)
            self.values[key], self.comments[key] = value, comment
        grid.setColumnMinimumWidth(0, 150)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        grid.setRowStretch(len(self.values) + 1, 1)
        self.fields_area.setWidget(body)
        layout.addWidget(self.fields_area, 1)

        whole = QLabel(
            self.tr("症例全体へのコメント（非承認の場合は、コメントを1つ以上書いてください）"), self
        )
        layout.addWidget(whole)
        self.case_comment = QPlainTextEdit(self)
        self.case_comment.setPlaceholderText(self.tr("申請者への全体的なコメント"))
        self.case_comment.setFixedHeight(58)
        self.case_comment.setTabChangesFocus(True)
        self.case_comment.textChanged.connect(self._case_comment_changed)
        whole.setBuddy(self.case_comment)
        layout.addWidget(self.case_comment)

        buttons = QHBoxLayout()
        self.approve_button = QPushButton(self.tr("承認（Ctrl+Enter）"), self)
        self.reject_button = QPushButton(self.tr("非承認"), self)
        self.clear_button = QPushButton(self.tr("判定を取り消す"), self)
        self.approve_button.setStyleSheet("font-weight: bold;")
        for button in (self.approve_button, self.reject_button, self.clear_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._loading = False

    def _label(self, key: str) -> str:
        return self._form.facility.label if key == FACILITY else self._form.field(key).label

    def focus_chain(self) -> list[QWidget]:
        """The widgets a Tab visits, in reading order."""
        return [
            *self.comments.values(),
            self.case_comment,
            self.approve_button,
            self.reject_button,
            self.clear_button,
        ]

    # --- showing a case --------------------------------------------------------------------------------

    def show_case(self, case: ReviewCase) -> None:
        self.case = case
        self._loading = True
        try:
            report = case.report
            category = report.category or self.tr("症例区分なし")
            self.title.setText(self.tr("番号 {n}　{c}").format(n=case.number, c=category))
            for key, label in self.values.items():
                text = self._value_text(key, report)
                label.setText(text or self.tr("（未入力）"))
                label.setStyleSheet("" if text else "color: #9aa0a6;")
            self._show_period(case)
            state = self._review.state(case.id)
            for key, box in self.comments.items():
                box.setPlainText(state.comments.get(key, ""))
                _mark_commented(box, box.toPlainText())
            self.case_comment.setPlainText(state.comments.get(WHOLE_CASE, ""))
            _mark_commented(self.case_comment, self.case_comment.toPlainText())
        finally:
            self._loading = False
        self.refresh_decision()

    def _value_text(self, key: str, report: CaseReport) -> str:
        if key == FACILITY:
            return self._facility_text(report)
        if key in ("start", "end"):
            return date_text(report.start if key == "start" else report.end)
        if key == "age":
            return "" if report.age is None else self.tr("{n}歳").format(n=report.age)
        spec = self._form.field(key)
        if key in ("category", "diagnosis"):
            return str(getattr(report, key))
        if key == "sex":
            choice = self._form.choices[spec.choices or "sex"].by_value(report.sex or "")
            return choice.label if choice is not None else (report.sex or "")
        return report.narrative.get(key, "")

    def _facility_text(self, report: CaseReport) -> str:
        facility = report.facility
        if facility is None or not facility.name:
            return ""
        lines = [facility.name + (f"（{facility.kind}）" if facility.kind else "")]
        if facility.manual:
            lines.append(self.tr("手入力（施設一覧にない施設）"))
        elif facility.cert_start is not None or facility.cert_end is not None:
            lines.append(
                self.tr("施設の認定期間 {a}〜{b}").format(
                    a=date_text(facility.cert_start), b=date_text(facility.cert_end)
                )
            )
        if facility.cert_no:
            lines[0] += self.tr("　認定番号 {n}").format(n=facility.cert_no)
        return "\n".join(lines)

    def _show_period(self, case: ReviewCase) -> None:
        """JS-5: each date beside the 指導者's certification period; a case outside it is marked."""
        supervisor = self._review.request.supervisor
        period = self.tr("指導者の認定期間 {a}〜{b}").format(
            a=date_text(supervisor.cert_start), b=date_text(supervisor.cert_end)
        )
        for key, value in (("start", case.report.start), ("end", case.report.end)):
            label = self.values[key]
            inside = value is not None and supervisor.cert_start <= value <= supervisor.cert_end
            mark = "" if inside else "<span style='color:#b3261e'>" + self.tr("　⚠ 認定期間外") + "</span>"
            shown = escape(date_text(value) or self.tr("（未入力）"))
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setText(f"{shown}{mark}<br><span style='color:#5f6368'>{escape(period)}</span>")
        if case.outside_period:
            self.period_banner.setText(
                self.tr(
                    "この症例の{label}（{a}〜{b}）は、指導者の認定期間（{c}〜{d}）の外です。"
                    "承認できません。非承認にして、理由をコメントに書いてください。"
                ).format(
                    label=self._form.period_label,
                    a=date_text(case.report.start) or "?",
                    b=date_text(case.report.end) or "?",
                    c=date_text(supervisor.cert_start),
                    d=date_text(supervisor.cert_end),
                )
            )
        self.period_banner.setVisible(case.outside_period)

    def refresh_decision(self) -> None:
        """The decision line and which buttons can be pressed, for the case shown."""
        case = self.case
        if case is None:
            return
        state = self._review.state(case.id)
        text = STATE_LABELS[state.decision]
        if state.decision is None:
            text = self.tr("未判定")
        elif state.decided_at:
            text += self.tr("（{d}）").format(d=local_time(state.decided_at))
        self.decision.setText(self.tr("判定: {t}").format(t=text))
        self.decision.setStyleSheet(f"color: {STATE_COLOURS[state.decision]}; font-weight: bold;")
        problem = self._review.approval_problem(case)
        self.approve_button.setEnabled(problem is None)
        self.approve_button.setToolTip(problem or self.tr("この症例を承認します（Ctrl+Enter）"))
        blocked = self._review.answer_problem() is not None
        self.reject_button.setEnabled(not blocked)
        self.clear_button.setEnabled(state.decision is not None)
        for box in self.comments.values():
            box.setReadOnly(blocked)
        self.case_comment.setReadOnly(blocked)

    # --- comments ----------------------------------------------------------------------------------------

    def _comment_edited(self, field: str) -> None:
        if self.case is not None and not self._loading:
            text = self.comments[field].toPlainText()
            self._review.set_comment(self.case.id, field, text)
            _mark_commented(self.comments[field], text)
            self.commentChanged.emit()

    def _case_comment_changed(self) -> None:
        if self.case is not None and not self._loading:
            text = self.case_comment.toPlainText()
            self._review.set_comment(self.case.id, WHOLE_CASE, text)
            _mark_commented(self.case_comment, text)
            self.commentChanged.emit()
