"""Issue 15 in the window: a stored application the program cannot read never locks the user out (item 1),
and a second instance says 読み取り専用, not 保存済み (item 15)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from app.store import Store
from app.store.layout import lock_path
from app.store.lock import FolderLock
from app.views import dialogs
from app.views.app import ensure_qt_app, window_settings
from app.views.main_window import build_main_window

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from pytestqt.qtbot import QtBot


def test_stored_application_with_an_unsignable_number_still_opens_the_window(
    qtbot: QtBot, shorei_home: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 1: a case holding 10^20 in the store (as an earlier version let in) is named, not a crash,
    at this start and every later one; the other applications stay usable."""
    ensure_qt_app()
    with Store.open(shorei_home) as store:
        good = store.applications.import_document(examples_dir / "valid-20-cases.json", title="良い申請")
        bad = store.applications.import_document(
            examples_dir / "jspm-specialist-new-unapproved.json", title="壊れた申請"
        )
        connection = store.database.db()
        (data,) = connection.execute(
            "SELECT data FROM reports WHERE app_id = ? AND position = 0", (bad.id,)
        ).fetchone()
        row = json.loads(data)
        row["age"] = 10**20
        connection.execute(
            "UPDATE reports SET data = ? WHERE app_id = ? AND position = 0", (json.dumps(row), bad.id)
        )
    settings = window_settings(shorei_home)
    settings.setValue("last_application", bad.id)
    told: list[str] = []
    monkeypatch.setattr(dialogs, "notify", lambda parent, title, text, warning=False: told.append(text))
    for _ in range(2):  # and the next start too
        window = build_main_window(shorei_home, window_settings(shorei_home))
        qtbot.addWidget(window)
        assert told and "壊れた申請" in told[-1]
        window.open_application(good.id)
        assert window.app_id == good.id and window.application is not None
        window.close()
        window.store.close()
        assert window.facility_sources is not None
        window.facility_sources.close()


def test_read_only_window_says_read_only_not_saved(
    qtbot: QtBot, shorei_home: Path, examples_dir: Path
) -> None:
    """Item 15: the second instance, which refuses every edit, shows 読み取り専用 where 保存済み would be."""
    ensure_qt_app()
    with Store.open(shorei_home) as store:
        store.applications.import_document(examples_dir / "valid-20-cases.json")
    holder = FolderLock(lock_path(shorei_home))
    assert holder.try_acquire()
    try:
        window = build_main_window(shorei_home, window_settings(shorei_home))
        qtbot.addWidget(window)
        assert window.store.read_only
        assert window.save_label.text() == "読み取り専用"
        window._mark_saved()
        assert "保存済み" not in window.save_label.text()
        window.close()
        window.store.close()
        assert window.facility_sources is not None
        window.facility_sources.close()
    finally:
        holder.release()
