"""Export one application: the seal-ready PDF and the signed package (SPEC §6, §7), or a watermarked draft.

The window and `shorei export` both call `plan_export` (what would be written, where, and why not) and
`export_application` (write it). An application with errors is refused unless a draft is asked for; a
draft is a PDF only, marked 「下書き」, and never has a package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from app.atomic import write_atomically
from app.export.file_names import safe_stem
from app.export.fonts import FontMissingError
from app.export.keys import KeyFileError, SigningKey, load_or_create_signing_key
from app.export.package import prepare_package, sign_package
from app.export.pdf import PackageMark, SheetMarks, render_sheets, used_section_indexes
from app.export.pdf_reports import render_case_reports
from app.export.verify import approvals_problem
from app.validation import Issue, validate

if TYPE_CHECKING:
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
    return ExportPlan(draft, folder, pdf_path, package_path, sections, found)


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
) -> ExportResult:
    """Write the PDF (and, unless `draft`, the signed package) into `folder`.

    Raises ExportRefusedError when the application has errors and `draft` is False, ExportError when a file
    or the signing key cannot be written or read. The signing key is `key`, or the installation's key in
    `key_folder` (default: the data folder), made on first use; a draft needs no key.
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

    if draft:
        pdf = render(application, form, plan.issues, SheetMarks(None, len(plan.errors)))
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
    created = now if now is not None else dt.datetime.now(dt.UTC)
    prepared = prepare_package(application, form, facilities.info, plan.issues, created=created)
    marks = SheetMarks(
        PackageMark(prepared.short_hash, prepared.qr_payload, signing_key.fingerprint, created)
    )
    pdf = render(application, form, plan.issues, marks)
    package = sign_package(prepared, pdf_name=plan.pdf_path.name, pdf_bytes=pdf, key=signing_key)
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
    )
