"""A real window over a real store in the test's own data folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from app.views.app import ensure_qt_app, window_settings
from app.views.main_window import MainWindow, build_main_window

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytestqt.qtbot import QtBot


@pytest.fixture
def window(qtbot: QtBot, shorei_home: Path, examples_dir: Path) -> Iterator[MainWindow]:
    """The window with the valid 20-case example open."""
    ensure_qt_app()
    shorei_home.mkdir(parents=True, exist_ok=True)
    win = build_main_window(shorei_home, window_settings(shorei_home), opening_file=True)
    qtbot.addWidget(win)
    assert win.open_file(examples_dir / "valid-20-cases.json")
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    win.store.close()
    source = win.facility_source
    if source is not None:
        source.index.close()  # type: ignore[attr-defined]
