"""The start page instead of an automatic application, the sample-list banner, and windows that fit the
screen (issue 13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

from app.views import dialogs
from app.views import main_window as main_window_module
from app.views.app import ensure_qt_app, window_settings
from app.views.fit import available_geometry, clamp_to_screen, show_fitted
from app.views.main_window import MainWindow, build_main_window
from app.views.start_page import NewApplication, NewApplicationDialog, StartPage

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from pytestqt.qtbot import QtBot


def _window(qtbot: QtBot, home: Path, *, opening_file: bool = False) -> MainWindow:
    ensure_qt_app()
    home.mkdir(parents=True, exist_ok=True)
    window = build_main_window(home, window_settings(home), opening_file=opening_file)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


def _close(window: MainWindow) -> None:
    window.close()
    window.store.close()
    assert window.facility_sources is not None
    window.facility_sources.close()


def test_first_start_shows_the_start_page_not_an_application(qtbot: QtBot, shorei_home: Path) -> None:
    """An empty data folder opens on the start page: four ways in, no application made by itself."""
    window = _window(qtbot, shorei_home)
    try:
        assert window.start_page is not None and window.centralWidget() is window.start_page
        assert set(window.start_page.buttons) == {"new", "open", "review", "guide"}
        assert window.store.applications.all() == []
        assert not window.problems_dock.isVisible()
    finally:
        _close(window)


def test_new_application_takes_a_form_and_a_name(
    qtbot: QtBot, shorei_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """新しい申請 asks for the form and a name; the application opens with the grid and the problems."""
    window = _window(qtbot, shorei_home)
    try:
        form = window.forms.get("jspm-specialist-new")
        assert form is not None
        monkeypatch.setattr(
            NewApplicationDialog, "ask", classmethod(lambda cls, *a: NewApplication(form, "緩和 花子"))
        )
        start = window.centralWidget()
        assert isinstance(start, StartPage)
        start.buttons["new"].click()
        assert not isinstance(window.centralWidget(), StartPage) and window.reports is not None
        assert window.app_id is not None and window.store.info(window.app_id).title == "緩和 花子"
        assert window.problems_dock.isVisible()
    finally:
        _close(window)


def test_recent_applications_open_from_the_start_page(
    qtbot: QtBot, shorei_home: Path, examples_dir: Path
) -> None:
    """The start page lists recent applications; activating one opens it; trashing the last one returns."""
    window = _window(qtbot, shorei_home, opening_file=True)
    try:
        assert window.open_file(examples_dir / "valid-20-cases.json")
        window.show_start_page()
        start = window.centralWidget()
        assert isinstance(start, StartPage)
        item = start.recent.item(0)
        assert item is not None and item.text().startswith("valid-20-cases")
        start.recent.itemActivated.emit(item)
        assert not isinstance(window.centralWidget(), StartPage)
        assert window.pages[0].model.data(window.pages[0].model.index(0, 6)) == "胃癌"
    finally:
        _close(window)


def test_trashing_the_last_application_shows_the_start_page(
    qtbot: QtBot, shorei_home: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the last application goes to the trash, the start page comes back (nothing is made by itself)."""
    window = _window(qtbot, shorei_home, opening_file=True)
    try:
        assert window.open_file(examples_dir / "valid-20-cases.json")
        monkeypatch.setattr(dialogs, "confirm", lambda *a: True)
        window.trash_application()
        assert window.start_page is not None and window.store.applications.all() == []
    finally:
        _close(window)


def test_sample_facility_list_shows_a_banner_with_an_import_button(
    qtbot: QtBot, shorei_home: Path, examples_dir: Path
) -> None:
    """While only the bundled sample list is installed, a banner over the application says so and offers
    the import."""
    window = _window(qtbot, shorei_home, opening_file=True)
    try:
        assert window.open_file(examples_dir / "valid-20-cases.json")
        banner = window.sample_banner
        assert banner is not None and banner.isVisible()
        assert "サンプル" in banner.text.text() and banner.button.isEnabled()
    finally:
        _close(window)


def test_a_file_named_on_the_command_line_opens_straight_into_it(
    qtbot: QtBot, shorei_home: Path, examples_dir: Path
) -> None:
    """`shorei gui FILE` skips the start page."""
    window = _window(qtbot, shorei_home, opening_file=True)
    try:
        assert window.start_page is None
        assert window.open_file(examples_dir / "valid-20-cases.json")
        assert window.start_page is None and window.app_id is not None
    finally:
        _close(window)


def test_first_show_is_maximised_and_a_remembered_size_is_kept_inside_the_screen(qtbot: QtBot) -> None:
    """On a screen up to 1920 px wide a window opens maximised; a remembered size larger than the screen
    is shrunk and moved inside its available geometry."""
    ensure_qt_app()
    first = QMainWindow()
    qtbot.addWidget(first)
    show_fitted(first, remembered=False)
    assert first.isMaximized()
    second = QMainWindow()
    qtbot.addWidget(second)
    second.setGeometry(-200, -100, 5000, 4000)
    clamp_to_screen(second)
    area = available_geometry(second)
    assert area.contains(second.geometry())


def test_leaving_the_start_page_gives_the_grid_its_rows_back(qtbot: QtBot, shorei_home: Path) -> None:
    """Opening a file from the start page shows the application area again, and the problems panel compact
    (the area stayed hidden once any dialog had been shown, and the panel filled the window)."""
    from pathlib import Path as _Path

    window = _window(qtbot, shorei_home)
    try:
        examples = _Path(__file__).resolve().parents[2] / "examples"
        assert window.open_file(examples / "valid-25-cases-3-sections.json")
        compact = main_window_module.PROBLEMS_HEIGHT + 40
        qtbot.waitUntil(lambda: window.problems_dock.isVisible() and window.problems_dock.height() <= compact)
        central = window.centralWidget()
        assert central is not None and central.isVisible()
        assert window.pages[0].grid.viewport().height() > window.height() / 3
    finally:
        _close(window)


def test_diagnosis_keeps_a_readable_width_at_150_percent(
    qtbot: QtBot, shorei_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 1280×693 logical pixels (1920×1080 at 150 %) the clerk's list leaves 診断名 room to read."""
    from pathlib import Path as _Path

    from PySide6.QtCore import QRect

    from tests.factories import COLUMNS

    monkeypatch.setattr(main_window_module, "available_geometry", lambda widget: QRect(0, 0, 1280, 693))
    window = _window(qtbot, shorei_home)
    try:
        examples = _Path(__file__).resolve().parents[2] / "examples"
        assert window.open_file(examples / "valid-25-cases-3-sections.json")
        window.resize(1280, 693)
        grid = window.pages[0].grid
        qtbot.waitUntil(lambda: grid.columnWidth(COLUMNS.index("diagnosis")) >= 150)
    finally:
        _close(window)
