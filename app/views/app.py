"""Starting the window: the Qt application, the bundled font, the store, and `--screenshot`."""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QSettings,
    QTimer,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.paths import data_home
from app.resources import resource_path

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

FONT_FILE = ("fonts", "ipaexg.ttf")

QT_NOISE = ("This plugin does not support propagateSizeHints()",)
"""Qt messages that say nothing to a user (the offscreen and some X11 plugins print this on every start)."""

NO_DISPLAY = (
    "ウィンドウを開けません（画面に接続できないか、Qt の表示部品を読み込めません）。デスクトップのセッションから"
    "起動するか、ウィンドウなしで使うコマンド（shorei validate・export など。shorei -h で一覧）を使ってください"
)

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
}


def qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own messages: known noise dropped, the rest to logging (warnings reach stderr). A fatal one
    (no display, no platform plugin) would abort the process: say why in Japanese and exit 2 instead."""
    if any(noise in message for noise in QT_NOISE):
        return
    if mode == QtMsgType.QtFatalMsg or message.startswith("could not connect to display"):
        # Qt aborts next (exit 134), after a hint about libxcb-cursor0 that misleads when the display
        # is what is missing.
        print(f"shorei: {NO_DISPLAY}（Qt: {message.splitlines()[0] if message else ''}）", file=sys.stderr)
        sys.stderr.flush()
        os._exit(2)
    logging.getLogger("shorei.qt").log(_QT_LEVELS.get(mode, logging.WARNING), "Qt: %s", message)


def ensure_qt_app(argv: Sequence[str] = ()) -> QApplication:
    """The one QApplication, with the bundled Japanese font so every PC shows the same glyphs."""
    existing = QApplication.instance()
    if not isinstance(existing, QApplication):
        # Only for an application of ours: a test harness keeps its own handler.
        qInstallMessageHandler(qt_message)
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    app.setApplicationName("Shorei")
    app.setOrganizationName("Shorei")
    font_id = QFontDatabase.addApplicationFont(str(resource_path(*FONT_FILE)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        app.setFont(QFont(families[0], 10))
    _install_qt_japanese(app)
    return app


def _install_qt_japanese(app: QApplication) -> None:
    """Qt's own words (はい/いいえ, キャンセル, the file dialog) in Japanese, whatever the PC's locale."""
    if app.property("shorei_translator") is not None:
        return
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    translator = QTranslator(app)
    if translator.load("qtbase_ja", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
        app.setProperty("shorei_translator", translator)


def window_settings(home: Path) -> QSettings:
    """Window state lives in the data folder, beside the database (so SHOREI_HOME moves it too)."""
    return QSettings(str(home / "window.ini"), QSettings.Format.IniFormat)


def screenshot_when_painted(widget: QWidget, path: Path, app: QApplication) -> None:
    """Save a picture of `widget` once it has been laid out and painted, then quit."""

    def shoot() -> None:
        app.processEvents()
        path.parent.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(path))
        app.quit()

    QTimer.singleShot(300, shoot)


def show_error_later(
    app: QApplication, title: str, text: str, screenshot: Path | None = None
) -> QMessageBox | None:
    """A message box once the event loop runs (one shown before it is never drawn); closing it ends the
    program. With `screenshot`, the box is pictured and the program ends by itself. The caller keeps the
    box (it has no parent to keep it alive)."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.finished.connect(lambda _result: app.exit(2))
    QTimer.singleShot(0, box.open)
    if screenshot is not None:
        screenshot_when_painted(box, screenshot, app)
    return box


def fail_in_window(app: QApplication, title: str, text: str, screenshot: Path | None = None) -> int:
    """SPEC §7: one line on stderr and the same in a dialog, exit 2."""
    print(f"shorei: {text}", file=sys.stderr)
    box = show_error_later(app, title, text, screenshot)
    app.exec()
    del box
    return 2


def run(file: Path | None = None, screenshot: Path | None = None) -> int:
    """Open the main window (importing FILE first, if given). Returns the process exit code."""
    from app.models.document import DocumentError, load_application
    from app.store.errors import StoreError
    from app.views.main_window import build_main_window

    app = ensure_qt_app()
    home = data_home()
    if file is not None:
        try:
            load_application(file)
        except DocumentError as error:
            return fail_in_window(app, "申請データを開けません", str(error), screenshot)
    try:
        window = build_main_window(home, window_settings(home), opening_file=file is not None)
    except StoreError as error:
        return fail_in_window(app, "Shorei を開けません", str(error), screenshot)
    if file is not None and not window.open_file(file):
        window.store.close()
        return fail_in_window(app, "申請データを開けません", f"{file}: 取り込めませんでした", screenshot)
    window.show()
    if screenshot is not None:
        screenshot_when_painted(window, screenshot, app)
    code = app.exec()
    window.store.close()
    return code


def run_review(request: Path, screenshot: Path | None = None) -> int:
    """Supervisor mode (`shorei gui --review REQUEST`): only the review screen for that request. A file that
    fails a check opens nothing: the reason goes to stderr and to a message box. Returns the exit code."""
    from app.views.review_window import ReviewOpenError, open_review_window

    app = ensure_qt_app()
    try:
        window = open_review_window(request)
    except ReviewOpenError as error:
        return fail_in_window(app, "承認依頼ファイルを開けません", str(error), screenshot)
    window.show()
    if screenshot is not None:
        screenshot_when_painted(window, screenshot, app)
    return app.exec()
