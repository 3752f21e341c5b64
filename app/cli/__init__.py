"""The `shorei` command (SPEC §7). The window is the main face; this serves clerks, scripts and tests.

Exit codes: 0 fine, 1 the input has problems (errors found, refused, invalid), 2 the input is unreadable.
Unreadable input gets one line on stderr naming the file and the problem, never a traceback.

This module parses the command line and hands each command to its group: `documents` (validate, new, and
what every command shares), `package` (export, verify), `case_list` (import-cases, export-cases),
`facilities`, `forms` (forms, migrate) and `approval` (supervisors, approval). `python -m app.cli` runs
`main` through `__main__`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.cli.approval_args import add_parsers as add_approval_parsers
from app.cli.case_list import add_parsers as add_case_list_parsers
from app.cli.case_list import run_export_cases, run_import_cases
from app.cli.documents import EXIT_OK, EXIT_UNREADABLE, run_new, run_validate
from app.cli.facilities import add_parsers as add_facility_parsers
from app.cli.facilities import run_facilities
from app.cli.forms import COMMANDS as FORM_COMMANDS
from app.cli.forms import add_parsers as add_form_parsers
from app.cli.forms import run as run_forms
from app.cli.package import run_export, run_verify
from app.cli.parser import JapaneseArgumentParser

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


COMMANDS_HINT = "（ファイルを開くには shorei FILE、使い方は shorei -h）"


def _parser() -> argparse.ArgumentParser:
    # Typed as the base class so that modules adding commands take the usual _SubParsersAction.
    parser: argparse.ArgumentParser = JapaneseArgumentParser(
        prog="shorei",
        description="Shorei — 学会の症例登録をオフラインで作成・点検します。"
        "コマンドなしで（または shorei FILE で）ウィンドウを開きます。",
    )
    parser.add_argument(
        "--version", action="store_true", help="Shorei と様式・辞書・施設一覧の版を表示します"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="コマンド")
    check = commands.add_parser("validate", help="申請データ（.json）を点検し、問題を一覧表示します")
    check.add_argument("file", type=Path, metavar="FILE")
    check.add_argument("--json", action="store_true", help="結果を JSON で出力します")
    blank = commands.add_parser("new", help="インストール済みの様式の、空の申請データ（.json）を作成します")
    blank.add_argument(
        "form", metavar="FORM", help="様式の id（shorei forms で一覧。版は ID@VERSION で指定）"
    )
    blank.add_argument("--out", type=Path, required=True, metavar="FILE", help="保存先（.json）")
    blank.add_argument("--name", default="", help="申請者の氏名")
    blank.add_argument("--member-id", default="", help="申請者の会員番号")
    gui = commands.add_parser(
        "gui", help="ウィンドウを開きます（FILE を指定するとその申請データを取り込んで開きます）"
    )
    add_gui_arguments(gui)
    export = commands.add_parser(
        "export",
        help="印刷用PDF（押印用）と署名付きアップロード用ファイルを作成します（エラーがあれば作成しません）",
    )
    export.add_argument("file", type=Path, metavar="FILE")
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="保存先のフォルダ")
    export.add_argument(
        "--draft", action="store_true", help="「下書き」と入ったPDFだけを作成します（エラーがあっても作成）"
    )
    verify = commands.add_parser(
        "verify", help="アップロード用ファイルの署名・正規形・様式・施設一覧と、PDFとの対応を確認します"
    )
    verify.add_argument("package", type=Path, metavar="PACKAGE")
    verify.add_argument("--pdf", type=Path, metavar="PDF", help="対応を確認する印刷用PDF")
    add_case_list_parsers(commands)
    add_facility_parsers(commands)
    add_approval_parsers(commands)
    add_form_parsers(commands)
    return parser


def add_gui_arguments(gui: argparse.ArgumentParser) -> None:
    gui.add_argument("file", type=Path, nargs="?", metavar="FILE")
    gui.add_argument("--screenshot", type=Path, metavar="PNG", help="表示が済んだら画面を保存して終了します")
    gui.add_argument(
        "--review",
        type=Path,
        metavar="REQUEST",
        help="指導者として承認依頼ファイルを開き、症例を承認・非承認します（FILE とは同時に指定できません）",
    )


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def _as_gui(argv: list[str], commands: set[str]) -> list[str]:
    """`shorei FILE [options]` is `shorei gui FILE [options]` (what Windows sends for a double-clicked or
    dropped file). A word that is neither a command nor a file is left to argparse, which names it."""
    if not argv or argv[0] in commands or argv[0].startswith("-"):
        return argv
    first = argv[0]
    if Path(first).suffix.lower() == ".json" or Path(first).exists():
        return ["gui", *argv]
    return argv


def run_version(out: TextIO) -> int:
    from app.about import component_versions
    from app.paths import data_home

    for label, version in component_versions(data_home()):
        print(f"{label}: {version}", file=out)
    return EXIT_OK


def _utf8_when_piped() -> None:
    """Pipes and files get UTF-8 whatever the locale (a Windows console writes Unicode by itself)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and not stream.isatty():
            stream.reconfigure(encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_when_piped()
    try:
        return _dispatch(argv)
    except BrokenPipeError:
        # The reader went away (`shorei validate x | head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK


def _dispatch(argv: Sequence[str] | None) -> int:
    parser = _parser()
    words = list(sys.argv[1:] if argv is None else argv)
    commands = _command_names(parser)
    words = _as_gui(words, commands)
    if words and not words[0].startswith("-") and words[0] not in commands:
        parser.error(f"{words[0]} というコマンドもファイルもありません{COMMANDS_HINT}")
    args = parser.parse_args(words)
    if args.version:
        return run_version(sys.stdout)
    if args.command == "validate":
        return run_validate(args.file, as_json=args.json, out=sys.stdout, err=sys.stderr)
    if args.command in FORM_COMMANDS:
        return run_forms(args, sys.stdout, sys.stderr)
    if args.command == "new":
        return run_new(
            args.form,
            out_path=args.out,
            name=args.name,
            member_id=args.member_id,
            out=sys.stdout,
            err=sys.stderr,
        )
    if args.command == "export":
        return run_export(args.file, out_dir=args.out, draft=args.draft, out=sys.stdout, err=sys.stderr)
    if args.command == "verify":
        return run_verify(args.package, pdf_path=args.pdf, out=sys.stdout, err=sys.stderr)
    if args.command == "facilities":
        return run_facilities(args, sys.stdout, sys.stderr)
    if args.command in ("supervisors", "approval"):
        from app.cli import approval as cli_approval

        return cli_approval.run(args, sys.stdout, sys.stderr)
    if args.command == "import-cases":
        return run_import_cases(args, sys.stdout, sys.stderr)
    if args.command == "export-cases":
        return run_export_cases(
            args.file, out_path=args.out, include_notes=args.with_notes, out=sys.stdout, err=sys.stderr
        )
    return run_window(parser, args, sys.stderr)


def display_problem(environ: Mapping[str, str], platform: str) -> str | None:
    """Why no window can be opened here, before Qt aborts on it: a Linux session with no display and no
    Qt platform chosen. None when a window may open (Qt reports anything else through its handler)."""
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "画面（ディスプレイ）がないため、ウィンドウを開けません。デスクトップのセッションから起動するか、"
        "ウィンドウなしで使うコマンド（shorei validate・export など。shorei -h で一覧）を使ってください"
    )


def run_window(parser: argparse.ArgumentParser, args: argparse.Namespace, err: TextIO) -> int:
    """`shorei`, `shorei gui [FILE]`, `shorei FILE`: the window (SPEC §7); Qt is imported only here."""
    import os

    review = getattr(args, "review", None)
    if review is not None and args.file is not None:
        parser.error("--review と FILE は同時に指定できません")
    problem = display_problem(os.environ, sys.platform)
    if problem is not None:
        print(f"shorei: {problem}", file=err)
        return EXIT_UNREADABLE
    if review is not None:
        from app.views.app import run_review

        return run_review(review, args.screenshot)
    from app.views.app import run

    return run(getattr(args, "file", None), getattr(args, "screenshot", None))
