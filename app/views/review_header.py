"""The top of the 指導者's review screen (`app.views.review_window`): who asked whom, when, how many
cases, this PC's signing key and whether it is the one the request was sent to, and the 通信欄."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QWidget

from app.views.review_case import date_text, local_time, value_label

if TYPE_CHECKING:
    from app.approval.review import Review
    from app.models.approval import ApprovalRequest
    from app.models.forms import FormDefinition
    from app.signing.keys import SigningKey


class RequestHeader(QGroupBox):
    """The request's facts, each value a selectable label; `values` holds them by caption (for tests)."""

    def __init__(self, review: Review, form: FormDefinition, key: SigningKey, parent: QWidget) -> None:
        super().__init__(parent)
        self.review, self.key = review, key
        request = review.request
        self.setTitle(self.tr("承認依頼（{t}）").format(t=f"{form.society} {form.title}"))
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 6)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        applicant, supervisor = request.applicant, request.supervisor
        rows = [
            (
                self.tr("依頼日"),
                local_time(request.created),
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
                f"{date_text(supervisor.cert_start)}〜{date_text(supervisor.cert_end)}",
            ),
            (self.tr("この PC の署名鍵"), self.key.fingerprint, self.tr("鍵の確認"), self._key_note(request)),
        ]
        self.values: dict[str, QLabel] = {}
        for row, (label_a, value_a, label_b, value_b) in enumerate(rows):
            for column, (label, value) in enumerate(((label_a, value_a), (label_b, value_b))):
                caption = QLabel(label, self)
                caption.setStyleSheet("color: #5f6368;")
                shown = value_label(self)
                shown.setText(value)
                grid.addWidget(caption, row, column * 2, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(shown, row, column * 2 + 1)
                self.values[label] = shown
        caption = QLabel(self.tr("通信欄"), self)
        caption.setStyleSheet("color: #5f6368;")
        message = value_label(self)
        message.setText(request.message or self.tr("（記入なし）"))
        message.setStyleSheet("background: #f6f8fb; border: 1px solid #d5dbe3; padding: 4px;")
        grid.addWidget(caption, len(rows), 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(message, len(rows), 1, 1, 3)
        self.values[self.tr("通信欄")] = message
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)

    def _key_note(self, request: ApprovalRequest) -> str:
        expected = request.supervisor.fingerprint
        if self.review.own_request:
            return self.tr("⚠ 申請者ご本人の鍵です")
        if not expected:
            return self.tr("初回の依頼: この PC の指紋を申請者に伝えてください")
        if expected == self.key.fingerprint:
            return self.tr("依頼先の指導者の鍵と一致しています")
        return self.tr("⚠ 依頼先の鍵（{f}）と違います").format(f=expected)
