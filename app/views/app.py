"""Starting the window: the Qt application, the bundled font, the store, and `--screenshot`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.paths import data_home
from app.resources import resource_path
from app.views.fit import show_fitted

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

FONT_FILE = ("fonts", "ipaexg.ttf")


def ensure_qt_app(argv: Sequence[str] = ()) -> QApplication:
    """The one QApplication, with the bundled Japanese font so every PC shows the same glyphs."""
    existing = QApplication.instance()
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


def run(file: Path | None = None, screenshot: Path | None = None) -> int:
    """Open the main window (importing FILE first, if given). Returns the process exit code."""
    from app.store.errors import StoreError
    from app.views.main_window import build_main_window

    app = ensure_qt_app()
    home = data_home()
    try:
        window = build_main_window(home, window_settings(home), opening_file=file is not None)
    except StoreError as error:
        QMessageBox.critical(None, "Shorei を開けません", str(error))
        return 2
    if file is not None and not window.open_file(file):
        return 2
    if screenshot is not None:
        window.show()  # the size it was given, whatever the (offscreen) screen
        screenshot_when_painted(window, screenshot, app)
    else:
        show_fitted(window, remembered=window.remembered_geometry)
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
        print(f"shorei: {error}", file=sys.stderr)
        QMessageBox.critical(None, "承認依頼ファイルを開けません", str(error))
        return 2
    if screenshot is not None:
        window.show()
        screenshot_when_painted(window, screenshot, app)
    else:
        show_fitted(window, remembered=False)
    return app.exec()
