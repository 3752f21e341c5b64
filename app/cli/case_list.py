"""`shorei import-cases` and `shorei export-cases`: a clerk's case list (CSV or XLSX) into a section of an
application document, and the cases out as an Excel workbook.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.cli.documents import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_UNREADABLE,
    active_facilities,
    close_lookup,
    load_document,
)

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imported = commands.add_parser(
        "import-cases",
        help="Excel（.xlsx）か CSV の症例一覧を申請データの施設欄に取り込み、別のファイルに保存します",
    )
    imported.add_argument("file", type=Path, metavar="FILE", help="申請データ（.json）")
    imported.add_argument("table", type=Path, metavar="TABLE", help="症例一覧（.xlsx / .csv）")
    imported.add_argument(
        "--section", type=int, required=True, metavar="N", help="取り込む施設欄（1 = 申請2(1)）"
    )
    imported.add_argument(
        "--replace", action="store_true", help="施設欄の症例を置き換えます（既定: 最後の症例の後に追加）"
    )
    imported.add_argument("--sheet", metavar="NAME", help="読むシート（既定: 見出しのある最初のシート）")
    imported.add_argument(
        "--header-row", type=int, metavar="N", help="見出しの行番号（既定: 自動で探します）"
    )
    imported.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="列=項目",
        help="列の割り当てを変えます（例: --map 歳=年齢 --map D=取り込まない）。列は見出しか列記号（B）",
    )
    imported.add_argument(
        "--skip-unreadable",
        action="store_true",
        help="読めない値があっても、読めた値だけで取り込みます（既定: 1件でもあれば何も書きません）",
    )
    imported.add_argument(
        "--out", type=Path, required=True, metavar="OUT", help="保存先の申請データ（.json）"
    )
    exported = commands.add_parser("export-cases", help="症例一覧を Excel（.xlsx）に書き出します")
    exported.add_argument("file", type=Path, metavar="FILE", help="申請データ（.json）")
    exported.add_argument("--out", type=Path, required=True, metavar="XLSX", help="保存先（.xlsx）")
    exported.add_argument(
        "--with-notes", action="store_true", help="備考（自分用のメモ）も書き出します（既定: 書き出しません）"
    )


def _mapping_changes(pairs: Sequence[str]) -> dict[str, str]:
    from app.models.case_list import CaseListError

    changes: dict[str, str] = {}
    for pair in pairs:
        column, separator, target = pair.partition("=")
        if not separator or not column.strip():
            raise CaseListError(f"--map は「列=項目」の形で指定してください（{pair}）")
        changes[column.strip()] = target.strip()
    return changes


def run_import_cases(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`shorei import-cases`: the report on stdout; OUT written only when every value was read (or
    --skip-unreadable) and the cases fit in the section."""
    from app.models.case_list import IGNORED, CaseListError, find_header, propose_mapping, read_cases, remap
    from app.models.document import DocumentError, save_application
    from app.models.forms import FormError
    from app.models.table import TableFileError
    from app.store import EditError
    from app.store.case_list_files import default_sheet, import_into, read_case_list
    from app.store.facility_table import FacilityListError
    from app.validation import validate

    try:
        application, form = load_document(args.file, err)
        table = read_case_list(args.table)
        sheet = table.sheet(args.sheet) if args.sheet is not None else default_sheet(form, table)
        header = args.header_row if args.header_row is not None else find_header(form, sheet)
        columns = remap(form, propose_mapping(form, sheet, header), _mapping_changes(args.map))
        result = read_cases(form, sheet, header, columns)
    except (DocumentError, FormError, TableFileError) as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    except CaseListError as error:
        print(f"shorei: {args.table}: {error}", file=err)
        return EXIT_UNREADABLE
    where = f"シート「{sheet.name}」" if sheet.name else args.table.name
    heading = f"{header}行目" if header is not None else "なし"
    print(f"{where}（見出し: {heading}）", file=out)
    for column in columns:
        target = form.field(column.key).label if column.key is not None else IGNORED
        print(f"  {column.describe()} → {target}", file=out)
    for line in result.report(form):
        print(line, file=out)
    print(result.summary(), file=out)
    refused = result.refusals()
    if refused and not args.skip_unreadable:
        print(
            f"shorei: {args.table}: 取り込めない値が{len(refused)}件あるため、何も書き込みませんでした。"
            "表を直すか、--skip-unreadable で読めた値だけを取り込んでください",
            file=err,
        )
        return EXIT_PROBLEMS
    try:
        changed = import_into(
            application,
            form,
            args.section - 1,
            result.cases(),
            replace=args.replace,
            source=args.table.name,
            replace_hint="--replace を付けて置き換えるか",
        )
    except EditError as error:
        print(f"shorei: {args.table}: {error}", file=err)
        return EXIT_PROBLEMS
    try:
        save_application(changed, args.out)
    except OSError as error:
        print(f"shorei: {args.out}: 書き込めません（{error.strerror}）", file=err)
        return EXIT_UNREADABLE
    try:
        facilities = active_facilities(form, err)
    except FacilityListError as error:
        print(f"shorei: {error}（施設の確認は行いません）", file=err)
        facilities = None
    try:
        issues = validate(changed, form, facilities)
    finally:
        close_lookup(facilities)
    errors = sum(issue.is_error for issue in issues)
    print(
        f"{args.out}: {form.section_label(args.section - 1)}に{len(result.cases())}件を取り込みました"
        f"（症例 {changed.case_count()}例、エラー {errors}件、警告 {len(issues) - errors}件。"
        f"shorei validate {args.out} で確認できます）",
        file=out,
    )
    return EXIT_OK


def run_export_cases(path: Path, *, out_path: Path, include_notes: bool, out: TextIO, err: TextIO) -> int:
    from app.export import ExportError
    from app.export.case_list import export_case_list
    from app.models.document import DocumentError
    from app.models.forms import FormError

    try:
        application, form = load_document(path, err)
        count = export_case_list(application, form, out_path, include_notes=include_notes)
    except (DocumentError, FormError, ExportError) as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    notes = "（備考を含みます）" if include_notes else ""
    print(f"症例一覧: {out_path}（{count}例）{notes}", file=out)
    return EXIT_OK
