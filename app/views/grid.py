"""The case grid: a QTableView that behaves like a spreadsheet, and the delegates for its columns.

Delegates only move text between editor and model (the model reads it with the shared cell reader).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QCompleter,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from app.models.cells import choice_completions, complete_choice
from app.views.case_model import CaseTableModel

if TYPE_CHECKING:
    from app.models.cells import CellEdit
    from app.models.forms import FormDefinition

ModelIndex = QModelIndex | QPersistentModelIndex
Suggest = Callable[[str], list[str]]


class PopupKeys(QObject):
    """Enter, Tab and Shift+Tab pressed in an open completion list reach the cell's editor (so the delegate
    stores the cell and the grid moves on) instead of being eaten by QCompleter; a highlighted
    completion is taken first."""

    _KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)

    def __init__(self, editor: QLineEdit, completer: QCompleter) -> None:
        super().__init__(editor)
        self._editor, self._completer = editor, completer
        popup = completer.popup()
        assert popup is not None
        popup.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in self._KEYS:
            return False
        popup = self._completer.popup()
        assert popup is not None
        chosen = popup.currentIndex()
        if chosen.isValid():
            self._editor.setText(str(chosen.data()))
        popup.hide()
        QApplication.sendEvent(self._editor, QKeyEvent(event.type(), event.key(), event.modifiers()))
        return True


class ChoiceDelegate(QStyledItemDelegate):
    """性別 and 実施した診療項目: typed like any cell (男/女/M/F/1/2, 手 → 手術, や → 薬物療法, an IME
    commit), with the form's labels offered as completions; Tab and Enter move on as in every column."""

    def __init__(self, form: FormDefinition, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = form
        self._key = key

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setFrame(False)
        form, key = self._form, self._key
        editor.setPlaceholderText("・".join(choice_completions(form, key, "")))
        words = QStringListModel(editor)
        completer = QCompleter(words, editor)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        editor.setCompleter(completer)
        PopupKeys(editor, completer)

        def refresh(text: str) -> None:
            words.setStringList(choice_completions(form, key, text) if text else [])
            if text and words.rowCount():
                completer.complete()

        editor.textEdited.connect(refresh)
        return editor

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:
        assert isinstance(editor, QLineEdit)
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: ModelIndex) -> None:
        assert isinstance(editor, QLineEdit)
        model.setData(index, complete_choice(self._form, self._key, editor.text()), Qt.ItemDataRole.EditRole)


class TextDelegate(QStyledItemDelegate):
    """A one-line editor, with completion when `suggest` is given (診断名, 病理診断名)."""

    def __init__(
        self, placeholder: str = "", suggest: Suggest | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._placeholder = placeholder
        self._suggest = suggest

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setPlaceholderText(self._placeholder)
        editor.setFrame(False)
        if self._suggest is not None:
            suggest = self._suggest
            words = QStringListModel(editor)
            completer = QCompleter(words, editor)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            # Suggestions match readings and abbreviations, not just prefixes: show them unfiltered.
            completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
            editor.setCompleter(completer)
            PopupKeys(editor, completer)

            def refresh(text: str) -> None:
                words.setStringList(suggest(text))
                if text:
                    completer.complete()

            editor.textEdited.connect(refresh)
        return editor

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:
        assert isinstance(editor, QLineEdit)
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: ModelIndex) -> None:
        assert isinstance(editor, QLineEdit)
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


class CaseTableView(QTableView):
    """The grid: Enter moves down, Delete clears, Ctrl+C / Ctrl+V copy and paste tab-separated blocks."""

    pasteReport = Signal(int, list)
    """(cells written, refused cell messages) after a paste."""

    def __init__(
        self,
        form: FormDefinition,
        commit: Callable[[Sequence[CellEdit]], None],
        suggest_diagnosis: Suggest | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._commit = commit
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(26)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setTabKeyNavigation(True)
        self._tab_anchor: int | None = None
        self._moving_by_tab = False
        pathology_words = ["無し"]

        def suggest_pathology(text: str) -> list[str]:
            found = suggest_diagnosis(text) if suggest_diagnosis is not None else []
            return [w for w in pathology_words if not text or w.startswith(text)] + found

        self._delegates: dict[str, QStyledItemDelegate] = {
            "sex": ChoiceDelegate(form, "sex", self),
            "item": ChoiceDelegate(form, "item", self),
            "age": TextDelegate("半角数字", parent=self),
            "start": TextDelegate("2024/05", parent=self),
            "end": TextDelegate("2024/05", parent=self),
            "diagnosis": TextDelegate(form.field("diagnosis").placeholder, suggest_diagnosis, self),
            "pathology": TextDelegate("実施していない場合は「無し」", suggest_pathology, self),
        }

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if not isinstance(model, CaseTableModel):
            return
        header = self.horizontalHeader()
        widths = {"age": 52, "sex": 64, "item": 128, "item_other": 120, "start": 80, "end": 80,
                  "diagnosis": 200, "pathology": 170, "note": 150}  # fmt: skip
        for column, key in enumerate(model.columns):
            if key in self._delegates:
                self.setItemDelegateForColumn(column, self._delegates[key])
            self.setColumnWidth(column, widths.get(key, 120))
        if "diagnosis" in model.columns:
            header.setSectionResizeMode(model.columns.index("diagnosis"), QHeaderView.ResizeMode.Stretch)

    def case_model(self) -> CaseTableModel:
        model = self.model()
        assert isinstance(model, CaseTableModel)
        return model

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif (
            event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and self.state() != QAbstractItemView.State.EditingState
        ):
            self.clear_selection()
        elif (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.state() != QAbstractItemView.State.EditingState
        ):
            self.move_after_enter()
        else:
            super().keyPressEvent(event)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        # Qt opens the editor on an IME commit that came without a composition but drops the text: give
        # it to the editor, as a typed key would be (a composition first is forwarded by Qt itself).
        current = self.currentIndex()
        if (
            self.state() != QAbstractItemView.State.EditingState
            and event.commitString()
            and not event.preeditString()
            and current.isValid()
            and self.edit(current, QAbstractItemView.EditTrigger.AnyKeyPressed, event)
        ):
            editor = self.focusWidget()
            if isinstance(editor, QLineEdit):
                editor.selectAll()
                QApplication.sendEvent(editor, event)
                editor.textEdited.emit(editor.text())
            return
        super().inputMethodEvent(event)

    # Moving as Excel does: Tab goes right; Enter after a run of Tabs goes to the next row at the column
    # the run started in, and from the last column to the next row's first column; else Enter goes down.

    def moveCursor(
        self,
        cursorAction: QAbstractItemView.CursorAction,  # noqa: N803 - Qt's name
        modifiers: Qt.KeyboardModifier,
    ) -> QModelIndex:
        index = super().moveCursor(cursorAction, modifiers)
        tab = cursorAction in (
            QAbstractItemView.CursorAction.MoveNext,
            QAbstractItemView.CursorAction.MovePrevious,
        )
        if tab and self._tab_anchor is None:
            self._tab_anchor = self.currentIndex().column()
        self._moving_by_tab = tab
        return index

    def currentChanged(self, current: ModelIndex, previous: ModelIndex) -> None:
        super().currentChanged(current, previous)
        if not self._moving_by_tab:
            self._tab_anchor = None
        self._moving_by_tab = False

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:  # Enter in the editor
            self.move_after_enter()

    def move_after_enter(self) -> None:
        current = self.currentIndex()
        if not current.isValid():
            return
        if self._tab_anchor is not None:
            column = self._tab_anchor
        elif current.column() == self.model().columnCount() - 1:
            column = 0
        else:
            column = current.column()
        below = self.model().index(current.row() + 1, column)
        if below.isValid():
            self.setCurrentIndex(below)
            self.scrollTo(below)

    def _selected_block(self) -> tuple[int, int, int, int] | None:
        ranges = self.selectionModel().selection()
        if ranges.isEmpty():
            current = self.currentIndex()
            if not current.isValid():
                return None
            return current.row(), current.column(), current.row(), current.column()
        first = ranges.first()
        return first.top(), first.left(), first.bottom(), first.right()

    def copy_selection(self) -> None:
        """Copy the selected block as tab-separated text, as Excel does."""
        block = self._selected_block()
        if block is None:
            return
        top, left, bottom, right = block
        model = self.case_model()
        lines = [
            "\t".join(str(model.data(model.index(row, column)) or "") for column in range(left, right + 1))
            for row in range(top, bottom + 1)
        ]
        QGuiApplication.clipboard().setText("\n".join(lines) + "\n")

    def paste(self) -> None:
        """Paste a block copied from Excel at the current cell, every cell read and checked."""
        text = QGuiApplication.clipboard().text()
        current = self.currentIndex()
        if not text or not current.isValid():
            return
        block = [line.split("\t") for line in text.replace("\r\n", "\n").rstrip("\n").split("\n")]
        edits, refused = self.case_model().edits_for_block(current.row(), current.column(), block)
        if edits:
            self._commit(edits)
        self.pasteReport.emit(len(edits), refused)

    def clear_selection(self) -> None:
        """Delete empties the selected cells (one undoable step); each cell's empty value is read_cell's."""
        block = self._selected_block()
        if block is None:
            return
        top, left, bottom, right = block
        blanks = [[""] * (right - left + 1) for _ in range(top, bottom + 1)]
        edits, _ = self.case_model().edits_for_block(top, left, blanks)
        if edits:
            self._commit(edits)
