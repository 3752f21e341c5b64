"""`shorei forms …` and `shorei migrate` (SPEC §7): form packs, and moving an application to another form.

Kept apart from app/cli/__init__.py: `add_parsers` adds the commands, `run` runs them. Everything heavy (the
zip reader, cryptography, the store) is imported inside the functions that need it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import argparse

    from app.models.forms import FormRegistry
    from app.store import Store

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2
COMMANDS = ("forms", "migrate")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    forms = commands.add_parser(
        "forms", help="様式の一覧、様式パック（.shoreipack）の作成・取り込み・削除を行います"
    )
    actions = forms.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="使える様式を一覧表示します（同梱の様式と取り込んだ様式パック）")
    pack = actions.add_parser(
        "pack", help="フォルダ DIR（pack.toml と forms/）から署名付き様式パックを作ります"
    )
    pack.add_argument("folder", type=Path, metavar="DIR")
    pack.add_argument(
        "--key",
        type=Path,
        required=True,
        metavar="KEY",
        help="署名鍵（PEM）。なければ作ります（本人だけが読める）",
    )
    pack.add_argument("--out", type=Path, required=True, metavar="PACK", help="保存先（.shoreipack）")
    install = actions.add_parser("install", help="様式パックを確かめて取り込みます")
    install.add_argument("pack", type=Path, metavar="PACK")
    install.add_argument(
        "--trust", action="store_true", help="初めての発行者の署名鍵を信頼します（指紋を確かめてから）"
    )
    remove = actions.add_parser(
        "remove", help="取り込んだ様式パックを外します（使っている申請があれば外しません）"
    )
    remove.add_argument("ref", metavar="ID@VERSION")
    migrate = commands.add_parser(
        "migrate", help="申請データを別の版の様式に移します（--dry-run で変わることだけを表示）"
    )
    migrate.add_argument("file", type=Path, metavar="FILE", help="申請データ（.json）")
    migrate.add_argument(
        "--to", required=True, metavar="ID@VERSION", help="移す先の様式（例: jbct-renewal-2027@2027.1）"
    )
    migrate.add_argument(
        "--dry-run", action="store_true", help="移さずに、出る問題・消える問題と変更点を表示します"
    )
    migrate.add_argument("--out", type=Path, metavar="OUT", help="保存先（既定: FILE を書き換えます）")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.paths import data_home

    home = data_home()
    if args.command == "migrate":
        return run_migrate(home, args, out, err)
    action = getattr(args, "action", None) or "list"
    if action == "pack":
        return run_pack(args.folder, args.key, args.out, out, err)
    if action == "install":
        return run_install(home, args.pack, trust=args.trust, out=out, err=err)
    if action == "remove":
        return run_remove(home, args.ref, out, err)
    return run_list(home, out, err)


def run_list(home: Path, out: TextIO, err: TextIO) -> int:
    """Each form: id, version, society, title, publisher, key fingerprint, where it came from."""
    from app.models.form_packs import installed_packs
    from app.models.forms import FormError, bundled_forms

    try:
        bundled = bundled_forms().all()
    except FormError as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    for form in bundled:
        print(
            f"{form.id}\t{form.version}\t{form.society}\t{form.title}\tShorei に同梱\t-\tプログラムの一部",
            file=out,
        )
    for pack in installed_packs(home):
        manifest, origin = pack.manifest, pack.origin
        if pack.problem is not None or manifest is None:
            print(f"shorei: 様式パック {pack.ref} は使えません: {pack.problem}", file=err)
            continue
        where = (
            f"様式パック {manifest.ref}（{origin.file_name}、{origin.installed_at} に取り込み）"
            if origin
            else f"様式パック {manifest.ref}"
        )
        for form in pack.forms:
            print(
                f"{form.id}\t{form.version}\t{form.society}\t{form.title}\t{manifest.publisher}"
                f"\t{manifest.signature.fingerprint}\t{where}",
                file=out,
            )
        if not pack.forms:
            print(
                f"（施設一覧のみ）\t{manifest.version}\t-\t-\t{manifest.publisher}\t{manifest.signature.fingerprint}\t{where}",
                file=out,
            )
    return EXIT_OK


def run_pack(folder: Path, key: Path, pack: Path, out: TextIO, err: TextIO) -> int:
    from app.export.form_packs import PackError, make_pack
    from app.signing.keys import KeyFileError

    try:
        result = make_pack(folder, key, pack)
    except (PackError, KeyFileError) as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    except OSError as error:
        print(f"shorei: {error.filename or pack}: 様式パックを作れません（{error.strerror}）", file=err)
        return EXIT_UNREADABLE
    manifest = result.manifest
    if result.key_created:
        print(f"署名鍵を作りました: {key}（本人だけが読めます。なくさないでください）", file=out)
    print(f"様式パック: {result.path}（{manifest.ref}、{len(manifest.files)}ファイル）", file=out)
    print(f"発行者: {manifest.publisher}　署名鍵の指紋: {manifest.signature.fingerprint}", file=out)
    for form_id, codes in result.borrowed.items():
        print(
            f"様式「{form_id}」の [messages] にない文言（{len(codes)}件: {'、'.join(codes[:5])}"
            f"{' など' if len(codes) > 5 else ''}）は、使う Shorei に同梱の様式の文言で表示されます",
            file=out,
        )
    print("利用者には、この指紋を様式パックとは別の経路（学会のページなど）で知らせてください", file=out)
    return EXIT_OK


def run_install(home: Path, pack: Path, *, trust: bool, out: TextIO, err: TextIO) -> int:
    from app.export.form_pack_install import install_pack
    from app.export.form_packs import PackError

    try:
        result = install_pack(home, pack, trust=trust)
    except PackError as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE if error.unreadable else EXIT_PROBLEMS
    except OSError as error:
        print(f"shorei: {pack}: 取り込めません（{error.strerror}）", file=err)
        return EXIT_UNREADABLE
    manifest = result.manifest
    if result.newly_trusted:
        print(
            f"発行者「{manifest.publisher}」の署名鍵（指紋 {manifest.signature.fingerprint}）を信頼しました",
            file=out,
        )
    state = "すでに取り込まれています" if result.unchanged else "取り込みました"
    print(f"様式パック {manifest.ref}（{manifest.publisher}、{manifest.date:%Y-%m-%d}）を{state}", file=out)
    for form in result.forms:
        print(f"  様式: {form.id} {form.version}　{form.title}", file=out)
    vocabulary = [entry.path.removeprefix("vocabulary/") for entry in manifest.of_kind("vocabulary")]
    if vocabulary:
        print(
            f"  診断名の語彙: {'、'.join(vocabulary)}（この様式パックの様式で使います。ほかは Shorei に同梱のもの）",
            file=out,
        )
    if result.facilities is not None:
        info = result.facilities.info
        print(
            f"  施設一覧: {info.name}（{info.version_date:%Y-%m-%d}版、{result.facilities.count}施設）",
            file=out,
        )
    return EXIT_OK


def run_remove(home: Path, ref: str, out: TextIO, err: TextIO) -> int:
    from app.export.form_pack_install import remove_pack
    from app.export.form_packs import PackError
    from app.store import Store, StoreError

    earlier: list[str] = []
    try:
        if home.exists():
            with Store.open(home) as store:
                removed = remove_pack(home, ref, store.applications.forms_in_use())
                earlier = _titles_with_earlier_states(store, {(f.id, f.version) for f in removed.forms})
        else:
            removed = remove_pack(home, ref, set())
    except PackError as error:
        print(f"shorei: {error}", file=err)
        return EXIT_PROBLEMS
    except StoreError as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    except OSError as error:
        print(
            f"shorei: {error.filename or ref}: 様式パックを外せません（{error.strerror}）。"
            "Shorei の他の画面やファイルを閉じてからもう一度実行してください",
            file=err,
        )
        return EXIT_UNREADABLE
    print(f"様式パック {removed.ref} を外しました", file=out)
    if earlier:
        print(
            f"申請「{'」「'.join(earlier)}」の変更履歴には、この様式パックの様式で作られた状態があります。"
            "その状態に戻す（元に戻す・変更履歴から復元）には、この様式パックを取り込み直してください",
            file=out,
        )
    return EXIT_OK


def _titles_with_earlier_states(store: Store, forms: set[tuple[str, str]]) -> list[str]:
    """The applications (the trash's too) whose history holds a state under one of `forms`: a move to
    another form (or a restore across one) replaces the whole document, naming the form before and after."""
    titles: list[str] = []
    for info in (*store.applications.all(), *store.applications.in_trash()):
        for change in store.history.changes(info.id):
            documents = [
                value
                for edit in change.edits
                if edit.path in ((), ("form",))
                for value in (edit.before, edit.after)
                if isinstance(value, dict)
            ]
            refs = {
                (form["id"], form["version"])
                for value in documents
                if isinstance(form := value.get("form", value), dict)
            }
            if refs & forms:
                titles.append(info.display_name)
                break
    return titles


def _parse_ref(text: str) -> tuple[str, str] | None:
    form_id, _, version = text.partition("@")
    return (form_id, version) if form_id and version else None


def run_migrate(home: Path, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Preview (always printed) and, unless --dry-run, write the document under the new form."""
    from app.models.document import DocumentError, load_application, save_application
    from app.models.form_packs import forms_for
    from app.models.forms import FormError
    from app.store.facility_lists import facilities_for
    from app.store.facility_table import FacilityListError
    from app.validation.migration import MigrationError, preview_migration

    ref = _parse_ref(args.to)
    if ref is None:
        print(
            f"shorei: --to は ID@VERSION の形で指定してください（例: jbct-renewal-2027@2027.1、値: {args.to}）",
            file=err,
        )
        return EXIT_UNREADABLE
    try:
        forms: FormRegistry = forms_for(home)
        application = load_application(args.file, forms)
    except (DocumentError, FormError) as error:
        print(f"shorei: {error}", file=err)
        return EXIT_UNREADABLE
    source = forms.get(application.form.id, application.form.version)
    target = forms.get(*ref)
    assert source is not None  # the loader refuses forms that are not installed
    if target is None:
        versions = "、".join(
            f"{form.id}@{form.version}" for form in forms.all() if form.layout == source.layout
        )
        print(f"shorei: 様式 {args.to} はインストールされていません（使える様式: {versions}）", file=err)
        return EXIT_UNREADABLE
    facilities = None
    try:
        facilities = facilities_for(home, source)
    except FacilityListError:
        facilities = None
    try:
        preview = preview_migration(application, source, target, facilities)
    except MigrationError as error:
        print(f"shorei: {args.file}: {error}", file=err)
        return EXIT_PROBLEMS
    finally:
        if facilities is not None:
            facilities.close()
    for line in preview.lines():
        print(line, file=out)
    if args.dry_run:
        print("（--dry-run: ファイルは変更していません）", file=out)
        return EXIT_OK
    destination = args.out or args.file
    try:
        save_application(preview.migrated, destination)
    except OSError as error:
        print(f"shorei: {destination}: 書き込めません（{error.strerror}）", file=err)
        return EXIT_UNREADABLE
    print(f"{destination}: 様式 {target.id} {target.version} に移しました", file=out)
    return EXIT_OK
