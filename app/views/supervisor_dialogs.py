"""指導者登録 (JS-5): the applicant's list of 指導者, and one 指導者's entry.

Each dialog has a classmethod (`ask`, `run`) that the window calls and tests patch, so no test ever opens
a modal dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.application import Supervisor
from app.models.document import describe_validation_error
from app.models.text import InputError, normalize_text, parse_date_input
from app.views.fit import fit_size

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from app.store import Store


ERROR_TEXT = "color: #b3261e;"
HINT_TEXT = "color: #5f6368;"


def _date_text(value: dt.date | None) -> str:
    return value.strftime("%Y/%m/%d") if value is not None else ""


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
        return self._store.supervisors.all()

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
                self._store.supervisors.save(supervisor.model_copy(update={"fingerprint": ""}))
                self._store.supervisors.trust_key(supervisor.member_id, new_key)
            else:
                self._store.supervisors.save(supervisor)
            if previous is not None and not same_person:
                self._store.supervisors.remove(previous.member_id)
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
            self._store.supervisors.remove(current.member_id)
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
