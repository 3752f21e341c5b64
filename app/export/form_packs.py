"""Making, reading and installing form packs (`.shoreipack`, docs/forms.md).

A pack is a zip holding `manifest.json` and the files it lists (forms, and optionally a facility list
with its manifest and a diagnosis vocabulary). The manifest is RFC 8785 canonical JSON signed with
Ed25519 as our other signed files (app.signing.signed_files), and states each file's size and SHA-256, so the
signature covers every byte of the pack. Reading one treats it as hostile: a size limit on the file,
on each member and on the whole, no compression bombs, only plain names under the three folders, no
name twice, nothing unlisted. Installing trusts the publisher's key on first use, as with a 指導者's key:
an unknown fingerprint is refused unless the user confirms it (`--trust`, or the window's dialog).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import stat
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from app.about import program_version
from app.atomic import write_atomically
from app.models.canonical import sha256_hex
from app.models.form_packs import (
    FACILITIES_DIR,
    FORMS_DIR,
    MANIFEST_NAME,
    ORIGIN_FILE,
    PACK_FORMAT,
    PUBLISHERS_FILE,
    VOCABULARY_DIR,
    FileKind,
    PackManifest,
    PackOrigin,
    installed_packs,
    pack_folder_name,
    packs_folder,
    version_key,
)
from app.models.forms import FormDefinition, FormError, bundled_forms, load_form
from app.signing.keys import load_or_create_key_file
from app.signing.signed_files import (
    UnreadableFileError,
    is_canonical,
    parse_json_object,
    read_limited,
    signature_problem,
    signed_bytes,
)
from app.validation.engine import rule_set_names

if TYPE_CHECKING:
    from collections.abc import Collection

    from app.store.facility_lists import ImportResult

MAX_PACK_BYTES: Final = 20 * 1024 * 1024
MAX_MEMBER_BYTES: Final = 10 * 1024 * 1024
MAX_TOTAL_BYTES: Final = 40 * 1024 * 1024
MAX_MEMBERS: Final = 201
MAX_RATIO: Final = 100
"""A member that inflates more than this from its compressed size (beyond 1 MB) is a zip bomb."""
_FIXED_TIME: Final = (1980, 1, 1, 0, 0, 0)


class PackError(Exception):
    """A pack that cannot be used. `str()` is one Japanese line naming the file and the problem.
    `unreadable` separates not-a-pack (exit 2) from a pack refused on its content (exit 1)."""

    def __init__(self, source: str, problem: str, *, unreadable: bool = False) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem
        self.unreadable = unreadable


class UntrustedPublisherError(PackError):
    """The pack is sound but signed by a key this data folder does not trust yet (first use)."""

    def __init__(self, source: str, manifest: PackManifest, known_as: str | None) -> None:
        fingerprint = manifest.signature.fingerprint
        earlier = (
            f"（発行者「{manifest.publisher}」は以前、別の鍵 {known_as} で信頼されています。鍵が替わったことを"
            "発行元に確かめてください）"
            if known_as
            else ""
        )
        super().__init__(
            source,
            f"発行者「{manifest.publisher}」の署名鍵（指紋 {fingerprint}）はまだ信頼されていません{earlier}。"
            "指紋が発行元の公表しているものと同じか確かめてから、--trust を付けて取り込んでください",
        )
        self.manifest = manifest
        self.fingerprint = fingerprint


@dataclass(frozen=True)
class ReadPack:
    """A pack whose signature, canonical manifest and every file's SHA-256 have been checked."""

    manifest: PackManifest
    manifest_bytes: bytes
    files: dict[str, bytes]

    @property
    def fingerprint(self) -> str:
        return self.manifest.signature.fingerprint


@dataclass(frozen=True)
class PackResult:
    """What `make_pack` wrote."""

    path: Path
    manifest: PackManifest
    key_created: bool


@dataclass(frozen=True)
class InstallResult:
    """What `install_pack` did."""

    manifest: PackManifest
    forms: list[FormDefinition]
    newly_trusted: bool
    unchanged: bool
    facilities: ImportResult | None


# ---- making a pack --------------------------------------------------------------------------------


_KIND_BY_FOLDER: Final[dict[str, FileKind]] = {VOCABULARY_DIR: "vocabulary"}


def _file_kind(relative: str) -> FileKind:
    folder, _, name = relative.partition("/")
    if folder == FORMS_DIR:
        return "form-part" if name.startswith("_") else "form"
    if folder == FACILITIES_DIR:
        return "facility-manifest" if name == MANIFEST_NAME else "facility-list"
    return _KIND_BY_FOLDER[folder]


def make_pack(folder: Path, key_path: Path, out: Path, *, today: dt.date | None = None) -> PackResult:
    """Sign the pack described by `folder/pack.toml` (with `forms/`, and optionally `facilities/` and
    `vocabulary/`) with the key in `key_path` (made, owner-only, if missing) and write it to `out`."""
    source = str(folder)
    try:
        meta = tomllib.loads((folder / "pack.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackError(source, "pack.toml がありません（id・version・publisher を書いてください）") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PackError(source, f"pack.toml を読めません: {error}") from None
    entries: dict[str, bytes] = {}
    for sub in (FORMS_DIR, FACILITIES_DIR, VOCABULARY_DIR):
        for path in sorted((folder / sub).glob("*")) if (folder / sub).is_dir() else []:
            if path.is_file() and not path.name.startswith("."):
                entries[f"{sub}/{path.name}"] = path.read_bytes()
    files = [
        {"path": name, "kind": _file_kind(name), "size": len(data), "sha256": sha256_hex(data)}
        for name, data in sorted(entries.items())
    ]
    date = meta.get("date", today or dt.date.today())
    document: dict[str, Any] = {
        "format": PACK_FORMAT,
        **{key: value for key, value in meta.items() if key != "date"},
        "date": date.isoformat() if isinstance(date, dt.date) else str(date),
        "requires_program": str(meta.get("requires_program", program_version())),
        "files": files,
    }
    key_created = not key_path.exists()
    key = load_or_create_key_file(key_path)
    try:
        data = signed_bytes(document, key)
        manifest = PackManifest.model_validate(json.loads(data))
    except ValidationError as error:
        raise PackError(source, f"pack.toml か含めるファイルが正しくありません: {_first(error)}") from None
    except ValueError:  # a TOML time or date-time, which JSON cannot hold (rfc8785)
        raise PackError(
            source, 'pack.toml の時刻・日時の値は目録に書けません。文字列（"…"）で書いてください'
        ) from None
    if not manifest.of_kind("form") and not manifest.of_kind("facility-list"):
        raise PackError(source, "forms/ に様式（.toml）も facilities/ に施設一覧もありません")
    with tempfile.TemporaryDirectory() as temporary:
        _extract(Path(temporary), entries)
        forms = _load_forms(Path(temporary), manifest, source)
        _check_program(manifest, forms, source)
        _check_facilities(Path(temporary), manifest, source)
        _check_vocabulary(Path(temporary), manifest, source)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in [(MANIFEST_NAME, data), *sorted(entries.items())]:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, buffer.getvalue())
    return PackResult(out, manifest, key_created)


def _first(error: ValidationError) -> str:
    detail = error.errors(include_url=False)[0]
    return f"/{'/'.join(str(part) for part in detail['loc'])}: {detail['msg']}"


# ---- reading a pack -------------------------------------------------------------------------------


def read_pack(path: Path) -> ReadPack:
    """The checked contents of the pack file `path`, or PackError with one line saying why not."""
    source = str(path)
    try:
        data = read_limited(path, MAX_PACK_BYTES, "様式パック")
    except UnreadableFileError as error:
        raise PackError(error.source, error.problem, unreadable=True) from None
    return read_pack_bytes(data, source=source)


def read_pack_bytes(data: bytes, *, source: str) -> ReadPack:
    members = _read_members(data, source)
    manifest_bytes = members.pop(MANIFEST_NAME, None)
    if manifest_bytes is None:
        raise PackError(source, "manifest.json がありません。様式パックではありません", unreadable=True)
    try:
        raw = parse_json_object(
            manifest_bytes, source=source, what="様式パックの目録", expected_format=PACK_FORMAT, limit=1 << 20
        )
    except UnreadableFileError as error:
        raise PackError(source, error.problem, unreadable=True) from None
    try:
        manifest = PackManifest.model_validate(raw)
    except ValidationError as error:
        raise PackError(source, f"目録（manifest.json）が正しくありません: {_first(error)}") from None
    if not is_canonical(raw, manifest_bytes):
        raise PackError(source, "目録が RFC 8785 の正規形ではありません（署名後に書き換えられています）")
    problem = signature_problem(raw, manifest.signature)
    if problem is not None:
        raise PackError(source, f"目録の{problem}")
    listed = {entry.path: entry for entry in manifest.files}
    if len(listed) != len(manifest.files):
        raise PackError(source, "目録に同じファイルが二度書かれています")
    for name in members:
        if name not in listed:
            raise PackError(source, f"目録にないファイル {name} が入っています（署名の対象外です）")
    for name, entry in listed.items():
        content = members.get(name)
        if content is None:
            raise PackError(source, f"目録にある {name} が入っていません")
        if len(content) != entry.size or sha256_hex(content) != entry.sha256:
            raise PackError(source, f"{name} が署名の後に変更されています（SHA-256 が目録と違います）")
    return ReadPack(manifest, manifest_bytes, members)


def _read_members(data: bytes, source: str) -> dict[str, bytes]:
    """Every member of the zip by name, refusing anything a pack we make never holds."""

    def refuse(problem: str) -> PackError:
        return PackError(source, problem, unreadable=True)

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise refuse("zip として読めません。様式パック（.shoreipack）ではないようです") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise refuse(f"ファイルが多すぎます（{len(infos)}個、上限 {MAX_MEMBERS}個）")
        members: dict[str, bytes] = {}
        folded: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            if name.endswith("/"):
                continue
            # Windows and macOS file names ignore case: A.toml and a.toml would be one file there.
            if name.casefold() in folded:
                raise refuse(f"同じ名前のファイル {name} が二つ入っています")
            folded.add(name.casefold())
            if not _plain_name(name):
                raise refuse(
                    f"ファイル名 {name!r} は使えません（フォルダの外を指す名前や絶対パスは受け付けません）"
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                raise refuse(f"{name} はシンボリックリンクです")
            if info.file_size > MAX_MEMBER_BYTES:
                raise refuse(f"{name} が大きすぎます（{info.file_size / 1024 / 1024:.1f} MB、上限 10 MB）")
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise refuse(f"{name} の圧縮率が異常です（zip 爆弾の疑い）")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise refuse("展開後の大きさが上限（40 MB）を超えます")
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError):
                raise refuse(f"{name} を展開できません（壊れているか、暗号化されています）") from None
            if len(content) != info.file_size:
                raise refuse(f"{name} の大きさが zip の記録と違います")
            members[name] = content
    return members


def _plain_name(name: str) -> bool:
    if name == MANIFEST_NAME:
        return True
    folder, separator, rest = name.partition("/")
    return (
        bool(separator)
        and folder in (FORMS_DIR, FACILITIES_DIR, VOCABULARY_DIR)
        and bool(rest)
        and "/" not in rest
        and "\\" not in rest
        and ":" not in rest
        and rest not in (".", "..")
        and not rest.startswith(".")
        # Windows drops a trailing dot or space (a.toml. is a.toml) and opens a device for CON, NUL.toml …
        and not rest.endswith((".", " "))
        and rest.partition(".")[0].rstrip(" ").casefold() not in _WINDOWS_DEVICES
    )


_WINDOWS_DEVICES: Final = frozenset(
    ["con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in "123456789¹²³")]
)


# ---- what the program must have -------------------------------------------------------------------


def _extract(folder: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _load_forms(folder: Path, manifest: PackManifest, source: str) -> list[FormDefinition]:
    forms: list[FormDefinition] = []
    for entry in manifest.of_kind("form"):
        try:
            forms.append(load_form(folder / entry.path))
        except FormError as error:
            raise PackError(source, f"{entry.path}: {error}") from None
    return forms


def _check_program(manifest: PackManifest, forms: list[FormDefinition], source: str) -> None:
    """A pack may only set the parameters of rules this program has (SPEC §2)."""
    have = program_version()
    if version_key(manifest.requires_program) > version_key(have):
        raise PackError(
            source,
            f"この様式パックには Shorei {manifest.requires_program} 以降が必要です（この Shorei は {have}）。"
            "Shorei を更新してから取り込んでください",
        )
    known = rule_set_names()
    for form in forms:
        if form.rule_set not in known:
            raise PackError(
                source,
                f"様式「{form.id}」は規則「{form.rule_set}」を使いますが、この Shorei（{have}）にはありません。"
                "規則を持つより新しい Shorei に更新してから取り込んでください",
            )
        needed = _messages_needed(form.rule_set)
        missing = sorted(needed - form.messages.keys())
        if missing:
            raise PackError(
                source, f"様式「{form.id}」の [messages] に {'、'.join(missing[:5])} の文言がありません"
            )


def _messages_needed(rule_set: str) -> set[str]:
    """The messages every bundled form of that rule set states: the rules may use any of them."""
    sets = [set(form.messages) for form in bundled_forms().all() if form.rule_set == rule_set]
    return set.intersection(*sets) if sets else set()


def _check_vocabulary(folder: Path, manifest: PackManifest, source: str) -> None:
    """A vocabulary travels as TOML like the bundled one (resources/vocabulary); it must at least parse."""
    for entry in manifest.of_kind("vocabulary"):
        try:
            tomllib.loads((folder / entry.path).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise PackError(source, f"{entry.path}: 診断名の語彙（TOML）を読めません: {error}") from None


def _check_facilities(folder: Path, manifest: PackManifest, source: str) -> None:
    from app.models.facility import FacilityListInfo

    manifests = manifest.of_kind("facility-manifest")
    lists = manifest.of_kind("facility-list")
    if not manifests and not lists:
        return
    if len(manifests) != 1 or len(lists) != 1:
        raise PackError(
            source, "施設一覧は facilities/ に manifest.json とデータのファイル一つずつで入れてください"
        )
    if manifest.facility_kind is None:
        raise PackError(source, "施設一覧を含むパックは facility_kind（例: jbct）を書いてください")
    try:
        info = FacilityListInfo.model_validate_json((folder / manifests[0].path).read_bytes())
    except ValidationError as error:
        raise PackError(source, f"施設一覧の目録が正しくありません: {_first(error)}") from None
    if f"{FACILITIES_DIR}/{info.data_file}" != lists[0].path or info.sha256 != lists[0].sha256:
        raise PackError(source, "施設一覧の目録（data_file と sha256）がデータのファイルと一致しません")


# ---- installing -----------------------------------------------------------------------------------


def trusted_publishers(home: Path) -> dict[str, dict[str, str]]:
    """Fingerprint → {publisher, trusted_at} of the pack publishers this data folder trusts."""
    path = packs_folder(home) / PUBLISHERS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(key): dict(value) for key, value in raw.items()} if isinstance(raw, dict) else {}


def _trust(home: Path, manifest: PackManifest, now: dt.datetime) -> None:
    publishers = trusted_publishers(home)
    publishers[manifest.signature.fingerprint] = {
        "publisher": manifest.publisher,
        "trusted_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
    }
    text = json.dumps(publishers, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomically(packs_folder(home) / PUBLISHERS_FILE, text.encode("utf-8"))


def install_pack(
    home: Path,
    path: Path,
    *,
    trust: bool = False,
    trust_fingerprint: str | None = None,
    now: dt.datetime | None = None,
) -> InstallResult:
    """Install the pack in `path` into the data folder `home`: checked whole, then renamed into place
    (nothing half-installed). Refused (PackError) when unsound, when its publisher is not trusted and
    neither `trust` is True nor `trust_fingerprint` is its key (UntrustedPublisherError: the window passes
    the key the user confirmed, so a file replaced after the dialog is not trusted unseen), or when it
    needs a newer program."""
    moment = now or dt.datetime.now(dt.UTC)
    source = str(path)
    pack = read_pack(path)
    manifest = pack.manifest
    publishers = trusted_publishers(home)
    fingerprint = pack.fingerprint
    if fingerprint not in publishers and not trust and fingerprint != trust_fingerprint:
        known_as = next(
            (key for key, value in publishers.items() if value.get("publisher") == manifest.publisher), None
        )
        raise UntrustedPublisherError(source, manifest, known_as)
    root = packs_folder(home)
    root.mkdir(parents=True, exist_ok=True)
    target = root / pack_folder_name(manifest.id, manifest.version)
    if target.exists():
        existing = (target / MANIFEST_NAME).read_bytes() if (target / MANIFEST_NAME).is_file() else b""
        if existing != pack.manifest_bytes:
            raise PackError(
                source,
                f"様式パック {manifest.ref} は別の内容ですでにインストールされています。"
                "版（version）を上げて作り直すか、shorei forms remove で外してから取り込んでください",
            )
    temporary = Path(tempfile.mkdtemp(prefix=".install-", dir=root))
    try:
        _extract(temporary, pack.files)
        forms = _load_forms(temporary, manifest, source)
        _check_program(manifest, forms, source)
        _check_facilities(temporary, manifest, source)
        _check_vocabulary(temporary, manifest, source)
        _check_conflicts(home, manifest, forms, source)
        newly_trusted = fingerprint not in publishers
        if target.exists():
            if newly_trusted:
                _trust(home, manifest, moment)
            return InstallResult(manifest, forms, newly_trusted, unchanged=True, facilities=None)
        (temporary / MANIFEST_NAME).write_bytes(pack.manifest_bytes)
        origin = PackOrigin(
            file_name=path.name,
            installed_at=moment.astimezone(dt.UTC).isoformat(timespec="seconds"),
            manifest_sha256=sha256_hex(pack.manifest_bytes),
        )
        (temporary / ORIGIN_FILE).write_text(origin.model_dump_json(indent=2) + "\n", encoding="utf-8")
        facilities = _import_facilities(home, temporary, manifest, source) if manifest.facility_kind else None
        temporary.rename(target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    if newly_trusted:
        _trust(home, manifest, moment)
    return InstallResult(manifest, forms, newly_trusted, unchanged=False, facilities=facilities)


def _check_conflicts(home: Path, manifest: PackManifest, forms: list[FormDefinition], source: str) -> None:
    bundled = bundled_forms()
    for form in forms:
        if bundled.get(form.id, form.version) is not None:
            raise PackError(
                source, f"様式 {form.id} {form.version} はこの Shorei に含まれています。版を変えてください"
            )
    for other in installed_packs(home):
        if other.manifest is not None and other.manifest.ref == manifest.ref:
            continue  # the same pack installed again
        for form in other.forms:
            if any((form.id, form.version) == (mine.id, mine.version) for mine in forms):
                raise PackError(
                    source,
                    f"様式 {form.id} {form.version} は様式パック {other.ref} にもあります。版を変えてください",
                )


def _import_facilities(home: Path, folder: Path, manifest: PackManifest, source: str) -> ImportResult:
    """The pack's facility list put in use, its manifest recording which pack and key it came from."""
    from app.models.facility import FacilityListInfo
    from app.store.facility_index import info_json
    from app.store.facility_lists import import_facility_list
    from app.store.facility_table import FacilityListError

    facilities = folder / FACILITIES_DIR
    info = FacilityListInfo.model_validate_json((facilities / MANIFEST_NAME).read_bytes())
    origin = (
        f"様式パック {manifest.ref}（発行者 {manifest.publisher}、署名鍵の指紋 {manifest.signature.fingerprint}"
        f"、{manifest.date:%Y-%m-%d}）— {info.source}"
    )
    staged = Path(tempfile.mkdtemp(prefix=".facilities-", dir=folder))
    shutil.copyfile(facilities / info.data_file, staged / info.data_file)
    (staged / MANIFEST_NAME).write_text(
        info_json(info.model_copy(update={"source": origin})), encoding="utf-8"
    )
    assert manifest.facility_kind is not None
    try:
        return import_facility_list(home, staged, kind=manifest.facility_kind)
    except FacilityListError as error:
        raise PackError(source, f"施設一覧を取り込めません: {error}") from None
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def remove_pack(home: Path, ref: str, in_use: Collection[tuple[str, str]]) -> PackManifest:
    """Remove the installed pack `ref` (`id@version` of the pack or of one of its forms); refused while
    an application in `in_use` (form id, version) is drafted under one of its forms."""
    form_id, _, version = ref.partition("@")
    if not version:
        raise PackError(ref, "ID@VERSION の形で指定してください（例: jbct-renewal-2027@2027.1）")
    for pack in installed_packs(home):
        names_pack = pack.manifest is not None and (pack.manifest.id, pack.manifest.version) == (
            form_id,
            version,
        )
        names_form = any((form.id, form.version) == (form_id, version) for form in pack.forms)
        if not (names_pack or names_form or pack.folder.name == ref):
            continue
        used = sorted(
            {f"{form.id} {form.version}" for form in pack.forms if (form.id, form.version) in in_use}
        )
        if used:
            raise PackError(
                ref,
                f"様式 {'、'.join(used)} で作成中の申請があるため外せません。"
                "申請を別の様式に移すか削除してから外してください",
            )
        shutil.rmtree(pack.folder)
        if pack.manifest is None:
            raise PackError(ref, "壊れていた様式パックを外しました")
        return pack.manifest
    if bundled_forms().get(form_id, version) is not None:
        raise PackError(ref, "この様式は Shorei に含まれているため外せません")
    raise PackError(ref, "その様式パックはインストールされていません（shorei forms list で確認できます）")
