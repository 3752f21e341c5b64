"""The 症例編集 panel: every field of one case report (JSPM), saved field by field.

Dates and the age are read with the shared cell reader (`read_cell`): what cannot be read stays on
screen as typed, with the reason, and is not saved. Text goes to the store as typed (the store normalises
it; the rules report what is too long), so nothing typed is ever dropped. Long fields count their
characters against the form's limit as the user types. A locked case (承認依頼中, 承認) is shown
read-only with a banner saying why and what to do; a rejected one shows the 指導者's comments above the
case in the seed's blue frame and marks the fields they concern (the banners are app.views.report_banners).

Over ~500 lines on purpose: it is one widget, whose building lays out every field of the form in the
society's order (~150 lines), and whose showing and editing go through those same widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.models.cells import CellProblem, display_value, read_cell
from app.models.text import normalize_text, text_problem
from app.views.report_banners import BLUE_FRAME, REJECTED_MARK, ApprovalBanners
from app.views.report_model import (
    APPROVED,
    PRIVATE_FRAME,
    REJECTED,
    REQUESTED,
    STATUS_COLORS,
    UNREGISTERED,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import CaseReport
    from app.models.forms import FieldSpec, FormDefinition
    from app.validation import Issue

ERROR_TEXT = "color: #b3261e;"
HINT_TEXT = "color: #5f6368;"
READ_ONLY_FIELDS = (
    'QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"]'
    " { background: #eeeeee; color: #333333; border: 1px solid #cccccc; }"
)
"""A locked case's fields (承認依頼中, 承認) look read-only, not merely refuse keys."""

UNREGISTERED_ADVICE = (
    "未登録です（入力の終わっていない項目があります）。赤字の項目を直すと「未承認」になり、承認を依頼できます"
)

MARKED_FIELD = f"border: 2px solid {PRIVATE_FRAME.name()};"
NARRATIVE_HEIGHT = 84
IDLE_SAVE_MS = 1500
"""A long field is saved after this pause in typing (and when it loses focus), so a crash loses little."""


class NarrativeEdit(QPlainTextEdit):
    """A long field: wraps, takes Tab as focus change, and says when it loses focus."""

    focusLeft = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.setFixedHeight(NARRATIVE_HEIGHT)

    def focusOutEvent(self, event: object) -> None:
        super().focusOutEvent(event)  # type: ignore[arg-type]
        self.focusLeft.emit()


class ReportEditor(QWidget):
    """Edits one case report. Emits what the user changed; the page saves it through the window."""

    fieldEdited = Signal(str, object)
    """(field key, value): category, start, end, age, sex, diagnosis, note, or a narrative key."""
    facilityRequested = Signal()
    """The user asked for the 診療施設検索."""
    reopenRequested = Signal()
    """「削除して再依頼」 from the banner of an approved case."""
    withdrawRequested = Signal()
    """「承認依頼の取り下げをする」 from the banner of a requested case."""
    inputRejected = Signal(str)
    """A typed value could not be read (the message says what to type); it stays on screen, unsaved."""

    def __init__(self, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = form
        self._row: int | None = None
        self._report: CaseReport | None = None
        self._loading = False
        self._locked = False
        self._issues: list[Issue] = []
        self._status = ""
        self._marked: set[str] | None = None
        self.rejected: dict[str, str] = {}
        """Typed values that could not be read (key → message): shown, not saved."""

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt; padding: 2px 4px;")
        outer.addWidget(self.title)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll, 1)
        body = QWidget(scroll)
        scroll.setWidget(body)
        self.scroll_area = scroll
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 2, 8, 4)
        layout.setSpacing(6)

        self.captions: dict[str, QLabel] = {}
        self.problems: dict[str, QLabel] = {}
        """Where each field's issues are shown (start and end share one; "approval" is the case's state)."""
        self.inputs: dict[str, QWidget] = {}
        self._rows = 0
        self.banners = ApprovalBanners(form, body, self._banner_action)
        self.lock_banner, self.lock_text, self.lock_button = self.banners.lock
        self.rejection, self.rejection_text = self.banners.rejection, self.banners.rejection_text
        self.approval_problem = self.banners.approval_problem
        self.problems["approval"] = self.approval_problem
        for banner in (self.lock_banner, self.rejection, self.approval_problem):
            layout.addWidget(banner)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        self._grid = grid

        self.category = QComboBox(body)
        self.category.addItem(self.tr("（選択してください）"), "")
        categories = form.choices[form.field("category").choices or "categories"]
        for option in categories.options:
            self.category.addItem(option.label, option.value)
        self.category.setToolTip(form.field("category").hint)
        self.category.activated.connect(lambda _: self._emit("category", self.category.currentData()))
        self._add_row("category", form.field("category").label, self.category)

        facility_row = QWidget(body)
        facility_layout = QVBoxLayout(facility_row)
        facility_layout.setContentsMargins(0, 0, 0, 0)
        facility_layout.setSpacing(2)
        self.facility_label = QLabel(facility_row)
        self.facility_label.setWordWrap(True)
        self.facility_label.setTextFormat(Qt.TextFormat.PlainText)
        self.facility_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.facility_button = QPushButton(self.tr("診療施設検索…"), facility_row)
        self.facility_button.clicked.connect(self.facilityRequested.emit)
        facility_layout.addWidget(self.facility_label)
        facility_layout.addWidget(self.facility_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._add_row("facility", form.facility.label, facility_row, focus=self.facility_button)

        period_row = QWidget(body)
        period_layout = QHBoxLayout(period_row)
        period_layout.setContentsMargins(0, 0, 0, 0)
        self.start = self._line_edit(period_row, "start", self.tr("例: 2024/05/01"))
        self.end = self._line_edit(period_row, "end", self.tr("例: 2024/08/31"))
        for edit in (self.start, self.end):
            edit.setMaximumWidth(130)
            edit.setToolTip(self.tr("2024/5/1、R6.5.1、令和6年5月1日 のようにも入力できます"))
        period_layout.addWidget(self.start)
        period_layout.addWidget(QLabel("〜", period_row))
        period_layout.addWidget(self.end)
        period_layout.addStretch(1)
        self._add_row("start", form.period_label, period_row, focus=self.start, also=("end",))
        self.period_hint = QLabel(form.field("start").hint, body)
        self.period_hint.setWordWrap(True)
        self.period_hint.setStyleSheet(HINT_TEXT + "font-size: 9pt;")
        self._add_span(self.period_hint)

        person = QWidget(body)
        person_layout = QHBoxLayout(person)
        person_layout.setContentsMargins(0, 0, 0, 0)
        self.age = self._line_edit(person, "age", self.tr("例: 65"))
        self.age.setMaximumWidth(70)
        self.sex = QComboBox(person)
        self.sex.addItem("", None)
        for option in form.choices[form.field("sex").choices or "sex"].options:
            self.sex.addItem(option.label, option.value)
        self.sex.activated.connect(lambda _: self._emit("sex", self.sex.currentData()))
        self.inputs["sex"] = self.sex
        sex_caption = QLabel(form.field("sex").label, person)
        sex_caption.setBuddy(self.sex)
        self.captions["sex"] = sex_caption
        person_layout.addWidget(self.age)
        person_layout.addSpacing(16)
        person_layout.addWidget(sex_caption)
        person_layout.addWidget(self.sex)
        person_layout.addStretch(1)
        self._add_row("age", form.field("age").label, person, focus=self.age, also=("sex",))

        self.diagnosis = self._line_edit(body, "diagnosis", form.field("diagnosis").hint)
        self._add_row("diagnosis", form.field("diagnosis").label, self.diagnosis)

        self.narratives: dict[str, NarrativeEdit] = {}
        self.counters: dict[str, QLabel] = {}
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_SAVE_MS)
        self._idle.timeout.connect(self.save_pending)
        for spec in form.narrative_fields():
            self._add_narrative(body, spec)
        layout.addLayout(grid)

        note_spec = form.field("note")
        self.note_frame = QFrame(body)
        self.note_frame.setObjectName("blueFrame")
        self.note_frame.setStyleSheet(BLUE_FRAME)
        note_layout = QVBoxLayout(self.note_frame)
        note_layout.setContentsMargins(8, 6, 8, 6)
        note_layout.setSpacing(2)
        note_caption = QLabel(
            self.tr("{label}（青枠の備考は指導者に送信されません）").format(label=note_spec.label)
        )
        note_caption.setStyleSheet(f"color: {PRIVATE_FRAME.name()}; font-weight: bold;")
        self.note = QLineEdit(self.note_frame)
        self.note.setPlaceholderText(self.tr("自分用のメモ"))
        self.note.setToolTip(note_spec.hint)
        self.note.editingFinished.connect(lambda: self._text_finished("note", self.note))
        note_caption.setBuddy(self.note)
        note_hint = QLabel(note_spec.hint, self.note_frame)
        note_hint.setWordWrap(True)
        note_hint.setStyleSheet(HINT_TEXT + "font-size: 9pt;")
        note_layout.addWidget(note_caption)
        note_layout.addWidget(self.note)
        note_layout.addWidget(note_hint)
        self.inputs["note"] = self.note
        self.captions["note"] = note_caption
        self.note_problem = QLabel(self.note_frame)
        self.note_problem.setStyleSheet(ERROR_TEXT)
        self.note_problem.setWordWrap(True)
        self.note_problem.hide()
        note_layout.addWidget(self.note_problem)
        self.problems["note"] = self.note_problem
        layout.addWidget(self.note_frame)
        layout.addStretch(1)
        for widget in self.inputs.values():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.installEventFilter(self)
        self.show_report(None, None, "", [])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A key typed into a locked case's field is not dropped silently: say why and what to do.
        if (
            self._locked
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QLineEdit | QPlainTextEdit)
            and watched.isReadOnly()
            and event.text().isprintable()
            and event.text()
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.inputRejected.emit(self.lock_text.text())
        return False

    # --- building ---------------------------------------------------------------------------------

    def _line_edit(self, parent: QWidget, key: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setPlaceholderText(placeholder)
        edit.editingFinished.connect(lambda: self._text_finished(key, edit))
        self.inputs[key] = edit
        return edit

    def _add_row(
        self, key: str, label: str, widget: QWidget, *, focus: QWidget | None = None, also: Sequence[str] = ()
    ) -> None:
        caption = QLabel(label, widget.parentWidget())
        caption.setWordWrap(True)
        caption.setMaximumWidth(150)
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        caption.setBuddy(focus or widget)
        self.captions[key] = caption
        self.inputs.setdefault(key, focus or widget)
        problem = QLabel(widget.parentWidget())
        problem.setStyleSheet(ERROR_TEXT)
        problem.setWordWrap(True)
        problem.hide()
        for name in (key, *also):
            self.problems[name] = problem
        self._grid.addWidget(caption, self._rows, 0)
        self._grid.addWidget(widget, self._rows, 1)
        self._grid.addWidget(problem, self._rows + 1, 1)
        self._rows += 2

    def _add_span(self, widget: QWidget) -> None:
        self._grid.addWidget(widget, self._rows, 1)
        self._rows += 1

    def _add_narrative(self, parent: QWidget, spec: FieldSpec) -> None:
        header = QWidget(parent)
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(0, 6, 0, 0)
        caption = QLabel(spec.label, header)
        caption.setStyleSheet("font-weight: bold;")
        counter = QLabel(header)
        header_layout.addWidget(caption)
        header_layout.addStretch(1)
        header_layout.addWidget(counter)
        edit = NarrativeEdit(parent)
        if spec.hint:
            edit.setPlaceholderText(spec.hint)
            edit.setToolTip(spec.hint)
        caption.setBuddy(edit)
        problem = QLabel(parent)
        problem.setStyleSheet(ERROR_TEXT)
        problem.setWordWrap(True)
        problem.hide()
        self._grid.addWidget(header, self._rows, 0, 1, 2)
        self._grid.addWidget(edit, self._rows + 1, 0, 1, 2)
        self._grid.addWidget(problem, self._rows + 2, 0, 1, 2)
        self._rows += 3
        self.captions[spec.key] = caption
        self.problems[spec.key] = problem
        self.inputs[spec.key] = edit
        self.narratives[spec.key] = edit
        self.counters[spec.key] = counter
        edit.textChanged.connect(lambda: self._narrative_changed(spec.key))
        edit.focusLeft.connect(self.save_pending)

    # --- showing ----------------------------------------------------------------------------------

    @property
    def row(self) -> int | None:
        return self._row

    def show_report(
        self, row: int | None, report: CaseReport | None, status: str, issues: Sequence[Issue]
    ) -> None:
        """Show `report` (row is 0-based; None shows an empty, disabled editor)."""
        if row != self._row:
            self.rejected.clear()
        self._row, self._report, self._status = row, report, status
        self._loading = True
        try:
            self._show_values(report)
            self._show_state(row, report, status)
            self._issues = list(issues)
            self._show_problems(issues)
        finally:
            self._loading = False

    def _show_values(self, report: CaseReport | None) -> None:
        form = self._form
        self._set_combo(self.category, report.category if report is not None else "")
        self._set_combo(self.sex, report.sex if report is not None else None)
        facility = report.facility if report is not None else None
        if facility is None or not facility.name:
            self.facility_label.setText(
                self.tr("未選択 — 「診療施設検索」で選ぶか、施設名を手入力してください")
            )
        elif facility.manual:
            self.facility_label.setText(self.tr("{name}（手入力）").format(name=facility.name))
        else:
            start = facility.cert_start.strftime("%Y/%m/%d") if facility.cert_start else ""
            end = facility.cert_end.strftime("%Y/%m/%d") if facility.cert_end else ""
            self.facility_label.setText(
                self.tr("{name}\n{kind}（{start}〜{end}）").format(
                    name=facility.name, kind=facility.kind, start=start, end=end
                )
            )
        values: dict[str, str] = {
            "start": display_value(form, "start", report.start) if report is not None else "",
            "end": display_value(form, "end", report.end) if report is not None else "",
            "age": display_value(form, "age", report.age) if report is not None else "",
            "diagnosis": report.diagnosis if report is not None else "",
            "note": report.note if report is not None else "",
        }
        for key, text in values.items():
            edit = self.inputs[key]
            assert isinstance(edit, QLineEdit)
            if key in self.rejected:
                continue
            if edit.hasFocus() and normalize_text(edit.text()) == text:
                continue  # the user is typing here; the store holds what they typed
            if edit.text() != text:
                edit.setText(text)
        for key, edit in self.narratives.items():
            text = report.narrative.get(key, "") if report is not None else ""
            if normalize_text(edit.toPlainText(), multiline=True) != text:
                edit.setPlainText(text)
            self._update_counter(key)

    @staticmethod
    def _set_combo(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        if index < 0 and isinstance(value, str) and value:
            # A value outside the list (from an imported document) is shown as it is; the rules report it.
            combo.addItem(value, value)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    def _show_state(self, row: int | None, report: CaseReport | None, status: str) -> None:
        color = STATUS_COLORS.get(status)
        badge = f'　<span style="color: {color.name()};">［{status}］</span>' if color is not None else ""
        self.title.setText(
            self.tr("症例編集（番号: {n}）").format(n=row + 1) + badge
            if row is not None
            else self.tr("症例編集 — 一覧で症例を選んでください")
        )
        locked = report is not None and report.is_locked()
        self._locked = locked
        self.banners.show_lock(report, status)
        self._mark_commented(self.banners.show_rejection(report if status == REJECTED else None))
        editable = report is not None and not locked
        self.setProperty("locked", locked)
        self.setStyleSheet(READ_ONLY_FIELDS if locked else "")
        for key, widget in self.inputs.items():
            if key == "note":
                widget.setEnabled(report is not None)
            elif isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setEnabled(report is not None)
                widget.setReadOnly(not editable)
            else:
                widget.setEnabled(editable)
        self.category.setEnabled(editable)
        self.sex.setEnabled(editable)
        self.facility_button.setEnabled(editable)

    def _mark_commented(self, marked: set[str]) -> None:
        """Mark the fields a rejecting 指導者 commented on (their caption and their frame)."""
        if marked == self._marked:
            return  # restyling every field on each edit would cost more than the edit itself
        self._marked = marked
        for key, caption in self.captions.items():
            if key == "note":
                continue
            text = caption.text().removeprefix(REJECTED_MARK)
            bold = "font-weight: bold;" if key in self.narratives else ""
            caption.setText(f"{REJECTED_MARK}{text}" if key in marked else text)
            caption.setStyleSheet(bold + (f"color: {PRIVATE_FRAME.name()};" if key in marked else ""))
        for key, widget in self.inputs.items():
            if key != "note":
                widget.setStyleSheet(MARKED_FIELD if key in marked else "")

    def _show_problems(self, issues: Sequence[Issue]) -> None:
        """Each field's issues (and typed values not taken) under it; several keys may share a label."""
        messages: dict[QLabel, list[str]] = {label: [] for label in self.problems.values()}
        for issue in issues:
            label = self.problems.get(issue.field or "")
            if issue.code == "not-approved" and self._status in (REQUESTED, APPROVED, REJECTED):
                continue  # the banner above says it, with what to do
            if issue.code == "not-approved" and self._status == UNREGISTERED:
                messages[self.approval_problem].append(UNREGISTERED_ADVICE)
                continue
            if label is not None and not issue.accepted:
                messages[label].append(issue.text)
        for key, message in self.rejected.items():
            messages[self.problems[key]].append(message + self.tr("（保存されていません）"))
        for label, lines in messages.items():
            unique = list(dict.fromkeys(lines))
            label.setText("\n".join(unique))
            label.setVisible(bool(unique))

    def _update_counter(self, key: str) -> None:
        spec = self._form.field(key)
        text = self.narratives[key].toPlainText()
        length = len(normalize_text(text, multiline=True))
        over = text_problem(normalize_text(text, multiline=True), max_length=spec.max_length, multiline=True)
        counter = self.counters[key]
        counter.setText(f"{length} / {spec.max_length}")
        style = ERROR_TEXT + "font-weight: bold;" if over else HINT_TEXT
        if counter.styleSheet() != style:
            counter.setStyleSheet(style)
        counter.setToolTip(over or self.tr("{max}文字以内").format(max=spec.max_length))

    # --- editing ----------------------------------------------------------------------------------

    def _emit(self, key: str, value: object) -> None:
        if self._loading or self._row is None or (self._locked and key != "note"):
            return
        current = self._current(key)
        if value != current:
            self.fieldEdited.emit(key, value)

    def _current(self, key: str) -> object:
        report = self._report
        if report is None:
            return None
        if key in report.narrative or key in self.narratives:
            return report.narrative.get(key, "")
        return getattr(report, key)

    def _text_finished(self, key: str, edit: QLineEdit) -> None:
        if self._loading or self._row is None:
            return
        text = edit.text()
        if key in ("start", "end", "age"):
            value = read_cell(self._form, key, text)
            if isinstance(value, CellProblem):
                self.rejected[key] = value.message
                self._refresh_own_problems()
                self.inputRejected.emit(value.message)
                return
            was_rejected = self.rejected.pop(key, None) is not None
            if was_rejected:
                self._refresh_own_problems()
            self._emit(key, value)
            return
        if normalize_text(text) != self._current(key):
            self._emit(key, text)

    def _refresh_own_problems(self) -> None:
        self._show_problems(self._issues)

    def _narrative_changed(self, key: str) -> None:
        self._update_counter(key)
        if not self._loading:
            self._idle.start()

    def save_pending(self) -> None:
        """Send every long field whose text differs from the store (after a pause, on focus loss)."""
        self._idle.stop()
        if self._loading or self._row is None or self._locked:
            return
        for key, edit in self.narratives.items():
            text = edit.toPlainText()
            if normalize_text(text, multiline=True) != self._current(key):
                self.fieldEdited.emit(key, text)

    def _banner_action(self) -> None:
        report = self._report
        if report is None or report.approval is None:
            return
        if report.approval.state == "approved":
            self.reopenRequested.emit()
        else:
            self.withdrawRequested.emit()

    def focus_field(self, key: str | None) -> None:
        """Put the cursor in the field an issue names (the problems panel's jump)."""
        widget = self.inputs.get(key or "")
        if widget is None:
            return
        self.scroll_area.ensureWidgetVisible(self.captions.get(key or "", widget))
        self.scroll_area.ensureWidgetVisible(widget)
        widget.setFocus()
