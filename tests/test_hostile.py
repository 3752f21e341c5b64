"""Issue 15: each hole the attack on SPEC §9 found, reproduced, and closed (item 5, `verify --pdf` reading the
PDF, is tested with the paper). The window's two findings (items 1 and 15) are in tests/gui/test_hostile_window.py."""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.cli import approval as cli_approval
from app.cli import main
from app.models.canonical import canonical_json, sha256_hex
from app.models.document import load_application, save_application
from app.models.table import TableFileError
from app.operations.cases import SetCaseField
from app.signing.keys import load_or_create_signing_key
from app.signing.signed_files import signed_bytes
from app.store import (
    Store,
    StoreDiskError,
    StoreTakenError,
)
from app.store.case_list_files import read_case_list
from app.store.database import Database
from app.store.layout import database_path, lock_path
from app.store.lock import FolderLock
from app.store.supervisors import Supervisors
from tests.cli_support import one_clear_line
from tests.export_support import import_dated_list
from tests.factories import case, codes_of, issues_of, with_row
from tests.jspm_factories import jspm_application, jspm_codes, jspm_issues
from tests.test_approval_round_trip import SUPERVISOR, Pc, _fully_approved


@pytest.fixture
def pcs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[Pc, Pc]:
    return Pc(tmp_path / "applicant-pc", monkeypatch, capsys), Pc(
        tmp_path / "supervisor-pc", monkeypatch, capsys
    )


@pytest.fixture
def application_file(tmp_path: Path, examples_dir: Path) -> Path:
    path = tmp_path / "work" / "申請.json"
    path.parent.mkdir()
    shutil.copy(examples_dir / "jspm-specialist-new-unapproved.json", path)
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---- 1 and 4: numbers no signature can hold ------------------------------------------------------


def _with_age(source: Path, target: Path, age_text: str, *, requested: bool) -> Path:
    raw = json.loads(source.read_text(encoding="utf-8"))
    first = raw["reports"][0] if raw.get("reports") else raw["sections"][0]["cases"][0]
    first["age"] = 0
    if requested:
        first["approval"] = {
            "state": "requested",
            "request_id": "1" * 32,
            "supervisor": {**SUPERVISOR_DOC},
            "content_hash": "0" * 64,
            "requested_at": "2024-05-01T09:00:00Z",
        }
    text = json.dumps(raw, ensure_ascii=False).replace('"age": 0', f'"age": {age_text}', 1)
    target.write_text(text, encoding="utf-8")
    return target


SUPERVISOR_DOC = {
    "name": "指導 一郎",
    "member_id": "J00001",
    "qualification": "指導医",
    "cert_start": "2020-04-01",
    "cert_end": "2030-03-31",
}


@pytest.mark.parametrize("age", ["100000000000000000000", "-9007199254740992", "1" * 5000])
def test_integer_no_signature_can_hold_is_one_line_everywhere(
    age: str, tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Items 1 and 4: 10^20, −2^53 and a 5,000-digit age are refused with one line by every command, exit 2."""
    jspm = _with_age(
        examples_dir / "jspm-specialist-new-unapproved.json", tmp_path / "j.json", age, requested=True
    )
    jbct = _with_age(examples_dir / "valid-20-cases.json", tmp_path / "b.json", age, requested=False)
    table = tmp_path / "t.csv"
    table.write_text("年齢,性別\n65,男\n", encoding="utf-8")
    commands: list[list[str | Path]] = [
        ["validate", jspm],
        ["validate", jbct, "--json"],
        ["export", jspm, "--out", tmp_path / "out"],
        ["export", jbct, "--out", tmp_path / "out", "--draft"],
        ["import-cases", jbct, table, "--section", "1", "--out", tmp_path / "o.json"],
        ["export-cases", jbct, "--out", tmp_path / "o.xlsx"],
        ["approval", "request", jspm, "--cases", "1", "--supervisor", "J00001", "--out", tmp_path / "r.json"],
        ["approval", "withdraw", jspm, "--cases", "1"],
    ]
    for command in commands:
        code, _, err = _run(capsys, *command)
        assert code == 2, (command, err)
        one_clear_line(err)
        assert "大きすぎて扱えません" in err, err
    assert not (tmp_path / "out").exists() and not (tmp_path / "r.json").exists()


def test_validation_never_raises_on_a_number_built_in_memory() -> None:
    """Item 1: validation names an approved case whose content cannot be hashed instead of raising."""
    application = jspm_application()
    approved = application.reports[0]
    approved.approval = application.reports[0].approval  # None: build an approved record by hand below
    from app.models.application import Approval, Supervisor

    approved.approval = Approval(
        state="approved",
        request_id="1" * 32,
        supervisor=Supervisor.model_validate(SUPERVISOR_DOC),
        content_hash="0" * 64,
        requested_at="2024-05-01T09:00:00Z",
    )
    # Bypass the model's bound, as a document from an older version in the store could.
    object.__setattr__(approved, "age", 10**20)
    issues = jspm_issues(application)
    assert any(issue.code == "not-approved" and issue.row == 1 for issue in issues)


# ---- 2: one approval counted twice -----------------------------------------------------------------


def _resign(package_path: Path, home: Path, change: Any) -> None:
    package = json.loads(package_path.read_text(encoding="utf-8"))
    change(package["content"]["application"])
    package["content_sha256"] = sha256_hex(canonical_json(package["content"]))
    del package["signature"]
    package_path.write_bytes(signed_bytes(package, load_or_create_signing_key(home / "keys")))


def test_approved_case_copied_over_another_fails_validate_export_and_verify(
    pcs: tuple[Pc, Pc], application_file: Path
) -> None:
    """Item 2: case 1 (id and signed statement) copied over case 20 is an error in validate and export,
    and a package carrying it fails verify."""
    applicant, supervisor = pcs
    _fully_approved(applicant, supervisor, application_file)
    out = application_file.parent / "out"
    applicant.ok("export", application_file, "--out", out)

    document = load_application(application_file)
    document.reports[19] = document.reports[0].model_copy(deep=True)
    save_application(document, application_file)
    code, text, _ = applicant.run("validate", application_file, "--json")
    found = {(issue["code"], issue["row"]) for issue in json.loads(text)["issues"]}
    assert code == 1 and ("case-id-duplicate", 20) in found and ("approval-reused", 20) in found
    code, _, err = applicant.run("export", application_file, "--out", application_file.parent / "out2")
    assert code == 1 and not (application_file.parent / "out2").exists()

    [package] = out.glob("*.package.json")

    def copy_first(application: dict[str, Any]) -> None:
        application["reports"][19] = application["reports"][0]

    _resign(package, applicant.home, copy_first)
    code, out_text, err = applicant.run("verify", package)
    said = out_text + err
    assert code == 1 and "症例20" in said and ("二度" in said or "1つの承認は1症例" in said)


def test_statement_reused_on_a_case_with_its_own_id_is_an_error(
    pcs: tuple[Pc, Pc], application_file: Path
) -> None:
    """Item 2: a signed statement moved onto another case with the same content is `approval-reused`."""
    applicant, supervisor = pcs
    _fully_approved(applicant, supervisor, application_file)
    document = load_application(application_file)
    copy = document.reports[0].model_copy(deep=True)
    copy.id = document.reports[19].id
    document.reports[19] = copy
    codes = {(i.code, i.row) for i in jspm_issues(document)}
    assert ("approval-reused", 20) in codes


# ---- 3: a full disk is a full disk -----------------------------------------------------------------


def test_full_disk_while_saving_says_full_disk_and_loses_nothing(shorei_home: Path) -> None:
    """Item 3: SQLite's real 'database or disk is full' (a page limit) is said as a full disk, never as a
    corrupt database; every edit saved before it is there after reopening."""
    with Store.open(shorei_home) as store:
        info = store.applications.create("jbct-renewal-2026")
        store.apply(info.id, SetCaseField(0, 0, "diagnosis", "胃癌"))
        pages = store.database.db().execute("PRAGMA page_count").fetchone()[0]
        store.database.db().execute(f"PRAGMA max_page_count={pages}")
        with pytest.raises(StoreDiskError) as raised:
            for row in range(1, 400):
                store.apply(info.id, SetCaseField(0, row, "diagnosis", "肺癌" * 20))
        message = str(raised.value)
        assert "ディスクの空き容量" in message and "失われていません" in message
        assert "壊れています" not in message and "バックアップから復元" not in message
        saved = store.get(info.id).sections[0].cases
    with Store.open(shorei_home) as reopened:
        assert reopened.get(info.id).sections[0].cases == saved
        assert saved[0].diagnosis == "胃癌"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (sqlite3.OperationalError("database or disk is full"), "ディスクの空き容量"),
        (sqlite3.OperationalError("disk I/O error"), "ディスクの読み書きに失敗"),
        (OSError(errno.ENOSPC, "No space left on device"), "ディスクの空き容量"),
    ],
)
def test_full_or_failing_disk_on_opening_is_not_a_corrupt_database(
    shorei_home: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, words: str
) -> None:
    """Item 3: the same on opening (the session row, the backup, the WAL switch fail): not 壊れています."""
    Store.open(shorei_home).close()

    def failing(self: Database, found: int) -> None:
        raise error

    monkeypatch.setattr(Database, "_prepare_writing", failing)
    with pytest.raises(StoreDiskError) as raised:
        Store.open(shorei_home)
    assert words in str(raised.value) and "壊れています" not in str(raised.value)
    monkeypatch.undo()
    with Store.open(shorei_home) as store:  # the lock was given back; nothing was harmed
        assert not store.read_only


def test_full_disk_during_facility_import_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 3: ENOSPC from the folder lock during `facilities import` is one line saying the disk is full."""
    table = tmp_path / "list.csv"
    table.write_text("認定番号,施設名,住所\n20953,伊勢赤十字病院,三重県\n", encoding="utf-8")

    def full(self: FolderLock) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FolderLock, "try_acquire", full)
    code, _, err = _run(capsys, "facilities", "import", table)
    assert code == 2 and "ディスクの空き容量" in err and "変わっていません" in err
    one_clear_line(err)


# ---- 6: XLSX limits apply as rows are read ------------------------------------------------------


def _xlsx_without_dimension(rows: int) -> bytes:
    """A workbook whose sheet has no <dimension> element: openpyxl used to read it whole to size it."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x{r}</t></is></c></row>' for r in range(1, rows + 1)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{ns}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet xmlns="{ns}"><sheetData>{body}</sheetData></worksheet>',
        )
    return buffer.getvalue()


def test_xlsx_without_dimension_is_refused_at_the_row_limit_without_reading_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 6: the limit applies while rows stream: no sizing pass, and parsing stops at the limit."""
    from openpyxl.worksheet import _reader

    path = tmp_path / "cases.xlsx"
    path.write_bytes(_xlsx_without_dimension(5000))
    parsed = {"rows": 0}
    original = _reader.WorkSheetParser.parse_row

    def counting(self: Any, element: Any) -> Any:
        parsed["rows"] += 1
        return original(self, element)

    def no_sizing(self: Any) -> Any:
        raise AssertionError("the whole sheet was read to size it")

    monkeypatch.setattr(_reader.WorkSheetParser, "parse_row", counting)
    monkeypatch.setattr(_reader.WorkSheetParser, "parse_dimensions", no_sizing)
    with pytest.raises(TableFileError, match="データのある行が多すぎます"):
        read_case_list(path)
    assert parsed["rows"] <= 1001 + 10


# ---- 7: every facility list a package was signed against stays known -------------------------------


def test_package_verifies_after_two_newer_facility_lists(
    tmp_path: Path, shorei_home: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 7: export under October's list, import November's and December's: verify still passes."""
    import_dated_list(
        shorei_home, tmp_path, dt.date(2026, 10, 1), "20615,大津赤十字病院,滋賀県,,,認定研修施設"
    )
    out = tmp_path / "out"
    assert main(["export", str(examples_dir / "valid-20-cases.json"), "--out", str(out)]) == 0
    import_dated_list(
        shorei_home, tmp_path, dt.date(2026, 11, 1), "20111,諏訪赤十字病院,長野県,,,認定研修施設"
    )
    import_dated_list(shorei_home, tmp_path, dt.date(2026, 12, 1), "20112,三番目病院,長野県,,,認定研修施設")
    capsys.readouterr()
    [package] = out.glob("*.package.json")
    code, text, err = _run(capsys, "verify", package)
    assert code == 0 and "有効" in text, err


# ---- 8: leftovers of a killed run ------------------------------------------------------------------


def test_leftover_backup_copies_and_import_folders_are_removed_at_the_next_start(shorei_home: Path) -> None:
    """Item 8: half-written backups (with their journals) and an interrupted import's folder go at start."""
    Store.open(shorei_home).close()
    backups = shorei_home / "backups"
    leftovers = [
        backups / ".shorei-20261207-101010-daily.sqlite3.tmp",
        backups / ".shorei-20261207-101010-daily.sqlite3.tmp-journal",
        shorei_home / ".shorei.sqlite3.restore.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"partial copy with notes")
    unfinished = shorei_home / "facilities" / "jbct" / ".import-abc123"
    unfinished.mkdir(parents=True)
    (unfinished / "source.csv").write_text("x", encoding="utf-8")
    kept = backups / "shorei-20261207-101010-daily.sqlite3"
    shutil.copy(database_path(shorei_home), kept)
    with Store.open(shorei_home):
        pass
    assert not any(path.exists() for path in leftovers)
    assert not unfinished.exists()
    assert kept.exists()


def test_a_second_instance_removes_nothing(shorei_home: Path) -> None:
    """Item 8: only the writer cleans up (a read-only instance may see a backup being written)."""
    with Store.open(shorei_home):
        leftover = shorei_home / "backups" / ".shorei-x.sqlite3.tmp"
        leftover.parent.mkdir(exist_ok=True)
        leftover.write_bytes(b"being written")
        with Store.open(shorei_home) as second:
            assert second.read_only
        assert leftover.exists()


# ---- 9: NUL in a manifest --------------------------------------------------------------------------


def test_nul_in_a_manifest_data_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 9: a manifest naming its data file with a NUL byte is refused with one line, exit 2."""
    folder = tmp_path / "list"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "list_id": "jbct",
                "society": "機構",
                "name": "一覧",
                "version_date": "2026-10-01",
                "source": "x",
                "sha256": "0" * 64,
                "sample": False,
                "data_file": "list\u0000.csv",
            }
        ),
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "facilities", "import", folder)
    assert code == 2 and "NUL" in err
    one_clear_line(err)


# ---- 10: two writers of one document ------------------------------------------------------------


def _requested_args(application_file: Path, out: Path) -> list[str | Path]:
    return ["approval", "request", application_file, "--cases", "1", "--supervisor", "J00001", "--out", out]


def test_second_request_on_the_same_file_at_once_is_refused(
    pcs: tuple[Pc, Pc], application_file: Path
) -> None:
    """Item 10: while one `approval request` holds FILE, another is refused with a clear line; FILE is intact."""
    applicant, _ = pcs
    applicant.ok("supervisors", "add", *SUPERVISOR)
    before = application_file.read_bytes()
    holder = FolderLock(application_file.with_name(f".{application_file.name}.lock"))
    assert holder.try_acquire()
    try:
        code, _, err = applicant.run(*_requested_args(application_file, application_file.with_name("r.json")))
    finally:
        holder.release()
    assert code == 1 and "別の Shorei がこの申請データを更新中" in err
    assert application_file.read_bytes() == before
    applicant.ok(*_requested_args(application_file, application_file.with_name("r.json")))
    assert not application_file.with_name(f".{application_file.name}.lock").exists()


def test_file_changed_during_a_request_is_not_overwritten(
    pcs: tuple[Pc, Pc], application_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 10: FILE written by someone else between read and write: refused, their change kept."""
    applicant, _ = pcs
    applicant.ok("supervisors", "add", *SUPERVISOR)
    applicant.ok(*_requested_args(application_file, application_file.with_name("r1.json")))
    original = cli_approval.build_request  # type: ignore[attr-defined]

    def racing(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        other = load_application(application_file)
        other.reports[5].diagnosis = "別の人が書いた診断名"
        save_application(other, application_file)
        return result

    monkeypatch.setattr(cli_approval, "build_request", racing)
    command: list[str | Path] = [
        "approval",
        "request",
        application_file,
        "--cases",
        "2",
        "--supervisor",
        "J00001",
    ]
    code, _, err = applicant.run(*command, "--out", application_file.with_name("r2.json"))
    assert code == 1 and "別のプログラムがこのファイルを変更しました" in err
    document = load_application(application_file)
    assert document.reports[5].diagnosis == "別の人が書いた診断名"
    assert document.reports[0].approval is not None and document.reports[0].approval.state == "requested"


# ---- 11: what the statement binds -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "message", "requested_at"])
def test_applicant_name_and_request_fields_are_bound_to_the_approval(
    pcs: tuple[Pc, Pc], application_file: Path, field: str
) -> None:
    """Item 11: changing the applicant's name, a case's 通信欄 or requested_at in an approved document
    makes export refuse, and a re-signed package fails verify."""
    applicant, supervisor = pcs
    _fully_approved(applicant, supervisor, application_file)
    out = application_file.parent / "out"
    applicant.ok("export", application_file, "--out", out)

    document = load_application(application_file)
    if field == "name":
        document.applicant.name = "別名 花子"
    else:
        approval = document.reports[2].approval
        assert approval is not None
        setattr(approval, field, "書き換えた" if field == "message" else "2020-01-01T00:00:00Z")
    save_application(document, application_file)
    code, _, err = applicant.run("export", application_file, "--out", application_file.parent / "out2")
    assert code != 0 and ("氏名" in err if field == "name" else "通信欄" in err), err
    assert not list((application_file.parent / "out2").glob("*.json"))

    [package] = out.glob("*.package.json")

    def change(application: dict[str, Any]) -> None:
        if field == "name":
            application["applicant"]["name"] = "別名 花子"
        else:
            application["reports"][2]["approval"][field] = "書き換えた"

    _resign(package, applicant.home, change)
    code, text, err = applicant.run("verify", package)
    assert code == 1 and ("症例1" if field == "name" else "症例3") in text + err


# ---- 12: import --trust is one step ----------------------------------------------------------------


class _Killed(BaseException):
    """Stands for the process being killed at that point."""


def test_import_trust_killed_between_steps_never_trusts_without_applying(
    pcs: tuple[Pc, Pc], application_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 12: killed at the trust step, FILE already holds the result and the key is not trusted; the
    same command run again finishes (trusts the key); never the other way round."""
    applicant, supervisor = pcs
    applicant.ok("supervisors", "add", *SUPERVISOR)
    request = application_file.with_name("req.json")
    applicant.ok(
        "approval", "request", application_file, "--cases", "1-2", "--supervisor", "J00001", "--out", request
    )
    supervisor.ok("approval", "respond", request, "--approve", "1-2", "--out", request.with_name("resp.json"))

    def killed(self: Supervisors, member_id: str, fingerprint: str) -> None:
        raise _Killed

    with monkeypatch.context() as patch:
        patch.setattr(Supervisors, "trust_key", killed)
        with pytest.raises(_Killed):
            applicant.run("approval", "import", application_file, request.with_name("resp.json"), "--trust")
    states = [
        r.approval.state if r.approval else None for r in load_application(application_file).reports[:2]
    ]
    assert states == ["approved", "approved"]
    out = applicant.ok("approval", "import", application_file, request.with_name("resp.json"), "--trust")
    assert "鍵" in out and "登録しました" in out
    listed = applicant.ok("supervisors", "list")
    assert "鍵未登録" not in listed


# ---- 13: the lock file deleted under a running Shorei -------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="Windows does not let a held lock file be deleted")
def test_deleted_lock_file_says_another_shorei_holds_the_folder(shorei_home: Path) -> None:
    """Item 13: after shorei.lock is deleted and a second writer opens, the first one's save is refused
    saying another Shorei uses the folder (not disk space or permissions); nothing is written."""
    with Store.open(shorei_home) as first:
        info = first.applications.create("jbct-renewal-2026")
        lock_path(shorei_home).unlink()
        with Store.open(shorei_home) as second:
            assert not second.read_only
            with pytest.raises(StoreTakenError) as raised:
                first.apply(info.id, SetCaseField(0, 0, "diagnosis", "胃癌"))
            assert "別の Shorei" in str(raised.value) and "空き容量" not in str(raised.value)
            assert second.get(info.id).sections == [] or all(
                not c.diagnosis for s in second.get(info.id).sections for c in s.cases
            )


# ---- 14: owner-only data -------------------------------------------------------------------------


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows has no POSIX file modes; the per-user folder protects it"
)
def test_data_folder_database_and_backups_are_owner_only_under_any_umask(shorei_home: Path) -> None:
    """Item 14: under umask 000 the folder is 0700 and the database, its WAL and every backup 0600."""
    previous = os.umask(0)
    try:
        with Store.open(shorei_home) as store:
            info = store.applications.create("jbct-renewal-2026")
            store.apply(info.id, SetCaseField(0, 0, "note", "カルテ番号 1234"))
            backup = store.database.backup_now()
            assert (shorei_home.stat().st_mode & 0o777) == 0o700
            assert (shorei_home / "backups").stat().st_mode & 0o777 == 0o700
            for path in (database_path(shorei_home), Path(f"{database_path(shorei_home)}-wal"), backup):
                assert path.stat().st_mode & 0o777 == 0o600, path
    finally:
        os.umask(previous)


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows has no POSIX file modes; the per-user folder protects it"
)
def test_an_existing_open_database_is_made_owner_only(shorei_home: Path) -> None:
    """Item 14: a database left 0644 by an earlier version becomes 0600 at the next start."""
    Store.open(shorei_home).close()
    database_path(shorei_home).chmod(0o644)
    shorei_home.chmod(0o755)
    Store.open(shorei_home).close()
    assert database_path(shorei_home).stat().st_mode & 0o777 == 0o600
    assert shorei_home.stat().st_mode & 0o777 == 0o700


# ---- JB-10 and the privacy check ----------------------------------------------------------------


def test_touching_enrollment_ranges_count_as_one() -> None:
    """JB-10 (revised): 2022-04〜2023-12 and 2024-01〜2026-09 touch, so 2023-06〜2024-03 is inside them."""
    application = with_row(case(start="2023-06", end="2024-03"))
    application.sections[0].enrollment = []
    from app.models.application import MonthRange

    application.sections[0].enrollment = [
        MonthRange.model_validate({"start": "2022-04", "end": "2023-12"}),
        MonthRange.model_validate({"start": "2024-01", "end": "2026-09"}),
    ]
    assert "period-outside-enrollment" not in codes_of(application)
    application.sections[0].enrollment[1] = MonthRange.model_validate({"start": "2024-02", "end": "2026-09"})
    assert "period-outside-enrollment" in codes_of(application)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("diagnosis", "胃癌（カルテ番号 1234567）"),
        ("pathology", "腺癌 田中花子さん"),
        ("item_other", "1950年1月2日生の患者への説明"),
        ("diagnosis", "肺癌 S25.1.2"),
    ],
)
def test_privacy_warning_on_jbct_texts_and_none_in_the_note(field: str, text: str) -> None:
    """SPEC §6: patient identifiers in a text that leaves the machine are a warning; 備考 is exempt."""
    changes: dict[str, Any] = {field: text}
    if field == "item_other":
        changes["item"] = "その他"
    issues = [i for i in issues_of(with_row(case(**changes))) if i.code == "privacy-identifier"]
    assert [(i.severity, i.field) for i in issues] == [("warning", field)]
    assert not any(i.code == "privacy-identifier" for i in issues_of(with_row(case(note=text))))


def test_privacy_warning_can_be_kept_with_a_reason() -> None:
    """SPEC §6: kept like any warning: the reason travels, the warning stays visible as accepted."""
    row = case(
        pathology="腺癌（担当: 鈴木氏）",
        accepted=[{"code": "privacy-identifier", "reason": "病理医の名前で患者ではない"}],
    )
    [issue] = [i for i in issues_of(with_row(row)) if i.code == "privacy-identifier"]
    assert issue.accepted == "病理医の名前で患者ではない"


def test_privacy_warning_in_jspm_narrative_and_message() -> None:
    """SPEC §6: JSPM narratives and the 通信欄 are checked; a plain clinical narrative is not flagged."""
    application = jspm_application()
    assert "privacy-identifier" not in jspm_codes(application)
    key = next(iter(application.reports[0].narrative))
    application.reports[0].narrative[key] = "患者ID 00123456。妻の山田様と面談した"
    found = [i for i in jspm_issues(application) if i.code == "privacy-identifier"]
    assert [(i.row, i.field) for i in found] == [(1, key)]


def test_no_privacy_warning_on_any_example(examples_dir: Path) -> None:
    """Zero false alarms: none of the examples (notes hold カルテ番号, and are exempt) gets the warning."""
    from app.models.forms import bundled_forms
    from app.validation import validate

    for path in sorted(examples_dir.glob("*.json")):
        application = load_application(path)
        form = bundled_forms().get(application.form.id, application.form.version)
        assert form is not None
        assert not [i for i in validate(application, form) if i.code == "privacy-identifier"], path.name


def test_no_privacy_warning_on_the_diagnosis_evaluation_set() -> None:
    """Zero false alarms on the 696-line diagnosis evaluation set (髄様癌, 細胞様 … are not names)."""
    from app.validation.privacy import privacy_findings

    data = Path(__file__).parent / "data" / "diagnosis_eval.tsv"
    names = [
        line.split("\t")[0]
        for line in data.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(names) > 600
    assert [name for name in names if privacy_findings(name)] == []


@pytest.mark.parametrize(
    "text",
    ["患者さんとご家族様に説明", "前回同様に調整", "多様な症状", "A氏は", "看護師さんと相談", "令和6年5月1日に入院",
     "ヘルパーさん", "お子さんの面会", "NRS 7/10", "オキシコドン 10mg", "髄様癌", "COVID19", "奥さんと長男さん",
     "ご遺族様へのグリーフケア", "ご親族様が来院", "姪御さんが付き添い", "お婆さんと同居", "お嬢さんが介護",
     "ご兄弟様", "施設さんと調整", "病院さんへ紹介", "訪問看護さんと連携", "友人さんが面会", "近所さん",
     "緩和ケア病棟様", "訪問看護ステーション様", "セラピストさんと連携", "腺癌（印環細胞様）", "疣贅様",
     "肝細胞癌（S5/6/8）", "肝S4/5/8 切除", "肝細胞癌 S7-8-6"],
)  # fmt: skip
def test_ordinary_clinical_prose_is_not_flagged(text: str) -> None:
    """Zero false alarms on words that only look like names or numbers."""
    from app.validation.privacy import privacy_findings

    assert privacy_findings(text) == []


def test_package_with_an_unsignable_number_is_one_line(
    tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Items 1 and 4 for packages: an integer beyond 2^53 or of 5,000 digits is named, exit 2."""
    out = tmp_path / "out"
    assert main(["export", str(examples_dir / "valid-20-cases.json"), "--out", str(out)]) == 0
    [package] = out.glob("*.package.json")
    original = package.read_text(encoding="utf-8")
    for number in ("100000000000000000000", "9" * 5000):
        package.write_text(original.replace('"age":65', f'"age":{number}', 1), encoding="utf-8")
        assert package.read_text(encoding="utf-8") != original
        code, _, err = _run(capsys, "verify", package)
        assert code == 2 and "大きすぎて扱えません" in err
        one_clear_line(err)
