"""Rebuilds the window screenshots in this folder at 1366×768 (offscreen, bundled font).

uv run python docs/screenshots/make.py

With `--fit`, the screenshots of whole screens instead (`fit-*.png`): the start page, the main window, the
JSPM page and the review window as they open on a laptop under a real window manager (Xvfb and openbox, which must be
installed): 1366×728 at 100 % and 1920×1040 at QT_SCALE_FACTOR=1.5 (1280×693 logical pixels; both
heights leave 40 pixels for a taskbar).

uv run python docs/screenshots/make.py --fit
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from app.operations.approval import ImportResults, MarkRequested
from app.operations.cases import SetCaseField
from app.operations.reports import SetReportField

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.views.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
if "--fit-child" not in sys.argv:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent


def main() -> None:
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtWidgets import QApplication

    from app.views.app import ensure_qt_app, window_settings
    from app.views.facility_picker import FacilityPickerDialog
    from app.views.main_window import build_main_window

    app = ensure_qt_app()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        # The signing key of the case-report screens is made in this throwaway folder, never the user's.
        os.environ["SHOREI_HOME"] = str(home)
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

        review_screen(home, settle)

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
        # Gone before the index closes: its search-as-you-type timer must not fire on a closed database.
        dialog.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

        # The mapping step of a case-list import: the clerk's 25-row workbook of the tests, into an empty
        # application (two values it cannot read are red, and listed under the preview).
        from app.store.case_list_files import parse_case_list
        from app.views.case_list_import import CaseImportDialog
        from tests.case_lists import clerk_workbook

        window.new_application("jbct-renewal-2026")
        assert window.form is not None and window.application is not None
        table = parse_case_list(clerk_workbook(), source="症例一覧_医局.xlsx")
        importer = CaseImportDialog(window.form, window.application, table, parent=window)
        importer.resize(1180, 680)
        importer.show()
        settle()
        importer.grab().save(str(HERE / "import-mapping.png"))
        importer.close()
        jspm_screens(window, settle)
        window.close()
        window.store.close()
        assert window.facility_sources is not None
        window.facility_sources.close()
    QApplication.processEvents()


def review_screen(home: Path, settle: Callable[[], None]) -> None:
    """The 指導者's review screen: a request for three example cases, signed on another PC (a key made
    here for the applicant), the first approved, the second selected with a comment typed."""
    import datetime as dt

    from app.approval.request import build_request
    from app.models.application import Supervisor
    from app.models.document import load_application
    from app.models.forms import bundled_forms
    from app.signing.keys import SigningKey
    from app.store import active_facility_list
    from app.views.review_window import open_review_window

    application = load_application(ROOT / "examples" / "jspm-specialist-new-unapproved.json")
    form = bundled_forms().get(application.form.id, application.form.version)
    assert form is not None
    supervisor = Supervisor(
        name="指導 一郎",
        member_id="J00001",
        qualification="指導医",
        cert_start=dt.date(2020, 4, 1),
        cert_end=dt.date(2030, 3, 31),
    )
    facilities = active_facility_list(home, form.facility.list_kind)
    _request, data = build_request(
        application,
        form,
        [0, 1, 2],
        supervisor,
        "3例の承認をお願いいたします。2例目は施設の認定期間に合わせて期間を記載しています。",
        SigningKey.generate(),
        now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
        facilities=facilities,
    )
    facilities.close()
    request = home / "承認依頼.approval-request.json"
    request.write_bytes(data)
    review = open_review_window(request)
    review.resize(1366, 768)
    review.show()
    settle()
    review.approve_current()
    comment = "実際に緩和医療を提供した期間を現病歴の冒頭に書いてください"
    review.detail.comments["history"].setPlainText(comment)
    settle()
    review.grab().save(str(HERE / "jspm-review.png"))
    review.close()


def jspm_screens(window: MainWindow, settle: Callable[[], None]) -> None:
    """The case list with every state (cases 1–5 requested and decided by a 指導者, 6–7 waiting, one
    incomplete), the editor of the rejected case, and the 症例承認依頼 dialog."""
    from PySide6.QtCore import Qt

    from app.approval.matching import match_response
    from app.approval.request import build_request
    from app.approval.response import build_response, read_response
    from app.models.application import FieldComment, Supervisor
    from app.signing.keys import SigningKey, load_or_create_signing_key
    from app.views.approval_dialogs import RequestDialog

    store = window.store
    info = store.applications.import_document(
        ROOT / "examples" / "jspm-specialist-new-unapproved.json", title="専門医新規申請"
    )
    app_id = info.id
    form = window.forms.get("jspm-specialist-new")
    assert form is not None
    supervisor = Supervisor(
        name="指導 一郎", member_id="J00001", qualification="指導医",
        cert_start=dt.date(2020, 4, 1), cert_end=dt.date(2030, 3, 31),
    )  # fmt: skip
    store.supervisors.save(supervisor)
    store.supervisors.save(
        Supervisor(
            name="緩和 次郎",
            member_id="J00002",
            qualification="専門医",
            cert_start=dt.date(2021, 4, 1),
            cert_end=dt.date(2026, 3, 31),
        )
    )
    window.open_application(app_id)
    facilities = window.facility_sources.get(form.facility.list_kind).lookup()  # type: ignore[union-attr]
    key = load_or_create_signing_key()
    supervisor_key = SigningKey.generate()
    now = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
    request, _ = build_request(store.get(app_id), form, range(5), supervisor, "よろしくお願いいたします。",
                               key, now=now, facilities=facilities)  # fmt: skip
    store.apply(app_id, MarkRequested(request, supervisor))
    comments = [
        FieldComment(field="reflection", comment="鎮静の判断根拠と家族への説明を考察に加えてください。"),
        FieldComment(field="start", comment="主に緩和医療を提供した期間を診療録と照合してください。"),
    ]
    decisions = {case.id: ("approved", []) for case in request.cases}
    decisions[request.cases[4].id] = ("rejected", comments)
    data = build_response(request, decisions, supervisor_key, now=now + dt.timedelta(days=3))  # type: ignore[arg-type]
    response, statements = read_response(data, source="response")
    store.supervisors.trust_key(supervisor.member_id, supervisor_key.fingerprint)
    matched = match_response(store.get(app_id), response, statements, applicant_fingerprint=key.fingerprint,
                             trusted_fingerprint=supervisor_key.fingerprint)  # fmt: skip
    store.apply(app_id, ImportResults(matched))
    second, _ = build_request(
        store.get(app_id), form, [5, 6], supervisor, "", key, now=now, facilities=facilities
    )
    store.apply(app_id, MarkRequested(second, supervisor))
    store.apply(app_id, SetReportField(11, "diagnosis", ""))
    store.apply(app_id, SetReportField(11, "age", None))
    window.open_application(app_id)
    window.resizeDocks([window.problems_dock], [150], Qt.Orientation.Vertical)
    page = window.reports
    assert page is not None
    page.model.set_checked([7, 8, 9])
    page.select_row(0)
    settle()
    window.grab().save(str(HERE / "jspm-case-list.png"))

    page.select_row(4)
    settle()
    window.grab().save(str(HERE / "jspm-case-editor.png"))

    application = store.get(app_id)
    cases = [(row + 1, application.reports[row]) for row in page.model.checked_rows()]
    dialog = RequestDialog(form, cases, store.supervisors, window, open_registry=lambda parent: None)
    dialog.message.setPlainText("症例8〜10の承認をお願いいたします。ご不明な点はご連絡ください。")
    dialog.show()
    settle()
    dialog.grab().save(str(HERE / "jspm-request-dialog.png"))
    dialog.close()


FIT_SCREENS = {"1366x728": ("1366x728x24", "1"), "1920x1080-150": ("1920x1040x24", "1.5")}
"""name → (Xvfb screen, QT_SCALE_FACTOR)"""


def fit_screens() -> None:
    """For each screen: a virtual display with a window manager, and a child process that shows the windows."""
    import subprocess
    import time

    for number, (name, (geometry, scale)) in enumerate(FIT_SCREENS.items(), start=61):
        display = f":{number}"
        server = subprocess.Popen(["Xvfb", display, "-screen", "0", geometry, "-nolisten", "tcp"])
        time.sleep(1.5)
        manager = subprocess.Popen(["openbox"], env={**os.environ, "DISPLAY": display})
        time.sleep(1.5)
        try:
            env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "QT_SCALE_FACTOR": scale}
            subprocess.run([sys.executable, __file__, "--fit-child", name], env=env, check=True, timeout=300)
        finally:
            manager.terminate()
            manager.wait()
            server.terminate()
            server.wait()


def fit_child(name: str) -> None:
    """Show each window as `shorei gui` does (fitted to the screen), let the window manager place it, and save
    the whole screen."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QGuiApplication

    from app.views.app import ensure_qt_app, window_settings
    from app.views.fit import show_fitted
    from app.views.main_window import build_main_window
    from app.views.review_window import open_review_window

    app = ensure_qt_app()

    def wait(ms: int = 2500) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def shoot(what: str) -> None:
        screen = QGuiApplication.primaryScreen()
        assert screen is not None
        screen.grabWindow(0).save(str(HERE / f"fit-{what}-{name}.png"))

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        os.environ["SHOREI_HOME"] = str(home)
        window = build_main_window(home, window_settings(home))  # an empty data folder: the start page
        show_fitted(window, remembered=False)
        wait()
        shoot("start")
        window.open_file(ROOT / "examples" / "valid-25-cases-3-sections.json")
        assert window.app_id is not None
        window.store.apply(window.app_id, SetCaseField(0, 2, "diagnosis", "褐色細胞腫"))
        window.store.apply(window.app_id, SetCaseField(0, 4, "age", None))
        window.open_application(window.app_id)
        page = window.pages[0]
        page.grid.setCurrentIndex(page.model.index(2, 6))
        page.grid.setFocus()
        wait()
        shoot("main")

        info = window.store.applications.import_document(
            ROOT / "examples" / "jspm-specialist-new-unapproved.json", title="専門医新規申請"
        )
        window.open_application(info.id)
        assert window.reports is not None
        window.reports.select_row(0)
        wait(1500)
        shoot("jspm")

        request = _review_request(home)
        review = open_review_window(request)
        show_fitted(review, remembered=False)
        wait()
        shoot("review")
        review.close()
        window.close()
        window.store.close()
        assert window.facility_sources is not None
        window.facility_sources.close()
    app.processEvents()


def _review_request(home: Path) -> Path:
    """A request for three example cases, signed with a key made for the applicant, in `home`."""
    from app.approval.request import build_request
    from app.models.application import Supervisor
    from app.models.document import load_application
    from app.models.forms import bundled_forms
    from app.signing.keys import SigningKey
    from app.store import active_facility_list

    application = load_application(ROOT / "examples" / "jspm-specialist-new-unapproved.json")
    form = bundled_forms().get(application.form.id, application.form.version)
    assert form is not None
    supervisor = Supervisor(
        name="指導 一郎", member_id="J00001", qualification="指導医",
        cert_start=dt.date(2020, 4, 1), cert_end=dt.date(2030, 3, 31),
    )  # fmt: skip
    facilities = active_facility_list(home, form.facility.list_kind)
    _request, data = build_request(
        application, form, [0, 1, 2], supervisor, "3例の承認をお願いいたします。", SigningKey.generate(),
        now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2), facilities=facilities,
    )  # fmt: skip
    facilities.close()
    request = home / "承認依頼.approval-request.json"
    request.write_bytes(data)
    return request


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fit"]:
        fit_screens()
    elif sys.argv[1:2] == ["--fit-child"]:
        fit_child(sys.argv[2])
    else:
        main()
