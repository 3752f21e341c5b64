"""ヘルプ (使い方, バージョン情報), files dropped on the window, and what an unexpected error does."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu

from app.logs import start_logging
from app.models.approval import REQUEST_FORMAT, RESPONSE_FORMAT
from app.views import app as app_module
from app.views import dialogs
from app.views import review_window as review_window_module
from app.views.help import AboutDialog, GuideDialog
from tests.factories import COLUMNS
from tests.ime import commit_text

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from app.views.main_window import MainWindow

DIAGNOSIS, NOTE = COLUMNS.index("diagnosis"), COLUMNS.index("note")
TYPED_NAME, TYPED_DIAGNOSIS, TYPED_NOTE = "症例太郎", "膵頭部癌術後再発", "紹介元は伊勢の病院"


def _help_actions(window: MainWindow) -> dict[str, QAction]:
    [help_menu] = [a.menu() for a in window.menuBar().actions() if a.text().startswith("ヘルプ")]
    assert isinstance(help_menu, QMenu)
    return {action.text(): action for action in help_menu.actions() if action.text()}


def test_help_menu_has_the_guide_on_f1_and_the_versions(window: MainWindow) -> None:
    """ヘルプ lists 使い方 (F1) and バージョン情報."""
    actions = _help_actions(window)
    guide = actions["使い方(&G)"]
    assert guide.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)
    assert "バージョン情報(&A)…" in actions


def test_f1_opens_the_guide(window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """F1 in the window shows the guide."""
    shown: list[object] = []
    monkeypatch.setattr(GuideDialog, "show_guide", classmethod(lambda cls, parent: shown.append(parent)))
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert shown == [window]


def test_the_guide_is_rendered_from_the_shipped_markdown(qtbot: QtBot) -> None:
    """The guide shows as text with headings and tables, not as Markdown source, and follows no link out."""
    dialog = GuideDialog()
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    assert "Shorei 使い方ガイド" in text
    assert "がん治療認定医 更新申請" in text
    assert "# Shorei" not in text and "|---|" not in text
    assert not dialog.browser.openExternalLinks()


def test_versions_list_every_component_and_qt(window: MainWindow, qtbot: QtBot) -> None:
    """バージョン情報 names Shorei, the forms, the vocabulary, the facility list, Python and Qt."""
    dialog = AboutDialog(window.store.home, window)
    qtbot.addWidget(dialog)
    labels = [label for label, _version in dialog.rows]
    assert labels[0] == "Shorei"
    for wanted in ("診断名辞書", "Python", "Qt", "PySide6"):
        assert wanted in labels
    assert any(label.startswith("様式 ") for label in labels)
    assert any(label.startswith("施設一覧") for label in labels)
    assert dialog.table.rowCount() == len(dialog.rows)


def _drop(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


def test_a_dropped_application_opens_in_the_window(window: MainWindow, examples_dir: Path) -> None:
    """Dropping an application document imports and opens it, as ファイル → 申請データを開く does."""
    before = len(window.store.applications.all())
    _drop(window, examples_dir / "valid-25-cases-1-section.json")
    assert len(window.store.applications.all()) == before + 1
    assert window.application is not None
    assert sum(len(s.cases) for s in window.application.sections) == 25


def test_a_dropped_case_list_goes_to_the_case_import(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case list (CSV) starts the case import with that file, without asking for a file."""
    path = tmp_path / "cases.csv"
    path.write_text("No,年齢,性別,診断名\n1,65,男,胃癌\n", encoding="utf-8")
    asked: list[object] = []
    monkeypatch.setattr("app.views.case_list_import.choose_case_list", lambda *a: asked.append(a))
    monkeypatch.setattr(
        "app.views.case_list_import.CaseImportDialog.ask", classmethod(lambda cls, *a: asked.append(a[3]))
    )
    _drop(window, path)
    assert len(asked) == 1 and asked[0] is not None  # the dialog got the table, no file chooser was shown


def test_a_dropped_facility_list_is_imported(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A facility list is imported and used, as 施設一覧を取り込む does (the file chooser is not shown)."""
    path = tmp_path / "list.csv"
    path.write_text(
        "認定番号,施設名,所在地,認定終了日\n99001,テスト中央病院,東京都千代田区,2030-03-31\n",
        encoding="utf-8",
    )
    told: list[str] = []
    monkeypatch.setattr(
        "app.views.facility_sources.QFileDialog.getOpenFileName", lambda *a: pytest.fail("asked")
    )
    monkeypatch.setattr(
        "app.views.facility_sources.QMessageBox.information", lambda p, t, text: told.append(text)
    )
    monkeypatch.setattr(
        "app.views.facility_sources.QMessageBox.warning", lambda p, t, text: told.append(text)
    )
    _drop(window, path)
    assert told and "1施設" in told[0], told


@pytest.mark.parametrize(("fmt", "opened"), [(REQUEST_FORMAT, "review"), (RESPONSE_FORMAT, "notice")])
def test_dropped_approval_files(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, opened: str
) -> None:
    """A request opens the 指導者's review; a result in a JBCT application says which application it belongs to."""
    path = tmp_path / "file.json"
    path.write_text(json.dumps({"format": fmt}), encoding="utf-8")
    reviews: list[Path] = []
    notices: list[str] = []
    monkeypatch.setattr(review_window_module, "open_review", lambda p, parent: reviews.append(p))
    monkeypatch.setattr(dialogs, "notify", lambda parent, title, text, warning=False: notices.append(text))
    _drop(window, path)
    if opened == "review":
        assert reviews == [path]
    else:
        assert reviews == [] and "承認結果ファイル" in notices[0]


def test_a_dropped_form_pack_goes_to_the_pack_import(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dropped .shoreipack is imported as ファイル → 様式パックを取り込む… does, with that file."""
    path = tmp_path / "next.shoreipack"
    path.write_bytes(b"PK")
    imported: list[Path | None] = []

    def import_form_pack(win: MainWindow, chosen: Path | None = None) -> bool:
        imported.append(chosen)
        return True

    monkeypatch.setattr("app.views.form_packs.import_form_pack", import_form_pack)
    _drop(window, path)
    assert imported == [path]


def test_a_dropped_unknown_file_is_named_in_a_message(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file Shorei has no use for: a message names it and the files that can be opened."""
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7")
    notices: list[str] = []
    monkeypatch.setattr(dialogs, "notify", lambda parent, title, text, warning=False: notices.append(text))
    assert not window.open_path(path)
    assert "scan.pdf" in notices[0] and "申請データ" in notices[0]


@pytest.mark.qt_no_exception_capture
def test_an_unexpected_error_shows_a_dialog_and_logs_no_typed_value(
    window: MainWindow, qtbot: QtBot, shorei_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception a slot lets through: a Japanese dialog naming the log; the log has its type, not what was typed."""
    files = start_logging(shorei_home)
    assert files is not None
    shown: list[str] = []
    monkeypatch.setattr(app_module, "show_unexpected_error", shown.append)
    try:
        applicant = window.applicant
        assert applicant is not None
        applicant.name.setFocus()
        applicant.name.clear()
        commit_text(applicant.name, TYPED_NAME)
        applicant.name.editingFinished.emit()
        page = window.pages[0]
        for column, text in ((DIAGNOSIS, TYPED_DIAGNOSIS), (NOTE, TYPED_NOTE)):
            page.grid.setCurrentIndex(page.model.index(0, column))
            qtbot.keyClick(page.grid, Qt.Key.Key_F2)
            editor = page.grid.focusWidget()
            assert isinstance(editor, QLineEdit)
            editor.selectAll()
            commit_text(editor, text)
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.store.get(window.app_id or 0).sections[0].cases[0].note == TYPED_NOTE)
        assert window.store.get(window.app_id or 0).applicant.name == TYPED_NAME

        def failing_slot() -> None:
            raise RuntimeError(f"{TYPED_NAME} {TYPED_DIAGNOSIS} {TYPED_NOTE}")

        with app_module.unexpected_errors_reported(files):
            QTimer.singleShot(0, failing_slot)
            qtbot.waitUntil(lambda: bool(shown))
            QApplication.processEvents()
        window.close()
    finally:
        files.close()
    assert "予期しないエラー" in shown[0] and str(files.log) in shown[0]
    log = files.log.read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in log and "failing_slot" in log
    for typed in (TYPED_NAME, TYPED_DIAGNOSIS, TYPED_NOTE):
        assert typed not in log


def test_the_exception_hook_is_only_ours_while_the_window_runs(shorei_home: Path) -> None:
    """The hook is installed for the event loop and the previous one is back afterwards."""
    before = sys.excepthook
    with app_module.unexpected_errors_reported(None):
        assert sys.excepthook is not before
    assert sys.excepthook is before


def test_an_error_while_starting_the_window_shows_the_dialog(
    shorei_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception before the event loop runs: exit code 1, the Japanese dialog and a log entry by type."""
    shown: list[str] = []
    monkeypatch.setattr(app_module, "show_unexpected_error", shown.append)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise LookupError(TYPED_NAME)

    monkeypatch.setattr("app.views.main_window.build_main_window", broken)
    assert app_module.run() == 1
    assert shown and "予期しないエラー" in shown[0]
    log = (shorei_home / "logs" / "shorei.log").read_text(encoding="utf-8")
    assert "builtins.LookupError" in log and TYPED_NAME not in log
