"""Start to a usable window loads only what the window shows (issue 13: start with 75 cases): checked by
the modules a fresh process holds once the window is up, never by timing (the figure is in
benchmarks/bench_window.py)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from app.models.document import load_application
from app.store import Store
from tests.fresh_process import run_reporting

if TYPE_CHECKING:
    from pathlib import Path

_PROGRAM = """
import json, sys
from PySide6.QtCore import QTimer
from app.paths import data_home
from app.views.app import ensure_qt_app, window_settings

app = ensure_qt_app()
from app.views.main_window import build_main_window  # after the QApplication, as `shorei gui` does

home = data_home()
window = build_main_window(home, window_settings(home))
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
feature = sys.modules.get("shibokensupport.feature")
check = getattr(feature, "_mod_uses_pyside", None)
opened = window.app_id is not None
window.store.close()
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(
        {"opened": opened, "modules": sorted(sys.modules), "quick": getattr(check, "_shorei_reads_bytes", False)},
        out,
    )
"""

ONLY_LATER = {
    "reportlab",  # the PDF: 作成 and 印刷プレビュー
    "pypdfium2",  # the preview's pages
    "cryptography",  # signing at export and approval
    "openpyxl",  # case lists in Excel
    "PIL",
    "app.export",
    "app.views.reports_page",  # JSPM forms only
    "app.views.print_preview",
    "app.views.case_list_import",
    "app.views.case_list_export",
    "app.views.supervisor_dialogs",
    "app.views.approval_dialogs",
    "app.views.review_window",
    "app.views.help",
    "app.views.paste_report",
}


def test_the_window_starts_without_export_signing_or_dialogs(tmp_path: Path, examples_dir: Path) -> None:
    """A window opening a stored JBCT application loads no PDF, signing, Excel or dialog modules, and
    PySide6's check of each import reads bytes instead of parsing source (app.views.pyside_feature)."""
    home = tmp_path / "home"
    with Store.open(home) as store:
        store.applications.import_application(
            load_application(examples_dir / "valid-25-cases-3-sections.json"), title="山田"
        )
    report = tmp_path / "modules.json"
    environment = {**os.environ, "SHOREI_HOME": str(home), "PYTHONUTF8": "1", "QT_QPA_PLATFORM": "offscreen"}
    result, _ = run_reporting(_PROGRAM, report, environment)
    assert result["opened"]
    loaded = set(result["modules"]) | {name.split(".")[0] for name in result["modules"]}
    assert not loaded & ONLY_LATER
    assert result["quick"]
