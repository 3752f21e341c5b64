"""The clerk's list of applications: new, duplicate, rename, the ゴミ箱 (trash) with its restore, and the
start page shown while no application is open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.views import dialogs
from app.views.window_base import WindowBase

if TYPE_CHECKING:
    from app.store.applications import ApplicationInfo


class ListActions(WindowBase):
    """The buttons under the list of applications."""

    def new_application(self, form_id: str | None = None) -> None:
        """A new application under `form_id`, or under the form and with the name the user chooses (the
        same dialog as the start page's 新しい申請)."""
        if form_id is None:
            self.new_named_application()
            return
        info = self.store.applications.create(form_id, "")
        self.refresh_list(select=info.id)
        self.open_application(info.id)

    def new_named_application(self) -> None:
        """新しい申請 with a form and a name (the start page's first button)."""
        from app.views.start_page import NewApplicationDialog

        chosen = NewApplicationDialog.ask(self, self.forms)
        if chosen is None:
            return
        info = self.store.applications.create(chosen.form.id, chosen.title)
        self.refresh_list(select=info.id)
        self.open_application(info.id)

    def duplicate_application(self) -> None:
        if self.app_id is not None:
            info = self.store.applications.duplicate(self.app_id)
            self.open_application(info.id)

    def rename_application(self) -> None:
        if self.app_id is None:
            return
        current = self.store.info(self.app_id).title
        title, ok = QInputDialog.getText(self, self.tr("名前変更"), self.tr("申請の名前:"), text=current)
        if ok and title.strip():
            self.store.applications.rename(self.app_id, title.strip())
            self.refresh_list()

    def trash_application(self) -> None:
        if self.app_id is None:
            return
        info: ApplicationInfo = self.store.info(self.app_id)
        if not dialogs.confirm(
            self,
            self.tr("ゴミ箱へ移動"),
            self.tr("「{t}」をゴミ箱へ移動しますか？（ゴミ箱から戻せます）").format(t=info.title),
        ):
            return
        self.store.applications.move_to_trash(self.app_id)
        self.app_id = None
        remaining = self.store.applications.all()
        if remaining:
            self.open_application(remaining[0].id)
        else:
            self.show_start_page()

    def show_trash(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("ゴミ箱"))
        layout = QVBoxLayout(dialog)
        items = QListWidget(dialog)
        for info in self.store.applications.in_trash():
            item = QListWidgetItem(
                f"{info.title}（{info.trashed_at.astimezone():%Y-%m-%d %H:%M} に削除）"
                if info.trashed_at
                else info.title
            )
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            items.addItem(item)
        layout.addWidget(items)
        restore = QPushButton(self.tr("元に戻す"), dialog)
        empty = QPushButton(self.tr("ゴミ箱を空にする…"), dialog)
        close = QPushButton(self.tr("閉じる"), dialog)
        row = QHBoxLayout()
        for button in (restore, empty, close):
            row.addWidget(button)
        layout.addLayout(row)

        def do_restore() -> None:
            item = items.currentItem()
            if item is not None:
                info = self.store.applications.restore_from_trash(int(item.data(Qt.ItemDataRole.UserRole)))
                dialog.accept()
                self.open_application(info.id)

        def do_empty() -> None:
            if dialogs.confirm(
                dialog,
                self.tr("ゴミ箱を空にする"),
                self.tr("ゴミ箱の申請を完全に削除します。元に戻せません。よろしいですか？"),
            ):
                self.store.applications.empty_trash()
                dialog.accept()

        restore.clicked.connect(do_restore)
        empty.clicked.connect(do_empty)
        close.clicked.connect(dialog.reject)
        dialog.exec()

    def _build_list_pane(self) -> QWidget:
        """申請一覧 and its buttons, the window's left pane."""
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(QLabel(self.tr("申請一覧")))
        left_layout.addWidget(self.app_list, 1)
        for text, slot in (
            (self.tr("新規"), self.new_application),
            (self.tr("複製"), self.duplicate_application),
            (self.tr("名前変更"), self.rename_application),
            (self.tr("ゴミ箱へ"), self.trash_application),
            (self.tr("ゴミ箱…"), self.show_trash),
        ):
            button = QPushButton(text, left)
            button.clicked.connect(slot)
            left_layout.addWidget(button)
        return left

    # --- the start page (issue 13) ----------------------------------------------------------------------

    def show_start_page(self) -> None:
        """The start page in place of the application area (the list, the grid and the problems)."""
        from app.views.start_page import StartPage, open_guide

        page = StartPage(self.store.applications.all(), self.forms, self)
        page.newRequested.connect(self.new_named_application)
        page.openFileRequested.connect(self.import_document)
        page.reviewRequested.connect(self.open_review_request)
        page.guideRequested.connect(lambda: open_guide(self))
        page.applicationChosen.connect(self.open_application)
        if self.start_page is None:
            self._main_area = self.takeCentralWidget()
            self._dock_was_visible = self.problems_dock.isVisible() or not self.isVisible()
        self.setCentralWidget(page)  # Qt deletes an earlier start page
        self.start_page = page
        self.problems_dock.hide()
        self.setWindowTitle("Shorei — 症例登録")
        page.buttons["new"].setFocus()

    def _leave_start_page(self) -> bool:
        """The application area back in place of the start page; False when it was not shown."""
        if self.start_page is None or self._main_area is None:
            return False
        self.start_page = None
        self.setCentralWidget(self._main_area)
        # takeCentralWidget() hid it explicitly, and a widget hidden so is not shown again by the layout:
        # without this the application area stayed hidden behind a problems panel filling the window.
        self._main_area.show()
        self._main_area = None
        self.problems_dock.setVisible(self._dock_was_visible)
        return True
