"""The arguments of `shorei supervisors …` and `shorei approval …` (the commands are in `app.cli.approval`,
imported only when one of them runs, so building the parser costs nothing for the other commands)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt


def _date(text: str) -> dt.date:
    from app.models.text import InputError, parse_date_input

    try:
        return parse_date_input(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _numbers(text: str) -> list[int]:
    """`1,2,5-7` → [1, 2, 5, 6, 7] (the 番号 of the list, 1-based)."""
    numbers: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"症例の番号は 1,2,5-7 の形で指定してください: {text!r}"
            ) from None
        if start < 1 or end < start:
            raise argparse.ArgumentTypeError(f"症例の番号は1以上で、範囲は小さい方から: {part!r}")
        numbers.extend(range(start, end + 1))
    return sorted(set(numbers))


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    supervisors = commands.add_parser("supervisors", help="指導者登録（承認を依頼する指導者の一覧）")
    actions = supervisors.add_subparsers(dest="action", metavar="ACTION", required=True)
    listed = actions.add_parser("list", help="登録済みの指導者を表示します")
    listed.add_argument("--json", action="store_true", help="JSON で出力します")
    add = actions.add_parser("add", help="指導者を登録します（同じ会員番号なら更新）")
    add.add_argument("--name", required=True, help="氏名")
    add.add_argument("--member-id", required=True, help="会員番号")
    add.add_argument(
        "--qualification",
        required=True,
        help="資格（指導医、専門医、研修指導者資格を有する認定医、暫定指導医）",
    )
    add.add_argument("--from", dest="cert_start", type=_date, required=True, help="認定期間の開始日")
    add.add_argument("--to", dest="cert_end", type=_date, required=True, help="認定期間の終了日")
    add.add_argument(
        "--fingerprint", default="", help="指導者の署名鍵のフィンガープリント（本人に確認したもの）"
    )
    remove = actions.add_parser("remove", help="指導者の登録を削除します")
    remove.add_argument("member_id", metavar="MEMBER_ID")

    approval = commands.add_parser("approval", help="症例の承認依頼・承認・結果の取り込み（専門医新規申請）")
    steps = approval.add_subparsers(dest="action", metavar="ACTION", required=True)
    request = steps.add_parser("request", help="選んだ症例の承認依頼ファイルを作成します（申請者）")
    request.add_argument(
        "file", type=Path, metavar="FILE", help="申請データ（.json）。状態が承認依頼中になります"
    )
    request.add_argument("--cases", type=_numbers, required=True, help="症例の番号（例: 1,2,5-7）")
    request.add_argument("--supervisor", required=True, metavar="MEMBER_ID", help="指導者の会員番号")
    request.add_argument("--message", default="", help="通信欄（200文字以内）")
    request.add_argument(
        "--out", type=Path, required=True, metavar="REQUEST", help="承認依頼ファイルの保存先"
    )
    withdraw = steps.add_parser("withdraw", help="承認依頼を取り下げます（承認依頼中の症例のみ）")
    withdraw.add_argument("file", type=Path, metavar="FILE")
    withdraw.add_argument("--cases", type=_numbers, required=True, help="症例の番号")
    show = steps.add_parser("show", help="承認依頼ファイルの内容を表示します（指導者）")
    show.add_argument("request", type=Path, metavar="REQUEST")
    respond = steps.add_parser("respond", help="承認・非承認を記入した結果ファイルを作成します（指導者）")
    respond.add_argument("request", type=Path, metavar="REQUEST")
    respond.add_argument("--approve", type=_numbers, default=[], help="承認する症例の番号")
    respond.add_argument("--reject", type=_numbers, default=[], help="非承認にする症例の番号")
    respond.add_argument(
        "--comment",
        action="append",
        default=[],
        metavar="N:FIELD=TEXT",
        help="症例 N の項目 FIELD へのコメント（FIELD を省くと症例全体へのコメント）。繰り返し指定できます",
    )
    respond.add_argument("--out", type=Path, required=True, metavar="RESPONSE", help="結果ファイルの保存先")
    imported = steps.add_parser("import", help="指導者の結果ファイルを取り込みます（申請者）")
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.add_argument("response", type=Path, metavar="RESPONSE")
    imported.add_argument(
        "--trust",
        action="store_true",
        help="指導者の鍵がまだ登録されていないとき、この結果ファイルの鍵を信頼して登録します",
    )
    reopen = steps.add_parser(
        "reopen", help="承認済みの症例を編集できる状態に戻します（削除して再依頼。コピーを残します）"
    )
    reopen.add_argument("file", type=Path, metavar="FILE")
    reopen.add_argument("--case", type=int, required=True, help="症例の番号")
