"""Screenshots of the clerk's list with print states and of 印刷プレビュー, taken under a real X server with
a window manager (the window maximised, as on a laptop):

    Xvfb :51 -screen 0 1366x768x24 & DISPLAY=:51 openbox &
    DISPLAY=:51 QT_QPA_PLATFORM=xcb uv run python docs/screenshots/print_shots.py
    Xvfb :52 -screen 0 1920x1080x24 & DISPLAY=:52 openbox &
    DISPLAY=:52 QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.5 uv run python docs/screenshots/print_shots.py -150

The argument is added to the file names. Everything is made in a throwaway data folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from app.operations.sections import SetApplicantField

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent


def main(suffix: str) -> None:
    from PySide6.QtCore import QTimer

    from app.views import print_flow
    from app.views.app import ensure_qt_app, window_settings
    from app.views.export_dialog import ExportDoneDialog
    from app.views.main_window import build_main_window

    app = ensure_qt_app()
    folder = tempfile.TemporaryDirectory()
    home = Path(folder.name)
    os.environ["SHOREI_HOME"] = str(home)  # the signing key is made here, never in the user's folder
    window = build_main_window(home, window_settings(home), opening_file=True)
    examples, exports = ROOT / "examples", home / "exports"
    print_flow.choose_export_file = lambda parent, suggested: exports / suggested.name  # type: ignore[assignment]
    ExportDoneDialog.show_result = classmethod(lambda cls, parent, result: None)  # type: ignore[assignment]

    window.open_file(examples / "valid-20-cases.json")
    window.export_files()  # 印刷済
    window.open_file(examples / "valid-25-cases-3-sections.json")
    window.export_files()
    assert window.app_id is not None
    changed = window.app_id
    window.store.apply(changed, SetApplicantField("name", "佐藤 花子"))
    window.open_file(examples / "broken.json")  # 下書き
    assert window.app_id is not None
    window.store.apply(window.app_id, SetApplicantField("name", "鈴木 一郎"))
    window.open_file(examples / "valid-25-cases-1-section.json")
    assert window.app_id is not None
    window.store.applications.rename(window.app_id, "田中先生 2026年度更新")
    window.open_file(examples / "jspm-transition-7-cases.json")
    window.open_application(min(row.id for row in window.app_list.list_model.rows()))
    window.duplicate_application()
    window.open_application(changed)  # 印刷後に変更あり
    model = window.pages[1].model
    model.setData(model.index(2, model.columns.index("age")), "58")
    window.showMaximized()

    def grab(name: str) -> None:
        app.primaryScreen().grabWindow(0).save(str(HERE / f"{name}{suffix}.png"))

    def list_shot() -> None:
        grab("main-window-list")
        window.print_flow.preview()
        QTimer.singleShot(1500, preview_shot)

    def preview_shot() -> None:
        grab("print-preview")
        app.quit()

    QTimer.singleShot(2500, list_shot)
    app.exec()
    window.store.close()
    folder.cleanup()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
