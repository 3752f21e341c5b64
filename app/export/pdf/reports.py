"""The PDF of a case-report form (JSPM 症例報告, SPEC §2.2, §6): a summary page, then one page per case.

The summary names the applicant and the count, shows how the cases cover the categories (JS-2) and lists
every case with its 番号, 症例区分, 診療施設, period, 状態 (JS-6) and 指導者. Each case page prints all of
the case's fields, the approval line (指導者, 承認日, the 指導者's key fingerprint) and the certification
with the seal box of the form's [print]. The 備考 is private and never printed (JS-7). Page x / y, the
照合コード, the fingerprint and the QR code are drawn by the shared page machinery of app.export.pdf.page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Final
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.export.fonts import FONT_NAME
from app.export.pdf.draft_errors import ErrorMarks, error_list
from app.export.pdf.measures import CONTENT_WIDTH, ERROR_SHADE, RULE, SEAL_WIDTH, SHADE
from app.export.pdf.page import HeadMark, PageHeads, SheetMarks, SheetSet, render_pages
from app.export.pdf.text import (
    SheetStyles,
    SheetTexts,
    certification_paragraphs,
    glyph_note,
    marked,
    markup,
    sex_text,
    sheet_styles,
    sheet_title,
)
from app.validation.jspm import shown_status

if TYPE_CHECKING:
    from app.models.application import Application, Approval, CaseReport
    from app.models.forms import FormDefinition
    from app.validation import Issue

NARRATIVE_TEXT_LIMIT: Final = 2000
"""Characters of one narrative field printed: only a draft can hold more than the form allows."""
SEAL_HEIGHT: Final = 78.0
LIST_WIDTHS: Final = (30.0, 100.0, 108.0, 116.0, 50.0)
"""番号, 症例区分, 診療施設, 期間, 状態; the 指導者 takes the rest."""
LABEL_WIDTH: Final = 120.0


def _day(value: dt.date | None) -> str:
    return value.strftime("%Y/%m/%d") if value is not None else "　　"


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start is None and end is None:
        return ""
    return f"{_day(start)}〜{_day(end)}"


def _stamp_day(stamp: str | None) -> str:
    """A signed file's UTC time (`2024-05-10T03:04:05Z`) as the local date."""
    if not stamp:
        return ""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y/%m/%d")
    except ValueError:
        return stamp


def _facility_text(report: CaseReport, form: FormDefinition) -> str:
    facility = report.facility
    if facility is None or not facility.name:
        return "（未入力）"
    if facility.manual:
        return f"{facility.name}　［手入力：{form.facility.manual_label.removesuffix('する')}］"
    details = [f"認定番号 {facility.cert_no}", facility.kind]
    if facility.cert_start is not None or facility.cert_end is not None:
        details.append(f"認定期間 {_period(facility.cert_start, facility.cert_end)}")
    return f"{facility.name}　［{'・'.join(part for part in details if part)}］"


def _supervisor_text(approval: Approval | None) -> str:
    if approval is None:
        return ""
    supervisor = approval.supervisor
    return f"{supervisor.name}（{supervisor.qualification}）"


def _table(rows: list[list[Any]], widths: list[float], extra: list[tuple[Any, ...]]) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT_NAME, 8, 10),
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                *extra,
            ]
        )
    )
    return table


class _Layout:
    """The flowables of a case-report PDF, with the user texts they print (for missing glyphs)."""

    def __init__(
        self, application: Application, form: FormDefinition, issues: list[Issue], *, draft: bool
    ) -> None:
        self.application = application
        self.form = form
        self.draft = draft
        self.st: SheetStyles = sheet_styles()
        self.list_cell = ParagraphStyle("list_cell", parent=self.st.cell, fontSize=8, leading=10)
        self.coverage_head = ParagraphStyle("coverage_head", parent=self.st.head, fontSize=7, leading=8.5)
        self.body = ParagraphStyle(
            "narrative", parent=self.st.value, leftIndent=5, rightIndent=5, spaceBefore=4, borderPadding=0
        )
        self.by_row: dict[int, list[Issue]] = defaultdict(list)
        for issue in issues:
            if issue.section is None and issue.row is not None:
                self.by_row[issue.row - 1].append(issue)
        self.whole = [issue for issue in issues if issue.row is None]
        self.errors = ErrorMarks(issues, form=form) if draft else None
        self.heads = PageHeads()
        self.needs_approval = form.approval is not None and form.approval.required

    def label(self, text: str) -> Paragraph:
        return Paragraph(escape(text), self.st.label)

    def status(self, row: int, report: CaseReport) -> str:
        """JS-6 as the list shows it (`app.validation.jspm.shown_status`)."""
        return shown_status(report, self.by_row.get(row, []), approval_required=self.needs_approval)

    # -- the summary page -------------------------------------------------------------------------------

    def summary(self) -> list[Any]:
        texts = SheetTexts()
        form, st = self.form, self.st
        reports = [
            (row, report) for row, report in enumerate(self.application.reports) if not report.is_blank()
        ]
        approved = sum(self.status(row, report) == "承認" for row, report in reports)
        story: list[Any] = [
            HeadMark("症例一覧", self.heads),
            Paragraph(escape(f"{sheet_title(form)}　症例一覧"), st.title),
            Spacer(1, 8),
            self._applicant_table(texts, len(reports), approved),
            Spacer(1, 10),
        ]
        if form.coverage is not None:
            story += [self._coverage_table(reports), Spacer(1, 4)]
            story += [
                Paragraph(escape(issue.message), st.remark)
                for issue in self.whole
                if issue.code == "category-coverage"
            ]
            story.append(Spacer(1, 8))
        story.append(self._case_list(texts, reports))
        if self.needs_approval and not self.draft:
            story += [
                Spacer(1, 6),
                Paragraph(
                    escape(
                        "各症例の指導者の承認は、指導者の署名鍵で署名された承認としてアップロード用ファイルに含まれています"
                        "（署名は学会がアップロード用ファイルで確かめられます）。"
                    ),
                    st.remark,
                ),
            ]
        return [*story, *glyph_note(texts, st)]

    def _applicant_table(self, texts: SheetTexts, count: int, approved: int) -> Table:
        form, st = self.form, self.st
        applicant = self.application.applicant
        counts = form.counts
        required = f"{counts.min}例" if counts.min == counts.max else f"{counts.min}〜{counts.max}例"
        rows = [
            [
                self.label(f"申請者{form.field('name').label}"),
                texts.para(applicant.name or "（未入力）", st.value),
                self.label(form.field("member_id").label),
                texts.para(applicant.member_id or "（未入力）", st.value),
            ],
            [
                self.label("症例数"),
                Paragraph(escape(f"{count}例（必要 {required}）"), st.value),
                self.label("承認" if self.needs_approval else "申請区分"),
                Paragraph(
                    escape(f"{approved}例 / {count}例" if self.needs_approval else form.title),
                    st.value,
                ),
            ],
        ]
        rest = (CONTENT_WIDTH - 2 * 84.0) / 2
        return _table(
            rows,
            [84.0, rest, 84.0, rest],
            [("BACKGROUND", (0, 0), (0, -1), SHADE), ("BACKGROUND", (2, 0), (2, -1), SHADE)],
        )

    def _coverage_table(self, reports: list[tuple[int, CaseReport]]) -> Table:
        """JS-2: how many cases each category holds (その他 is shown but counts for none)."""
        coverage = self.form.coverage
        assert coverage is not None
        st = self.st
        options = self.form.choices[coverage.choices].options
        categories = [report.category for _, report in reports]
        need = f"各{coverage.min_each}例以上" + (f"・{coverage.max_each}例まで" if coverage.max_each else "")
        width = (CONTENT_WIDTH - 92.0) / len(options)
        heads = [self.label("症例区分")] + [
            Paragraph(markup(option.label, width=width - 9, size=7), self.coverage_head) for option in options
        ]
        counts = [self.label(f"症例数（{need}）")] + [
            Paragraph(
                escape(
                    f"{categories.count(option.value)}" + ("" if option.counts_for_coverage else "（対象外）")
                ),
                st.cell_center,
            )
            for option in options
        ]
        return _table(
            [heads, counts],
            [92.0] + [width] * len(options),
            [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("BACKGROUND", (0, 0), (0, -1), SHADE)],
        )

    def _case_list(self, texts: SheetTexts, reports: list[tuple[int, CaseReport]]) -> Table:
        form, st = self.form, self.st
        heads = ["番号", form.field("category").label, form.facility.label, form.period_label, "状態"]
        if self.needs_approval:
            heads.append("指導者")
        rows: list[list[Any]] = [[Paragraph(escape(head), st.head) for head in heads]]
        for row, report in reports:
            facility = report.facility.name if report.facility is not None else ""
            cells = [
                str(row + 1),
                texts.para(report.category, self.list_cell),
                texts.para(facility, self.list_cell),
                _period(report.start, report.end),
                self.status(row, report),
            ]
            if self.needs_approval:
                cells.append(texts.para(_supervisor_text(report.approval), self.list_cell))
            rows.append(cells)
        extra: list[tuple[Any, ...]] = [
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("ALIGN", (0, 1), (0, -1), "CENTER"),
            ("ALIGN", (3, 1), (4, -1), "CENTER"),
        ]
        if len(rows) == 1:
            rows.append([Paragraph("（症例がありません）", st.cell_center), *[""] * (len(heads) - 1)])
            extra.append(("SPAN", (0, 1), (-1, 1)))
        # Without a 指導者 column the 診療施設 takes its room.
        widths = list(LIST_WIDTHS)
        rest = CONTENT_WIDTH - sum(widths)
        if self.needs_approval:
            widths.append(rest)
        else:
            widths[2] += rest
        table = _table(rows, widths, extra)
        table.repeatRows = 1
        return table

    # -- one page per case ------------------------------------------------------------------------------

    def case_page(self, row: int, report: CaseReport) -> list[Any]:
        texts = SheetTexts()
        st = self.st
        closing: list[Any] = []
        if self.needs_approval:
            closing += [self._approval(texts, row, report), Spacer(1, 8)]
        if not self.draft:
            closing.append(self._seal())
        return [
            PageBreak(),
            HeadMark(f"症例{row + 1}", self.heads),
            Paragraph(escape(f"{self.form.print.sheet_title}（症例{row + 1}）"), st.title),
            Spacer(1, 8),
            self._facts(texts, row, report),
            Spacer(1, 8),
            *self._narrative(texts, row, report),
            Spacer(1, 8),
            *([KeepTogether(closing)] if closing else []),
            *glyph_note(texts, st),
        ]

    def field_errors(self, row: int, *keys: str, where: str) -> list[int]:
        """The draft's error numbers for fields `keys` of case `row` (none when not a draft)."""
        if self.errors is None:
            return []
        return self.errors.numbers(
            lambda issue: issue.section is None and issue.row == row + 1 and issue.field in keys,
            f"症例{row + 1} {where}",
        )

    def closing_errors(self) -> list[Any]:
        """A draft's numbered list of every error, after the last case."""
        if self.errors is None:
            return []
        self.errors.rest(lambda issue: issue.row is not None, "")
        self.errors.rest(lambda issue: issue.row is None, "申請全体")
        return [HeadMark("エラー一覧", self.heads), *error_list(self.errors, self.st)]

    def _facts(self, texts: SheetTexts, row: int, report: CaseReport) -> Table:
        form, st = self.form, self.st
        age = "" if report.age is None else f"{report.age}歳"
        wide = CONTENT_WIDTH - LABEL_WIDTH - 10
        found = {
            (1, 0): self.field_errors(row, "category", where=form.field("category").label),
            (1, 1): self.field_errors(row, "facility", where=form.facility.label),
            (1, 2): self.field_errors(row, "start", "end", where=form.period_label),
            (1, 3): self.field_errors(row, "age", where=form.field("age").label),
            (3, 3): self.field_errors(row, "sex", where=form.field("sex").label),
            (1, 4): self.field_errors(row, "diagnosis", where=form.field("diagnosis").label),
        }
        rows = [
            [
                self.label(form.field("category").label),
                texts.para(report.category, st.value, width=wide, errors=found[1, 0]),
                "",
                "",
            ],
            [
                self.label(form.facility.label),
                texts.para(_facility_text(report, form), st.value, width=wide, errors=found[1, 1]),
                "",
                "",
            ],
            [
                self.label(form.period_label),
                Paragraph(marked(escape(_period(report.start, report.end)), found[1, 2]), st.value),
                "",
                "",
            ],
            [
                self.label(form.field("age").label),
                Paragraph(marked(escape(age), found[1, 3]), st.value),
                self.label(form.field("sex").label),
                Paragraph(marked(escape(sex_text(report.sex, form)), found[3, 3]), st.value),
            ],
            [
                self.label(form.field("diagnosis").label),
                texts.para(report.diagnosis, st.value, width=wide, errors=found[1, 4]),
                "",
                "",
            ],
        ]
        half = (CONTENT_WIDTH - 2 * LABEL_WIDTH) / 2
        return _table(
            rows,
            [LABEL_WIDTH, half, LABEL_WIDTH, half],
            [
                *(("SPAN", (1, line), (3, line)) for line in (0, 1, 2, 4)),
                ("BACKGROUND", (0, 0), (0, -1), SHADE),
                ("BACKGROUND", (2, 3), (2, 3), SHADE),
                *(("BACKGROUND", at, at, ERROR_SHADE) for at, numbers in found.items() if numbers),
            ],
        )

    def _narrative(self, texts: SheetTexts, row: int, report: CaseReport) -> list[Any]:
        """The form's long fields, each a shaded label over its text. The label never ends a page: it
        starts a new one unless three lines of its text fit after it; a long text then flows on, line by
        line, under the page head 「症例N（続き）」."""
        st = self.st
        flowables: list[Any] = []
        width = CONTENT_WIDTH - 10
        for spec in self.form.narrative_fields():
            if spec.private:
                continue
            text = report.narrative.get(spec.key, "")
            numbers = self.field_errors(row, spec.key, where=spec.label)
            label = _table(
                [[Paragraph(marked(escape(spec.label), numbers), st.label)]],
                [CONTENT_WIDTH],
                [("BACKGROUND", (0, 0), (0, 0), ERROR_SHADE if numbers else SHADE)],
            )
            body = (
                texts.long_para(text, self.body, NARRATIVE_TEXT_LIMIT, width=width)
                if text
                else Paragraph("（未入力）", self.body)
            )
            flowables += [
                CondPageBreak(label.wrap(CONTENT_WIDTH, 1000)[1] + 3 * st.value.leading + 8),
                label,
                body,
                Spacer(1, 8),
            ]
        return flowables

    def _approval(self, texts: SheetTexts, row: int, report: CaseReport) -> Table:
        """JS-5, JS-6: the 指導者's approval line, or where the case stands."""
        st = self.st
        approval = report.approval
        supervisor = approval.supervisor if approval is not None else None
        who = (
            f"{supervisor.name}（{supervisor.qualification}、会員番号 {supervisor.member_id}、"
            f"認定期間 {_period(supervisor.cert_start, supervisor.cert_end)}）"
            if supervisor is not None
            else "—"
        )
        decided = _stamp_day(approval.decided_at) if approval is not None and approval.decided_at else "—"
        signer = (
            approval.statement.get("signature", {}) if approval is not None and approval.statement else {}
        )
        fingerprint = str(signer.get("fingerprint", "")) or "—"
        rows = [
            [self.label("指導者の承認"), Paragraph(escape(self.status(row, report)), st.value), "", ""],
            [self.label("指導者"), texts.para(who, st.value), "", ""],
            [
                self.label("承認日" if approval is None or approval.state != "rejected" else "回答日"),
                Paragraph(escape(decided), st.value),
                self.label("指導者の署名鍵の指紋"),
                Paragraph(escape(fingerprint), st.value),
            ],
        ]
        for comment in approval.comments if approval is not None else []:
            field = self._field_label(comment.field)
            rows.append(
                [self.label("指導者のコメント"), texts.para(f"{field}：{comment.comment}", st.value), "", ""]
            )
        widths = [LABEL_WIDTH, 80.0, 100.0, CONTENT_WIDTH - LABEL_WIDTH - 180.0]
        spans = [("SPAN", (1, line), (3, line)) for line in range(len(rows)) if line != 2]
        return _table(
            rows,
            widths,
            [*spans, ("BACKGROUND", (0, 0), (0, -1), SHADE), ("BACKGROUND", (2, 2), (2, 2), SHADE)],
        )

    def _field_label(self, key: str) -> str:
        if not key:
            return "症例全体"
        if key == "facility":
            return self.form.facility.label
        if key in ("start", "end"):
            return self.form.period_label
        return self.form.field(key).label if key in self.form.field_order else key

    def _seal(self) -> Table:
        """The applicant's certification and the box for the seal, from the form's [print]."""
        st = self.st
        rows = [
            [
                certification_paragraphs(self.form, st),
                Paragraph(escape(self.form.print.seal_caption), st.seal_caption),
            ],
            ["", ""],
        ]
        table = Table(
            rows,
            colWidths=[CONTENT_WIDTH - SEAL_WIDTH, SEAL_WIDTH],
            rowHeights=[None, SEAL_HEIGHT],
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT_NAME, 8, 10),
                    ("SPAN", (0, 0), (0, 1)),
                    ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                    ("BOX", (1, 0), (1, -1), 0.8, RULE),
                    ("LINEBELOW", (1, 0), (1, 0), 0.4, RULE),
                    ("BACKGROUND", (1, 0), (1, 0), SHADE),
                    ("VALIGN", (0, 0), (0, 0), "TOP"),
                    ("VALIGN", (1, 0), (1, 0), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (0, 0), 7),
                    ("LEFTPADDING", (0, 0), (0, 0), 8),
                ]
            )
        )
        return table


def render_case_reports(
    application: Application, form: FormDefinition, issues: list[Issue], marks: SheetMarks
) -> bytes:
    """The PDF of a case-report application: the summary page, then each case on its own page(s).
    Deterministic: the same input gives the same bytes."""
    layout = _Layout(application, form, issues, draft=marks.draft)
    story = layout.summary()
    for row, report in enumerate(application.reports):
        if not report.is_blank():
            story += layout.case_page(row, report)
    story += layout.closing_errors()
    return render_pages(application, form, marks, [SheetSet("", story)], layout.heads)
