"""Supervisor mode (指導者): the review screen for one 承認依頼 file, as the society's 症例承認 page.

The request is read and checked by `app.approval.request.read_request`; the decisions are held by
`app.approval.review.Review`, which also keeps the draft in the data folder and makes the signed response.
This module only shows them: the applicant, the 指導者 and this PC's key, the 通信欄, the list of cases,
and the selected case read-only with a comment box per field. Dialogs go through module-level functions
(`ask_where_to_save_response`, `confirm`, `notify`, `show_saved`) that tests patch here; the file ones are
defined in `app.views.review_files` (with `ask_request_to_open`), the case shown in `app.views.review_case`,
the request's facts at the top in `app.views.review_header`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.approval.envelope import RESPONSE_SUFFIX
from app.approval.review import Review, ReviewCase, ReviewError, load_draft
from app.atomic import write_atomically
from app.file_names import safe_stem
from app.paths import data_home
from app.signing.keys import KeyFileError, load_or_create_signing_key
from app.views.dialogs import confirm, notify
from app.views.fit import fit_size, show_fitted
from app.views.review_case import RED_BANNER, STATE_LABELS, CaseDetail, local_time, value_label
from app.views.review_files import (
    ReviewOpenError,
    ask_where_to_save_response,
    form_for,
    read_request_file,
    show_saved,
)
from app.views.review_header import RequestHeader

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.forms import FormDefinition
    from app.signing.keys import SigningKey

DRAFT_DELAY_MS: Final = 400


def open_review_window(path: Path, parent: QWidget | None = None) -> ReviewWindow:
    """The review screen for the request in `path`; ReviewOpenError when it cannot be opened."""
    request = read_request_file(path)
    form = form_for(request, path)
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
        self.header = RequestHeader(review, form, key, central)
        self.header_values = self.header.values
        layout.addWidget(self.header)
        self.banner = value_label(central)
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
            local_time(request.created, "%Y/%m/%d"),
            str(case.number),
            case.report.category,
            request.applicant.name,
            status,
            local_time(state.decided_at, "%Y/%m/%d"),
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
        path = ask_where_to_save_response(self, self.suggested_response_path())
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
