"""The applicant's approval actions on the case list (JS-5 … JS-8): request, withdraw, import the
指導者's results, and 「削除して再依頼」.

Each action gathers what the user chose, calls the named operations (app.approval for the signed
files, the store for the states) and shows the result or the refusal. A refusal or a file that fails a
check changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.atomic import write_atomically
from app.operations.approval import ImportResults, MarkRequested, ReopenReport, WithdrawRequest, key_to_trust
from app.views import approval_dialogs
from app.views.approval_dialogs import RequestDialog
from app.views.report_model import APPROVED, REQUESTED
from app.views.supervisor_dialogs import SupervisorRegistryDialog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from app.models.application import Application, Approval
    from app.models.forms import FormDefinition
    from app.signing.keys import SigningKey
    from app.views.page import PageContext
    from app.views.report_model import ReportTableModel

FOLDER_SETTING = "approval_folder"


def _numbers(rows: list[int]) -> str:
    return "、".join(str(row + 1) for row in rows)


class CaseList(Protocol):
    """What the approval actions use of the page they act on (ReportsPage)."""

    form: FormDefinition
    model: ReportTableModel
    application: Application | None
    context: PageContext

    def select_row(self, row: int) -> None: ...


class ApprovalFlow:
    """The approval actions of one ReportsPage (`page`, and `widget`, the same page as a dialogs' parent)."""

    def __init__(self, page: CaseList, widget: QWidget) -> None:
        self.page = page
        self.widget = widget

    # --- helpers ------------------------------------------------------------------------------------

    @property
    def _context(self) -> PageContext:
        return self.page.context

    def _kinds(self) -> list[str]:
        approval = self.page.form.approval
        return list(approval.supervisor_kinds) if approval is not None else []

    def _warn(self, title: str, text: str) -> None:
        self._context.notify(title, text, True)

    def _folder(self) -> Path:
        return Path(str(self._context.settings.value(FOLDER_SETTING, str(Path.home()))))

    def _signing_key(self) -> SigningKey | None:
        from app.signing.keys import KeyFileError, load_or_create_signing_key

        try:
            return load_or_create_signing_key()
        except KeyFileError as error:
            self._warn("署名鍵", str(error))
            return None

    def chosen_rows(self) -> list[int]:
        """The cases checked in the 選択 column."""
        return self.page.model.checked_rows()

    # --- 指導者登録 ---------------------------------------------------------------------------------------

    def open_registry(self, parent: QWidget | None = None) -> None:
        SupervisorRegistryDialog.run(
            parent or self.widget, self._context.store, self._kinds(), self._context.confirm
        )

    # --- 承認依頼をする ------------------------------------------------------------------------------------

    def request(self) -> None:
        """症例承認依頼 for the checked cases: choose the 指導者 and 通信欄, build and sign the request,
        save it, then mark the cases 承認依頼中."""
        from app.approval.envelope import ApprovalError, request_file_name
        from app.approval.request import build_request

        page, context = self.page, self._context
        application = page.application
        rows = self.chosen_rows()
        if application is None:
            return
        if not rows:
            self._warn("承認依頼", "承認依頼する症例の「選択」にチェックを入れてください（複数選べます）。")
            return
        cases = [(row + 1, application.reports[row]) for row in rows]
        choice = RequestDialog.ask(
            self.widget, page.form, cases, context.store.supervisors.all, open_registry=self.open_registry
        )
        if choice is None:
            return
        key = self._signing_key()
        if key is None:
            return
        try:
            request, data = build_request(
                application,
                page.form,
                rows,
                choice.supervisor,
                choice.message,
                key,
                now=dt.datetime.now(dt.UTC),
                facilities=context.facilities(),
            )
        except ApprovalError as error:
            self._warn("承認依頼できません", str(error))
            return
        suggested = self._folder() / request_file_name(application, page.form, request)
        path = approval_dialogs.ask_where_to_save_request(self.widget, suggested)
        if path is None:
            return
        try:
            write_atomically(path, data)
        except OSError as error:
            self._warn(
                "保存できません", f"{path}: 承認依頼ファイルを保存できません（{error.strerror or error}）"
            )
            return
        context.settings.setValue(FOLDER_SETTING, str(path.parent))
        store = context.store
        marked = context.perform(
            f"症例{_numbers(rows)}の承認依頼",
            lambda a: store.apply(a, MarkRequested(request, choice.supervisor, path)),
        )
        if not marked:
            # The cases did not change: a file that no case points to must not reach the 指導者.
            path.unlink(missing_ok=True)
            return
        page.model.set_checked(rows, False)
        context.notify(
            "承認依頼ファイルを保存しました",
            f"症例{_numbers(rows)}の承認依頼ファイルを保存しました:\n{path}\n\n"
            f"このファイルを指導者 {choice.supervisor.name} に渡してください。"
            "症例は「承認依頼中」になり、結果を取り込むか依頼を取り下げるまで編集できません。",
            False,
        )

    # --- 承認依頼の取り下げをする -------------------------------------------------------------------------

    def withdraw(self, rows: list[int] | None = None) -> None:
        """Withdraw the request of the checked (or given) cases that are 承認依頼中, after a warning."""
        page, context = self.page, self._context
        candidates = self.chosen_rows() if rows is None else rows
        pending = [row for row in candidates if page.model.status(row) == REQUESTED]
        if not pending:
            self._warn("承認依頼の取り下げ", "取り下げできるのは「承認依頼中」の症例だけです。")
            return
        if not context.confirm(
            "承認依頼の取り下げ",
            f"症例{_numbers(pending)}の承認依頼を取り下げますか？\n\n"
            "依頼ファイルを既に指導者に渡している場合は、取り下げたことを指導者にも伝えてください。"
            "取り下げた依頼に対する結果ファイルは取り込めません。",
        ):
            return
        store = context.store
        if context.perform(
            f"症例{_numbers(pending)}の承認依頼を取り下げ", lambda a: store.apply(a, WithdrawRequest(pending))
        ):
            page.model.set_checked(pending, False)
            context.show_status(f"症例{_numbers(pending)}の承認依頼を取り下げました（未承認に戻りました）")

    # --- 承認結果を取り込む ---------------------------------------------------------------------------------

    def import_response(self, dropped: Path | None = None) -> None:
        """Read the 指導者's 承認結果ファイル (chosen, or `dropped` on the window), check it against this
        application and the registered key (asking to trust the key the first time), then set each case
        承認 or 非承認."""
        from app.approval.envelope import MAX_RESPONSE_BYTES, RESPONSE_NAME, ApprovalFileError
        from app.approval.matching import match_response
        from app.approval.response import read_response
        from app.signing.signed_files import UnreadableFileError, read_limited

        page, context = self.page, self._context
        application = page.application
        if application is None:
            return
        path = (
            dropped
            if dropped is not None
            else approval_dialogs.ask_response_to_open(self.widget, str(self._folder()))
        )
        if path is None:
            return
        context.settings.setValue(FOLDER_SETTING, str(path.parent))
        try:
            data = read_limited(path, MAX_RESPONSE_BYTES, RESPONSE_NAME)
            response, statements = read_response(data, source=path.name)
        except (UnreadableFileError, ApprovalFileError) as error:
            self._warn("承認結果を取り込めません", f"{error}\n\n何も変更していません。")
            return
        store = context.store
        named = response.supervisor
        registered = next((s for s in store.supervisors.all() if s.member_id == named.member_id), None)
        signer = response.signature.fingerprint
        trust = key_to_trust(named, registered, signer)
        trusted = registered.fingerprint if registered is not None else ""
        if trust is not None:
            who = f"{named.name}（会員番号 {named.member_id}）"
            unregistered = (
                ""
                if registered is not None
                else "この指導者は指導者登録にありません。信頼すると登録します。\n"
            )
            if not context.confirm(
                "指導者の署名鍵の確認",
                f"指導者 {who} の署名鍵はまだ登録されていません。\n{unregistered}\n"
                f"この結果ファイルの署名鍵の指紋:\n{signer}\n\n"
                "指導者本人に電話や対面で指紋を確かめてから信頼してください。この鍵を信頼して取り込みますか？",
            ):
                return
            trusted = signer
        key = self._signing_key()
        if key is None:
            return
        try:
            decisions = match_response(
                application,
                response,
                statements,
                applicant_fingerprint=key.fingerprint,
                trusted_fingerprint=trusted,
            )
        except ApprovalFileError as error:
            self._warn("承認結果を取り込めません", f"{error}\n\n何も変更していません。")
            return
        # The key is trusted in the same change as the results: both are kept, or neither.
        if not context.perform(
            "承認結果を取り込み", lambda a: store.apply(a, ImportResults(decisions, trust))
        ):
            return
        self._tell_result(decisions)

    def _tell_result(self, decisions: list[tuple[int, Approval]]) -> None:
        approved = [row for row, approval in decisions if approval.state == "approved"]
        rejected = [row for row, approval in decisions if approval.state == "rejected"]
        lines = [f"承認 {len(approved)}件、非承認 {len(rejected)}件を取り込みました。"]
        if approved:
            lines.append(f"承認: 症例{_numbers(approved)}（編集できなくなりました）")
        if rejected:
            lines.append(
                f"非承認: 症例{_numbers(rejected)}— 症例を開くと、非承認の項目と指導者のコメントが上部に"
                "表示されます。修正してから、もう一度承認依頼をしてください。"
            )
        self._context.notify("承認結果を取り込みました", "\n".join(lines), False)
        if rejected:
            self.page.select_row(rejected[0])

    # --- 削除して再依頼 -------------------------------------------------------------------------------------

    def reopen(self, row: int | None) -> None:
        """「削除して再依頼」 for an approved case: keep a copy, clear the approval, make it editable."""
        page, context = self.page, self._context
        if row is None or page.model.status(row) != APPROVED:
            self._warn("削除して再依頼", "「削除して再依頼」は承認済みの症例にだけ使えます。")
            return
        if not context.confirm(
            "削除して再依頼",
            f"症例{row + 1}の承認を削除して、編集できる状態（未承認）に戻しますか？\n\n"
            "承認済みの内容はコピーを残してから編集可能に戻します。"
            "修正した後、もう一度「承認依頼をする」で指導者の承認を受けてください。",
        ):
            return
        store = context.store
        if context.perform(f"症例{row + 1}を削除して再依頼", lambda a: store.apply(a, ReopenReport(row))):
            context.show_status(
                f"症例{row + 1}を編集できる状態に戻しました（承認済みの内容はコピーを残しています）"
            )
