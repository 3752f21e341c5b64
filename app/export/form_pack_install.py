"""Installing and removing form packs (`.shoreipack`, docs/forms.md) in a data folder.

Installing checks the pack whole (app.export.form_packs reads it as hostile input), then renames it into
`<data folder>/form-packs/<id>@<version>/` with where it came from. The publisher's key is trusted on
first use, as with a 指導者's key: an unknown fingerprint is refused unless the user confirms it
(`--trust`, or the window's dialog).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.atomic import write_atomically
from app.export.form_packs import (
    PackError,
    UntrustedPublisherError,
    read_pack,
    unpack_and_check,
)
from app.models.canonical import sha256_hex
from app.models.form_packs import (
    FACILITIES_DIR,
    MANIFEST_NAME,
    ORIGIN_FILE,
    PUBLISHERS_FILE,
    InstalledPack,
    PackManifest,
    PackOrigin,
    installed_packs,
    pack_folder_name,
    packs_folder,
)
from app.models.forms import FormDefinition, bundled_forms

if TYPE_CHECKING:
    from collections.abc import Collection

    from app.store.facility_lists import ImportResult


@dataclass(frozen=True)
class InstallResult:
    """What `install_pack` did."""

    manifest: PackManifest
    forms: list[FormDefinition]
    newly_trusted: bool
    unchanged: bool
    facilities: ImportResult | None


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
        forms = unpack_and_check(temporary, pack.files, manifest, source)
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


def remove_pack(home: Path, ref: str, in_use: Collection[tuple[str, str]]) -> InstalledPack:
    """Remove the installed pack `ref` (`id@version` of the pack or of one of its forms); refused while
    an application in `in_use` (form id, version) is drafted under one of its forms. An earlier state of
    an application under one of them stays in its history; bringing it back (undo, 変更履歴) is refused,
    saying to install the pack again (`Store.restore`). Returns the pack as it was."""
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
        return pack
    if bundled_forms().get(form_id, version) is not None:
        raise PackError(ref, "この様式は Shorei に含まれているため外せません")
    raise PackError(ref, "その様式パックはインストールされていません（shorei forms list で確認できます）")
