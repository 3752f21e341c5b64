"""The window's printing (issues 13 items 6–8, 14 item 10): 印刷プレビュー and 印刷…, 「印刷用PDFとアップロード
用ファイルを作成」 (errors first, each one a link to its cell; then where, under a name a person
understands), the print state 「印刷 済／アップロード 済」 with 「印刷後に変更あり」, and the rows of the
clerk's list. The files and their contents come from `app.export`; the state is kept by the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from app.store.errors import StoreError
from app.store.print_state import (
    NOT_PRINTED,
    WHOLE_APPLICATION,
    PrintState,
    content_fingerprints,
    list_state,
    print_state,
)
from app.validation import validate
from app.views import dialogs
from app.views.application_list import ApplicationRow, form_label

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.export import ExportResult
    from app.export.preview import SheetPreview
    from app.models.application import Application
    from app.store.applications import ApplicationInfo
    from app.validation import Issue
    from app.views.window_base import WindowBase


KEPT_APPLICATIONS = 4
"""Parsed applications the list keeps for its rows (the most recently listed)."""


def choose_export_file(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to write the printable PDF; its upload file goes beside it (tests patch this)."""
    path, _ = QFileDialog.getSaveFileName(
        parent,
        parent.tr("印刷用PDFの保存先") if parent is not None else "印刷用PDFの保存先",
        str(suggested),
        "PDF (*.pdf)",
    )
    return Path(path) if path else None


class PrintBanner(QWidget):
    """A line above the sheets after a change to printed content: print again, with a button to do it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.button = QPushButton(self.tr("印刷プレビュー…"), self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.setStyleSheet("PrintBanner { background: #fdecea; }")
        self.hide()


class PrintFlow:
    """Printing, exporting and the print state of the application open in `window`."""

    def __init__(self, window: WindowBase) -> None:
        self.window = window
        self.state: PrintState = NOT_PRINTED
        self._parsed: dict[int, tuple[int, Application]] = {}
        """app id → (version, the application as stored then), for the rows of the list."""
        self.label = QLabel(window)
        self.label.setToolTip(
            window.tr(
                "印刷用PDFの作成（または印刷）と、アップロード用ファイルの作成の状態です。"
                "印刷後に内容を変えると「印刷後に変更あり」になります。"
            )
        )
        window.statusBar().addPermanentWidget(self.label)
        self.banner = PrintBanner(window.center)
        self.banner.button.clicked.connect(lambda: self.preview())
        window.center_layout.insertWidget(0, self.banner)

    # --- the state -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """The state of the open application in the status bar, the banner and its row of the list."""
        window = self.window
        if window.app_id is None or window.application is None:
            return
        outputs = window.store.archive.outputs(window.app_id).get(window.app_id, [])
        self.state = print_state(window.application, outputs) if outputs else NOT_PRINTED
        self.label.setText(self.state.label)
        if self.state.changed:
            assert window.form is not None
            form = window.form
            where = "、".join(form.section_label(part) for part in self.state.changed_parts)
            self.banner.text.setText(
                window.tr(
                    "印刷後に変更があります{where}。照合コードが変わるため、印刷し直しと"
                    "アップロード用ファイルの作り直しが必要です。"
                ).format(where=f"（{where}）" if where else "")
            )
            self.banner.show()
        else:
            self.banner.hide()
        if window.page is not None:
            window.page.show_print_state(self.state)
        window.app_list.update_row(self.row(window.app_id, window.application, window.issues, self.state))

    def record(self, result: ExportResult, application: Application) -> str:
        """A successful export: the sheets of every section and the whole (and the upload file) are made
        from `application`'s content now. Returns "" or why the state was not recorded (the files are
        made either way)."""
        app_id = self.window.app_id
        if app_id is None or result.draft:
            return ""
        fingerprints = content_fingerprints(application)
        notes = [
            (part, "print", content, result.short_hash, result.pdf_path)
            for part, content in fingerprints.items()
        ]
        if result.package_path is not None:
            notes.append(
                (
                    WHOLE_APPLICATION,
                    "upload",
                    fingerprints[WHOLE_APPLICATION],
                    result.short_hash,
                    result.package_path,
                )
            )
        return self._note(app_id, notes)

    def printed(self, preview: SheetPreview, application: Application) -> None:
        """Sheets printed from the preview: final ones count as printed; a draft never does."""
        app_id = self.window.app_id
        if app_id is None or preview.draft:
            return
        fingerprints = content_fingerprints(application).items()
        why = self._note(
            app_id, [(part, "print", content, preview.short_hash, None) for part, content in fingerprints]
        )
        if why:
            self.window.statusBar().showMessage(why, 10000)

    def _note(self, app_id: int, notes: Sequence[tuple[int, str, str, str | None, Path | None]]) -> str:
        """Keep what was made; a store that cannot (read-only, a full disk) is said, not raised: the sheets
        and files exist, only 「印刷 済」 is missing."""
        window = self.window
        if window.store.read_only:
            return window.tr("読み取り専用で開いているため、印刷・作成したことは記録されません")
        try:
            for part, kind, content, code, path in notes:
                window.store.archive.record_output(app_id, part, kind, content, code=code, path=path)
        except StoreError as error:
            return window.tr("印刷・作成したことを記録できませんでした（{e}）").format(e=error)
        finally:
            if window.app_id == app_id:
                self.refresh()
        return ""

    # --- the list --------------------------------------------------------------------------------

    def row(
        self,
        app_id: int,
        application: Application | None = None,
        issues: list[Issue] | None = None,
        state: PrintState | None = None,
        *,
        count: bool = True,
    ) -> ApplicationRow:
        """The list's row for `app_id`, validating it unless its issues are given or `count` is False (the
        list as the window opens: errors are counted later), and its print state unless given."""
        window = self.window
        info = window.store.info(app_id)
        if application is None:
            try:
                application = self._stored(app_id, info.version)
            except StoreError:
                return self._unreadable_row(info)
        form = window.forms.get(application.form.id, application.form.version)
        if issues is None and count and form is not None:
            issues = validate(application, form, window.facilities_for(form))
        errors = None if issues is None else sum(issue.is_error for issue in issues)
        warnings = None if issues is None else sum(not i.is_error and not i.accepted for i in issues)
        printed = True
        if state is None:
            outputs = window.store.archive.outputs(app_id).get(app_id, [])
            printed = bool(outputs)
            state = print_state(application, outputs) if outputs else NOT_PRINTED
        return ApplicationRow(
            id=app_id,
            name=info.display_name,
            form=form_label(form, info.form_id),
            form_title=form.title if form is not None else "",
            cases=application.case_count(),
            errors=errors,
            warnings=warnings,
            state=list_state(state, errors or 0) if count or printed else "…",
            print_label=state.label,
            updated_at=info.updated_at,
            copy_of=info.copy_of,
            title=info.title,
        )

    def _stored(self, app_id: int, version: int) -> Application:
        """The stored application a row is made from, parsed once per version: the list is built twice as
        the window opens (start-up time) and again after each change. A row only reads it; the last few
        are kept."""
        kept = self._parsed.pop(app_id, None)
        if kept is None or kept[0] != version:
            kept = (version, self.window.store.get(app_id))
        self._parsed[app_id] = kept
        while len(self._parsed) > KEPT_APPLICATIONS:
            del self._parsed[next(iter(self._parsed))]
        return kept[1]

    def quick_row(self, app_id: int) -> ApplicationRow:
        """The row without validating (errors counted later): for the list as the window opens."""
        return self.row(app_id, count=False)

    def _unreadable_row(self, info: ApplicationInfo) -> ApplicationRow:
        """An application the program cannot read (issue 15): listed, so that it can be seen and put in the
        ゴミ箱, but never counted or opened as if it were whole."""
        form = self.window.forms.get(info.form_id, info.form_version)
        return ApplicationRow(
            id=info.id,
            name=info.display_name,
            form=form_label(form, info.form_id),
            form_title=form.title if form is not None else "",
            cases=0,
            errors=0,
            warnings=0,
            state=self.window.tr("読めません"),
            print_label="",
            updated_at=info.updated_at,
            copy_of=info.copy_of,
            title=info.title,
        )

    # --- preview, print, export -----------------------------------------------------------------

    def _make_preview(self) -> SheetPreview | None:
        from app.export import ExportError
        from app.export.preview import preview_sheets

        window = self.window
        window.save_open_edit()
        if window.application is None or window.form is None:
            return None
        try:
            return preview_sheets(window.application, window.form, window._facilities(), issues=window.issues)
        except ExportError as error:
            dialogs.notify(window, window.tr("プレビューできません"), str(error), warning=True)
            return None

    def preview(self) -> None:
        """ファイル → 印刷プレビュー (Ctrl+P): the pages as they will print, with 印刷…."""
        from app.views.print_preview import PrintPreviewDialog

        window = self.window
        preview = self._make_preview()
        if preview is None or window.application is None:
            return
        application = window.application
        PrintPreviewDialog.show_preview(
            window,
            preview,
            on_printed=lambda shown: self.printed(shown, application),
            on_export=self.export_files,
            title=window.store.info(window.app_id).display_name if window.app_id is not None else "",
        )

    def export_files(self, *, draft: bool = False) -> None:
        """Errors first (each a link to its cell), then where (a name a person understands), then the
        files; the print state is recorded and the result offered to open."""
        self.window.save_open_edit()
        # Imported on first use: reportlab and cryptography stay out of the window's start-up time.
        from app.export import (
            EarlierExport,
            ExportCancelledError,
            ExportError,
            ExportRefusedError,
            export_application,
            plan_export,
        )
        from app.file_names import sheet_stem
        from app.views.export_dialog import DRAFT, ExportDialog, ExportDoneDialog

        window = self.window
        if window.application is None or window.form is None:
            return
        application, form, facilities = window.application, window.form, window._facilities()
        stem = sheet_stem(application, form)
        folder = Path(str(window._settings.value("export_folder", str(Path.home()))))
        errors = [issue for issue in window.issues if issue.is_error]
        if errors and not draft:
            plan = plan_export(
                application, form, facilities, folder, stem=stem, draft=False, issues=window.issues
            )
            if ExportDialog.ask(window, plan, go_to=window.go_to_issue) != DRAFT:
                return
            draft = True
        suffix = "-draft.pdf" if draft else ".pdf"
        chosen = choose_export_file(window, folder / f"{stem}{suffix}")
        if chosen is None:
            return
        folder = chosen.parent
        stem = (
            chosen.name.removesuffix(".pdf").removesuffix("-draft")
            if chosen.suffix.lower() == ".pdf"
            else chosen.name
        )
        window._settings.setValue("export_folder", str(folder))

        def keep_earlier(earlier: EarlierExport) -> bool:
            # A sheet may already be stamped from the earlier pair (SPEC §6): say so, keep it, ask.
            return dialogs.confirm(
                window,
                window.tr("以前に作成したファイルがあります"),
                earlier.describe() + window.tr("\n新しいファイルを作成しますか？"),
            )

        try:
            result = export_application(
                application, form, facilities, folder, stem=stem, draft=draft, on_earlier=keep_earlier
            )
        except ExportCancelledError:
            return
        except ExportRefusedError as error:
            dialogs.notify(window, window.tr("作成できません"), str(error), warning=True)
            return
        except ExportError as error:
            dialogs.notify(window, window.tr("作成できません"), str(error), warning=True)
            return
        why = self.record(result, application)
        done = window.tr("{p} を作成しました").format(p=result.pdf_path.name)
        window.statusBar().showMessage(f"{done}。{why}" if why else done, 10000)
        ExportDoneDialog.show_result(window, result)
