"""`shorei export` (the seal-ready PDF and the signed upload file) and `shorei verify` (a package, and the
PDF printed with it, checked without the window).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from app.cli.documents import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, Loaded, load_for_rules, print_issue

if TYPE_CHECKING:
    from pathlib import Path


def run_export(path: Path, *, out_dir: Path, draft: bool, out: TextIO, err: TextIO) -> int:
    loaded = load_for_rules(path, err)
    if not isinstance(loaded, Loaded):
        return EXIT_UNREADABLE
    # Imported here: reportlab and cryptography are only needed by the commands that write files.
    from app.export import ExportError, ExportRefusedError, export_application
    from app.file_names import safe_stem

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
            print_issue(issue, out)
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
    from app.export.verify import MAX_PACKAGE_BYTES, MAX_PDF_BYTES, verify_package
    from app.models.form_packs import forms_for
    from app.models.forms import FormError
    from app.paths import data_home
    from app.signing.signed_files import UnreadableFileError, read_limited
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


def _short(package_hash: str) -> str:
    from app.export.package import short_hash

    return short_hash(package_hash)
