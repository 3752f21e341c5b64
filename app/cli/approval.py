"""`shorei supervisors …` and `shorei approval …`: the offline approval round trip from the command line
(JS-5 … JS-8). The window does the same through the same functions; this serves scripts and tests.

The applicant's side works on an application document (FILE): load, plan the same operation the window
applies through the store (app.operations.approval), apply, save. A request marks its cases 承認依頼中 in
FILE, importing a response sets 承認/非承認 in FILE; that side is here. The 指導者's side (reading a
request, writing a response) and the registry are in `app.cli.supervisors`; `run` runs both. Keys are
this data folder's (SHOREI_HOME); the 指導者 registry is the local store's.

    shorei supervisors add --name 指導一郎 --member-id J00001 --qualification 指導医 --from 2020-04-01 --to 2030-03-31
    shorei approval request FILE --cases 1,2,3 --supervisor J00001 --message "ご確認ください" --out request.json
    shorei approval show request.json                                   # the 指導者 reads it
    shorei approval respond request.json --approve 1,2 --reject 3 --comment 3:diagnosis=診断名を具体的に --out response.json
    shorei approval import FILE response.json
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from typing import TYPE_CHECKING, TextIO

from app.approval.envelope import (
    MAX_RESPONSE_BYTES,
    RESPONSE_NAME,
    ApprovalError,
    ApprovalFileError,
)
from app.approval.matching import match_response
from app.approval.request import build_request
from app.approval.response import read_response
from app.cli.documents import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, RefusedError, write_output
from app.cli.supervisors import registered_supervisor, respond, run_supervisors, show
from app.models.document import DocumentError, load_application, save_application
from app.models.form_packs import forms_for
from app.operations.approval import ImportResults, MarkRequested, ReopenReport, WithdrawRequest, key_to_trust
from app.operations.plan import KeyTrusted, Labels
from app.operations.typed import apply_plan
from app.paths import data_home
from app.signing.keys import load_or_create_signing_key
from app.signing.signed_files import UnreadableFileError, read_limited
from app.store import Store
from app.store.errors import StoreError
from app.store.facility_lists import facilities_for
from app.store.facility_table import FacilityListError
from app.store.lock import FolderLock

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from app.models.application import Application
    from app.models.approval import ApprovalResponse
    from app.models.forms import FormDefinition
    from app.operations.plan import Operation, Plan
    from app.store.facility_index import FacilityIndex


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        if args.command == "supervisors":
            return run_supervisors(args, out)
        return _STEPS[args.action](args, out)
    except RefusedError as refusal:
        print(f"shorei: {refusal}", file=err)
        return refusal.code
    except (ApprovalError, StoreError) as error:
        print(f"shorei: {error}", file=err)
        return EXIT_PROBLEMS
    except (ApprovalFileError, DocumentError, UnreadableFileError) as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE


# ---- the applicant's document ---------------------------------------------------------------------


@contextlib.contextmanager
def _editing(path: Path) -> Iterator[FolderLock | None]:
    """Hold FILE for one read-change-write: a second `approval` command on the same file at the same
    moment is refused, never allowed to write over the first one's 承認依頼中 (issue 15, item 10). The
    lock is an OS lock on a file beside FILE, removed when done: while still held on POSIX; after release
    on Windows, which cannot delete an open file (`_save` checks the lock is still the file's there)."""
    if not path.parent.is_dir():
        yield None  # no such folder: the loader says so, and no lock file may create it
        return
    lock = FolderLock(path.with_name(f".{path.name}.lock"))
    busy = RefusedError(
        f"{path}: 別の Shorei がこの申請データを更新中です。終わってから、もう一度実行してください"
    )
    try:
        acquired = lock.try_acquire()
    except OSError as error:
        raise RefusedError(
            f"{path}: 書き込めません（{error.strerror}）。保存先を確かめてください", EXIT_UNREADABLE
        ) from None
    if not acquired:
        raise busy
    try:
        if not lock.still_held():
            raise busy  # the lock file was removed by the one before us, between our open and our lock
        yield lock
    finally:
        if os.name == "posix":
            with contextlib.suppress(OSError):
                lock.path.unlink()
            lock.release()
        else:
            lock.release()
            with contextlib.suppress(OSError):
                lock.path.unlink()


def _save(application: Application, path: Path, loaded: bytes, lock: FolderLock | None) -> None:
    """Write FILE, unless another command took FILE's lock meanwhile, or FILE changed since it was read
    (by the window, or by a program that does not take the lock): then refuse, so that nothing written
    there is lost (compare-and-swap)."""
    if lock is not None and not lock.still_held():
        raise RefusedError(
            f"{path}: 別の Shorei がこの申請データを更新中です。何も変更していません。もう一度実行してください"
        )
    try:
        current = path.read_bytes()
    except OSError:
        current = b""
    if current != loaded:
        raise RefusedError(
            f"{path}: 読み込んだ後に別のプログラムがこのファイルを変更しました。何も変更していません。もう一度実行してください"
        )
    save_application(application, path)


def _document(path: Path) -> tuple[Application, FormDefinition]:
    forms = forms_for(data_home())
    application = load_application(path, forms)
    form = forms.get(application.form.id, application.form.version)
    assert form is not None  # the loader refuses forms that are not installed
    if form.approval is None or not form.approval.required:
        raise RefusedError(f"{path.name}: {form.title}は指導者の承認が不要な様式です")
    return application, form


def _bytes(path: Path) -> bytes:
    """FILE as read before the change (for `_save`'s compare-and-swap); unreadable is the loader's to say."""
    try:
        return path.read_bytes()
    except (OSError, ValueError):
        return b""


def _changed(
    application: Application, form: FormDefinition, operation: Operation
) -> tuple[Application, Plan]:
    """FILE's application as `operation` leaves it, with the plan (its records are the caller's to keep).
    A refusal raises `EditError` naming the case, and nothing is written."""
    plan = operation.plan(application, Labels(form))
    if plan is None:
        raise RefusedError("変更する内容がありません")
    return apply_plan(application, plan), plan


def _rows(application: Application, numbers: Sequence[int]) -> list[int]:
    if any(n < 1 for n in numbers):
        raise RefusedError("症例の番号は1以上で指定してください")
    missing = [n for n in numbers if n > len(application.reports)]
    if missing:
        raise RefusedError(f"症例{missing[0]}はありません（症例は{len(application.reports)}番まで）")
    return [n - 1 for n in numbers]


def _facilities(form: FormDefinition) -> FacilityIndex | None:
    try:
        return facilities_for(data_home(), form)
    except FacilityListError:
        return None


def _request(args: argparse.Namespace, out: TextIO) -> int:
    with _editing(args.file) as lock:
        return _request_held(args, out, lock)


def _request_held(args: argparse.Namespace, out: TextIO, lock: FolderLock | None) -> int:
    loaded = _bytes(args.file)
    application, form = _document(args.file)
    rows = _rows(application, args.cases)
    supervisor = registered_supervisor(args.supervisor)
    key = load_or_create_signing_key()
    facilities = _facilities(form)
    try:
        request, data = build_request(
            application,
            form,
            rows,
            supervisor,
            args.message,
            key,
            now=dt.datetime.now(dt.UTC),
            facilities=facilities,
        )
    finally:
        if facilities is not None:
            facilities.close()
    requested, _ = _changed(application, form, MarkRequested(request, supervisor))
    write_output(args.out, data)
    _save(requested, args.file, loaded, lock)
    numbers = "、".join(str(case.number) for case in request.cases)
    print(
        f"症例{numbers}の承認依頼ファイルを作成しました: {args.out}（{supervisor.name} 先生宛て）", file=out
    )
    return EXIT_OK


def _withdraw(args: argparse.Namespace, out: TextIO) -> int:
    with _editing(args.file) as lock:
        return _withdraw_held(args, out, lock)


def _withdraw_held(args: argparse.Namespace, out: TextIO, lock: FolderLock | None) -> int:
    loaded = _bytes(args.file)
    application, form = _document(args.file)
    rows = _rows(application, args.cases)
    withdrawn, _ = _changed(application, form, WithdrawRequest(rows))
    _save(withdrawn, args.file, loaded, lock)
    print(f"症例{'、'.join(str(r + 1) for r in rows)}の承認依頼を取り下げました", file=out)
    return EXIT_OK


def _import(args: argparse.Namespace, out: TextIO) -> int:
    with _editing(args.file) as lock:
        return _import_held(args, out, lock)


def _already_applied(application: Application, response: ApprovalResponse) -> bool:
    """True when FILE already holds every statement of the response exactly as signed: an import that was
    interrupted after writing FILE and before trusting the key, and is now run again."""
    statements = {report.id: report.approval.statement for report in application.reports if report.approval}
    return all(
        isinstance(raw.get("case_id"), str) and statements.get(raw["case_id"]) == raw
        for raw in response.statements
    )


def _import_held(args: argparse.Namespace, out: TextIO, lock: FolderLock | None) -> int:
    loaded = _bytes(args.file)
    application, form = _document(args.file)
    data = read_limited(args.response, MAX_RESPONSE_BYTES, RESPONSE_NAME)
    response, statements = read_response(data, source=args.response.name)
    registered = registered_supervisor(response.supervisor.member_id)
    fingerprint = response.signature.fingerprint
    if not registered.fingerprint and args.trust and _already_applied(application, response):
        # Finish what a killed `import --trust` began: FILE holds the result, the key is not yet trusted.
        with Store.open() as store:
            store.supervisors.trust_key(registered.member_id, fingerprint)
        print(
            f"取り込み済みの結果です。指導者 {registered.name} の鍵（{fingerprint}）を登録しました", file=out
        )
        return EXIT_OK
    trust = key_to_trust(response.supervisor, registered, fingerprint)
    if trust is not None and not args.trust:
        raise RefusedError(
            f"指導者 {registered.name} の鍵がまだ登録されていません。結果ファイルの鍵の指紋は {fingerprint} です。"
            "指導者本人に確認してから --trust を付けて取り込んでください"
        )
    key = load_or_create_signing_key()
    decisions = match_response(
        application,
        response,
        statements,
        applicant_fingerprint=key.fingerprint,
        trusted_fingerprint=registered.fingerprint or fingerprint,
        source=args.response.name,
    )
    imported, plan = _changed(application, form, ImportResults(decisions, trust=trust))
    _save(imported, args.file, loaded, lock)
    trusted = [record.supervisor for record in plan.records if isinstance(record, KeyTrusted)]
    if trusted:
        # FILE and the registry cannot share a transaction (the store does both in one): the key is trusted
        # only once the whole file has passed every check and FILE holds the result. A kill between the two
        # leaves the key untrusted, and running the same import again finishes it (issue 15, item 12).
        with Store.open() as store:
            store.supervisors.trust_key(trusted[0].member_id, trusted[0].fingerprint)
        print(
            f"指導者 {registered.name}（{registered.member_id}）の鍵を信頼して登録しました。指紋: {fingerprint}"
            "（指導者本人に聞いた指紋と同じか確かめてください）",
            file=out,
        )
    approved = [row + 1 for row, approval in decisions if approval.state == "approved"]
    rejected = [row + 1 for row, approval in decisions if approval.state == "rejected"]
    print(f"取り込みました: 承認 {len(approved)}件 {approved}、非承認 {len(rejected)}件 {rejected}", file=out)
    return EXIT_OK


def _keep_copy(path: Path) -> Path:
    """A copy of FILE beside it that never replaces an earlier copy (「削除して再依頼」 keeps each one)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    data = path.read_bytes()
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        copy = path.with_name(f"{path.stem}.承認済みコピー-{stamp}{suffix}{path.suffix}")
        try:
            with copy.open("xb") as file:
                file.write(data)
        except FileExistsError:
            continue
        except OSError as error:
            raise RefusedError(
                f"{copy}: コピーを保存できません（{error.strerror}）。何も変更していません"
            ) from None
        return copy
    raise RefusedError(f"{path}: コピーの名前を決められません。古いコピーを整理してください")


def _reopen(args: argparse.Namespace, out: TextIO) -> int:
    with _editing(args.file) as lock:
        return _reopen_held(args, out, lock)


def _reopen_held(args: argparse.Namespace, out: TextIO, lock: FolderLock | None) -> int:
    loaded = _bytes(args.file)
    application, form = _document(args.file)
    (row,) = _rows(application, [args.case])
    reopened, _ = _changed(application, form, ReopenReport(row))
    # The approved report is kept as the whole FILE beside it (the store keeps it in its archive).
    copy = _keep_copy(args.file)
    _save(reopened, args.file, loaded, lock)
    print(f"症例{args.case}を編集できる状態に戻しました。承認済みの内容は {copy.name} に残しました", file=out)
    return EXIT_OK


_STEPS = {
    "request": _request,
    "withdraw": _withdraw,
    "import": _import,
    "reopen": _reopen,
    "show": show,
    "respond": respond,
}
