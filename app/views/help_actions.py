"""ヘルプ: the guide, the versions, this PC's signing key, and the notes on the open form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence

from app.views import dialogs
from app.views.window_base import WindowBase

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu


class HelpActions(WindowBase):
    """The ヘルプ menu's items."""

    def _add_help_items(self, help_menu: QMenu) -> None:
        help_menu.addAction(
            self._action(self.tr("使い方(&G)"), self.show_guide, QKeySequence.StandardKey.HelpContents)
        )
        help_menu.addAction(self._action(self.tr("バージョン情報(&A)…"), self.show_about))
        help_menu.addSeparator()
        help_menu.addAction(self._action(self.tr("この PC の署名鍵…"), self.show_signing_key))
        help_menu.addAction(self._action(self.tr("様式について…"), self.show_form_notes))

    def show_guide(self) -> None:
        from app.views.help import GuideDialog

        GuideDialog.show_guide(self)

    def show_about(self) -> None:
        from app.views.help import AboutDialog

        AboutDialog.show_versions(self, self.store.home)

    def show_signing_key(self) -> None:
        from app.signing.keys import KeyFileError, load_or_create_signing_key

        try:
            key = load_or_create_signing_key()
        except KeyFileError as error:
            dialogs.notify(self, self.tr("署名鍵"), str(error), warning=True)
            return
        dialogs.notify(
            self,
            self.tr("この PC の署名鍵"),
            self.tr(
                "署名鍵の指紋: {f}\n\nアップロード用ファイルはこの鍵で署名され、印刷用PDFの各ページにも指紋が印刷されます。"
                "署名は「このPCのShoreiで作成され、その後変更されていない」ことを示すもので、本人確認ではありません。"
            ).format(f=key.fingerprint),
        )

    def show_form_notes(self) -> None:
        if self.form is None:
            return
        notes = [f"{self.form.society}\n{self.form.title}（版 {self.form.version}）", ""]
        for name, choices in self.form.choices.items():
            if choices.source == "default":
                notes.append(
                    self.tr("既定値: {name} — {note}").format(
                        name=self._choices_label(name), note=choices.note
                    )
                )
        info = self._facilities().info
        notes.append(
            self.tr("施設一覧: {n}（{d}版）{s}").format(
                n=info.name, d=info.version_date, s="　※サンプル" if info.sample else ""
            )
        )
        dialogs.notify(self, self.tr("様式について"), "\n".join(notes))

    def _choices_label(self, name: str) -> str:
        """A choice list by the label of the field that uses it (実施した診療項目), not its key (items)."""
        assert self.form is not None
        return next((spec.label for spec in self.form.fields if spec.choices == name), name)
