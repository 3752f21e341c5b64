"""ファイル → 様式パックを取り込む… and 新しい様式に移す…: the window's face of form packs (issue 18).

Adapters only: reading and installing a pack is app.export.form_packs, the preview of a move is
app.validation.migration, the move itself is `store.applications.migrate` run through the window's `perform` (one
change, one undo step).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.models.forms import version_order
from app.views import dialogs
from app.views.fit import fit_size

if TYPE_CHECKING:
    from app.models.form_packs import PackManifest
    from app.models.forms import FormDefinition
    from app.validation.migration import MigrationPreview
    from app.views.window_base import WindowBase


def add_menu_actions(window: WindowBase, menu: QMenu) -> None:
    """The two actions, added to the window's ファイル menu."""
    menu.addAction(window.tr("様式パックを取り込む…"), lambda: import_form_pack(window))
    menu.addAction(window.tr("新しい様式に移す…"), lambda: migrate_application(window))


class TrustPackDialog(QDialog):
    """Shows a pack's publisher and key fingerprint before it is installed (trust on first use)."""

    def __init__(self, manifest: PackManifest, trusted: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("様式パックを取り込む"))
        layout = QVBoxLayout(self)
        forms = "、".join(entry.path.removeprefix("forms/") for entry in manifest.of_kind("form")) or "なし"
        facilities = "あり" if manifest.of_kind("facility-list") else "なし"
        vocabulary = "、".join(
            entry.path.removeprefix("vocabulary/") for entry in manifest.of_kind("vocabulary")
        )
        text = self.tr(
            "様式パック {ref}（{date}）\n発行者: {publisher}\n様式: {forms}\n施設一覧: {facilities}\n"
            "診断名の語彙: {vocabulary}\n\n{description}"
        ).format(
            ref=manifest.ref,
            date=f"{manifest.date:%Y-%m-%d}",
            publisher=manifest.publisher,
            forms=forms,
            facilities=facilities,
            vocabulary=self.tr("{files}（この様式パックの様式で使います）").format(files=vocabulary)
            if vocabulary
            else self.tr("Shorei に同梱のもの"),
            description=manifest.description,
        )
        layout.addWidget(QLabel(text, self))
        fingerprint = QLabel(manifest.signature.fingerprint, self)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        fingerprint.setFont(font)
        fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(QLabel(self.tr("発行者の署名鍵の指紋:"), self))
        layout.addWidget(fingerprint)
        note = (
            self.tr("この発行者の鍵は信頼済みです。")
            if trusted
            else self.tr(
                "この発行者の鍵を使うのは初めてです。指紋が発行元（学会のページなど）の公表しているものと\n"
                "同じか確かめてから取り込んでください。取り込むと、この鍵を信頼します。"
            )
        )
        layout.addWidget(QLabel(note, self))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("取り込む") if trusted else self.tr("指紋を確かめた。信頼して取り込む")
        )
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, manifest: PackManifest, trusted: bool) -> bool:
        """True when the user confirms (tests patch this)."""
        return cls(manifest, trusted, parent).exec() == QDialog.DialogCode.Accepted


def choose_pack_file(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, parent.tr("様式パックを取り込む"), "", parent.tr("様式パック (*.shoreipack)")
    )
    return Path(path) if path else None


def import_form_pack(window: WindowBase, path: Path | None = None) -> bool:
    """Read the pack, show its fingerprint, and install it when confirmed. True when installed."""
    from app.export.form_pack_install import install_pack, trusted_publishers
    from app.export.form_packs import PackError, read_pack

    path = path or choose_pack_file(window)
    if path is None:
        return False
    home = window.store.home
    try:
        pack = read_pack(path)
    except PackError as error:
        dialogs.notify(window, window.tr("取り込めません"), str(error), warning=True)
        return False
    trusted = pack.fingerprint in trusted_publishers(home)
    if not TrustPackDialog.ask(window, pack.manifest, trusted):
        return False
    try:
        result = install_pack(home, path, trust_fingerprint=pack.fingerprint)
    except (PackError, OSError) as error:
        dialogs.notify(window, window.tr("取り込めません"), str(error), warning=True)
        return False
    window.store.reload_forms()
    window.forms = window.store.forms
    forms = "、".join(f"{form.id} {form.version}" for form in result.forms) or window.tr("なし")
    state = window.tr("すでに取り込まれています") if result.unchanged else window.tr("取り込みました")
    text = window.tr("様式パック {ref} を{state}。\n様式: {forms}").format(
        ref=result.manifest.ref, state=state, forms=forms
    )
    if result.facilities is not None:
        text += window.tr("\n施設一覧: {name}").format(name=result.facilities.info.name)
        if window.facility_sources is not None and result.manifest.facility_kind is not None:
            window.facility_sources.get(result.manifest.facility_kind).reopen()
    window.statusBar().showMessage(text.replace("\n", "　"), 10000)
    dialogs.notify(window, window.tr("様式パック"), text)
    return True


class MigrateDialog(QDialog):
    """新しい様式に移す: choose another version, read what the move would change, then move."""

    def __init__(self, window: WindowBase, candidates: list[FormDefinition]) -> None:
        super().__init__(window)
        self._window = window
        self.setWindowTitle(self.tr("新しい様式に移す"))
        fit_size(self, 820, 520)
        layout = QVBoxLayout(self)
        current = window.form
        assert current is not None
        layout.addWidget(
            QLabel(
                self.tr(
                    "この申請の様式: {title}（{id} {version}）。移す先を選ぶと、変わることを表示します。"
                ).format(title=current.title, id=current.id, version=current.version),
                self,
            )
        )
        self.target = QComboBox(self)
        for form in candidates:
            self.target.addItem(f"{form.title}（{form.id} {form.version}）", form)
        layout.addWidget(self.target)
        self.preview = QTextBrowser(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(
            QLabel(
                self.tr("移しても入力した値はそのままです。「元に戻す」で一度に元の様式に戻せます。"), self
            )
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("この様式に移す"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.target.currentIndexChanged.connect(self._show_preview)
        self._show_preview()

    def chosen(self) -> FormDefinition | None:
        form: FormDefinition | None = self.target.currentData()
        return form

    def _show_preview(self) -> None:
        target = self.chosen()
        preview = preview_for(self._window, target) if target is not None else None
        self.preview.setHtml(preview_html(preview) if preview is not None else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(preview is not None)

    @classmethod
    def ask(cls, window: WindowBase, candidates: list[FormDefinition]) -> FormDefinition | None:
        """The form to move to, or None when cancelled (tests patch this)."""
        dialog = cls(window, candidates)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


def preview_html(preview: MigrationPreview) -> str:
    """The preview as the dialog shows it: headings, then one paragraph per change or problem."""
    from html import escape

    label = {"error": "<b style='color:#b00020'>エラー</b>", "warning": "<b style='color:#8a5a00'>警告</b>"}
    parts = ["<h4>文書の変更</h4>"]
    parts += [f"<p style='margin:2px 0 2px 12px'>・{escape(change)}</p>" for change in preview.changes]
    for heading, issues in (("新たに出る問題", preview.appearing), ("消える問題", preview.disappearing)):
        parts.append(f"<h4>{heading}（{len(issues)}件）</h4>" if issues else f"<h4>{heading}: なし</h4>")
        parts += [
            f"<p style='margin:2px 0 2px 12px'>{label[issue.severity]}　{escape(issue.message)}</p>"
            for issue in issues
        ]
    return "".join(parts)


def preview_for(window: WindowBase, target: FormDefinition) -> MigrationPreview | None:
    from app.validation.migration import MigrationError, preview_migration

    if window.application is None or window.form is None:
        return None
    try:
        return preview_migration(window.application, window.form, target, window.facilities())
    except MigrationError:
        return None


def migration_candidates(window: WindowBase) -> list[FormDefinition]:
    """The other installed forms of the same layout: those of the application's form id first, each id's
    versions newest first (numbers as numbers: 2027.10 after 2027.9), so the dialog offers the newest."""
    current = window.form
    if current is None:
        return []
    others = [
        form
        for form in window.forms.all()
        if form.layout == current.layout and (form.id, form.version) != (current.id, current.version)
    ]
    newest_first = sorted(others, key=lambda form: version_order(form.version), reverse=True)
    return sorted(newest_first, key=lambda form: (form.id != current.id, form.id))


def migrate_application(window: WindowBase) -> bool:
    """Choose a form, read the preview, move: one store operation, undone in one step."""
    if window.app_id is None:
        return False
    candidates = migration_candidates(window)
    if not candidates:
        dialogs.notify(
            window,
            window.tr("新しい様式に移す"),
            window.tr(
                "移せる様式がありません。ファイル → 様式パックを取り込む… で新しい様式を取り込んでください。"
            ),
        )
        return False
    target = MigrateDialog.ask(window, candidates)
    if target is None:
        return False
    return window.perform(
        window.tr("様式を {id} {version} に移す").format(id=target.id, version=target.version),
        lambda app_id: window.store.applications.migrate(app_id, target.id, target.version),
    )
