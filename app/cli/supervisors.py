"""`shorei supervisors …` (the local registry of 指導者) and the 指導者's side of `shorei approval`
(`show` reads a request, `respond` writes the signed response). `app.cli.approval` runs them, beside the
applicant's side; the arguments are in `app.cli.approval_args`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, TextIO

from pydantic import ValidationError

from app.approval.envelope import MAX_REQUEST_BYTES, REQUEST_NAME
from app.approval.request import read_request, requested_report
from app.approval.response import build_response
from app.cli.documents import EXIT_OK, EXIT_UNREADABLE, RefusedError, write_output
from app.models.application import FieldComment, Supervisor
from app.models.cells import display_value
from app.models.form_packs import forms_for
from app.paths import data_home
from app.signing.keys import load_or_create_signing_key
from app.signing.signed_files import read_limited
from app.store import Store

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from app.models.approval import Decision


# ---- the registry ---------------------------------------------------------------------------------


def run_supervisors(args: argparse.Namespace, out: TextIO) -> int:
    with Store.open() as store:
        if args.action == "list":
            registered = store.supervisors.all()
            if args.json:
                print(
                    json.dumps([s.model_dump(mode="json") for s in registered], ensure_ascii=False, indent=2),
                    file=out,
                )
            for s in [] if args.json else registered:
                key = s.fingerprint or "鍵未登録"
                print(
                    f"{s.member_id}  {s.name}（{s.qualification}） {s.cert_start}〜{s.cert_end}  {key}",
                    file=out,
                )
            return EXIT_OK
        if args.action == "add":
            try:
                supervisor = Supervisor(
                    name=args.name,
                    member_id=args.member_id,
                    qualification=args.qualification,
                    cert_start=args.cert_start,
                    cert_end=args.cert_end,
                    fingerprint=args.fingerprint,
                )
            except ValidationError as error:
                raise RefusedError(f"指導者の登録内容に誤りがあります: {error.errors()[0]['msg']}") from None
            if supervisor.cert_start > supervisor.cert_end:
                raise RefusedError("認定期間の開始日が終了日より後です")
            store.supervisors.save(supervisor)
            print(f"{supervisor.name}（{supervisor.member_id}）を登録しました", file=out)
            return EXIT_OK
        store.supervisors.remove(args.member_id)
        print(f"会員番号 {args.member_id} の指導者の登録を削除しました", file=out)
        return EXIT_OK


def registered_supervisor(member_id: str) -> Supervisor:
    with Store.open(read_only=True) as store:
        found = store.supervisors.get(member_id)
    if found is None:
        raise RefusedError(
            f"会員番号 {member_id} の指導者は登録されていません。先に `shorei supervisors add` で登録してください"
        )
    return found


def show(args: argparse.Namespace, out: TextIO) -> int:
    request = read_request(
        read_limited(args.request, MAX_REQUEST_BYTES, REQUEST_NAME), source=args.request.name
    )
    form = forms_for(data_home()).get(request.form.id, request.form.version)
    if form is None:
        raise RefusedError(
            f"{args.request.name}: 様式「{request.form.id}」がこの Shorei にありません", EXIT_UNREADABLE
        )
    print(f"承認依頼 {request.request_id}（{request.created}）{form.title}", file=out)
    applicant = request.applicant
    print(
        f"申請者: {applicant.name}（会員番号 {applicant.member_id}、鍵の指紋 {applicant.fingerprint}）",
        file=out,
    )
    s = request.supervisor
    print(
        f"指導者: {s.name}（{s.qualification}、認定期間 {s.cert_start:%Y/%m/%d}〜{s.cert_end:%Y/%m/%d}）",
        file=out,
    )
    print(f"通信欄: {request.message or '（なし）'}", file=out)
    for case in request.cases:
        report = requested_report(case)
        print(f"\n── 症例{case.number} {report.category} ──", file=out)
        facility = report.facility
        if facility is not None:
            print(f"{form.facility.label}: {facility.name} {facility.kind}".rstrip(), file=out)
        for key in ("start", "end", "age", "sex", "diagnosis"):
            value = getattr(report, key)
            print(f"{form.field(key).label}: {display_value(form, key, value)}", file=out)
        for spec in form.narrative_fields():
            print(f"{spec.label}:\n  {report.narrative.get(spec.key, '')}", file=out)
    return EXIT_OK


def _comments(specs: Sequence[str], numbers: set[int]) -> dict[int, list[FieldComment]]:
    comments: dict[int, list[FieldComment]] = {}
    for spec in specs:
        head, separator, text = spec.partition("=")
        number_text, _, field = head.partition(":")
        if not separator and ":" in spec:
            number_text, _, text = spec.partition(":")
            field = ""
        try:
            number = int(number_text)
        except ValueError:
            raise RefusedError(
                f"コメントは N:FIELD=TEXT（または N:TEXT）の形で指定してください: {spec!r}", EXIT_UNREADABLE
            ) from None
        if number not in numbers:
            raise RefusedError(f"コメントの症例{number}は承認依頼に含まれていません", EXIT_UNREADABLE)
        if not text.strip():
            raise RefusedError(f"症例{number}へのコメントが空です: {spec!r}", EXIT_UNREADABLE)
        comments.setdefault(number, []).append(FieldComment(field=field.strip(), comment=text))
    return comments


def respond(args: argparse.Namespace, out: TextIO) -> int:
    request = read_request(
        read_limited(args.request, MAX_REQUEST_BYTES, REQUEST_NAME), source=args.request.name
    )
    numbers = {case.number for case in request.cases}
    both = set(args.approve) & set(args.reject)
    if both:
        raise RefusedError(f"症例{min(both)}が承認と非承認の両方に指定されています")
    undecided = sorted(numbers - set(args.approve) - set(args.reject))
    unknown = sorted((set(args.approve) | set(args.reject)) - numbers)
    if unknown:
        raise RefusedError(
            f"症例{unknown[0]}はこの承認依頼に含まれていません（含まれる症例: {sorted(numbers)}）"
        )
    if undecided:
        raise RefusedError(
            f"症例{undecided[0]}の承認・非承認が指定されていません（--approve か --reject で指定してください）"
        )
    comments = _comments(args.comment, numbers)
    decisions: dict[str, tuple[Decision, list[FieldComment]]] = {
        case.id: ("approved" if case.number in args.approve else "rejected", comments.get(case.number, []))
        for case in request.cases
    }
    data = build_response(request, decisions, load_or_create_signing_key(), now=dt.datetime.now(dt.UTC))
    write_output(args.out, data)
    print(
        f"結果ファイルを作成しました: {args.out}（承認 {len(args.approve)}件、非承認 {len(args.reject)}件）",
        file=out,
    )
    return EXIT_OK
