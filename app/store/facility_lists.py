"""The facility lists in the data folder: importing a society's list, and which list is in use.

Each imported list is kept in a folder of its own under `<data>/facilities/<kind>/`: the file as it was
imported, its manifest (list id, society, version date, source, SHA-256, sample flag) and its search
index. `active.json` names the list in use and the one before it. An import reads and checks the whole
file, builds everything in a temporary folder, renames it into place and only then rewrites
`active.json` (atomically), so a failed or interrupted import leaves the previous list in use, and the
previous list stays one `revert` away. Until a list is imported, the bundled sample is in use (and says
so: `info.sample`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, overload

from pydantic import ValidationError

from app.atomic import fsync_file, fsync_folder, write_atomically
from app.models.facility import Facility, FacilityList, FacilityListInfo, FacilityLookup
from app.resources import facility_data_path
from app.store.errors import fault_of
from app.store.facility_files import bundled_facility_list
from app.store.facility_table import (
    FacilityListError,
    FacilityListMissingError,
    parse_facility_table,
    read_list_bytes,
)
from app.store.layout import facility_folder
from app.store.lock import FolderLock

if TYPE_CHECKING:
    from collections.abc import Iterator

    from app.models.forms import FormDefinition
    from app.store.facility_index import FacilityIndex

DEFAULT_KIND: Final = "jbct"
"""The list the JBCT form uses (`[facility] list_kind` in the form data)."""
_POINTER: Final = "active.json"
_INDEX: Final = "index.sqlite"
_MANIFEST: Final = "manifest.json"
_SAMPLE_SUFFIX: Final = "（サンプル）"


@dataclass(frozen=True)
class FacilityListStatus:
    """Which list of a kind is in use, and the one an import replaced (to go back to)."""

    kind: str
    active: FacilityListInfo
    previous: FacilityListInfo | None
    imported: bool
    count: int


@dataclass(frozen=True)
class ImportResult:
    """What `import_facility_list` put in use, and what it replaced."""

    info: FacilityListInfo
    count: int
    previous: FacilityListInfo | None
    unchanged: bool
    """True when that very file was already the list in use (nothing was changed)."""


def _kind_folder(home: Path, kind: str) -> Path:
    if not kind or not kind.replace("-", "").isalnum() or not kind.isascii():
        raise FacilityListError(f"施設一覧の種類「{kind}」は使えません（英数字とハイフンで指定してください）")
    return facility_folder(home) / kind


def _read_pointer(folder: Path) -> dict[str, str | None]:
    path = folder / _POINTER
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FacilityListError(
            f"{path}: 使用中の施設一覧の記録を読めません（{error}）。施設一覧を取り込み直してください"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("active"), str):
        raise FacilityListError(
            f"{path}: 使用中の施設一覧の記録が壊れています。施設一覧を取り込み直してください"
        )
    previous = data.get("previous")
    return {"active": data["active"], "previous": previous if isinstance(previous, str) else None}


def _write_text(path: Path, text: str) -> None:
    write_atomically(path, text.encode("utf-8"))


def _read_manifest(folder: Path) -> FacilityListInfo:
    path = folder / _MANIFEST
    try:
        return FacilityListInfo.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as error:
        raise FacilityListError(f"{path}: 施設一覧の目録を読めません（{type(error).__name__}）") from None


def _sample_info(kind: str) -> FacilityListInfo | None:
    path = facility_data_path(f"{kind}-sample", _MANIFEST)
    try:
        return FacilityListInfo.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


# ---- the list in use ------------------------------------------------------------------------------


def active_facility_list(home: Path, kind: str = DEFAULT_KIND) -> FacilityIndex:
    """The list of `kind` in use: the imported one, or else the bundled sample. It is a
    `FacilityLookup` for validation and has `search` for the window. Close it when done."""
    folder = _kind_folder(home, kind)
    pointer = _read_pointer(folder)
    active = pointer.get("active")
    if active is None:
        from app.store.facility_index import FacilityIndex  # sqlite3: only where a search index is needed

        sample = _bundled_sample(kind)
        return FacilityIndex.build(sample.info, sample.facilities)
    return _open_list(folder / active)


def active_facility_lookup(home: Path, kind: str = DEFAULT_KIND) -> FacilityLookup:
    """The list of `kind` in use, for checking only (`shorei validate`, `export`): the bundled sample as
    read, with no search index built for it, or the imported list's index (close it when done)."""
    if _read_pointer(_kind_folder(home, kind)).get("active") is None:
        return _bundled_sample(kind)
    return active_facility_list(home, kind)


@overload
def facilities_for(home: Path, form: FormDefinition | str) -> FacilityIndex: ...
@overload
def facilities_for(home: Path, form: FormDefinition | str, *, search: Literal[False]) -> FacilityLookup: ...
def facilities_for(home: Path, form: FormDefinition | str, *, search: bool = True) -> FacilityLookup:
    """The facility list for this form: the one its rules check against (JB-4, JS-3) and its picker
    searches, i.e. the list in use (imported, or else the bundled sample) of the kind the form names
    (`[facility] list_kind`; given as that kind where only it is known, as for a form pack). The window,
    the CLI and the approval commands all ask here. `search=False` is for checking only (`shorei
    validate`): the bundled sample then needs no search index. A missing list raises
    `FacilityListMissingError` (a `FacilityListError`); close what is returned when done (the bundled
    sample read as is has nothing to close)."""
    kind = form if isinstance(form, str) else form.facility.list_kind
    return active_facility_list(home, kind) if search else active_facility_lookup(home, kind)


def _bundled_sample(kind: str) -> FacilityList:
    try:
        return bundled_facility_list(f"{kind}-sample")
    except FacilityListError:
        raise FacilityListMissingError(
            f"施設一覧（{kind}）がありません。学会が公開している一覧を取り込んでください"
        ) from None


def _open_list(folder: Path) -> FacilityIndex:
    from app.store.facility_index import FacilityIndex, FacilityIndexError

    info = _read_manifest(folder)
    try:
        index = FacilityIndex.open(folder / _INDEX)
        if index.info == info:
            return index
        index.close()
    except FacilityIndexError:
        pass
    # The index is missing, broken, or from another version: the list itself is the truth.
    return FacilityIndex.build(info, _read_data(folder, info))


def _read_data(folder: Path, info: FacilityListInfo) -> list[Facility]:
    path = folder / info.data_file
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FacilityListError(
            f"{path}: 施設一覧を読めません（{error.strerror}）。施設一覧を取り込み直してください"
        ) from None
    if hashlib.sha256(data).hexdigest() != info.sha256:
        raise FacilityListError(
            f"{path}: 施設一覧が目録の SHA-256 と一致しません（ファイルが変更されています）。取り込み直してください"
        )
    return parse_facility_table(data, source=str(path))


def facility_list_status(home: Path, kind: str = DEFAULT_KIND) -> FacilityListStatus:
    """What the window shows about the list: which, how many, imported or the sample, and the previous."""
    folder = _kind_folder(home, kind)
    pointer = _read_pointer(folder)
    previous_name = pointer.get("previous")
    previous = None
    if previous_name is not None:
        with contextlib.suppress(FacilityListError):
            previous = _read_manifest(folder / previous_name)
    with active_facility_list(home, kind) as index:
        return FacilityListStatus(kind, index.info, previous, "active" in pointer, len(index))


def revert_facility_list(home: Path, kind: str = DEFAULT_KIND) -> FacilityListInfo:
    """Go back to the list an import replaced (the replaced one becomes the previous in turn)."""
    folder = _kind_folder(home, kind)
    with _import_lock(folder):
        pointer = _read_pointer(folder)
        previous = pointer.get("previous")
        if previous is None or not (folder / previous).is_dir():
            raise FacilityListError("元に戻せる以前の施設一覧がありません")
        info = _read_manifest(folder / previous)
        _write_text(folder / _POINTER, json.dumps({"active": previous, "previous": pointer["active"]}) + "\n")
    return info


@contextlib.contextmanager
def _import_lock(folder: Path) -> Iterator[None]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FolderLock(folder / ".import.lock")
        acquired = lock.try_acquire()
    except OSError as error:
        raise _write_failure(folder, error) from None
    if not acquired:
        raise FacilityListError("別の施設一覧の取り込みが実行中です。終わってからやり直してください")
    try:
        yield
    except (OSError, sqlite3.Error) as error:
        raise _write_failure(folder, error) from None
    finally:
        lock.release()


def _write_failure(folder: Path, error: OSError | sqlite3.Error) -> FacilityListError:
    """A full or failing disk while importing: one line, and the list in use is unchanged (the new one is
    put in use by one atomic rename of the pointer, the last step)."""
    if fault_of(error) == "full":
        problem = "ディスクの空き容量が足りません"
    else:
        problem = f"書き込めません（{getattr(error, 'strerror', None) or error}）"
    return FacilityListError(
        f"{folder}: {problem}。使用中の施設一覧は変わっていません。空き容量を確かめてから、もう一度取り込んでください"
    )


# ---- importing ------------------------------------------------------------------------------------


def import_facility_list(
    home: Path,
    path: Path,
    *,
    kind: str = DEFAULT_KIND,
    society: str | None = None,
    name: str | None = None,
    version_date: dt.date | None = None,
    source: str | None = None,
    today: dt.date | None = None,
    fts: bool | None = None,
) -> ImportResult:
    """Check the whole list in `path` (CSV or XLSX, or a folder / manifest.json with its data file) and
    put it in use, keeping the list it replaces. Raises FacilityListError, changing nothing, on any
    problem. Names not given come from the bundled sample's manifest of the same kind."""
    folder = _kind_folder(home, kind)
    day = today or dt.date.today()
    data, data_name, facilities, manifest = _read_import(path)
    digest = hashlib.sha256(data).hexdigest()
    if manifest is not None:
        info = manifest.model_copy(update={"data_file": data_name})
    else:
        sample = _sample_info(kind)
        society_name = society or (sample.society if sample is not None else None)
        if not society_name:
            raise FacilityListError(f"{path}: 学会名を指定してください（--society）")
        list_name = name or (
            sample.name.replace(_SAMPLE_SUFFIX, "") if sample is not None else f"{kind} 施設一覧"
        )
        info = FacilityListInfo(
            list_id=kind,
            society=society_name,
            name=list_name,
            version_date=version_date or day,
            source=source or f"{path.name} を {day:%Y-%m-%d} に取り込み",
            sha256=digest,
            sample=False,
            data_file=data_name,
        )
    with _import_lock(folder):
        pointer = _read_pointer(folder)
        current = pointer.get("active")
        previous_info = (
            _read_manifest(folder / current) if current is not None and (folder / current).is_dir() else None
        )
        target_name = f"{info.version_date:%Y%m%d}-{digest[:12]}"
        if current == target_name and previous_info is not None and previous_info.sha256 == digest:
            return ImportResult(previous_info, len(facilities), None, unchanged=True)
        target = folder / target_name
        if not target.is_dir():
            _build_folder(folder, target, info, data, facilities, fts=fts)
        else:
            info = _read_manifest(target)
        replaced = current if current != target_name else pointer.get("previous")
        _write_text(folder / _POINTER, json.dumps({"active": target_name, "previous": replaced}) + "\n")
        _prune(folder, keep={target_name, *([replaced] if replaced else [])})
    previous = None
    if replaced is not None:
        with contextlib.suppress(FacilityListError):
            previous = _read_manifest(folder / replaced)
    return ImportResult(info, len(facilities), previous, unchanged=False)


def _read_import(path: Path) -> tuple[bytes, str, list[Facility], FacilityListInfo | None]:
    """The data, its stored file name, the facilities, and the manifest when one came with it."""
    manifest_path = path / _MANIFEST if path.is_dir() else path if path.name == _MANIFEST else None
    if manifest_path is None:
        data = read_list_bytes(path)
        facilities = parse_facility_table(data, source=str(path))
        suffix = ".xlsx" if data.startswith(b"PK\x03\x04") else ".csv"
        return data, f"source{suffix}", facilities, None
    manifest = _read_manifest(manifest_path.parent)
    data_path = manifest_path.parent / manifest.data_file
    data = read_list_bytes(data_path)
    if hashlib.sha256(data).hexdigest() != manifest.sha256:
        raise FacilityListError(f"{data_path}: 目録の SHA-256 と一致しません（ファイルが変更されています）")
    facilities = parse_facility_table(data, source=str(data_path))
    return data, Path(manifest.data_file).name, facilities, manifest


def _build_folder(
    folder: Path,
    target: Path,
    info: FacilityListInfo,
    data: bytes,
    facilities: list[Facility],
    *,
    fts: bool | None,
) -> None:
    from app.store.facility_index import FacilityIndex, info_json

    temporary = Path(tempfile.mkdtemp(prefix=".import-", dir=folder))
    try:
        (temporary / info.data_file).write_bytes(data)
        (temporary / _MANIFEST).write_text(info_json(info), encoding="utf-8")
        FacilityIndex.build(info, facilities, temporary / _INDEX, fts=fts).close()
        for child in temporary.iterdir():
            fsync_file(child)
        temporary.replace(target)
        fsync_folder(folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove leftovers of interrupted imports. Every imported list is kept (they are small), so that a
    package signed against any of them still verifies (`known_facility_lists`, issue 15 item 7)."""
    for child in folder.iterdir():
        if child.is_dir() and child.name not in keep and child.name.startswith(".import-"):
            # A leftover another Shorei still has open (Windows) goes at the next import.
            shutil.rmtree(child, ignore_errors=True)


def known_facility_lists(home: Path) -> list[FacilityListInfo]:
    """Every list this installation knows: the bundled samples and each list ever imported (kept on
    disk), so `verify` accepts a package made before a newer list replaced the one it names."""
    known: list[FacilityListInfo] = []
    for manifest in sorted(facility_data_path().glob(f"*/{_MANIFEST}")):
        with contextlib.suppress(OSError, ValidationError):
            known.append(FacilityListInfo.model_validate_json(manifest.read_bytes()))
    for manifest in sorted(facility_folder(home).glob(f"*/*/{_MANIFEST}")):
        with contextlib.suppress(FacilityListError):
            known.append(_read_manifest(manifest.parent))
    return known
