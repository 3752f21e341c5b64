"""`shorei facilities search|import|status|revert`: the certified-facility lists in the data folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.cli.documents import EXIT_UNREADABLE

if TYPE_CHECKING:
    import datetime as dt


_DEFAULT_KIND = "jbct"
"""app.store.facility_lists.DEFAULT_KIND, written out so that building the parser imports no store."""


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    facilities = commands.add_parser("facilities", help="認定施設の一覧を検索・取り込みます")
    actions = facilities.add_subparsers(dest="action", metavar="ACTION", required=True)
    search = actions.add_parser("search", help="施設名・認定番号・住所で検索します")
    search.add_argument("text", nargs="+", metavar="TEXT")
    search.add_argument("--json", action="store_true", help="結果を JSON で出力します")
    search.add_argument("--limit", type=int, default=50, help="表示する件数の上限（既定 50）")
    search.add_argument("--kind", default=_DEFAULT_KIND, help=argparse.SUPPRESS)
    imported = actions.add_parser("import", help="学会が公開している施設一覧（CSV / Excel）を取り込みます")
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.add_argument("--kind", default=_DEFAULT_KIND, help="一覧の種類（既定 jbct）")
    imported.add_argument("--society", help="学会名（既定: 同じ種類のサンプルと同じ）")
    imported.add_argument("--name", help="一覧の名前")
    imported.add_argument("--date", type=_date_argument, help="一覧の版の日付 YYYY-MM-DD（既定: 今日）")
    imported.add_argument("--source", help="入手元の説明")
    status = actions.add_parser("status", help="使用中の施設一覧を表示します")
    status.add_argument("--kind", default=_DEFAULT_KIND, help=argparse.SUPPRESS)
    revert = actions.add_parser("revert", help="取り込む前の施設一覧に戻します")
    revert.add_argument("--kind", default=_DEFAULT_KIND, help=argparse.SUPPRESS)


def _date_argument(text: str) -> dt.date:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日付は YYYY-MM-DD で指定してください: {text!r}") from None


def run_facilities(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`shorei facilities search|import|status|revert`: one line on stderr and exit 2 when it fails."""
    from app.cli import facility_output as facility_commands
    from app.paths import data_home
    from app.store.facility_table import FacilityListError

    try:
        if args.action == "search":
            return facility_commands.search(
                data_home(),
                " ".join(args.text),
                kind=args.kind,
                limit=args.limit,
                as_json=args.json,
                out=out,
                err=err,
            )
        if args.action == "import":
            return facility_commands.import_list(
                data_home(),
                args.file,
                kind=args.kind,
                society=args.society,
                name=args.name,
                version_date=args.date,
                source=args.source,
                out=out,
            )
        if args.action == "status":
            return facility_commands.status(data_home(), kind=args.kind, out=out)
        return facility_commands.revert(data_home(), kind=args.kind, out=out)
    except FacilityListError as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
