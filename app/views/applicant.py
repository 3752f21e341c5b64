"""The applicant's fields above the application: 氏名, 会員番号, and for a form in sections (JBCT) 申請年月
and 歯科口腔外科."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.views.enrollment import MonthCombo

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.models.application import Application
    from app.models.forms import FormDefinition
    from app.operations.plan import FieldValue


class ApplicantPanel(QWidget):
    """氏名, 会員番号, and for a form in sections (JBCT) 申請年月 and 歯科口腔外科 — each change is one
    store operation."""

    def __init__(
        self, form: FormDefinition, save: Callable[[str, FieldValue], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._save = save
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(form.field("name").label)
        self.member_id = QLineEdit(self)
        self.member_id.setPlaceholderText(form.field("member_id").label)
        self.member_id.setMaximumWidth(130)
        fields: list[tuple[str, QWidget]] = [
            (form.field("name").label, self.name),
            (form.field("member_id").label, self.member_id),
        ]
        self.dental: QCheckBox | None = None
        self.month: MonthCombo | None = None
        if form.layout == "sections":
            self.dental = QCheckBox(self.tr("歯科口腔外科として申請"), self)
            self.month = MonthCombo(form.target_window().start, form.target_window().latest_end, self)
            self.month.setToolTip(form.field("application_month").hint)
            fields.append((form.field("application_month").label, self.month))
        for label, widget in fields:
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            layout.addWidget(caption)
            layout.addWidget(widget)
        if self.dental is not None:
            layout.addWidget(self.dental)
        layout.addStretch(1)
        order = [w for w in (self.name, self.member_id, self.month, self.dental) if w is not None]
        for first, second in itertools.pairwise(order):  # 申請年月 before 歯科, as on screen
            QWidget.setTabOrder(first, second)
        self._loading = False
        self.name.editingFinished.connect(lambda: self._changed("name", self.name.text()))
        self.member_id.editingFinished.connect(lambda: self._changed("member_id", self.member_id.text()))
        if self.dental is not None and self.month is not None:
            dental, month = self.dental, self.month
            dental.toggled.connect(lambda on: self._changed("dental", on))
            month.currentIndexChanged.connect(lambda _: self._changed("application_month", month.month()))

    def _changed(self, key: str, value: FieldValue) -> None:
        if not self._loading:
            self._save(key, value)

    def show_application(self, application: Application) -> None:
        self._loading = True
        try:
            applicant = application.applicant
            if self.name.text() != applicant.name:
                self.name.setText(applicant.name)
            if self.member_id.text() != applicant.member_id:
                self.member_id.setText(applicant.member_id)
            if self.dental is not None and self.month is not None:
                self.dental.setChecked(applicant.dental)
                self.month.set_month(applicant.application_month)
        finally:
            self._loading = False
