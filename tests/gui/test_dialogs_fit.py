"""Every dialog and secondary window fits a laptop's screen (issue 13 item 1): at 1366×728 and at 1280×693
logical pixels (1920×1080 at 150 %) it opens inside the available geometry, its layout needs no more than
that, and its buttons lie inside it. The small screen stands in for the real one through
`app.views.fit.available_geometry`, the one place every window asks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QMainWindow,
    QPushButton,
    QWidget,
)

from app.views import fit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from app.views.main_window import MainWindow

SCREENS = {
    "1366x728": QRect(0, 0, 1366, 728),
    "1280x693": QRect(0, 0, 1280, 693),  # 1920×1080 at 150 % under a taskbar
}


class Context:
    """What a dialog is built from: the window over a data folder (made only when a dialog needs it)."""

    def __init__(self, request: pytest.FixtureRequest, tmp_path: Path, examples_dir: Path) -> None:
        self._request, self.tmp_path, self.examples = request, tmp_path, examples_dir

    @property
    def window(self) -> MainWindow:
        window: MainWindow = self._request.getfixturevalue("window")
        return window


def _outside_scroll_areas(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return False
        parent = parent.parentWidget()
    return True


def assert_fits(widget: QWidget, area: QRect) -> None:
    """`widget`, shown, is no larger than the screen less the frame, needs no more, and every push button
    outside a scrolled area lies inside it."""
    room = fit.room(widget)
    assert room == area.size() - fit.FRAME
    hint = widget.minimumSizeHint()
    assert hint.width() <= room.width() and hint.height() <= room.height(), f"needs {hint}, room {room}"
    widget.show()
    QApplication.processEvents()
    assert widget.width() <= room.width() and widget.height() <= room.height(), f"{widget.size()} > {room}"
    inside = widget.rect()
    buttons = [
        b
        for b in widget.findChildren(QPushButton)
        if b.isVisibleTo(widget) and _outside_scroll_areas(b, widget)
    ]
    assert buttons, "no button found"
    for button in buttons:
        place = QRect(button.mapTo(widget, QPoint(0, 0)), button.size())
        assert inside.contains(place), f"{button.text()} at {place} outside {inside}"


# --- the dialogs --------------------------------------------------------------------------------------------


def new_application(c: Context) -> QWidget:
    from app.views.start_page import NewApplicationDialog

    return NewApplicationDialog(c.window.forms, c.window)


def export_refused(c: Context) -> QWidget:
    from app.export import plan_export
    from app.views.export_dialog import ExportDialog

    window = c.window
    assert window.open_file(c.examples / "broken.json")
    assert window.application is not None and window.form is not None
    plan = plan_export(
        window.application, window.form, window._facilities(), c.tmp_path, stem="x", issues=window.issues
    )
    assert plan.refused
    return ExportDialog(plan, window, go_to=window.go_to_issue)


def export_done(c: Context) -> QWidget:
    from app.export.export import ExportResult
    from app.views.export_dialog import ExportDoneDialog

    folder = c.tmp_path / ("とても長いフォルダの名前" * 6) / "提出用"
    result = ExportResult(
        draft=False,
        pdf_path=folder / "症例一覧表_申請2(1)_山田太郎.pdf",
        package_path=folder / "アップロード用_申請2(1)_山田太郎.json",
        package_hash="0" * 64,
        short_hash="ABCD-EFGH",
        fingerprint="SHA256:" + "f" * 43,
    )
    return ExportDoneDialog(result, c.window)


def facility_picker(c: Context) -> QWidget:
    from app.views.facility_picker import FacilityPickerDialog

    source = c.window.facility_source
    return FacilityPickerDialog(
        source.search,  # type: ignore[attr-defined]
        None,
        manual_label="認定施設ではないため手入力する",
        sample_notice="現在の施設一覧はサンプルです。学会の最新の施設一覧を取り込んでください。",
        import_list=lambda: None,
        parent=c.window,
    )


def supervisor(c: Context) -> QWidget:
    from app.views.supervisor_dialogs import SupervisorDialog

    return SupervisorDialog(["指導医", "専門医"], None, c.window)


def supervisor_registry(c: Context) -> QWidget:
    from app.views.supervisor_dialogs import SupervisorRegistryDialog

    return SupervisorRegistryDialog(c.window.store, ["指導医", "専門医"], c.window, confirm=lambda *a: True)


def approval_request(c: Context) -> QWidget:
    from app.models.application import Supervisor
    from app.views.approval_dialogs import RequestDialog
    from tests.jspm_factories import SUPERVISOR, jspm_application, jspm_form

    cases = list(enumerate(jspm_application().reports, start=1))
    chosen = Supervisor.model_validate(SUPERVISOR, strict=False)
    return RequestDialog(
        jspm_form(),
        cases,
        lambda: [chosen],
        c.window,
        open_registry=lambda parent: None,
    )


def trust_pack(c: Context) -> QWidget:
    from app.export.form_packs import make_pack
    from app.views.form_packs import TrustPackDialog

    made = make_pack(
        c.examples / "packs" / "jbct-renewal-2027", c.tmp_path / "publisher.pem", c.tmp_path / "p.shoreipack"
    )
    return TrustPackDialog(made.manifest, False, c.window)


def migrate(c: Context) -> QWidget:
    from app.export.form_packs import make_pack
    from app.views import form_packs
    from app.views.form_packs import MigrateDialog, TrustPackDialog, migration_candidates

    window = c.window  # with the 20-case example open
    pack = make_pack(
        c.examples / "packs" / "jbct-renewal-2027", c.tmp_path / "publisher.pem", c.tmp_path / "p.shoreipack"
    ).path
    original = TrustPackDialog.ask
    TrustPackDialog.ask = classmethod(lambda cls, *args: True)  # type: ignore[assignment,method-assign]
    try:
        assert form_packs.import_form_pack(window, pack)
    finally:
        TrustPackDialog.ask = original  # type: ignore[method-assign]
    return MigrateDialog(window, migration_candidates(window))


def print_preview(c: Context) -> QWidget:
    from app.export.preview import preview_sheets
    from app.views.print_preview import PrintPreviewDialog

    window = c.window
    assert window.open_file(c.examples / "valid-25-cases-3-sections.json")
    assert window.application is not None and window.form is not None
    preview = preview_sheets(window.application, window.form, window._facilities(), issues=window.issues)
    return PrintPreviewDialog(preview, window)


def history(c: Context) -> QWidget:
    from app.views.dialogs import HistoryDialog

    window = c.window  # with the 20-case example open
    assert window.app_id is not None
    return HistoryDialog(window.store, window.app_id, window)


def paste_report(c: Context) -> QWidget:
    from app.views.paste_report import PasteReportDialog

    dialog = PasteReportDialog(c.window)
    dialog.show_report(40, [f"申請2(1) No.{n} 年齢: 「六十五」を年齢として読めません" for n in range(1, 60)])
    return dialog


def guide(c: Context) -> QWidget:
    from app.views.help import GuideDialog

    return GuideDialog(c.window)


def about(c: Context) -> QWidget:
    from app.views.help import AboutDialog

    return AboutDialog(c.window.store.home, c.window)


def open_again(c: Context) -> QWidget:
    from app.views.open_again import OpenAgainDialog

    return OpenAgainDialog(
        c.window, "山田太郎_更新申請_2026年版_最終.json", "山田太郎 更新申請", "山田太郎（2）"
    )


def case_import(c: Context) -> QWidget:
    from app.store.case_list_files import read_case_list
    from app.views.case_list_import import CaseImportDialog
    from tests.case_lists import clerk_workbook

    window = c.window  # with the 20-case example open
    assert window.application is not None and window.form is not None
    path = c.tmp_path / "症例一覧.xlsx"
    path.write_bytes(clerk_workbook())
    return CaseImportDialog(window.form, window.application, read_case_list(path), parent=window)


def import_report(c: Context) -> QWidget:
    from app.views.case_list_import import ImportReportDialog

    return ImportReportDialog("\n".join(f"{n}行目: 取り込みませんでした" for n in range(1, 80)), c.window)


def case_export(c: Context) -> QWidget:
    from app.views.case_list_export import CaseExportDialog

    return CaseExportDialog(c.tmp_path / ("長いフォルダ名" * 10) / "症例一覧.xlsx", c.window)


def review(c: Context) -> QWidget:
    from app.signing.keys import SigningKey
    from app.views.review_window import open_review_window
    from tests.gui.test_review_window import cases, write_request

    return open_review_window(write_request(c.tmp_path, cases(20), SigningKey.generate()))


DIALOGS: dict[str, Callable[[Context], QWidget]] = {
    builder.__name__: builder
    for builder in (
        new_application,  # 新しい申請
        export_refused,  # 作成（エラーあり）
        export_done,  # 作成しました
        facility_picker,  # 認定施設検索
        supervisor,  # 指導者の登録
        supervisor_registry,  # 指導者登録
        approval_request,  # 症例承認依頼
        trust_pack,  # 様式パックを取り込む
        migrate,  # 新しい様式に移す
        print_preview,  # 印刷プレビュー
        history,  # 変更履歴
        paste_report,  # 貼り付けで読み取れなかったセル
        guide,  # 使い方
        about,  # バージョン情報
        open_again,  # すでに開いた申請データです
        case_import,  # Excel/CSVから症例を取り込む
        import_report,  # 取り込み結果
        case_export,  # 症例一覧をExcelに書き出す
        review,  # 症例承認（指導者）
    )
}


@pytest.fixture
def context(request: pytest.FixtureRequest, tmp_path: Path, examples_dir: Path) -> Iterator[Context]:
    yield Context(request, tmp_path, examples_dir)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("name", DIALOGS)
def test_every_dialog_fits_a_laptop_screen(
    name: str, screen: str, context: Context, qtbot: QtBot, shorei_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog opens within the available geometry of a 1366×728 or 1280×693 screen, buttons inside."""
    area = SCREENS[screen]
    monkeypatch.setattr(fit, "available_geometry", lambda widget: area)
    shorei_home.mkdir(parents=True, exist_ok=True)
    widget = DIALOGS[name](context)
    qtbot.addWidget(widget)
    if isinstance(widget, QMainWindow):
        room = fit.room(widget)
        assert widget.width() <= room.width() and widget.height() <= room.height()  # restored size
        widget.resize(room)  # as maximised
    try:
        assert_fits(widget, area)
    finally:
        widget.close()
