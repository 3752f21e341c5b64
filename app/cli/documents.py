"""What the commands share, and the two that only read or make a document (`validate`, `new`): the exit
codes, the application document read with its form and the active facility list, and the printing of
issues and of files that cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.application import Application
    from app.models.facility import FacilityLookup
    from app.models.forms import FormDefinition
    from app.validation import Issue


EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2


class RefusedError(Exception):
    """A command that cannot go on: one line for stderr and the exit code."""

    def __init__(self, message: str, code: int = EXIT_PROBLEMS) -> None:
        super().__init__(message)
        self.code = code


def write_output(path: Path, data: bytes) -> None:
    """Write a file the command makes (`--out`), its folder too; a refusal naming it when that fails."""
    from app.atomic import write_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
    except OSError as error:
        raise RefusedError(
            f"{path}: 書き込めません（{error.strerror}）。保存先を確かめてください", EXIT_UNREADABLE
        ) from None


_SEVERITY_LABEL = {"error": "エラー", "warning": "警告"}


def print_issue(issue: Issue, out: TextIO) -> None:
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
class Loaded:
    """A document, its form, and the active facility list (None when none of that kind exists)."""

    application: Application
    form: FormDefinition
    facilities: FacilityLookup | None

    def close(self) -> None:
        close_lookup(self.facilities)


def close_lookup(facilities: FacilityLookup | None) -> None:
    close = getattr(facilities, "close", None)  # an imported list's index; the bundled sample has none
    if close is not None:
        close()


def load_document(path: Path, err: TextIO | None = None) -> tuple[Application, FormDefinition]:
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


def load_for_rules(path: Path, err: TextIO) -> Loaded | Exception:
    """Read FILE and what its rules need; on failure print one line and return the error (exit 2)."""
    from app.models.document import DocumentError
    from app.models.forms import FormError
    from app.store.facility_table import FacilityListError

    try:
        application, form = load_document(path, err)
    except (DocumentError, FormError) as error:
        _print_unreadable(error, path, err)
        return error
    try:
        facilities = active_facilities(form, err)
    except FacilityListError as error:
        print(f"shorei: {error}", file=err)
        return error
    return Loaded(application, form, facilities)


def active_facilities(form: FormDefinition, err: TextIO) -> FacilityLookup | None:
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

    loaded = load_for_rules(path, err)
    if not isinstance(loaded, Loaded):
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
            print_issue(issue, out)
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
