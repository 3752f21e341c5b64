"""Supervisor mode (指導者): the files of a review. Which 承認依頼 file to open, read and checked with its
form found (or `ReviewOpenError` naming the file and the failed check), where to save the signed result,
and saying it was saved. The window calls them through `app.views.review_window`, where tests patch them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.approval.envelope import MAX_REQUEST_BYTES, REQUEST_NAME, ApprovalFileError, FileCheck
from app.approval.request import read_request
from app.models.form_packs import forms_for
from app.paths import data_home
from app.signing.signed_files import UnreadableFileError, read_limited
from app.views.export_dialog import open_local

if TYPE_CHECKING:
    from app.models.approval import ApprovalRequest
    from app.models.forms import FormDefinition


class ReviewOpenError(Exception):
    """The request cannot be reviewed here. `str()` is Japanese, names the file and the failed check."""


def ask_request_to_open(parent: QWidget | None) -> Path | None:
    """Which 承認依頼ファイル to open (tests patch this)."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "承認依頼ファイルを開く（指導者）", "", "承認依頼ファイル (*.json);;すべてのファイル (*)"
    )
    return Path(path) if path else None


def ask_where_to_save_response(parent: QWidget | None, suggested: Path) -> Path | None:
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


def form_for(request: ApprovalRequest, path: Path) -> FormDefinition:
    forms = forms_for(data_home())
    form_id, version = request.form.id, request.form.version
    form = forms.get(form_id, version) or forms.get(form_id)
    if form is None or form.approval is None:
        raise ReviewOpenError(
            f"{path}: 様式「{form_id}」（版 {version}）はこの Shorei にない、または承認の要らない様式です。"
            "Shorei を最新版にしてから開いてください"
        )
    return form
