"""The `shorei` command (SPEC §7). The window is the main face; this serves clerks, scripts and tests.

Exit codes: 0 fine, 1 the input has problems (errors found, refused, invalid), 2 the input is unreadable.
Unreadable input gets one line on stderr naming the file and the problem, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app import cli_forms
from app.cli_approval_args import add_parsers as add_approval_parsers
from app.cli_parser import JapaneseArgumentParser

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from app.models.application import Application
    from app.models.facility import FacilityLookup
    from app.models.forms import FormDefinition
    from app.validation import Issue

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2

_DEFAULT_KIND = "jbct"
"""app.store.facility_lists.DEFAULT_KIND, written out so that building the parser imports no store."""

_SEVERITY_LABEL = {"error": "エラー", "warning": "警告"}


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
    _case_list_parser(commands)
    _facility_parser(commands)
    add_approval_parsers(commands)
    cli_forms.add_parsers(commands)
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


def _case_list_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _facility_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _print_issue(issue: Issue, out: TextIO) -> None:
    label = _SEVERITY_LABEL[issue.severity]
    accepted = f"（承認済み: {issue.accepted}）" if issue.accepted else ""
    print(f"{label}  {issue.message}{accepted}", file=out)


_CASE_LIST_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls", ".tsv", ".txt"}


def _case_list_hint(path: Path) -> str:
    """For a case list given where an application document is expected: how to read it in."""
    if path.suffix.lower() not in _CASE_LIST_SUFFIXES:
        return ""
    return (
        f"。症例一覧（{path.suffix}）は申請データではありません。shorei import-cases 申請.json {path.name} "
        "--section 1 --out 取り込み後.json で申請データに取り込んでください"
        "（申請データがなければ shorei new で作成）"
    )


def _print_unreadable(error: Exception, path: Path, err: TextIO) -> None:
    """One line naming the file and the problem; a document with several schema problems lists each
    below it, indented."""
    from app.models.document import DocumentError

    if isinstance(error, DocumentError) and error.details:
        print(f"shorei: {error.source}: {error.headline}", file=err)
        for detail in error.details:
            print(f"  {detail}", file=err)
        return
    print(f"shorei: {error}{_case_list_hint(path)}", file=err)


@dataclass
class _Loaded:
    """A document, its form, and the active facility list (None when none of that kind exists)."""

    application: Application
    form: FormDefinition
    facilities: FacilityLookup | None

    def close(self) -> None:
        _close_lookup(self.facilities)


def _close_lookup(facilities: FacilityLookup | None) -> None:
    close = getattr(facilities, "close", None)  # an imported list's index; the bundled sample has none
    if close is not None:
        close()


def _load_document(path: Path, err: TextIO | None = None) -> tuple[Application, FormDefinition]:
    """The document in FILE and its form; DocumentError or FormError when either cannot be read. A
    document naming only its form's id is read as the installed version, with a notice on `err`."""
    from app.models.document import load_application
    from app.models.form_packs import forms_for
    from app.paths import data_home

    forms = forms_for(data_home())
    notices: list[str] = []
    application = load_application(path, forms, notices=notices)
    if err is not None:
        for notice in notices:
            print(f"shorei: 注意: {path}: {notice}", file=err)
    form = forms.get(application.form.id, application.form.version)
    assert form is not None  # the loader refuses forms that are not installed
    return application, form.for_command_line()


def _load_for_rules(path: Path, err: TextIO) -> _Loaded | Exception:
    """Read FILE and what its rules need; on failure print one line and return the error (exit 2)."""
    from app.models.document import DocumentError
    from app.models.forms import FormError
    from app.store.facility_table import FacilityListError

    try:
        application, form = _load_document(path, err)
    except (DocumentError, FormError) as error:
        _print_unreadable(error, path, err)
        return error
    try:
        facilities = _active_facilities(form, err)
    except FacilityListError as error:
        print(f"shorei: {error}", file=err)
        return error
    return _Loaded(application, form, facilities)


def _active_facilities(form: FormDefinition, err: TextIO) -> FacilityLookup | None:
    """The facility list the form's rules check against; None (with a note) when none is installed.
    A bundled sample in use is said on `err`: a package checked against it is not what the society
    expects."""
    from app.paths import data_home
    from app.store.facility_lists import facilities_for
    from app.store.facility_table import FacilityListMissingError

    try:
        facilities = facilities_for(data_home(), form, search=False)
    except FacilityListMissingError as error:
        # A form whose society's list is not installed is still checked, all but the facility.
        print(f"shorei: 注意: {error}（施設の確認は行いません）", file=err)
        return None
    info = facilities.info
    if info.sample:
        print(
            f"shorei: 注意: 施設一覧は同梱のサンプル（{info.name}）です。学会の一覧を "
            "shorei facilities import で取り込んでください",
            file=err,
        )
    return facilities


def _schema_issues(error: Exception) -> list[dict[str, object]]:
    """An unreadable document as `--json` issues: one per problem (code `document-unreadable`)."""
    from app.models.document import DocumentError

    problems = error.details if isinstance(error, DocumentError) and error.details else (str(error),)
    return [
        {
            "code": "document-unreadable",
            "severity": "error",
            "section": None,
            "row": None,
            "field": None,
            "message": problem,
        }
        for problem in problems
    ]


def run_validate(path: Path, *, as_json: bool, out: TextIO, err: TextIO) -> int:
    import json

    from app.validation import has_errors, validate

    loaded = _load_for_rules(path, err)
    if not isinstance(loaded, _Loaded):
        if as_json:
            json.dump({"issues": _schema_issues(loaded)}, out, ensure_ascii=False, indent=2)
            out.write("\n")
        return EXIT_UNREADABLE
    application = loaded.application
    try:
        issues = validate(application, loaded.form, loaded.facilities)
    finally:
        loaded.close()
    if as_json:
        json.dump({"issues": [issue.to_json() for issue in issues]}, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for issue in issues:
            _print_issue(issue, out)
        errors = sum(issue.is_error for issue in issues)
        warnings = len(issues) - errors
        verdict = "提出できません" if errors else "エラーはありません"
        print(
            f"{path.name}: 症例 {application.case_count()}例、エラー {errors}件、警告 {warnings}件 — {verdict}",
            file=out,
        )
    return EXIT_PROBLEMS if has_errors(issues) else EXIT_OK


def run_new(form_name: str, *, out_path: Path, name: str, member_id: str, out: TextIO, err: TextIO) -> int:
    """`shorei new FORM --out FILE`: a blank application document for an installed form (never over an
    existing file)."""
    from app.models.application import Application
    from app.models.document import save_application
    from app.models.form_packs import forms_for
    from app.models.forms import FormError
    from app.paths import data_home
    from app.store.applications import blank_document

    form_id, _, version = form_name.partition("@")
    try:
        forms = forms_for(data_home())
    except FormError as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    form = forms.get(form_id, version or None)
    if form is None:
        installed = "、".join(forms.ids()) or "なし"
        which = (
            f"様式「{form_id}」の版「{version}」"
            if version and form_id in forms.ids()
            else f"様式「{form_id}」"
        )
        print(
            f"shorei: {which}はインストールされていません（インストール済み: {installed}。shorei forms で一覧）",
            file=err,
        )
        return EXIT_UNREADABLE
    if out_path.exists():
        print(f"shorei: {out_path}: すでにあります。別の名前を指定してください（上書きはしません）", file=err)
        return EXIT_UNREADABLE
    document = blank_document(form)
    document["applicant"] = {**document.get("applicant", {}), "name": name, "member_id": member_id}
    try:
        application = Application.model_validate(document)
    except ValueError as error:
        print(f"shorei: 申請者の氏名・会員番号を確かめてください（{error}）", file=err)
        return EXIT_UNREADABLE
    try:
        save_application(application, out_path)
    except OSError as error:
        print(f"shorei: {out_path}: 書き込めません（{error.strerror}）", file=err)
        return EXIT_UNREADABLE
    print(f"{out_path}: {form.title}（{form.id} {form.version}）の空の申請データを作成しました", file=out)
    print(f"  ウィンドウで入力: shorei {out_path}　症例一覧の取り込み: shorei import-cases", file=out)
    return EXIT_OK


def run_version(out: TextIO) -> int:
    from app.about import component_versions
    from app.paths import data_home

    for label, version in component_versions(data_home()):
        print(f"{label}: {version}", file=out)
    return EXIT_OK


def run_export(path: Path, *, out_dir: Path, draft: bool, out: TextIO, err: TextIO) -> int:
    loaded = _load_for_rules(path, err)
    if not isinstance(loaded, _Loaded):
        return EXIT_UNREADABLE
    # Imported here: reportlab and cryptography are only needed by the commands that write files.
    from app.export import ExportError, ExportRefusedError, export_application, safe_stem

    if loaded.facilities is None:
        print(f"shorei: {path}: 施設一覧がないため作成できません。施設一覧を取り込んでください", file=err)
        return EXIT_UNREADABLE
    try:
        result = export_application(
            loaded.application,
            loaded.form,
            loaded.facilities,
            out_dir,
            stem=safe_stem(path.stem),
            draft=draft,
        )
    except ExportRefusedError as refused:
        for issue in refused.errors:
            _print_issue(issue, out)
        print(
            f"shorei: {path}: エラーが{len(refused.errors)}件あるため、提出用のPDFとアップロード用ファイルは"
            "作成できません。エラーを直すか、--draft で下書きを印刷してください",
            file=err,
        )
        return EXIT_PROBLEMS
    except ExportError as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    finally:
        loaded.close()
    if result.draft:
        print(f"下書きPDF（押印・提出には使えません）: {result.pdf_path}", file=out)
        return EXIT_OK
    print(f"印刷用PDF: {result.pdf_path}", file=out)
    print(f"アップロード用ファイル: {result.package_path}", file=out)
    print(f"照合コード: {result.short_hash}　署名鍵の指紋: {result.fingerprint}", file=out)
    if result.earlier is not None:
        print(result.earlier.describe().replace("残します", "残しました"), file=out)
    return EXIT_OK


def run_verify(package_path: Path, *, pdf_path: Path | None, out: TextIO, err: TextIO) -> int:
    from app.export.signing import UnreadableFileError, read_limited
    from app.export.verify import MAX_PACKAGE_BYTES, MAX_PDF_BYTES, verify_package
    from app.models.form_packs import forms_for
    from app.models.forms import FormError
    from app.paths import data_home
    from app.store.facility_lists import known_facility_lists
    from app.store.facility_table import FacilityListError

    try:
        data = read_limited(package_path, MAX_PACKAGE_BYTES, "パッケージ")
        pdf = read_limited(pdf_path, MAX_PDF_BYTES, "PDF") if pdf_path is not None else None
        forms = forms_for(data_home())
        known_lists = known_facility_lists(data_home())
        result = verify_package(
            data,
            source=str(package_path),
            forms=forms,
            facility_lists=known_lists,
            pdf=pdf,
            pdf_source=str(pdf_path),
        )
    except UnreadableFileError as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    except (FacilityListError, FormError) as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    if result.failed is not None:
        print(f"無効: {package_path}: {result.failed.label}の確認に失敗しました — {result.reason}", file=out)
        return EXIT_PROBLEMS
    package = result.package
    assert package is not None
    content = package.content
    print(f"有効: {package_path}", file=out)
    print(f"  署名: 一致（署名鍵の指紋 {package.signature.fingerprint}）、RFC 8785 の正規形", file=out)
    created = package.exported.created if package.exported is not None else content.created
    print(f"  照合コード: {_short(package.content_sha256)}　作成: {created}", file=out)
    print(f"  様式: {content.form.id} {content.form.version}", file=out)
    facility_list = content.facility_list
    print(f"  施設一覧: {facility_list.name}（{facility_list.version_date}版、SHA-256 一致）", file=out)
    if result.pdf_checked:
        print(f"  PDF: {pdf_path} は {package.pdf.name} と一致（SHA-256）", file=out)
        print(
            f"  印刷: 全{result.printed_pages}ページの照合コードと SHA-256 がこのパッケージと一致、"
            f"印刷された署名鍵 {result.printed_fingerprint} はこのパッケージに署名した鍵と同じ",
            file=out,
        )
    else:
        print(f"  PDF: 未確認（--pdf {package.pdf.name} で対応を確認できます）", file=out)
    if result.approvals:
        _print_approvers(content.application, result.approvals, out)
    return EXIT_OK


def _print_approvers(application: dict[str, object], count: int, out: TextIO) -> None:
    """Who approved which case (JS-5). The signatures prove the statements are unchanged; whether each
    key is really that 指導者's is for the society to check against its own register of fingerprints."""
    by_key: dict[tuple[str, str, str, str], list[int]] = {}
    reports = application.get("reports")
    for number, report in enumerate(reports if isinstance(reports, list) else [], start=1):
        statement = (report.get("approval") or {}).get("statement") or {}
        supervisor = statement.get("supervisor") or {}
        fingerprint = (statement.get("signature") or {}).get("fingerprint", "")
        key = (
            supervisor.get("name", ""),
            supervisor.get("member_id", ""),
            supervisor.get("qualification", ""),
            fingerprint,
        )
        if statement:
            by_key.setdefault(key, []).append(number)
    print(f"  指導者の承認: {count}件、署名一致", file=out)
    for (name, member_id, qualification, fingerprint), numbers in by_key.items():
        cases = "、".join(str(n) for n in numbers)
        print(
            f"    {name}（会員番号 {member_id}、{qualification}）署名鍵の指紋 {fingerprint}: 症例{cases}",
            file=out,
        )
    print("  ※ 指導者の署名鍵の指紋が本人のものかは、学会の指導者名簿の指紋と照合してください", file=out)


def _mapping_changes(pairs: Sequence[str]) -> dict[str, str]:
    from app.models.case_table import CaseTableError

    changes: dict[str, str] = {}
    for pair in pairs:
        column, separator, target = pair.partition("=")
        if not separator or not column.strip():
            raise CaseTableError(f"--map は「列=項目」の形で指定してください（{pair}）")
        changes[column.strip()] = target.strip()
    return changes


def run_import_cases(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`shorei import-cases`: the report on stdout; OUT written only when every value was read (or
    --skip-unreadable) and the cases fit in the section."""
    from app.models.case_table import IGNORED, CaseTableError, find_header, propose_mapping, read_cases, remap
    from app.models.document import DocumentError, save_application
    from app.models.forms import FormError
    from app.models.table import TableFileError
    from app.store import EditError
    from app.store.case_lists import default_sheet, import_into, read_case_list
    from app.store.facility_table import FacilityListError
    from app.validation import validate

    try:
        application, form = _load_document(args.file, err)
        table = read_case_list(args.table)
        sheet = table.sheet(args.sheet) if args.sheet is not None else default_sheet(form, table)
        header = args.header_row if args.header_row is not None else find_header(form, sheet)
        columns = remap(form, propose_mapping(form, sheet, header), _mapping_changes(args.map))
        result = read_cases(form, sheet, header, columns)
    except (DocumentError, FormError, TableFileError) as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    except CaseTableError as error:
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
        facilities = _active_facilities(form, err)
    except FacilityListError as error:
        print(f"shorei: {error}（施設の確認は行いません）", file=err)
        facilities = None
    try:
        issues = validate(changed, form, facilities)
    finally:
        _close_lookup(facilities)
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
        application, form = _load_document(path, err)
        count = export_case_list(application, form, out_path, include_notes=include_notes)
    except (DocumentError, FormError, ExportError) as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    notes = "（備考を含みます）" if include_notes else ""
    print(f"症例一覧: {out_path}（{count}例）{notes}", file=out)
    return EXIT_OK


def _short(package_hash: str) -> str:
    from app.export.package import short_hash

    return short_hash(package_hash)


def run_facilities(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`shorei facilities search|import|status|revert`: one line on stderr and exit 2 when it fails."""
    from app import cli_facilities as facility_commands
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
    if args.command in cli_forms.COMMANDS:
        return cli_forms.run(args, sys.stdout, sys.stderr)
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
        from app import cli_approval

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


if __name__ == "__main__":
    sys.exit(main())
