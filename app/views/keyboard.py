"""The window's keyboard (issue 13): cut, copy and paste in the 編集 menu for fields and the grid alike, and
F6 / Shift+F6 between the panes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QPlainTextEdit, QTextEdit, QWidget

from app.views.grid import CaseTableView
from app.views.window_base import WindowBase


class KeyboardActions(WindowBase):
    """コピー／貼り付け that act on what has the keyboard, and the panes F6 moves between."""

    def _add_keyboard_actions(self, edit_menu: QMenu, view_menu: QMenu) -> None:
        edit_menu.addSeparator()
        for text, slot, key in (
            (self.tr("切り取り"), self._cut, QKeySequence.StandardKey.Cut),
            (self.tr("コピー"), self._copy, QKeySequence.StandardKey.Copy),
            (self.tr("貼り付け"), self._paste, QKeySequence.StandardKey.Paste),
        ):
            action = self._action(text, slot, key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # fields keep theirs
            self.center.addAction(action)
            edit_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self._action(self.tr("次の領域へ"), lambda: self.focus_pane(1), "F6"))
        view_menu.addAction(self._action(self.tr("前の領域へ"), lambda: self.focus_pane(-1), "Shift+F6"))

    def _focused_text(self) -> QLineEdit | QTextEdit | QPlainTextEdit | None:
        widget = QApplication.focusWidget()
        return widget if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit) else None

    def _focused_grid(self) -> CaseTableView | None:
        widget = QApplication.focusWidget()
        return widget if isinstance(widget, CaseTableView) else None

    def _cut(self) -> None:
        if (text := self._focused_text()) is not None:
            text.cut()
        elif (grid := self._focused_grid()) is not None:
            grid.copy_selection()
            grid.clear_selection()

    def _copy(self) -> None:
        if (text := self._focused_text()) is not None:
            text.copy()
        elif (grid := self._focused_grid()) is not None:
            grid.copy_selection()

    def _paste(self) -> None:
        if (text := self._focused_text()) is not None:
            text.paste()
        elif (grid := self._focused_grid()) is not None:
            grid.paste()

    def _panes(self) -> list[QWidget]:
        """Where F6 goes, in order: the list of applications, the applicant's fields, the page (the grid of
        the current tab, or the case list), the problems list."""
        panes: list[QWidget] = [self.app_list]
        if self.applicant is not None:
            panes.append(self.applicant.name)
        if self.page is not None:
            panes.extend(self.page.panes())
        if self.problems_dock.isVisible():
            panes.append(self.problems)
        return [pane for pane in panes if pane.isVisible()]

    def focus_pane(self, step: int) -> None:
        """F6 / Shift+F6: the next (previous) pane gets the keyboard."""
        panes = self._panes()
        if not panes:
            return
        focus = QApplication.focusWidget()
        current = next(
            (
                i
                for i, pane in enumerate(panes)
                if focus is not None and (focus is pane or pane.isAncestorOf(focus))
            ),
            -1 if step > 0 else 0,
        )
        panes[(current + step) % len(panes)].setFocus(Qt.FocusReason.ShortcutFocusReason)
