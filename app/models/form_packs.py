"""Form packs (`.shoreipack`) as installed in the data folder, and the forms a data folder offers.

A pack is a signed zip made for next year's form without a new program (SPEC §2, docs/forms.md): its
`manifest.json` names the pack (id, version, publisher, date, the program version it needs) and every
file it holds with its SHA-256; the forms are TOML files as under `resources/forms/`. Signing, reading
a zip and installing are in app.export.form_packs; here is only what every command needs to find the
installed forms: `forms_for(home)` is the bundled forms plus the packs installed in `home`, each file
checked against its manifest's SHA-256 on every read (the signature was checked when it was installed).
A pack's forms read the pack's diagnosis vocabulary when it carries one (`vocabulary/`, each file it lacks
taken from the program's), otherwise the program's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from app.models.approval import SignatureBlock
from app.models.forms import FormDefinition, FormError, FormRegistry, bundled_forms, load_form
from app.models.vocabulary import VOCABULARY_FILES, VocabularySource
from app.models.yearmonth import Date
from app.resources import resource_path

if TYPE_CHECKING:
    from pathlib import Path

PACK_FORMAT: Final = "shorei/form-pack@1"
PACK_SUFFIX: Final = ".shoreipack"
MANIFEST_NAME: Final = "manifest.json"
PACKS_FOLDER: Final = "form-packs"
"""Under the data folder: one folder per installed pack (`<id>@<version>`), and the trusted publishers."""
PUBLISHERS_FILE: Final = "publishers.json"
ORIGIN_FILE: Final = "origin.json"
FORMS_DIR: Final = "forms"
FACILITIES_DIR: Final = "facilities"
VOCABULARY_DIR: Final = "vocabulary"

PackId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
PackVersion = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$")]
ProgramVersion = Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+){0,3}$")]
MemberPath = Annotated[
    str, StringConstraints(pattern=r"^(forms|facilities|vocabulary)/[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
]
"""Where a file may sit in a pack: one of three folders, a plain name (no `..`, no drive, no backslash)."""

FileKind = Literal["form", "form-part", "facility-list", "facility-manifest", "vocabulary"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class PackFile(_Frozen):
    """One file of a pack: where it is, what it is, its size and SHA-256."""

    path: MemberPath
    kind: FileKind
    size: int = Field(ge=0)
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class PackManifest(_Frozen):
    """`manifest.json` of a pack, signed with Ed25519 over its RFC 8785 form (docs/signing.md)."""

    format: Literal["shorei/form-pack@1"]
    id: PackId
    version: PackVersion
    publisher: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    date: Date
    requires_program: ProgramVersion = "0.1.0"
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    facility_kind: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")] | None = None
    files: list[PackFile] = Field(min_length=1, max_length=200)
    signature: SignatureBlock

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def of_kind(self, *kinds: FileKind) -> list[PackFile]:
        return [entry for entry in self.files if entry.kind in kinds]


class PackOrigin(_Frozen):
    """Where an installed pack came from: the file's name and when it was installed (recorded, shown)."""

    file_name: str
    installed_at: str
    manifest_sha256: str


def packs_folder(home: Path) -> Path:
    return home / PACKS_FOLDER


def pack_folder_name(pack_id: str, version: str) -> str:
    return f"{pack_id}@{version}"


@dataclass
class InstalledPack:
    """A pack as found in the data folder: its manifest, origin, forms, and a problem when it is damaged."""

    folder: Path
    manifest: PackManifest | None
    origin: PackOrigin | None
    forms: list[FormDefinition] = field(default_factory=list)
    problem: str | None = None

    @property
    def ref(self) -> str:
        return self.manifest.ref if self.manifest is not None else self.folder.name


def _check_files(folder: Path, manifest: PackManifest) -> str | None:
    for entry in manifest.files:
        path = folder / entry.path
        try:
            data = path.read_bytes()
        except OSError:
            return f"{entry.path} がありません"
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            return f"{entry.path} が取り込んだ後に変更されています（SHA-256 が目録と違います）"
    return None


def read_installed_pack(folder: Path) -> InstalledPack:
    """The pack installed in `folder`, its files checked against the manifest (never raises)."""
    try:
        manifest = PackManifest.model_validate(json.loads((folder / MANIFEST_NAME).read_bytes()))
    except (OSError, ValueError, ValidationError):
        return InstalledPack(folder, None, None, problem="目録（manifest.json）が読めません")
    origin: PackOrigin | None
    try:
        origin = PackOrigin.model_validate(json.loads((folder / ORIGIN_FILE).read_bytes()))
    except (OSError, ValueError, ValidationError):
        origin = None
    problem = _check_files(folder, manifest)
    if problem is not None:
        return InstalledPack(folder, manifest, origin, problem=problem + "。取り込み直してください")
    vocabulary = pack_vocabulary(folder, manifest)
    forms: list[FormDefinition] = []
    try:
        for entry in manifest.of_kind("form"):
            forms.append(load_form(folder / entry.path).with_vocabulary(vocabulary))
    except FormError as error:
        return InstalledPack(folder, manifest, origin, problem=str(error))
    return InstalledPack(folder, manifest, origin, forms)


def pack_vocabulary(folder: Path, manifest: PackManifest) -> VocabularySource | None:
    """Where the forms of the pack in `folder` read their diagnosis vocabulary: the pack's `vocabulary/`
    first, the program's for the files it does not carry; None (the program's) when it carries none."""
    if not manifest.of_kind("vocabulary"):
        return None
    return VocabularySource((folder / VOCABULARY_DIR, resource_path("vocabulary")))


def unknown_vocabulary_files(manifest: PackManifest) -> list[str]:
    """The pack's vocabulary files that are not one of the vocabulary's three (they would never be read)."""
    return [
        entry.path
        for entry in manifest.of_kind("vocabulary")
        if entry.path.removeprefix(f"{VOCABULARY_DIR}/") not in VOCABULARY_FILES
    ]


def installed_packs(home: Path) -> list[InstalledPack]:
    """Every pack installed in the data folder `home`, sorted by id and version (damaged ones included)."""
    root = packs_folder(home)
    if not root.is_dir():
        return []
    folders = sorted(path for path in root.iterdir() if path.is_dir() and "@" in path.name)
    return [read_installed_pack(folder) for folder in folders]


def forms_for(home: Path) -> FormRegistry:
    """The forms a data folder offers: those bundled with the program, then the installed packs' forms
    (a damaged pack is left out; `shorei forms list` says why). Use this wherever documents are read."""
    bundled = bundled_forms()
    packs = installed_packs(home)
    if not packs:
        return bundled
    forms = bundled.all()
    taken = {(form.id, form.version) for form in forms}
    for pack in packs:
        for form in pack.forms:
            if (form.id, form.version) not in taken:
                taken.add((form.id, form.version))
                forms.append(form)
    return FormRegistry(forms, origins=_origins(packs))


def _origins(packs: list[InstalledPack]) -> dict[tuple[str, str], str]:
    return {
        (form.id, form.version): pack.ref for pack in packs if pack.problem is None for form in pack.forms
    }


def form_not_installed(form_id: str, version: str, what: str) -> str:
    """Why `what` (an earlier state, an undo) cannot come back: its form is no longer installed (its pack
    was removed), and how to bring it back. The state itself stays in the history."""
    return (
        f"{what}は様式 {form_id} {version} で作られていますが、その様式は今インストールされていません"
        "（様式パックが外されています）。その様式の様式パック（.shoreipack）を取り込み直してから戻してください"
        "（ファイル → 様式パックを取り込む… または shorei forms install）"
    )
