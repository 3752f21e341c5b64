"""The window's files: an application file opened or saved, a file dropped on the window (opened by what
it is), a case list from and to Excel, and the 指導者's side (a 承認依頼ファイル opens the review window).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from app.models.case_list import list_problem
from app.models.document import DocumentError
from app.models.table import TableFileError
from app.operations.cases import ImportCases
from app.store.case_list_files import read_case_list
from app.store.errors import StoreError
from app.views import dialogs, form_packs
from app.views.window_base import WindowBase

if TYPE_CHECKING:
    from PySide6.QtGui import QDragEnterEvent, QDropEvent


def dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    """The local files in a drag (links and text are not files to open)."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class FileActions(WindowBase):
    """ファイル menu items and files dropped on the window (Windows: also `Shorei.exe FILE`)."""

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        for path in paths:
            self.open_path(path)

    def open_path(self, path: Path) -> bool:
        """Open a file as its menu item would, by what it is (`app.store.file_kinds`)."""
        from app.logs import logger
        from app.store.file_kinds import FileKind, file_kind

        kind = file_kind(path)
        logger().info("ファイルを開く: %s（拡張子 %s）", kind.value, path.suffix.lower() or "なし")
        if kind is FileKind.APPLICATION:
            return self.open_file(path)
        if kind is FileKind.CASE_LIST:
            if self.application is None:
                dialogs.notify(
                    self,
                    self.tr("取り込めません"),
                    self.tr("症例一覧を取り込む申請を先に開いてください。"),
                    warning=True,
                )
                return False
            self.import_case_list(path)
            return True
        if kind is FileKind.FACILITY_LIST:
            return self._import_dropped_facility_list(path)
        if kind is FileKind.APPROVAL_REQUEST:
            from app.views.review_window import open_review

            return open_review(path, self) is not None
        if kind is FileKind.APPROVAL_RESPONSE:
            if self.page is None or not self.page.import_approval_response(path):
                dialogs.notify(
                    self,
                    self.tr("取り込めません"),
                    self.tr(
                        "承認結果ファイルです。承認を依頼した申請（専門医新規申請）を開いてから、もう一度ドロップしてください。"
                    ),
                    warning=True,
                )
                return False
            return True
        if kind is FileKind.FORM_PACK:
            return form_packs.import_form_pack(self, path)
        dialogs.notify(
            self,
            self.tr("開けません"),
            self.tr(
                "{name} は Shorei で開けるファイルではありません。\n"
                "開けるのは申請データ（.json）、症例一覧・施設一覧（.xlsx / .csv）、承認依頼・承認結果ファイル、様式パック（.shoreipack）です。"
            ).format(name=path.name),
            warning=True,
        )
        return False

    def _import_dropped_facility_list(self, path: Path) -> bool:
        if self._facility_source_for is None or self.form is None:
            dialogs.notify(
                self,
                self.tr("取り込めません"),
                self.tr("施設一覧を使う申請を先に開いてください。"),
                warning=True,
            )
            return False
        if not self._facility_source_for(self.form.facility.list_kind).import_file(self, path):
            return False
        if self.application is not None:
            self.show_application(self.application)
        return True

    def import_document(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("申請データを開く"), "", self.tr("申請データ (*.json)")
        )
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path) -> bool:
        """Import FILE as a new application and open it (or the one made from it before, if so chosen).
        False when it cannot be read (the reason shown)."""
        title = self._title_for_file(path)
        if title is None:
            return True
        if isinstance(title, int):
            self.open_application(title)
            return True
        try:
            info = self.store.applications.import_document(path, title=title)
        except (DocumentError, StoreError) as error:
            dialogs.notify(self, self.tr("開けません"), str(error), warning=True)
            return False
        self.open_application(info.id)
        return True

    def _title_for_file(self, path: Path) -> str | int | None:
        """The title for a new application from FILE; or the id of the one already made from it, when the
        user chooses to open that; None when cancelled. A second import is named 「…（2）」."""
        from app.views.open_again import OpenAgainDialog, copy_title

        titles = {info.title: info.id for info in self.store.applications.all()}
        if path.stem not in titles:
            return path.stem
        copy = copy_title(path.stem, titles)
        choice = OpenAgainDialog.ask(self, path.name, path.stem, copy)
        if choice == "open":
            return titles[path.stem]
        return copy if choice == "copy" else None

    def export_document(self) -> None:
        if self.app_id is None:
            return
        title = self.store.info(self.app_id).title
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("申請データとして保存"), f"{title}.json", self.tr("申請データ (*.json)")
        )
        if path:
            self.store.applications.export_document(self.app_id, Path(path))
            self.statusBar().showMessage(self.tr("{p} に保存しました（備考を含みます）").format(p=path), 8000)

    def import_case_list(self, path: Path | None = None) -> None:
        """Choose a CSV/XLSX case list (or take the dropped `path`), map its columns, import it into a
        section as one undoable change."""
        from app.views.case_list_import import (
            CaseImportDialog,
            ImportReportDialog,
            choose_case_list,
            import_report,
        )

        if self.application is None or self.form is None:
            return
        if (problem := list_problem(self.form)) is not None:
            dialogs.notify(self, self.tr("取り込めません"), problem, warning=True)
            return
        if path is None:
            path = choose_case_list(self, str(self._settings.value("case_list_folder", str(Path.home()))))
        if path is None:
            return
        self._settings.setValue("case_list_folder", str(path.parent))
        try:
            table = read_case_list(path)
        except TableFileError as error:
            dialogs.notify(self, self.tr("取り込めません"), str(error), warning=True)
            return
        section = self.page.current_section() if self.page is not None else 0
        choice = CaseImportDialog.ask(self, self.form, self.application, table, section)
        if choice is None:
            return
        cases = choice.cases
        imported = self.perform(
            self.tr("{f} から症例を取り込み").format(f=path.name),
            lambda a: self.store.apply(a, ImportCases(choice.section, cases, choice.replace, path.name)),
        )
        if imported:
            if self.page is not None:
                self.page.show_section(choice.section)
            ImportReportDialog.show_report(self, import_report(self.form, choice, path.name))

    def export_case_list(self) -> None:
        """Write the case list to an XLSX file (備考 only when the user ticks it)."""
        from app.export import ExportError
        from app.export.case_list import export_case_list
        from app.file_names import default_stem
        from app.views.case_list_export import CaseExportDialog

        if self.application is None or self.form is None:
            return
        folder = Path(str(self._settings.value("export_folder", str(Path.home()))))
        stem = default_stem(self.application, self.form)
        choice = CaseExportDialog.ask(self, folder / f"{stem}-cases.xlsx")
        if choice is None:
            return
        try:
            count = export_case_list(
                self.application, self.form, choice.path, include_notes=choice.include_notes
            )
        except ExportError as error:
            dialogs.notify(self, self.tr("書き出せません"), str(error), warning=True)
            return
        self._settings.setValue("export_folder", str(choice.path.parent))
        notes = self.tr("（備考を含みます）") if choice.include_notes else ""
        self.statusBar().showMessage(
            self.tr("{p} に{n}例を書き出しました{notes}").format(p=choice.path, n=count, notes=notes), 10000
        )

    def open_review_request(self) -> None:
        """Supervisor mode: a 承認依頼ファイル from an applicant opens the review screen beside this window."""
        from app.views.review_files import ask_request_to_open
        from app.views.review_window import open_review

        path = ask_request_to_open(self)
        if path is not None:
            open_review(path, self)
