"""Rebuilds the window screenshots in this folder at 1366×768 (offscreen, bundled font).

uv run python docs/screenshots/make.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent


def main() -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.views.app import ensure_qt_app, window_settings
    from app.views.facility_picker import FacilityPickerDialog
    from app.views.main_window import build_main_window

    app = ensure_qt_app()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        window = build_main_window(home, window_settings(home), opening_file=True)
        window.resize(1366, 768)
        window.show()

        def settle() -> None:
            for _ in range(5):
                app.processEvents()

        window.open_file(ROOT / "examples" / "valid-25-cases-1-section.json")
        settle()
        window.grab().save(str(HERE / "main-window-25-cases.png"))

        window.open_file(ROOT / "examples" / "broken.json")
        window.resizeDocks([window.problems_dock], [300], Qt.Orientation.Vertical)
        item = window.problems.topLevelItem(6)
        if item is not None:
            window.problems.setCurrentItem(item)
            window.go_to_issue(window.problems.issues()[6])
        settle()
        window.grab().save(str(HERE / "main-window-problems.png"))

        source = window.facility_source
        dialog = FacilityPickerDialog(
            source.search,  # type: ignore[attr-defined]
            None,
            manual_label="認定施設ではないため手入力する",
            sample_notice="現在の施設一覧はサンプル（がん治療認定医 認定研修施設（サンプル））です。実際の認定施設一覧を取り込んでください。",
            import_list=lambda: None,
            parent=window,
        )
        dialog.show()
        dialog.query.setText("赤十字")
        dialog.run_search()
        settle()
        dialog.grab().save(str(HERE / "facility-picker.png"))
        dialog.close()

        # The mapping step of a case-list import: the clerk's 25-row workbook of the tests, into an empty
        # application (two values it cannot read are red, and listed under the preview).
        from app.store.case_lists import parse_case_list
        from app.views.case_import import CaseImportDialog
        from tests.case_lists import clerk_workbook

        window.new_application()
        assert window.form is not None and window.application is not None
        table = parse_case_list(clerk_workbook(), source="症例一覧_医局.xlsx")
        importer = CaseImportDialog(window.form, window.application, table, parent=window)
        importer.resize(1180, 680)
        importer.show()
        settle()
        importer.grab().save(str(HERE / "import-mapping.png"))
        importer.close()
        window.close()
        window.store.close()
        source.index.close()  # type: ignore[attr-defined]
    QApplication.processEvents()


if __name__ == "__main__":
    main()
