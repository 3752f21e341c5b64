"""Export one application: the seal-ready PDF and the signed package (SPEC §6, §7), or a watermarked draft.

The window and `shorei export` both call `plan_export` (what would be written, where, and why not) and
`export_application` (write it). An application with errors is refused unless a draft is asked for; a
draft is a PDF only, marked 「下書き」, and never has a package.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from app.atomic import write_atomically
from app.export.fonts import FontMissingError
from app.export.package import PreparedPackage, prepare_package, short_hash, sign_package
from app.export.pdf.page import PackageMark, SheetMarks
from app.export.pdf.reports import render_case_reports
from app.export.pdf.sheets import render_sheets, used_section_indexes
from app.export.verify import approvals_problem
from app.file_names import safe_stem
from app.signing.keys import KeyFileError, SigningKey, load_or_create_signing_key
from app.validation import Issue, validate

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from app.models.application import Application
    from app.models.facility import FacilityLookup
    from app.models.forms import FormDefinition

PDF_SUFFIX: Final = ".pdf"
DRAFT_PDF_SUFFIX: Final = "-draft.pdf"
PACKAGE_SUFFIX: Final = ".package.json"


class ExportRefusedError(Exception):
    """The application has errors, so only a draft may be printed. `errors` lists them."""

    def __init__(self, errors: list[Issue]) -> None:
        super().__init__(
            f"エラーが{len(errors)}件あるため、提出用のPDFとアップロード用ファイルは作成できません。"
            "エラーを直すか、下書きとして印刷してください"
        )
        self.errors = errors


class ExportError(Exception):
    """The files could not be written (folder, disk, signing key). `str()` is one Japanese line."""


class ExportCancelledError(ExportError):
    """The caller's `on_earlier` declined to set an earlier pair aside: nothing was written."""


MAX_EARLIER_PACKAGE_BYTES: Final = 20 * 1024 * 1024


@dataclass(frozen=True)
class EarlierExport:
    """Files already at an export's paths that belong to other content (another 照合コード): a sheet
    stamped from them would be orphaned if they were replaced, so the export keeps them under names that
    carry their code (`kept_pdf`, `kept_package`) before it writes the new pair (SPEC §6)."""

    code: str
    """The earlier 照合コード, or 「不明」 when the earlier package cannot be read."""
    pdf_path: Path | None
    package_path: Path | None
    kept_pdf: Path | None
    kept_package: Path | None

    def describe(self) -> str:
        kept = "、".join(path.name for path in (self.kept_pdf, self.kept_package) if path is not None)
        return f"以前に作成したファイル（照合コード {self.code}、内容が異なる）は {kept} として残します。"


@dataclass(frozen=True)
class SectionSummary:
    label: str
    facility: str
    cases: int


@dataclass(frozen=True)
class ExportPlan:
    """What an export would write and where, for the window to show before it writes anything."""

    draft: bool
    folder: Path
    pdf_path: Path
    package_path: Path | None
    sections: list[SectionSummary]
    issues: list[Issue]
    case_reports: bool = False
    earlier: EarlierExport | None = None
    """An earlier pair with other content at these paths, which the export will keep renamed."""

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.is_error]

    @property
    def refused(self) -> bool:
        """True when the application has errors and a final export (not a draft) was asked for."""
        return not self.draft and bool(self.errors)

    def describe(self) -> list[str]:
        """The plan in Japanese, one line each, for a confirmation dialog."""
        if self.refused:
            return [
                f"エラーが{len(self.errors)}件あるため作成できません（下書きの印刷はできます）。",
                *(issue.message for issue in self.errors),
            ]
        lines = [f"保存先: {self.folder}"]
        if self.draft:
            lines.append(f"印刷用PDF（下書き・押印不可）: {self.pdf_path.name}")
        elif self.case_reports:
            lines.append(f"印刷用PDF（症例ごとに署名・捺印）: {self.pdf_path.name}")
        else:
            lines.append(f"印刷用PDF（施設ごとに押印）: {self.pdf_path.name}")
            assert self.package_path is not None
            lines.append(f"アップロード用ファイル（署名付き）: {self.package_path.name}")
        lines += [f"{s.label}: {s.facility}　{s.cases}件" for s in self.sections]
        if self.earlier is not None:
            lines.append(self.earlier.describe())
        accepted = sum(1 for issue in self.issues if not issue.is_error and issue.accepted)
        open_warnings = sum(1 for issue in self.issues if not issue.is_error and not issue.accepted)
        if accepted:
            lines.append(f"理由を記録した警告 {accepted}件は注記として印刷されます。")
        if open_warnings:
            lines.append(f"理由が記録されていない警告が{open_warnings}件あります。")
        return lines


@dataclass(frozen=True)
class ExportResult:
    """What was written. `package_path`, `package_hash` and `fingerprint` are None for a draft."""

    draft: bool
    pdf_path: Path
    package_path: Path | None
    package_hash: str | None
    short_hash: str | None
    fingerprint: str | None
    earlier: EarlierExport | None = None
    """The earlier pair with other content that was kept renamed (None when there was none)."""

    @property
    def folder(self) -> Path:
        return self.pdf_path.parent


def _paths(folder: Path, stem: str, draft: bool) -> tuple[Path, Path | None]:
    if draft:
        return folder / f"{stem}{DRAFT_PDF_SUFFIX}", None
    return folder / f"{stem}{PDF_SUFFIX}", folder / f"{stem}{PACKAGE_SUFFIX}"


def plan_export(
    application: Application,
    form: FormDefinition,
    facilities: FacilityLookup,
    folder: Path,
    *,
    stem: str,
    draft: bool = False,
    issues: list[Issue] | None = None,
) -> ExportPlan:
    """What `export_application` would do with the same arguments. `issues` saves a second validation when
    the caller already has them (the window does)."""
    found = validate(application, form, facilities) if issues is None else issues
    pdf_path, package_path = _paths(folder, safe_stem(stem), draft)
    if form.layout == "case-reports":
        return ExportPlan(
            draft,
            folder,
            pdf_path,
            package_path,
            _report_summaries(application, form),
            found,
            case_reports=True,
        )
    sections = []
    for index in used_section_indexes(application):
        section = application.sections[index] if index < len(application.sections) else None
        facility = section.facility if section is not None else None
        name = "（施設未入力）" if facility is None or facility.is_empty() else facility.name
        cases = len(section.filled_cases()) if section is not None else 0
        sections.append(SectionSummary(form.section_label(index), name, cases))
    plan = ExportPlan(draft, folder, pdf_path, package_path, sections, found)
    return _with_earlier(plan, application, form, facilities)


def _with_earlier(
    plan: ExportPlan, application: Application, form: FormDefinition, facilities: FacilityLookup
) -> ExportPlan:
    if plan.draft or plan.refused or plan.package_path is None:
        return plan
    prepared = prepare_package(application, form, facilities.info, plan.issues, created=_EPOCH)
    earlier = earlier_export(plan.pdf_path, plan.package_path, prepared.content_sha256)
    return dataclasses.replace(plan, earlier=earlier)


_EPOCH: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _earlier_hash(package_path: Path) -> str | None:
    """The package hash an existing package file states, or None when it cannot be read as one."""
    try:
        with package_path.open("rb") as file:
            data = file.read(MAX_EARLIER_PACKAGE_BYTES + 1)
        value = json.loads(data) if len(data) <= MAX_EARLIER_PACKAGE_BYTES else None
    except (OSError, ValueError):
        return None
    found = value.get("content_sha256") if isinstance(value, dict) else None
    if isinstance(found, str) and len(found) == 64 and all(c in "0123456789abcdef" for c in found):
        return found
    return None


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def earlier_export(pdf_path: Path, package_path: Path, package_hash: str) -> EarlierExport | None:
    """The pair at `pdf_path`/`package_path` when it exists and holds other content than `package_hash`
    (with the names it will be kept under), or None when there is nothing to keep."""
    pdf = pdf_path if pdf_path.exists() else None
    package = package_path if package_path.exists() else None
    if pdf is None and package is None:
        return None
    found = _earlier_hash(package) if package is not None else None
    if found == package_hash:
        return None
    code = short_hash(found) if found is not None else "不明"
    stem = package_path.name.removesuffix(PACKAGE_SUFFIX)
    tag = f"{stem}-{short_hash(found)}" if found is not None else f"{stem}-以前"
    folder = package_path.parent
    return EarlierExport(
        code,
        pdf,
        package,
        _free_name(folder, tag, PDF_SUFFIX) if pdf is not None else None,
        _free_name(folder, tag, PACKAGE_SUFFIX) if package is not None else None,
    )


def _keep_earlier(earlier: EarlierExport) -> None:
    for source, target in (
        (earlier.pdf_path, earlier.kept_pdf),
        (earlier.package_path, earlier.kept_package),
    ):
        if source is None or target is None:
            continue
        try:
            source.replace(target)
        except OSError as error:
            raise ExportError(
                f"{source}: 以前に作成したファイルを {target.name} として残せないため、作成しません"
                f"（{error.strerror}）。フォルダの書き込み権限を確かめてください"
            ) from None


def _report_summaries(application: Application, form: FormDefinition) -> list[SectionSummary]:
    """The cases of a case-report form by 診療施設, in the order they first appear."""
    counts: dict[str, int] = {}
    for report in application.reports:
        if report.is_blank():
            continue
        name = (
            report.facility.name if report.facility is not None and report.facility.name else "（施設未入力）"
        )
        counts[name] = counts.get(name, 0) + 1
    return [SectionSummary(form.facility.label, name, cases) for name, cases in counts.items()]


def _prepare_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder}: フォルダではありません。保存先にはフォルダを指定してください")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"{folder}: 保存先のフォルダを作成できません（{error.strerror}）") from None


def export_application(
    application: Application,
    form: FormDefinition,
    facilities: FacilityLookup,
    folder: Path,
    *,
    stem: str,
    draft: bool = False,
    key: SigningKey | None = None,
    key_folder: Path | None = None,
    now: dt.datetime | None = None,
    on_earlier: Callable[[EarlierExport], bool] | None = None,
) -> ExportResult:
    """Write the PDF (and, unless `draft`, the signed package) into `folder`.

    Raises ExportRefusedError when the application has errors and `draft` is False, ExportError when a file
    or the signing key cannot be written or read. The signing key is `key`, or the installation's key in
    `key_folder` (default: the data folder), made on first use; a draft needs no key.

    The same application gives the same package content and 照合コード on every export. When the paths
    already hold a pair with other content, that pair is kept under names carrying its code (see
    `EarlierExport`, in `ExportResult.earlier`) — after `on_earlier` agrees, when given; its False raises
    ExportCancelledError and writes nothing. A pair with the same code is replaced.
    """
    plan = plan_export(application, form, facilities, folder, stem=stem, draft=draft)
    if plan.refused:
        raise ExportRefusedError(plan.errors)
    _prepare_folder(folder)
    layout_render = render_case_reports if form.layout == "case-reports" else render_sheets

    def render(
        application: Application, form: FormDefinition, issues: list[Issue], marks: SheetMarks
    ) -> bytes:
        try:
            return layout_render(application, form, issues, marks)
        except FontMissingError as error:
            raise ExportError(str(error)) from None

    created = now if now is not None else dt.datetime.now(dt.UTC)
    if draft:
        pdf = render(application, form, plan.issues, SheetMarks(None, len(plan.errors), created))
        try:
            write_atomically(plan.pdf_path, pdf)
        except OSError as error:
            raise ExportError(f"{plan.pdf_path}: 書き込めません（{error.strerror}）") from None
        return ExportResult(True, plan.pdf_path, None, None, None, None)

    assert plan.package_path is not None
    try:
        signing_key = key if key is not None else load_or_create_signing_key(key_folder)
    except KeyFileError as error:
        raise ExportError(str(error)) from None
    # What verify will check of the approvals, checked before anything is signed (a document edited by
    # hand can hold an approval without its statement, or one given to another applicant).
    if isinstance(problem := approvals_problem(application, form, signer=signing_key.fingerprint), str):
        raise ExportError(f"指導者の承認を確認できないため作成しません — {problem}")
    prepared = prepare_package(application, form, facilities.info, plan.issues, created=created)
    earlier = earlier_export(plan.pdf_path, plan.package_path, prepared.content_sha256)
    if earlier is not None and on_earlier is not None and not on_earlier(earlier):
        raise ExportCancelledError(
            f"{plan.package_path}: 以前に作成したファイル（照合コード {earlier.code}）があるため、作成を中止しました"
        )
    marks = SheetMarks(package_mark(prepared, signing_key, created, plan.pdf_path, plan.package_path))
    pdf = render(application, form, plan.issues, marks)
    package = sign_package(prepared, pdf_name=plan.pdf_path.name, pdf_bytes=pdf, key=signing_key)
    if earlier is not None:
        _keep_earlier(earlier)
    for path, data in ((plan.pdf_path, pdf), (plan.package_path, package)):
        try:
            write_atomically(path, data)
        except OSError as error:
            raise ExportError(f"{path}: 書き込めません（{error.strerror}）") from None
    return ExportResult(
        False,
        plan.pdf_path,
        plan.package_path,
        prepared.content_sha256,
        prepared.short_hash,
        signing_key.fingerprint,
        earlier,
    )


def package_mark(
    prepared: PreparedPackage, key: SigningKey, created: dt.datetime, pdf_path: Path, package_path: Path
) -> PackageMark:
    """What every page prints of the package: code, full hash, QR payload, key and the files' names."""
    return PackageMark(
        prepared.short_hash,
        prepared.qr_payload,
        key.fingerprint,
        created,
        prepared.content_sha256,
        pdf_path.name,
        package_path.name,
    )
