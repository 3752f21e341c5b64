"""The applicant's side of approval by files (JS-5 … JS-8): 症例承認依頼 and the file choices (指導者登録 is
`app.views.supervisor_dialogs`).

Each dialog has a classmethod `ask` (or a module-level function for the file choices) that the window
calls and tests patch, so no test ever opens a modal dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.cells import display_value
from app.models.text import normalize_text, text_problem
from app.views.case_model import PRIVATE_TINT
from app.views.fit import fit_size
from app.views.report_model import PRIVATE_FRAME, PrivateFrameDelegate
from app.views.supervisor_dialogs import ERROR_TEXT, HINT_TEXT

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from app.models.application import CaseReport, Supervisor
    from app.models.forms import FormDefinition

NOT_SENT_NOTE = "※青枠の備考は指導者に送信されません。何かメッセージがある場合は「通信欄」にご記入ください。"


def supervisor_line(supervisor: Supervisor) -> str:
    """A 指導者 in one line: 氏名（会員番号、資格、認定期間）."""
    period = f"{supervisor.cert_start:%Y/%m/%d}〜{supervisor.cert_end:%Y/%m/%d}"
    return f"{supervisor.name}（{supervisor.member_id}、{supervisor.qualification}、認定期間 {period}）"


# --- file choices (tests patch these) ----------------------------------------------------------------


def ask_where_to_save_request(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to save the 承認依頼ファイル."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "承認依頼ファイルを保存", str(suggested), "承認依頼ファイル (*.json)"
    )
    return Path(path) if path else None


def ask_response_to_open(parent: QWidget | None, start: str) -> Path | None:
    """The 承認結果ファイル the 指導者 sent back."""
    path, _ = QFileDialog.getOpenFileName(
        parent,
        "承認結果ファイルを選択",
        start,
        "承認結果ファイル (*.approval-response.json);;すべてのファイル (*)",
    )
    return Path(path) if path else None


# --- 指導者登録 ------------------------------------------------------------------------------------------


# --- 症例承認依頼 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestChoice:
    """What the user chose in the 症例承認依頼 dialog."""

    supervisor: Supervisor
    message: str


class RequestDialog(QDialog):
    """症例承認依頼, as on the society's page: the cases, the 指導者, and the 通信欄."""

    def __init__(
        self,
        form: FormDefinition,
        cases: Sequence[tuple[int, CaseReport]],
        supervisors: Callable[[], list[Supervisor]],
        parent: QWidget | None = None,
        *,
        open_registry: Callable[[QWidget], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("症例承認依頼"))
        self._form = form
        self._supervisors = supervisors
        self._limit = form.approval.message_max_length if form.approval is not None else 200
        self._result: RequestChoice | None = None
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("症例承認依頼"), self)
        heading.setStyleSheet("font-weight: bold; font-size: 12pt;")
        layout.addWidget(heading)

        cases_caption = QLabel(self.tr("症例（{n}件）").format(n=len(cases)), self)
        cases_caption.setStyleSheet("font-weight: bold;")
        layout.addWidget(cases_caption)
        self.cases = QTableWidget(len(cases), 3, self)
        self.cases.setHorizontalHeaderLabels(
            [self.tr("番号"), self.tr("症例区分"), self.tr("備考（送信されません）")]
        )
        self.cases.verticalHeader().hide()
        self.cases.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cases.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.cases.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cases.setColumnWidth(0, 50)
        self.cases.setColumnWidth(1, 200)
        self.cases.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, (number, report) in enumerate(cases):
            number_item = QTableWidgetItem(str(number))
            number_item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.cases.setItem(row, 0, number_item)
            self.cases.setItem(row, 1, QTableWidgetItem(display_value(form, "category", report.category)))
            private = QTableWidgetItem(report.note)
            private.setBackground(PRIVATE_TINT)
            private.setToolTip(NOT_SENT_NOTE)
            self.cases.setItem(row, 2, private)
        self.cases.setItemDelegateForColumn(2, PrivateFrameDelegate(self.cases))
        self.cases.setWordWrap(False)
        self.cases.verticalHeader().setDefaultSectionSize(26)
        rows_height = 26 * min(max(len(cases), 1), 6)
        self.cases.setFixedHeight(self.cases.horizontalHeader().sizeHint().height() + rows_height + 4)
        layout.addWidget(self.cases)

        supervisor_caption = QLabel(self.tr("指導者"), self)
        supervisor_caption.setStyleSheet("font-weight: bold;")
        layout.addWidget(supervisor_caption)
        row_layout = QHBoxLayout()
        self.supervisor = QComboBox(self)
        self.supervisor.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        supervisor_caption.setBuddy(self.supervisor)
        row_layout.addWidget(self.supervisor, 1)
        self.registry_button = QPushButton(self.tr("指導者登録…"), self)
        if open_registry is not None:
            registry = open_registry

            def open_and_refresh() -> None:
                registry(self)
                self.refresh_supervisors()

            self.registry_button.clicked.connect(open_and_refresh)
        else:
            self.registry_button.hide()
        row_layout.addWidget(self.registry_button)
        layout.addLayout(row_layout)
        supervisor_hint = QLabel(
            self.tr(
                "実際に症例の指導を受けた研修施設の指導者を選んでください。症例の期間が指導者の認定期間内の場合に依頼できます。"
            ),
            self,
        )
        supervisor_hint.setWordWrap(True)
        supervisor_hint.setStyleSheet(HINT_TEXT + "font-size: 9pt;")
        layout.addWidget(supervisor_hint)

        message_row = QHBoxLayout()
        message_caption = QLabel(self.tr("通信欄 ({n}文字以内)").format(n=self._limit), self)
        message_caption.setStyleSheet("font-weight: bold;")
        self.counter = QLabel(self)
        message_row.addWidget(message_caption)
        message_row.addStretch(1)
        message_row.addWidget(self.counter)
        layout.addLayout(message_row)
        self.message = QPlainTextEdit(self)
        self.message.setTabChangesFocus(True)
        self.message.setFixedHeight(100)
        message_caption.setBuddy(self.message)
        self.message.textChanged.connect(self._update_counter)
        layout.addWidget(self.message)
        note = QLabel(NOT_SENT_NOTE, self)
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {PRIVATE_FRAME.name()};")
        layout.addWidget(note)
        file_note = QLabel(
            self.tr(
                "「承認依頼ファイルを保存」で署名付きの依頼ファイルを作り、指導者に渡してください"
                "（メール添付・USBメモリなど）。保存すると症例は「承認依頼中」になり、編集できなくなります。"
            ),
            self,
        )
        file_note.setWordWrap(True)
        file_note.setStyleSheet(HINT_TEXT)
        layout.addWidget(file_note)
        self.problem = QLabel(self)
        self.problem.setStyleSheet(ERROR_TEXT)
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("承認依頼ファイルを保存…"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        buttons.accepted.connect(self._choose)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.refresh_supervisors()
        self._update_counter()
        fit_size(self, 640)

    def refresh_supervisors(self) -> None:
        chosen = self.supervisor.currentData()
        self.supervisor.clear()
        supervisors = self._supervisors()
        for supervisor in supervisors:
            self.supervisor.addItem(supervisor_line(supervisor), supervisor.member_id)
        if not supervisors:
            self.supervisor.addItem(
                self.tr("（指導者が登録されていません — 「指導者登録」で登録してください）"), None
            )
        index = self.supervisor.findData(chosen)
        self.supervisor.setCurrentIndex(max(index, 0))

    def chosen_supervisor(self) -> Supervisor | None:
        member_id = self.supervisor.currentData()
        return next((s for s in self._supervisors() if s.member_id == member_id), None)

    def _message_problem(self) -> str | None:
        return text_problem(normalize_text(self.message.toPlainText(), multiline=True),
                            max_length=self._limit, multiline=True)  # fmt: skip

    def _update_counter(self) -> None:
        length = len(normalize_text(self.message.toPlainText(), multiline=True))
        problem = self._message_problem()
        self.counter.setText(f"{length} / {self._limit}")
        self.counter.setStyleSheet(ERROR_TEXT + "font-weight: bold;" if problem else HINT_TEXT)
        self.counter.setToolTip(problem or "")

    def read(self) -> RequestChoice | str:
        """The choice, or what is wrong (Japanese)."""
        supervisor = self.chosen_supervisor()
        if supervisor is None:
            return self.tr("指導者を選んでください（未登録なら「指導者登録」で登録します）")
        problem = self._message_problem()
        if problem is not None:
            return self.tr("通信欄: {problem}").format(problem=problem)
        return RequestChoice(supervisor, self.message.toPlainText())

    def _choose(self) -> None:
        result = self.read()
        if isinstance(result, str):
            self.problem.setText(result)
            self.problem.show()
            return
        self._result = result
        self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        form: FormDefinition,
        cases: Sequence[tuple[int, CaseReport]],
        supervisors: Callable[[], list[Supervisor]],
        open_registry: Callable[[QWidget], None] | None = None,
    ) -> RequestChoice | None:
        """The 指導者 and 通信欄 chosen, or None when cancelled (tests patch this)."""
        dialog = cls(form, cases, supervisors, parent, open_registry=open_registry)
        return dialog._result if dialog.exec() == QDialog.DialogCode.Accepted else None
