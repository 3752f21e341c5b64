"""The applicant's side of approval by files (JS-5 … JS-8): 指導者登録, 症例承認依頼, file choices.

Each dialog has a classmethod `ask` (or a module-level function for the file choices) that the window
calls and tests patch, so no test ever opens a modal dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.application import Supervisor
from app.models.cells import display_value
from app.models.document import describe_validation_error
from app.models.text import InputError, normalize_text, parse_date_input, text_problem
from app.views.case_model import PRIVATE_TINT
from app.views.fit import fit_size
from app.views.report_model import PRIVATE_FRAME, PrivateFrameDelegate

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from app.models.application import CaseReport
    from app.models.forms import FormDefinition
    from app.store import Store

ERROR_TEXT = "color: #b3261e;"
HINT_TEXT = "color: #5f6368;"
NOT_SENT_NOTE = "※青枠の備考は指導者に送信されません。何かメッセージがある場合は「通信欄」にご記入ください。"


def supervisor_line(supervisor: Supervisor) -> str:
    """A 指導者 in one line: 氏名（会員番号、資格、認定期間）."""
    period = f"{supervisor.cert_start:%Y/%m/%d}〜{supervisor.cert_end:%Y/%m/%d}"
    return f"{supervisor.name}（{supervisor.member_id}、{supervisor.qualification}、認定期間 {period}）"


def _date_text(value: dt.date | None) -> str:
    return value.strftime("%Y/%m/%d") if value is not None else ""


# --- file choices (tests patch these) ----------------------------------------------------------------


def choose_request_file(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to save the 承認依頼ファイル."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "承認依頼ファイルを保存", str(suggested), "承認依頼ファイル (*.json)"
    )
    return Path(path) if path else None


def choose_response_file(parent: QWidget | None, start: str) -> Path | None:
    """The 承認結果ファイル the 指導者 sent back."""
    path, _ = QFileDialog.getOpenFileName(
        parent,
        "承認結果ファイルを選択",
        start,
        "承認結果ファイル (*.approval-response.json);;すべてのファイル (*)",
    )
    return Path(path) if path else None


# --- 指導者登録 ------------------------------------------------------------------------------------------


class SupervisorDialog(QDialog):
    """One 指導者: 氏名, 会員番号, 資格, 認定期間, and the fingerprint of the key that signs their results."""

    def __init__(
        self, kinds: Sequence[str], current: Supervisor | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("指導者の登録") if current is None else self.tr("指導者の編集"))
        fit_size(self, 560, 0)
        self._result: Supervisor | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.member_id = QLineEdit(self)
        self.qualification = QComboBox(self)
        self.qualification.addItems(list(kinds))
        self.cert_start = QLineEdit(self)
        self.cert_end = QLineEdit(self)
        for edit in (self.cert_start, self.cert_end):
            edit.setPlaceholderText("2020/04/01・R2.4.1")
            edit.setMaximumWidth(150)
        period = QHBoxLayout()
        period.addWidget(self.cert_start)
        period.addWidget(QLabel("〜", self))
        period.addWidget(self.cert_end)
        period.addStretch(1)
        self.fingerprint = QLineEdit(self)
        self.fingerprint.setPlaceholderText(self.tr("未登録（最初の承認結果を取り込むときに確認します）"))
        form.addRow(self.tr("氏名"), self.name)
        form.addRow(self.tr("会員番号"), self.member_id)
        form.addRow(self.tr("資格"), self.qualification)
        form.addRow(self.tr("認定期間"), period)
        form.addRow(self.tr("署名鍵の指紋"), self.fingerprint)
        layout.addLayout(form)
        hint = QLabel(
            self.tr(
                "承認依頼は、症例の「主に緩和医療を提供した期間」が指導者の認定期間内の場合にだけできます。"
                "署名鍵の指紋は、指導者から紙や電話で聞いたものを入力すると、結果ファイルの確認に使われます。"
            ),
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_TEXT)
        layout.addWidget(hint)
        self.problem = QLabel(self)
        self.problem.setStyleSheet(ERROR_TEXT)
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if current is not None:
            self.name.setText(current.name)
            self.member_id.setText(current.member_id)
            if self.qualification.findText(current.qualification) < 0:
                self.qualification.addItem(current.qualification)
            self.qualification.setCurrentText(current.qualification)
            self.cert_start.setText(_date_text(current.cert_start))
            self.cert_end.setText(_date_text(current.cert_end))
            self.fingerprint.setText(current.fingerprint)

    def read(self) -> Supervisor | str:
        """The 指導者 as entered, or what is wrong (Japanese)."""
        dates: list[dt.date] = []
        for label, edit in (
            (self.tr("認定期間（開始）"), self.cert_start),
            (self.tr("認定期間（終了）"), self.cert_end),
        ):
            try:
                dates.append(parse_date_input(edit.text()))
            except InputError as error:
                return f"{label}: {error}"
        try:
            return Supervisor(
                name=self.name.text(),
                member_id=self.member_id.text(),
                qualification=self.qualification.currentText(),
                cert_start=dates[0],
                cert_end=dates[1],
                fingerprint=normalize_text(self.fingerprint.text()),
            )
        except ValidationError as error:
            labels = {"name": "氏名", "member_id": "会員番号", "qualification": "資格"}
            first = error.errors()[0]
            field = labels.get(str(first["loc"][0]) if first["loc"] else "", "")
            return f"{field}: {first['msg']}" if field else describe_validation_error(error)

    def _save(self) -> None:
        result = self.read()
        if isinstance(result, str):
            self.problem.setText(result)
            self.problem.show()
            return
        self._result = result
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, kinds: Sequence[str], current: Supervisor | None
    ) -> Supervisor | None:
        """The 指導者 entered, or None when cancelled (tests patch this)."""
        dialog = cls(kinds, current, parent)
        return dialog._result if dialog.exec() == QDialog.DialogCode.Accepted else None


class SupervisorRegistryDialog(QDialog):
    """指導者登録: the 指導者 registered in this data folder, with add, edit and remove."""

    HEADERS = ("氏名", "会員番号", "資格", "認定期間", "署名鍵の指紋")

    def __init__(
        self,
        store: Store,
        kinds: Sequence[str],
        parent: QWidget | None = None,
        *,
        confirm: Callable[[str, str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("指導者登録"))
        fit_size(self, 900, 380)
        self._store, self._kinds, self._confirm = store, list(kinds), confirm
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "実際に症例の指導を受けた研修施設の指導者を登録してください（{kinds}）。"
                "ご自身には承認依頼できません。"
            ).format(kinds="・".join(self._kinds)),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((130, 100, 200, 190)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())
        layout.addWidget(self.table, 1)
        self.problem = QLabel(self)
        self.problem.setStyleSheet(ERROR_TEXT)
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        row = QHBoxLayout()
        for text, slot in (
            (self.tr("追加…"), self.add),
            (self.tr("編集…"), self.edit_selected),
            (self.tr("削除"), self.remove_selected),
        ):
            button = QPushButton(text, self)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        close = QPushButton(self.tr("閉じる"), self)
        close.clicked.connect(self.accept)
        row.addWidget(close)
        layout.addLayout(row)
        self.refresh()

    def supervisors(self) -> list[Supervisor]:
        return self._store.supervisors()

    def refresh(self) -> None:
        supervisors = self.supervisors()
        self.table.setRowCount(len(supervisors))
        for row, supervisor in enumerate(supervisors):
            period = f"{_date_text(supervisor.cert_start)}〜{_date_text(supervisor.cert_end)}"
            values = (
                supervisor.name,
                supervisor.member_id,
                supervisor.qualification,
                period,
                supervisor.fingerprint or self.tr("（未登録）"),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, supervisor.member_id)
                self.table.setItem(row, column, item)

    def _selected(self) -> Supervisor | None:
        row = self.table.currentRow()
        supervisors = self.supervisors()
        return supervisors[row] if 0 <= row < len(supervisors) else None

    def _save(self, supervisor: Supervisor | None, previous: Supervisor | None = None) -> None:
        """Store an entry; a new key for a 指導者 whose key is trusted is taken only after asking (the
        registry keeps a trusted key unless told on purpose), and a changed 会員番号 replaces the entry."""
        from app.store import StoreError
        from app.store.supervisors import read_fingerprint

        if supervisor is None:
            return
        try:
            new_key = read_fingerprint(supervisor.fingerprint) if supervisor.fingerprint.strip() else ""
            same_person = previous is not None and previous.member_id == supervisor.member_id
            trusted = previous.fingerprint if previous is not None and same_person else ""
            if new_key and trusted and new_key != trusted:
                question = self.tr(
                    "指導者 {name} の署名鍵の指紋を {old} から {new} に変更しますか？\n"
                    "鍵が替わったことを指導者ご本人に電話や対面で確かめてから変更してください。"
                ).format(name=supervisor.name, old=trusted, new=new_key)
                if self._confirm is None or not self._confirm(self.tr("署名鍵の変更"), question):
                    return
                self._store.save_supervisor(supervisor.model_copy(update={"fingerprint": ""}))
                self._store.trust_supervisor_key(supervisor.member_id, new_key)
            else:
                self._store.save_supervisor(supervisor)
            if previous is not None and not same_person:
                self._store.remove_supervisor(previous.member_id)
        except StoreError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        self.problem.hide()
        self.refresh()

    def add(self) -> None:
        self._save(SupervisorDialog.ask(self, self._kinds, None))

    def edit_selected(self) -> None:
        current = self._selected()
        if current is not None:
            self._save(SupervisorDialog.ask(self, self._kinds, current), current)

    def remove_selected(self) -> None:
        from app.store import StoreError

        current = self._selected()
        if current is None:
            return
        question = self.tr("指導者 {name} を登録から削除しますか？（依頼済みの症例の記録は残ります）").format(
            name=current.name
        )
        if self._confirm is not None and not self._confirm(self.tr("指導者の削除"), question):
            return
        try:
            self._store.remove_supervisor(current.member_id)
        except StoreError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        self.refresh()

    @classmethod
    def run(
        cls,
        parent: QWidget | None,
        store: Store,
        kinds: Sequence[str],
        confirm: Callable[[str, str], bool] | None = None,
    ) -> None:
        """Show the registry until closed (tests patch this or drive the dialog directly)."""
        cls(store, kinds, parent, confirm=confirm).exec()


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
