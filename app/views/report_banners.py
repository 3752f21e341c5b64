"""What the 症例編集 panel shows above a case's fields about its approval (JS-6).

A locked case (承認依頼中, 承認) gets a banner saying why it cannot be edited, with the button that
unlocks it (取り下げ, 削除して再依頼); a rejected one shows the 指導者's comments in the seed's blue frame,
and says which fields they concern so the panel can mark them. The panel lays the widgets out and owns
them; this only fills them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.views.report_model import APPROVED, PRIVATE_FRAME, REQUESTED, decided_on

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.models.application import CaseReport
    from app.models.forms import FormDefinition

BLUE_FRAME = f"QFrame#blueFrame {{ border: 2px solid {PRIVATE_FRAME.name()}; border-radius: 4px; background: #f3f7fe; }}"
LOCK_BANNER = "QFrame#lockBanner { border: 1px solid #e0c060; border-radius: 4px; background: #fff3c4; }"
REJECTED_MARK = "◆"
"""Put before the caption of a field the 指導者 commented on (the comments are in the blue frame above)."""


def comment_label(form: FormDefinition, key: str) -> str:
    """The field a 指導者's comment concerns, as the form names it ("" is the case as a whole)."""
    if not key:
        return "症例全体"
    if key == "facility":
        return form.facility.label
    try:
        return form.field(key).label
    except KeyError:
        return key


def _tr(text: str) -> str:
    # The panel's translation context: these texts were the panel's own.
    return QCoreApplication.translate("ReportEditor", text)


class ApprovalBanners:
    """The lock banner, the rejection frame and the line for a case not yet complete (`approval_problem`,
    which the panel fills with the other problems), made in `parent`."""

    def __init__(self, form: FormDefinition, parent: QWidget, on_action: Callable[[], None]) -> None:
        self._form = form
        banner = QFrame(parent)
        banner.setObjectName("lockBanner")
        banner.setStyleSheet(LOCK_BANNER)
        row = QHBoxLayout(banner)
        row.setContentsMargins(8, 6, 8, 6)
        text = QLabel(banner)
        text.setWordWrap(True)
        button = QPushButton(banner)
        button.clicked.connect(on_action)
        row.addWidget(text, 1)
        row.addWidget(button)
        self.lock = (banner, text, button)

        self.rejection = QFrame(parent)
        self.rejection.setObjectName("blueFrame")
        self.rejection.setStyleSheet(BLUE_FRAME)
        rejection_layout = QVBoxLayout(self.rejection)
        rejection_layout.setContentsMargins(8, 6, 8, 6)
        self.rejection_text = QLabel(self.rejection)
        self.rejection_text.setWordWrap(True)
        self.rejection_text.setTextFormat(Qt.TextFormat.PlainText)
        self.rejection_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        rejection_layout.addWidget(self.rejection_text)

        self.approval_problem = QLabel(parent)
        self.approval_problem.setWordWrap(True)
        self.approval_problem.setStyleSheet("color: #a15c00;")
        self.approval_problem.hide()

    def show_lock(self, report: CaseReport | None, status: str) -> None:
        """The banner of a requested or approved case; hidden for any other."""
        banner, text, button = self.lock
        if report is not None and report.approval is not None and status in (REQUESTED, APPROVED):
            approval = report.approval
            if status == REQUESTED:
                text.setText(
                    _tr(
                        "承認依頼中のため編集できません（指導者: {who}）。変更するには、先に"
                        "「承認依頼の取り下げをする」で依頼を取り下げてください。備考はいつでも変更できます。"
                    ).format(who=approval.supervisor.name)
                )
                button.setText(_tr("承認依頼の取り下げをする…"))
            else:
                text.setText(
                    _tr(
                        "承認済み（{day}、指導者: {who}）のため編集できません。修正が必要な場合は"
                        "「削除して再依頼」を押してください。承認済みの内容はコピーを残してから編集可能に戻します。"
                    ).format(day=decided_on(report), who=approval.supervisor.name)
                )
                button.setText(_tr("削除して再依頼…"))
            banner.show()
        else:
            banner.hide()

    def show_rejection(self, report: CaseReport | None) -> set[str]:
        """The 指導者's comments on a rejected `report` (None hides the frame); the fields they concern
        (a comment on the start or the end concerns the period, both)."""
        marked: set[str] = set()
        if report is None or report.approval is None:
            self.rejection.hide()
        else:
            approval = report.approval
            lines = [
                _tr("非承認（{day}、指導者: {who}）— 指導者のコメント").format(
                    day=decided_on(report), who=approval.supervisor.name
                )
            ]
            for comment in approval.comments:
                lines.append(f"・{comment_label(self._form, comment.field)}: {comment.comment}")
                marked.add(comment.field)
            lines.append(
                _tr("{mark}印の項目を修正してから、もう一度「承認依頼をする」で依頼してください。").format(
                    mark=REJECTED_MARK
                )
            )
            self.rejection_text.setText("\n".join(lines))
            self.rejection.show()
        if "start" in marked or "end" in marked:
            marked |= {"start", "end"}
        return marked
