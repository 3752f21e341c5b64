"""Starting the window from the command line: a file that cannot be opened, Qt's own messages, and the
same file opened twice."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType
from PySide6.QtWidgets import QApplication, QMessageBox

from app.views import app as start
from app.views.open_again import OpenAgainDialog, copy_title

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from app.views.main_window import MainWindow


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "ファイルがありません"),
        (b"{", "JSON として読めません"),
        (b'{"format": "x"}', "申請データの形式ではありません"),
    ],
)
def test_gui_file_problem_is_one_line_and_a_dialog(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    expected: str,
) -> None:
    """`shorei gui FILE` with a missing or bad FILE: one line on stderr, the dialog once the loop runs, exit 2."""
    path = tmp_path / "mine.json"
    if content is not None:
        path.write_bytes(content)
    shown: list[tuple[str, str]] = []

    def show_later(app: QApplication, title: str, text: str, screenshot: Path | None = None) -> None:
        shown.append((title, text))
        QTimer.singleShot(0, lambda: app.exit(2))
        return None

    monkeypatch.setattr(start, "show_error_later", show_later)
    assert start.run(path) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"shorei: {path}: ") and expected in line
    assert shown == [("申請データを開けません", line.removeprefix("shorei: "))]


def test_error_dialog_is_shown_once_the_loop_runs(qtbot: QtBot) -> None:
    """The error box opens from the event loop (a box shown before it would never be drawn)."""
    app = start.ensure_qt_app()
    kept = start.show_error_later(app, "申請データを開けません", "mine.json: ファイルがありません")

    def boxes() -> list[QMessageBox]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and w.text() == "mine.json: ファイルがありません"
        ]

    qtbot.waitUntil(lambda: bool(boxes()))
    [box] = boxes()
    assert box is kept and box.windowTitle() == "申請データを開けません"
    box.finished.disconnect()  # closing it would end the program: app.exit() outside run() breaks later loops
    box.done(0)
    box.deleteLater()


def test_qt_noise_is_dropped_and_other_messages_logged(caplog: pytest.LogCaptureFixture) -> None:
    """propagateSizeHints() is dropped; any other Qt warning goes to logging (and so to stderr)."""
    context = QMessageLogContext()
    with caplog.at_level(logging.WARNING, logger="shorei.qt"):
        start.qt_message(QtMsgType.QtWarningMsg, context, "This plugin does not support propagateSizeHints()")
        start.qt_message(QtMsgType.QtWarningMsg, context, "something else")
    assert [record.getMessage() for record in caplog.records] == ["Qt: something else"]


def test_copy_titles_count_up() -> None:
    """A second import is 「…（2）」, then 「…（3）」 when that is taken."""
    assert copy_title("mine", {"mine"}) == "mine（2）"
    assert copy_title("mine", {"mine", "mine（2）"}) == "mine（3）"


@pytest.mark.parametrize("choice", ["open", "copy", None])
def test_opening_the_same_file_again_asks(
    window: MainWindow, examples_dir: Path, monkeypatch: pytest.MonkeyPatch, choice: str | None
) -> None:
    """The same file again: open the existing application, import a copy named 「…（2）」, or nothing."""
    asked: list[tuple[str, str, str]] = []

    def ask(_parent: object, file_name: str, title: str, copy: str) -> str | None:
        asked.append((file_name, title, copy))
        return choice

    monkeypatch.setattr(OpenAgainDialog, "ask", ask)
    first = window.app_id
    before = {info.title for info in window.store.applications.all()}
    assert window.open_file(examples_dir / "valid-20-cases.json")
    assert asked == [("valid-20-cases.json", "valid-20-cases", "valid-20-cases（2）")]
    titles = {info.title for info in window.store.applications.all()}
    if choice == "copy":
        assert titles == before | {"valid-20-cases（2）"}
        assert window.app_id is not None and window.app_id != first
        assert window.store.info(window.app_id).title == "valid-20-cases（2）"
    else:
        assert titles == before
        assert window.app_id == first
