"""Supervisor mode (指導者): the review screen for one 承認依頼 file, as the society's 症例承認 page.

The request is read and checked by `app.export.approval.read_request`; the decisions are held by
`app.export.review.Review`, which also keeps the draft in the data folder and makes the signed response.
This module only shows them: the applicant, the 指導者 and this PC's key, the 通信欄, the list of cases,
and the selected case read-only with a comment box per field. Dialogs go through module-level functions
(`choose_request_file`, `choose_response_file`, `confirm`, `notify`, `show_saved`) that tests patch.
"""

from __future__ import annotations

import datetime as dt
import itertools
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.atomic import write_atomically
from app.export import KeyFileError, load_or_create_signing_key, safe_stem
from app.export.approval import (
    MAX_REQUEST_BYTES,
    REQUEST_NAME,
    RESPONSE_SUFFIX,
    ApprovalFileError,
    FileCheck,
    comment_fields,
    read_request,
)
from app.export.review import FACILITY, WHOLE_CASE, Review, ReviewCase, ReviewError, load_draft
from app.export.signing import UnreadableFileError, read_limited
from app.models.form_packs import forms_for
from app.paths import data_home
from app.views.export_dialog import open_local
from app.views.fit import fit_size, show_fitted
from app.views.main_window import confirm, notify

if TYPE_CHECKING:
    from app.export.keys import SigningKey
    from app.models.application import CaseReport
    from app.models.approval import ApprovalRequest
    from app.models.forms import FormDefinition

DRAFT_DELAY_MS: Final = 400
STATE_LABELS: Final = {None: "承認依頼中", "approved": "承認", "rejected": "非承認"}
STATE_COLOURS: Final = {None: "#5f6368", "approved": "#1e7b34", "rejected": "#b3261e"}
RED_BANNER: Final = "background: #fde7e9; color: #8c1d18; border: 1px solid #e8a7a3; padding: 6px;"
AMBER_BANNER: Final = "background: #fff4d6; color: #6b4e00; border: 1px solid #e6cf8a; padding: 6px;"


class ReviewOpenError(Exception):
    """The request cannot be reviewed here. `str()` is Japanese, names the file and the failed check."""


def choose_request_file(parent: QWidget | None) -> Path | None:
    """Which 承認依頼ファイル to open (tests patch this)."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "承認依頼ファイルを開く（指導者）", "", "承認依頼ファイル (*.json);;すべてのファイル (*)"
    )
    return Path(path) if path else None


def choose_response_file(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to save the signed result (tests patch this)."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "結果を送信用ファイルに保存", str(suggested), "承認結果ファイル (*.json)"
    )
    return Path(path) if path else None


def show_saved(parent: QWidget | None, path: Path, summary: str) -> None:
    """Say what was saved, with a button that opens the folder; does not block (tests patch this)."""
    box = QMessageBox(QMessageBox.Icon.Information, "保存しました", summary, parent=parent)
    folder = box.addButton("フォルダを開く", QMessageBox.ButtonRole.ActionRole)
    box.addButton("閉じる", QMessageBox.ButtonRole.RejectRole)
    folder.clicked.connect(lambda: open_local(path.parent))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()


def read_request_file(path: Path) -> ApprovalRequest:
    """The checked request in `path`; ReviewOpenError naming the file and the check that failed."""
    try:
        data = read_limited(path, MAX_REQUEST_BYTES, REQUEST_NAME)
        return read_request(data, source=str(path))
    except UnreadableFileError as error:
        raise ReviewOpenError(str(ApprovalFileError(str(path), FileCheck.READ, error.problem))) from None
    except ApprovalFileError as error:
        raise ReviewOpenError(str(error)) from None


def _form_for(request: ApprovalRequest, path: Path) -> FormDefinition:
    forms = forms_for(data_home())
    form_id, version = request.form.id, request.form.version
    form = forms.get(form_id, version) or forms.get(form_id)
    if form is None or form.approval is None:
        raise ReviewOpenError(
            f"{path}: 様式「{form_id}」（版 {version}）はこの Shorei にない、または承認の要らない様式です。"
            "Shorei を最新版にしてから開いてください"
        )
    return form


def open_review_window(path: Path, parent: QWidget | None = None) -> ReviewWindow:
    """The review screen for the request in `path`; ReviewOpenError when it cannot be opened."""
    request = read_request_file(path)
    form = _form_for(request, path)
    try:
        key = load_or_create_signing_key()
    except KeyFileError as error:
        raise ReviewOpenError(str(error)) from None
    home = data_home()
    draft, draft_problem = load_draft(home, request.request_id)
    try:
        review = Review(request, form, signer_fingerprint=key.fingerprint, draft=draft)
    except ReviewError as error:
        raise ReviewOpenError(f"{path}: {error}") from None
    window = ReviewWindow(review, form, key, home, path, parent)
    if draft is not None:
        decided = len(review.cases) - len(review.undecided())
        window.statusBar().showMessage(
            f"前回の判定の下書きを復元しました（判定済み {decided} / {len(review.cases)}件）", 15000
        )
    elif draft_problem is not None:
        window.statusBar().showMessage(draft_problem, 15000)
    return window


def open_review(path: Path, parent: QWidget | None) -> ReviewWindow | None:
    """Open and show the review screen, or say why the file cannot be opened (nothing is opened then)."""
    try:
        window = open_review_window(path, parent)
    except ReviewOpenError as error:
        notify(parent, "承認依頼ファイルを開けません", str(error), warning=True)
        return None
    show_fitted(window, remembered=False)
    window.raise_()
    return window


def _when(stamp: str | None, pattern: str = "%Y/%m/%d %H:%M") -> str:
    """A UTC timestamp of a file as local time; the raw text if it is not one."""
    if not stamp:
        return ""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime(pattern)
    except ValueError:
        return stamp


def _date(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%Y/%m/%d}"


def _value_label(parent: QWidget) -> QLabel:
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
        self.period_banner = _value_label(self)
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
            value = _value_label(body)
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
            return _date(report.start if key == "start" else report.end)
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
                    a=_date(facility.cert_start), b=_date(facility.cert_end)
                )
            )
        if facility.cert_no:
            lines[0] += self.tr("　認定番号 {n}").format(n=facility.cert_no)
        return "\n".join(lines)

    def _show_period(self, case: ReviewCase) -> None:
        """JS-5: each date beside the 指導者's certification period; a case outside it is marked."""
        supervisor = self._review.request.supervisor
        period = self.tr("指導者の認定期間 {a}〜{b}").format(
            a=_date(supervisor.cert_start), b=_date(supervisor.cert_end)
        )
        for key, value in (("start", case.report.start), ("end", case.report.end)):
            label = self.values[key]
            inside = value is not None and supervisor.cert_start <= value <= supervisor.cert_end
            mark = "" if inside else "<span style='color:#b3261e'>" + self.tr("　⚠ 認定期間外") + "</span>"
            shown = escape(_date(value) or self.tr("（未入力）"))
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setText(f"{shown}{mark}<br><span style='color:#5f6368'>{escape(period)}</span>")
        if case.outside_period:
            self.period_banner.setText(
                self.tr(
                    "この症例の{label}（{a}〜{b}）は、指導者の認定期間（{c}〜{d}）の外です。"
                    "承認できません。非承認にして、理由をコメントに書いてください。"
                ).format(
                    label=self._form.period_label,
                    a=_date(case.report.start) or "?",
                    b=_date(case.report.end) or "?",
                    c=_date(supervisor.cert_start),
                    d=_date(supervisor.cert_end),
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
            text += self.tr("（{d}）").format(d=_when(state.decided_at))
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


class ReviewWindow(QMainWindow):
    """The 指導者's screen for one request: who asked whom, the 通信欄, the cases, the decisions."""

    COLUMNS: Final = ("依頼日", "番号", "症例区分", "申請者", "状態", "対応日")

    def __init__(
        self,
        review: Review,
        form: FormDefinition,
        key: SigningKey,
        home: Path,
        source: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.review, self.form, self.key, self.home, self.source = review, form, key, home, source
        request = review.request
        self.setWindowTitle(
            self.tr("Shorei — 症例承認（指導者）: {name} さんからの承認依頼").format(
                name=request.applicant.name
            )
        )
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self._header(request))
        self.banner = _value_label(central)
        self.banner.hide()
        layout.addWidget(self.banner)

        splitter = QSplitter(central)
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        self.list_title = QLabel(left)
        left_layout.addWidget(self.list_title)
        self.table = QTableWidget(len(review.cases), len(self.COLUMNS), left)
        self.table.setHorizontalHeaderLabels([self.tr(text) for text in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the comment boxes
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        left_layout.addWidget(self.table, 1)
        self.approve_all_button = QPushButton(self.tr("すべて承認…"), left)
        left_layout.addWidget(self.approve_all_button)
        self.detail = CaseDetail(form, review, splitter)
        self.detail.commentChanged.connect(self._comment_changed)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([540, 810])
        layout.addWidget(splitter, 1)

        bottom = QHBoxLayout()
        self.progress = QLabel(central)
        bottom.addWidget(self.progress)
        bottom.addStretch(1)
        self.save_button = QPushButton(self.tr("結果を送信用ファイルに保存…"), central)
        self.save_button.setStyleSheet("font-weight: bold;")
        self.close_button = QPushButton(self.tr("閉じる"), central)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)
        self.setCentralWidget(central)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)

        self._connect()
        self._build_menu()
        self._set_tab_order()
        self._show_banner()
        for row in range(len(review.cases)):
            self._fill_row(row)
        self._refresh_progress()
        fit_size(self, 1366, 768)
        if review.cases:
            self.table.selectRow(0)
        self.table.setFocus()

    # --- building --------------------------------------------------------------------------------------

    def _header(self, request: ApprovalRequest) -> QGroupBox:
        box = QGroupBox(self.tr("承認依頼（{t}）").format(t=f"{self.form.society} {self.form.title}"), self)
        grid = QGridLayout(box)
        grid.setContentsMargins(8, 4, 8, 6)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        applicant, supervisor = request.applicant, request.supervisor
        rows = [
            (
                self.tr("依頼日"),
                _when(request.created),
                self.tr("件数"),
                self.tr("{n}件").format(n=len(request.cases)),
            ),
            (
                self.tr("申請者"),
                self.tr("{name}（会員番号 {id}）").format(name=applicant.name, id=applicant.member_id),
                self.tr("申請者の鍵の指紋"),
                applicant.fingerprint,
            ),
            (
                self.tr("指導者（依頼先）"),
                self.tr("{name}（会員番号 {id}・{q}）").format(
                    name=supervisor.name, id=supervisor.member_id, q=supervisor.qualification
                ),
                self.tr("指導者の認定期間"),
                f"{_date(supervisor.cert_start)}〜{_date(supervisor.cert_end)}",
            ),
            (self.tr("この PC の署名鍵"), self.key.fingerprint, self.tr("鍵の確認"), self._key_note(request)),
        ]
        self.header_values: dict[str, QLabel] = {}
        for row, (label_a, value_a, label_b, value_b) in enumerate(rows):
            for column, (label, value) in enumerate(((label_a, value_a), (label_b, value_b))):
                caption = QLabel(label, box)
                caption.setStyleSheet("color: #5f6368;")
                shown = _value_label(box)
                shown.setText(value)
                grid.addWidget(caption, row, column * 2, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(shown, row, column * 2 + 1)
                self.header_values[label] = shown
        caption = QLabel(self.tr("通信欄"), box)
        caption.setStyleSheet("color: #5f6368;")
        message = _value_label(box)
        message.setText(request.message or self.tr("（記入なし）"))
        message.setStyleSheet("background: #f6f8fb; border: 1px solid #d5dbe3; padding: 4px;")
        grid.addWidget(caption, len(rows), 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(message, len(rows), 1, 1, 3)
        self.header_values[self.tr("通信欄")] = message
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        return box

    def _key_note(self, request: ApprovalRequest) -> str:
        expected = request.supervisor.fingerprint
        if self.review.own_request:
            return self.tr("⚠ 申請者ご本人の鍵です")
        if not expected:
            return self.tr("初回の依頼: この PC の指紋を申請者に伝えてください")
        if expected == self.key.fingerprint:
            return self.tr("依頼先の指導者の鍵と一致しています")
        return self.tr("⚠ 依頼先の鍵（{f}）と違います").format(f=expected)

    def _show_banner(self) -> None:
        """A request this PC may not answer (JS-5): said at the top, and nothing can be decided or saved."""
        problem = self.review.answer_problem()
        if problem is None:
            return
        self.banner.setText(problem)
        self.banner.setStyleSheet(RED_BANNER)
        self.banner.show()
        for button in (self.approve_all_button, self.save_button):
            button.setEnabled(False)

    def _connect(self) -> None:
        self.table.currentCellChanged.connect(lambda row, *_: self._case_selected(row))
        self.detail.approve_button.clicked.connect(self.approve_current)
        self.detail.reject_button.clicked.connect(self.reject_current)
        self.detail.clear_button.clicked.connect(self.clear_current)
        self.approve_all_button.clicked.connect(self.approve_all)
        self.save_button.clicked.connect(self.save_response)
        self.close_button.clicked.connect(self.close)
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self.approve_current)
        for sequence, step in (("Alt+Up", -1), ("Alt+Down", 1)):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.activated.connect(lambda step=step: self.select_case(self.current_row() + step))

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("ファイル(&F)"))
        save = QAction(self.tr("結果を送信用ファイルに保存…(&S)"), self)
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.triggered.connect(lambda _=False: self.save_response())
        close = QAction(self.tr("閉じる(&C)"), self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(lambda _=False: self.close())
        menu.addAction(save)
        menu.addSeparator()
        menu.addAction(close)

    def _set_tab_order(self) -> None:
        chain = [
            self.table,
            *self.detail.focus_chain(),
            self.approve_all_button,
            self.save_button,
            self.close_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- the list ----------------------------------------------------------------------------------------

    def _fill_row(self, row: int) -> None:
        case = self.review.cases[row]
        state = self.review.state(case.id)
        request = self.review.request
        status = STATE_LABELS[state.decision]
        if case.outside_period and state.decision is None:
            status += self.tr("　⚠期間外")
        cells = (
            _when(request.created, "%Y/%m/%d"),
            str(case.number),
            case.report.category,
            request.applicant.name,
            status,
            _when(state.decided_at, "%Y/%m/%d"),
        )
        for column, text in enumerate(cells):
            item = self.table.item(row, column)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, column, item)
            item.setText(text)
            item.setToolTip(text)
        status_item = self.table.item(row, 4)
        assert status_item is not None
        status_item.setForeground(
            Qt.GlobalColor.darkGreen
            if state.decision == "approved"
            else (
                Qt.GlobalColor.darkRed
                if state.decision == "rejected" or case.outside_period
                else Qt.GlobalColor.black
            )
        )
        if case.outside_period:
            status_item.setToolTip(self.review.approval_problem(case) or "")
        number_item = self.table.item(row, 1)
        assert number_item is not None
        number_item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)

    def _refresh_progress(self) -> None:
        total = len(self.review.cases)
        undecided = len(self.review.undecided())
        approved = sum(self.review.state(c.id).decision == "approved" for c in self.review.cases)
        rejected = total - undecided - approved
        self.list_title.setText(self.tr("症例（{n}件）").format(n=total))
        text = self.tr("承認 {a}件　非承認 {r}件　未判定 {u}件").format(a=approved, r=rejected, u=undecided)
        if self.review.saved_response:
            text += self.tr("　— 最後に保存した結果: {p}").format(p=self.review.saved_response)
        self.progress.setText(text)

    def current_row(self) -> int:
        return self.table.currentRow()

    def current_case(self) -> ReviewCase | None:
        row = self.current_row()
        return self.review.cases[row] if 0 <= row < len(self.review.cases) else None

    def select_case(self, row: int) -> None:
        if 0 <= row < len(self.review.cases):
            self.table.selectRow(row)
            self.table.setCurrentCell(row, 1)

    def _case_selected(self, row: int) -> None:
        if 0 <= row < len(self.review.cases):
            self.detail.show_case(self.review.cases[row])

    def _case_changed(self, case: ReviewCase) -> None:
        self._fill_row(self.review.cases.index(case))
        self.detail.refresh_decision()
        self._refresh_progress()

    # --- deciding -----------------------------------------------------------------------------------------

    def approve_current(self) -> None:
        case = self.current_case()
        if case is None:
            return
        try:
            self.review.approve(case.id, now=dt.datetime.now(dt.UTC))
        except ReviewError as error:
            self.statusBar().showMessage(str(error), 10000)
            notify(self, self.tr("承認できません"), str(error), warning=True)
            return
        self._decided(case)
        self.statusBar().showMessage(self.tr("番号 {n} を承認しました").format(n=case.number), 5000)
        row = self.review.cases.index(case)
        if row + 1 < len(self.review.cases):
            self.select_case(row + 1)

    def reject_current(self) -> None:
        case = self.current_case()
        if case is None:
            return
        try:
            self.review.reject(case.id, now=dt.datetime.now(dt.UTC))
        except ReviewError as error:
            self.statusBar().showMessage(str(error), 10000)
            notify(self, self.tr("非承認にできません"), str(error), warning=True)
            self.detail.case_comment.setFocus()
            return
        self._decided(case)
        self.statusBar().showMessage(self.tr("番号 {n} を非承認にしました").format(n=case.number), 5000)

    def clear_current(self) -> None:
        case = self.current_case()
        if case is not None:
            self.review.clear(case.id)
            self._decided(case)

    def approve_all(self) -> None:
        undecided = self.review.undecided()
        if not undecided:
            self.statusBar().showMessage(self.tr("未判定の症例はありません"), 5000)
            return
        blocked = [case for case in undecided if self.review.approval_problem(case) is not None]
        text = self.tr("未判定の {n}件をすべて承認します。判定済みの症例はそのままです。").format(
            n=len(undecided) - len(blocked)
        )
        if blocked:
            numbers = "、".join(str(case.number) for case in blocked)
            text += self.tr(
                "\n\n番号 {n} は指導者の認定期間外のため承認できません（未判定のまま残ります）。"
            ).format(n=numbers)
        if len(blocked) == len(undecided):
            notify(self, self.tr("すべて承認"), text, warning=True)
            return
        if not confirm(self, self.tr("すべて承認"), text + self.tr("\n\nよろしいですか？")):
            return
        approved, _left = self.review.approve_all(now=dt.datetime.now(dt.UTC))
        for case in approved:
            self._fill_row(self.review.cases.index(case))
        self.detail.refresh_decision()
        self._refresh_progress()
        self.save_draft()
        self.statusBar().showMessage(self.tr("{n}件を承認しました").format(n=len(approved)), 5000)

    def _decided(self, case: ReviewCase) -> None:
        self._case_changed(case)
        self.save_draft()

    def _comment_changed(self) -> None:
        case = self.detail.case
        if case is not None:
            self._case_changed(case)
        self._draft_timer.start()

    # --- files ----------------------------------------------------------------------------------------------

    def save_draft(self) -> None:
        """Keep the decisions in the data folder (atomic), so that closing by accident loses nothing."""
        self._draft_timer.stop()
        try:
            self.review.save_draft(self.home)
        except OSError as error:
            self.statusBar().showMessage(
                self.tr("判定の下書きを保存できません（{e}）").format(e=error.strerror), 15000
            )

    def suggested_response_path(self) -> Path:
        request = self.review.request
        stem = safe_stem(f"承認結果_{request.applicant.name}_{request.request_id[:8]}", "承認結果")
        return self.source.parent / f"{stem}{RESPONSE_SUFFIX}"

    def save_response(self) -> None:
        """Refuse until every case is decided; confirm; write the signed response; offer the folder."""
        undecided = self.review.undecided()
        if undecided:
            numbers = "、".join(str(case.number) for case in undecided)
            notify(
                self,
                self.tr("まだ保存できません"),
                self.tr(
                    "判定していない症例があります（番号 {n}）。すべての症例を承認または非承認にしてください。"
                ).format(n=numbers),
                warning=True,
            )
            self.select_case(self.review.cases.index(undecided[0]))
            return
        try:
            data = self.review.response(self.key, now=dt.datetime.now(dt.UTC))
        except ReviewError as error:
            notify(self, self.tr("保存できません"), str(error), warning=True)
            return
        path = choose_response_file(self, self.suggested_response_path())
        if path is None:
            return
        approved = sum(self.review.state(c.id).decision == "approved" for c in self.review.cases)
        rejected = len(self.review.cases) - approved
        summary = self.tr(
            "承認 {a}件、非承認 {r}件の結果を、この PC の署名鍵で署名して保存します。\n\n保存先: {p}"
        ).format(a=approved, r=rejected, p=path)
        if not confirm(self, self.tr("結果を保存"), summary + self.tr("\n\nよろしいですか？")):
            return
        try:
            write_atomically(path, data)
        except OSError as error:
            notify(
                self,
                self.tr("保存できません"),
                self.tr("{p} に書き込めません（{e}）。別の保存先を選んでください。").format(
                    p=path, e=error.strerror
                ),
                warning=True,
            )
            return
        self.review.saved_response = str(path)
        self.save_draft()
        self._refresh_progress()
        self.statusBar().showMessage(self.tr("{p} に保存しました").format(p=path), 15000)
        show_saved(
            self,
            path,
            self.tr(
                "承認 {a}件、非承認 {r}件の結果を保存しました。\n{p}\n\n"
                "このファイルを申請者に送ってください。申請者が Shorei で取り込むと結果が反映されます。"
            ).format(a=approved, r=rejected, p=path),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_draft()
        super().closeEvent(event)
