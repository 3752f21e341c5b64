"""Starting the window: the Qt application, the bundled font and icon, the store, the log, `--screenshot`."""

from __future__ import annotations

import logging
import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QSettings,
    QTimer,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.logs import LogFiles, log_unexpected, logger, start_logging, unexpected_error_text
from app.paths import data_home
from app.resources import resource_path
from app.views.fit import show_fitted
from app.views.pyside_feature import read_sources_as_bytes

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path
    from types import TracebackType

FONT_FILE = ("fonts", "ipaexg.ttf")
ICON_FILE = ("icons", "shorei.ico")

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
    """The one QApplication, with the bundled Japanese font so every PC shows the same glyphs. The window's
    modules are imported after it (run): PySide6's check of each import is made a byte search first."""
    read_sources_as_bytes()
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
    app.setWindowIcon(QIcon(str(resource_path(*ICON_FILE))))
    _install_qt_japanese(app)
    return app


def show_unexpected_error(text: str) -> None:
    """The dialog after an exception nothing caught (tests replace it; it is never shown in them)."""
    QMessageBox.critical(QApplication.activeWindow(), "Shorei — 予期しないエラー", text)


@contextmanager
def unexpected_errors_reported(files: LogFiles | None) -> Iterator[None]:
    """While the event loop runs, an exception a slot lets through is logged and shown in a Japanese dialog
    naming the log file, instead of ending up on a console the windowed program does not have."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log_unexpected((kind, error, trace))
        show_unexpected_error(unexpected_error_text(files))

    previous = sys.excepthook
    sys.excepthook = hook
    try:
        yield
    finally:
        sys.excepthook = previous


def start_log(home: Path) -> LogFiles | None:
    """Start the log in the data folder and record the versions the program runs with."""
    import platform  # here, after ensure_qt_app has made PySide6's check of each import cheap

    from app.about import program_version

    files = start_logging(home)
    logger().info(
        "起動: Shorei %s, Python %s, Qt %s, PySide6 %s, %s, platform %s",
        program_version(),
        platform.python_version(),
        qVersion(),
        pyside_version,
        platform.platform(terse=True),
        QApplication.platformName(),
    )
    return files


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


def _unopenable_document(file: Path, home: Path) -> str | None:
    """Why FILE, given as an application document, cannot be opened (one line), or None. Other kinds of
    file (a case list, a request …) are opened by the window, whose messages say what is wrong."""
    from app.models.document import DocumentError, load_application
    from app.models.form_packs import forms_for
    from app.store.file_kinds import FileKind, file_kind

    if not file.exists():
        return f"{file}: ファイルがありません"
    if file_kind(file) is not FileKind.APPLICATION:
        return None
    try:
        load_application(file, forms_for(home))
    except DocumentError as error:
        return str(error)
    return None


def run(file: Path | None = None, screenshot: Path | None = None) -> int:
    """Open the main window (opening FILE first, if given, as a file dropped on it). Returns the exit code."""
    app = ensure_qt_app()
    home = data_home()
    files = start_log(home)
    try:
        return _run_main(app, home, files, file, screenshot)
    except Exception as error:
        # Before or after the event loop (the hook covers it while it runs): the same dialog and log entry,
        # not PyInstaller's English traceback window.
        log_unexpected((type(error), error, error.__traceback__))
        show_unexpected_error(unexpected_error_text(files))
        return 1
    finally:
        if files is not None:
            files.close()


def _run_main(
    app: QApplication, home: Path, files: LogFiles | None, file: Path | None, screenshot: Path | None
) -> int:
    from app.store.errors import StoreError
    from app.views.main_window import build_main_window

    if file is not None:
        problem = _unopenable_document(file, home)
        if problem is not None:
            return fail_in_window(app, "申請データを開けません", problem, screenshot)
    try:
        window = build_main_window(home, window_settings(home), opening_file=file is not None)
    except StoreError as error:
        logger().error("データフォルダを開けません: %s", type(error).__qualname__)
        return fail_in_window(app, "Shorei を開けません", str(error), screenshot)
    # What the status bar shows as a problem is logged too (the Windows smoke test reads the log for it).
    if window.store.backup_problem:
        logger().warning("自動バックアップを作成できませんでした")
    if window.store.read_only:
        logger().warning("別の Shorei が使用中のため読み取り専用で開きました")
    if file is not None and not window.open_path(file):
        window.store.close()
        return fail_in_window(app, "ファイルを開けません", f"{file}: 開けませんでした", screenshot)
    if screenshot is not None:
        window.show()  # the size it was given, whatever the (offscreen) screen
        screenshot_when_painted(window, screenshot, app)
    else:
        show_fitted(window, remembered=window.remembered_geometry)
    with unexpected_errors_reported(files):
        code = app.exec()
    window.store.close()
    logger().info("終了: %d", code)
    return code


def run_review(request: Path, screenshot: Path | None = None) -> int:
    """Supervisor mode (`shorei gui --review REQUEST`): only the review screen for that request. A file that
    fails a check opens nothing: the reason goes to stderr and to a message box. Returns the exit code."""
    app = ensure_qt_app()
    files = start_log(data_home())
    try:
        return _run_review(app, files, request, screenshot)
    finally:
        if files is not None:
            files.close()


def _run_review(app: QApplication, files: LogFiles | None, request: Path, screenshot: Path | None) -> int:
    from app.views.review_files import ReviewOpenError
    from app.views.review_window import open_review_window

    try:
        window = open_review_window(request)
    except ReviewOpenError as error:
        logger().warning("承認依頼ファイルを開けません: %s", type(error).__qualname__)
        return fail_in_window(app, "承認依頼ファイルを開けません", str(error), screenshot)
    if screenshot is not None:
        window.show()
        screenshot_when_painted(window, screenshot, app)
    else:
        show_fitted(window, remembered=False)
    with unexpected_errors_reported(files):
        return app.exec()
