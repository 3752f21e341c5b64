"""Safety of the data folder: integrity check with a way back, backups, migrations, one writer."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from app.models.application import Application
from app.models.forms import bundled_forms
from app.operations.cases import SetCaseField
from app.store import (
    Store,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreVersionError,
    list_backups,
    restore_backup,
)
from app.store.database import split_statements
from app.store.layout import database_path
from app.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    from collections.abc import Callable

FORM = "jbct-renewal-2026"
ROOT = Path(__file__).resolve().parent.parent


class Clock:
    """A settable clock, so daily backups can be tested without waiting for days."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def _store_with_case(home: Path, diagnosis: str = "胃癌") -> int:
    with Store.open(home) as store:
        app_id = store.applications.create(FORM, "山田").id
        store.apply(app_id, SetCaseField(0, 0, "diagnosis", diagnosis))
        return app_id


def _corrupt(path: Path) -> None:
    """Overwrite every page but the first (the header) with garbage, as a failing disk might."""
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 4096):
        data[offset : offset + 4096] = b"\xa5" * 4096
    path.write_bytes(bytes(data))


# ---- integrity and backups ------------------------------------------------------------------------


def test_database_is_wal_with_full_sync(shorei_home: Path) -> None:
    """The database runs in WAL mode with synchronous=FULL, so a commit is on disk when it returns."""
    with Store.open(shorei_home) as store:
        connection = store.database.db()
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_broken_database_names_the_newest_backup_and_restores_from_it(shorei_home: Path) -> None:
    """A database that fails its check is refused with the newest backup; restoring it brings the data back."""
    app_id = _store_with_case(shorei_home)
    with Store.open(shorei_home) as store:
        backup = store.database.backup_now()
        store.apply(app_id, SetCaseField(0, 1, "diagnosis", "after the backup"))
    _corrupt(database_path(shorei_home))
    with pytest.raises(StoreCorruptError) as raised:
        Store.open(shorei_home)
    error = raised.value
    assert error.backup == backup
    assert "データベースが壊れています" in str(error) and backup.name in str(error)
    kept = restore_backup(shorei_home, backup)
    assert kept.name.startswith("shorei.sqlite3.broken-") and kept.exists()
    with Store.open(shorei_home) as store:
        assert [c.diagnosis for c in store.get(app_id).sections[0].cases] == ["胃癌"]


def test_file_that_is_not_a_database_is_reported(shorei_home: Path) -> None:
    """A data file overwritten by something else is reported as broken, with no backup to offer."""
    shorei_home.mkdir(parents=True)
    database_path(shorei_home).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreCorruptError, match="バックアップがありません") as raised:
        Store.open(shorei_home)
    assert raised.value.backup is None


def test_broken_backup_is_not_restored(shorei_home: Path) -> None:
    """Restoring from a backup that is itself broken is refused, and the database is left as it was."""
    _store_with_case(shorei_home)
    with Store.open(shorei_home) as store:
        backup = store.database.backup_now()
    _corrupt(backup)
    before = database_path(shorei_home).read_bytes()
    with pytest.raises(StoreError, match="バックアップ"):
        restore_backup(shorei_home, backup)
    assert database_path(shorei_home).read_bytes() == before


def test_backups_are_daily_and_old_ones_pruned_but_never_the_newest(shorei_home: Path) -> None:
    """One automatic backup a day; those older than the kept days go, the newest always stays."""
    clock = Clock(dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC))

    def reopen() -> None:
        Store.open(shorei_home, backup_days=7, now=clock).close()

    reopen()
    reopen()
    assert len(list_backups(shorei_home)) == 1
    for _ in range(10):
        clock.now += dt.timedelta(days=1)
        reopen()
    backups = list_backups(shorei_home)
    assert {b.reason for b in backups} == {"daily"}
    assert len(backups) == 8
    assert backups[0].taken_at.date() == clock.now.astimezone().date()
    clock.now += dt.timedelta(days=30)
    with Store.open(shorei_home, backup_days=7, now=clock) as store:
        assert len(store.database.backups()) == 1
        store.close()


def test_backup_is_a_whole_database(shorei_home: Path) -> None:
    """A backup file opens by itself (no WAL beside it) and holds the applications."""
    app_id = _store_with_case(shorei_home, "膵癌")
    with Store.open(shorei_home) as store:
        backup = store.database.backup_now()
    connection = sqlite3.connect(backup)
    data = connection.execute("SELECT data FROM cases WHERE app_id = ?", (app_id,)).fetchone()[0]
    assert json.loads(data)["diagnosis"] == "膵癌"
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    connection.close()


# ---- migrations -----------------------------------------------------------------------------------


def _raw_database(home: Path, version: int) -> sqlite3.Connection:
    home.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(database_path(home))
    for script in MIGRATIONS[:version]:
        for statement in split_statements(script):
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version={version}")
    return connection


_V1_DOCUMENT = {
    "format": "shorei/application@1",
    "form": {"id": FORM, "version": "2026.1"},
    "applicant": {"name": "旧版 太郎", "member_id": "1", "dental": False, "application_month": "2026-09"},
    "sections": [
        {
            "facility": {"cert_no": "20953", "name": "伊勢赤十字病院", "manual": False},
            "enrollment": [{"start": "2022-04", "end": "2026-09"}],
            "cases": [
                {
                    "age": 65,
                    "sex": "male",
                    "item": "手術",
                    "item_other": "",
                    "start": "2022-05",
                    "end": "2022-06",
                    "diagnosis": "胃癌",
                    "pathology": "腺癌",
                    "note": "",
                    "accepted": [],
                }
            ],
            "accepted": [],
        }
    ],
}


def _populate_v1(connection: sqlite3.Connection) -> Application:
    """An application as Shorei with schema 1 wrote it: one change after creation."""
    document = _V1_DOCUMENT
    section = document["sections"][0]  # type: ignore[index]
    case = section["cases"][0]
    before = {**case, "age": 64}
    stamp = "2026-05-01T09:00:00.000+00:00"
    connection.execute(
        "INSERT INTO applications VALUES (1, '旧版', ?, '2026.1', ?, 1, ?, ?, NULL)",
        (FORM, json.dumps(document["applicant"]), stamp, stamp),
    )
    connection.execute("INSERT INTO sections VALUES (1, 0, ?, '[]')", (json.dumps(section["facility"]),))
    connection.execute("INSERT INTO enrollments VALUES (1, 0, 0, '2022-04', '2026-09')")
    connection.execute("INSERT INTO cases VALUES (1, 0, 0, ?)", (json.dumps(case),))
    connection.execute("INSERT INTO changes VALUES (1, 0, ?, 'create', '新規作成', '[]')", (stamp,))
    edits = [{"op": "set", "path": ["sections", 0, "cases", 0], "before": before, "after": case}]
    connection.execute(
        "INSERT INTO changes VALUES (1, 1, ?, 'set_case_field', '年齢', ?)", (stamp, json.dumps(edits))
    )
    return Application.model_validate(document)


def _populate_v2(connection: sqlite3.Connection) -> Application:
    """An application as Shorei with schema 2 wrote it: changes carry their session, and one of them is a
    restore, which records whole documents (from before documents had `reports`)."""
    document = _V1_DOCUMENT
    section = document["sections"][0]  # type: ignore[index]
    case = section["cases"][0]
    younger = {**case, "age": 64}
    earlier = {**document, "sections": [{**section, "cases": [younger]}]}
    stamp = "2026-05-01T09:00:00.000+00:00"
    connection.execute("INSERT INTO sessions VALUES (7, ?, 4242, '0.1.0')", (stamp,))
    connection.execute(
        "INSERT INTO applications VALUES (1, '旧版', ?, '2026.1', ?, 3, ?, ?, NULL)",
        (FORM, json.dumps(document["applicant"]), stamp, stamp),
    )
    connection.execute("INSERT INTO sections VALUES (1, 0, ?, '[]')", (json.dumps(section["facility"]),))
    connection.execute("INSERT INTO enrollments VALUES (1, 0, 0, '2022-04', '2026-09')")
    connection.execute("INSERT INTO cases VALUES (1, 0, 0, ?)", (json.dumps(case),))
    to_65 = [{"op": "set", "path": ["sections", 0, "cases", 0], "before": younger, "after": case}]
    back = [{"op": "set", "path": [], "before": document, "after": earlier}]
    for version, operation, edits in [(0, "create", []), (1, "set_case_field", to_65), (2, "restore", back)]:
        connection.execute(
            "INSERT INTO changes VALUES (1, ?, ?, ?, '旧版の変更', ?, 7)",
            (version, stamp, operation, json.dumps(edits, ensure_ascii=False)),
        )
    connection.execute(
        "INSERT INTO changes VALUES (1, 3, ?, 'set_case_field', '年齢', ?, 7)", (stamp, json.dumps(to_65))
    )
    return Application.model_validate(document)


def _populate_v3(connection: sqlite3.Connection) -> Application:
    """An application as Shorei with schema 3 wrote it (before print states and chosen names), and a second
    one still under the title 新規 gave it, which the list then shows by its 氏名."""
    application = _populate_v2(connection)
    # What v3 wrote for v2's restore: whole documents with their (empty) reports.
    connection.execute(split_statements(MIGRATIONS[2])[-1])
    form_title = bundled_forms().get(FORM).title  # type: ignore[union-attr]
    stamp = "2026-05-02T09:00:00.000+00:00"
    applicant = json.dumps({**_V1_DOCUMENT["applicant"], "name": "新版 花子"})  # type: ignore[dict-item]
    connection.execute(
        "INSERT INTO applications VALUES (2, ?, ?, '2026.1', ?, 0, ?, ?, NULL)",
        (form_title, FORM, applicant, stamp, stamp),
    )
    connection.execute("INSERT INTO sections VALUES (2, 0, NULL, '[]')")
    connection.execute("INSERT INTO changes VALUES (2, 0, ?, 'create', '新規作成', '[]', 7)", (stamp,))
    return application


POPULATE: dict[int, Callable[[sqlite3.Connection], Application]] = {
    1: _populate_v1,
    2: _populate_v2,
    3: _populate_v3,
}
"""A filled database for every earlier schema version. A new version must add its own here."""


def test_every_earlier_schema_has_a_migration_test() -> None:
    """Each released schema version has a fixture that the migration test opens."""
    assert set(POPULATE) == set(range(1, SCHEMA_VERSION))


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_database_from_an_earlier_version_opens_after_migration_with_a_backup(
    shorei_home: Path, version: int
) -> None:
    """A database written by an earlier Shorei opens with everything in it, after a backup of the old file."""
    connection = _raw_database(shorei_home, version)
    expected = POPULATE[version](connection)
    connection.commit()
    connection.close()
    with Store.open(shorei_home) as store:
        assert store.get(1) == expected
        assert store.history.state_at(1, 0).sections[0].cases[0].age == 64
        # Every earlier state rebuilds (a restore recorded by the old version too), and restores.
        for version_before in range(store.info(1).version + 1):
            store.history.state_at(1, version_before)
        assert store.history.restore(1, 0).sections[0].cases[0].age == 64
        store.history.restore(1, store.info(1).version - 1)
        store.apply(1, SetCaseField(0, 0, "age", 66))
        assert store.history.changes(1)[0].session == store.session
        assert store.info(1).display_name == "旧版" and store.archive.outputs(1) == {}
        if version >= 3:
            assert store.info(2).display_name == "新版 花子"
    backups = [b for b in list_backups(shorei_home) if b.reason == f"before-v{SCHEMA_VERSION}"]
    assert len(backups) == 1
    old = sqlite3.connect(backups[0].path)
    assert old.execute("PRAGMA user_version").fetchone()[0] == version
    old.close()


def test_empty_database_file_is_set_up_without_a_backup(shorei_home: Path) -> None:
    """A new (empty) database gets the current layout; there is nothing to back up before it."""
    _raw_database(shorei_home, 0).close()
    with Store.open(shorei_home) as store:
        assert store.database.db().execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [b.reason for b in list_backups(shorei_home)] == ["daily"]


def test_database_from_a_newer_version_is_refused_untouched(shorei_home: Path) -> None:
    """A database from a newer Shorei is not opened (so nothing it holds is lost) and not changed."""
    _raw_database(shorei_home, SCHEMA_VERSION).close()
    connection = sqlite3.connect(database_path(shorei_home))
    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    connection.close()
    before = database_path(shorei_home).read_bytes()
    with pytest.raises(StoreVersionError, match="新しい版の Shorei"):
        Store.open(shorei_home)
    assert database_path(shorei_home).read_bytes() == before


def test_migration_statements_are_split_for_one_transaction() -> None:
    """Migration scripts split into statements (executescript would commit half-way)."""
    assert split_statements("CREATE TABLE a (x TEXT DEFAULT ';');\nCREATE TABLE b (y);\n") == [
        "CREATE TABLE a (x TEXT DEFAULT ';');",
        "CREATE TABLE b (y);",
    ]


# ---- a second Shorei on the same data folder -----------------------------------------------------


def _second_process(home: Path, code: str) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(
        """
        import json, sys
        from pathlib import Path
        from app.operations.cases import SetCaseField
        from app.store import Store, StoreError
        home = Path(sys.argv[1])
        """
    ) + textwrap.dedent(code)
    # PYTHONUTF8: the child prints Japanese, which a Windows console code page (cp1252) cannot encode.
    environment = {**os.environ, "SHOREI_HOME": str(home), "PYTHONPATH": str(ROOT), "PYTHONUTF8": "1"}
    return subprocess.run(
        [sys.executable, "-c", script, str(home)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=120,
        check=False,
    )


def test_second_process_opens_read_only_and_cannot_overwrite(shorei_home: Path) -> None:
    """While one Shorei writes, a second one on the same folder reads but is refused any change."""
    with Store.open(shorei_home) as store:
        app_id = store.applications.create(FORM, "山田").id
        store.apply(app_id, SetCaseField(0, 0, "diagnosis", "胃癌"))
        result = _second_process(
            shorei_home,
            f"""
            with Store.open(home) as second:
                application = second.get({app_id})
                try:
                    second.apply({app_id}, SetCaseField(0, 0, "diagnosis", "上書き"))
                    outcome = "written"
                except StoreError as error:
                    outcome = str(error)
                print(json.dumps({{"read_only": second.read_only,
                                  "diagnosis": application.sections[0].cases[0].diagnosis,
                                  "outcome": outcome}}, ensure_ascii=False))
            """,
        )
        assert result.returncode == 0, result.stderr
        seen = json.loads(result.stdout)
        assert seen["read_only"] is True
        assert seen["diagnosis"] == "胃癌"
        assert "読み取り専用" in seen["outcome"]
        assert store.get(app_id).sections[0].cases[0].diagnosis == "胃癌"


def test_second_process_that_needs_to_write_is_refused_with_a_message(shorei_home: Path) -> None:
    """A second Shorei that must write is told another one is using the folder, and by whom."""
    with Store.open(shorei_home):
        result = _second_process(
            shorei_home,
            """
            from app.store import StoreLockedError
            try:
                Store.open(home, allow_read_only=False)
                print("opened")
            except StoreLockedError as error:
                print(error)
            """,
        )
    assert result.returncode == 0, result.stderr
    assert "別の Shorei が使用中です" in result.stdout
    assert f"pid {os.getpid()}" in result.stdout


def test_folder_is_free_again_when_the_writer_closes(shorei_home: Path) -> None:
    """Closing the store lets the next Shorei write."""
    Store.open(shorei_home).close()
    with Store.open(shorei_home, allow_read_only=False) as store:
        assert not store.read_only


def test_same_process_twice_is_also_one_writer(shorei_home: Path) -> None:
    """Two windows of one Shorei on the same folder: the second is read-only or refused too."""
    with Store.open(shorei_home), pytest.raises(StoreLockedError):
        Store.open(shorei_home, allow_read_only=False)


def test_read_only_on_an_empty_folder_creates_nothing(shorei_home: Path) -> None:
    """Looking at a data folder that has no database says so and creates nothing."""
    with pytest.raises(StoreError, match="まだ申請データがありません"):
        Store.open(shorei_home, read_only=True)
    assert not shorei_home.exists()


def test_importing_the_store_creates_no_folder(shorei_home: Path) -> None:
    """Importing the store modules touches no disk; the data folder appears only when opened."""
    result = subprocess.run(
        [sys.executable, "-c", "import app.store, app.store.facility_lists, app.cli"],
        env={**os.environ, "SHOREI_HOME": str(shorei_home), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert not shorei_home.exists()


def test_failed_automatic_backup_is_a_warning_not_a_refusal(
    shorei_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the daily backup cannot be written, the store still opens and says why."""
    from app.store import database as store_module

    def full_disk(*args: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "take_backup", full_disk)
    with Store.open(shorei_home) as store:
        assert store.backup_problem is not None
        assert store.backup_problem.startswith("自動バックアップを作成できませんでした")
        store.applications.create(FORM)
    monkeypatch.undo()
    with Store.open(shorei_home) as store:
        assert store.backup_problem is None
        assert len(store.database.backups()) == 1


def test_backup_is_not_restored_over_an_open_store(shorei_home: Path) -> None:
    """Restoring a backup while Shorei has the folder open is refused, so nothing is overwritten."""
    with Store.open(shorei_home) as store:
        backup = store.database.backup_now()
        with pytest.raises(StoreLockedError, match="使用中です"):
            restore_backup(shorei_home, backup)
