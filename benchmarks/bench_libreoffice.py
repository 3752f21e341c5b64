"""The comparison a user would recognise, measured side by side in one run: the same 75 cases turned into a
printable PDF (a) by LibreOffice from a clerk's XLSX 症例一覧 (`libreoffice --headless --convert-to pdf`,
a cold process each time, with a fresh and with a warm user profile) and (b) by Shorei's export (PDF and
signed package), in the running program and as a cold process.

Each PDF is read with pypdfium2 (tests/pdf_reading.py): it must have pages, and every diagnosis of the 75
cases must be in its text, so that no side is timed for an empty or garbled file.

The LibreOffice executable is `libreoffice` on PATH, or `$SHOREI_BENCH_LIBREOFFICE`. When it is missing,
the report says so and the Shorei side still runs.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.export import export_application
from app.models.document import save_application
from app.models.forms import bundled_forms
from app.store.facility_files import bundled_facility_list
from benchmarks.bench_validate import full_application
from benchmarks.common import Measurement, Report, format_seconds, time_calls
from tests import pdf_reading

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import Application
    from app.models.forms import FormDefinition

ROOT = Path(__file__).resolve().parent.parent
LIBREOFFICE_VARIABLE = "SHOREI_BENCH_LIBREOFFICE"
HEADERS = ("No.", "年齢", "性別", "実施した診療項目", "実施期間", "診断名", "病理診断名")
WORKBOOK_NAME = "症例一覧.xlsx"
SHEET_FONT = "IPAexGothic"
"""The typeface Shorei embeds (resources/fonts/ipaexg.ttf), so that both PDFs set the same glyphs."""


# -- the clerk's workbook ------------------------------------------------------------------------------


def clerk_rows(application: Application, form: FormDefinition) -> list[tuple[object, ...]]:
    """The 75 cases as a clerk types them into Excel: one numbered row each, 性別 as 男性/女性, the period
    as 2022/04〜2022/06, and その他 replaced by what was done."""
    sex = {choice.value: choice.label for choice in form.choices["sex"].options}
    rows: list[tuple[object, ...]] = []
    for section in application.sections:
        for _, case in section.filled_cases():
            period = "〜".join(month.display() for month in (case.start, case.end) if month is not None)
            rows.append(
                (
                    len(rows) + 1,
                    case.age,
                    sex.get(case.sex or "", ""),
                    case.item_other or case.item,
                    period,
                    case.diagnosis,
                    case.pathology,
                )
            )
    return rows


def write_clerk_workbook(application: Application, form: FormDefinition, path: Path) -> None:
    """An XLSX with one sheet 症例一覧: a title, the header row, one row per case, thin borders, A4
    landscape fitted to the page width, the header repeated on every page and the print area set."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.page import PageMargins

    book = Workbook()
    sheet = book.active
    sheet.title = "症例一覧"
    applicant = application.applicant
    sheet.append([f"症例一覧　{applicant.name}（会員番号 {applicant.member_id}）"])
    sheet.append(list(HEADERS))
    for row in clerk_rows(application, form):
        sheet.append(list(row))

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=SHEET_FONT, size=10)
    last_row = sheet.max_row
    last_column = len(HEADERS)
    sheet["A1"].font = Font(name=SHEET_FONT, size=14, bold=True)
    for cells in sheet.iter_rows(min_row=2, max_row=last_row, max_col=last_column):
        for cell in cells:
            cell.font = body
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for cell in sheet[2]:
        cell.font = Font(name=SHEET_FONT, size=10, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for letter, width in zip("ABCDEFG", (5, 6, 6, 38, 18, 30, 30), strict=True):
        sheet.column_dimensions[letter].width = width

    sheet.print_area = f"A1:G{last_row}"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.oddFooter.center.text = "&P / &N"
    sheet.oddFooter.center.font = SHEET_FONT
    book.save(path)


# -- Shorei's side -------------------------------------------------------------------------------------


def form_for_75(application: Application) -> FormDefinition:
    """The bundled form with its case limit (JB-2: 25) raised to 75, so that the 75 cases of SPEC §8 are
    exported rather than refused; every other rule is the bundled one."""
    form = bundled_forms().get(application.form.id, application.form.version)
    assert form is not None
    return form.model_copy(update={"counts": form.counts.model_copy(update={"max": 75})})


def export_75(application: Application, folder: Path, key_folder: Path) -> Path:
    """What 印刷・提出用に書き出す does: validate, the seal-ready PDF and the signed package, both written
    to `folder`, the signing key read from `key_folder`. Returns the PDF's path."""
    result = export_application(
        application,
        form_for_75(application),
        bundled_facility_list(),
        folder,
        stem="cases",
        key_folder=key_folder,
    )
    assert result.package_path is not None and result.package_path.exists()
    return result.pdf_path


# -- LibreOffice's side ---------------------------------------------------------------------------------


def libreoffice_executable() -> str | None:
    """The full path of `libreoffice` (or of `$SHOREI_BENCH_LIBREOFFICE`), or None when it is not installed."""
    return shutil.which(os.environ.get(LIBREOFFICE_VARIABLE) or "libreoffice")


def libreoffice_version(executable: str) -> str:
    done = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=120)
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else "version unknown"


class ConversionError(Exception):
    """LibreOffice ran but wrote no PDF (it exits 0 all the same)."""


def convert_with_libreoffice(
    program: Sequence[str], workbook: Path, folder: Path, profile: Path
) -> tuple[float, Path]:
    """One `libreoffice --headless --convert-to pdf` as a user runs it: a new process, with the user profile
    in `profile` (created by LibreOffice when it does not exist yet). `program` is the executable and any
    arguments before LibreOffice's own (the tests run a Python stand-in). Returns seconds and the PDF."""
    pdf = folder / f"{workbook.stem}.pdf"
    pdf.unlink(missing_ok=True)
    command = [
        *program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(folder),
        str(workbook),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    if not pdf.exists():
        raise ConversionError(
            f"exit {done.returncode}, no PDF; stderr: {done.stderr.strip()[:300] or '(empty)'}"
        )
    return seconds, pdf


# -- what is in each PDF -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfCheck:
    """What a reader sees in a PDF: pages, the fonts it embeds and which expected texts are missing."""

    pages: int | None
    fonts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    expected: int = 0
    problem: str = ""
    """Why a check could not be made (a tool not installed), or ""."""

    def describe(self) -> str:
        if self.problem:
            return self.problem
        found = self.expected - len(self.missing)
        text = (
            f"all {self.expected} found"
            if not self.missing
            else f"{found} of {self.expected} found; missing: {'、'.join(self.missing[:5])}"
        )
        return f"{self.pages} pages; fonts: {', '.join(self.fonts) or 'none'}; Japanese texts: {text}"


def check_pdf(pdf: Path, expected: list[str]) -> PdfCheck:
    """Pages, embedded fonts without their subset prefix, and which of `expected` are absent from the text
    (white space ignored, since table cells wrap)."""
    flat = re.sub(r"\s+", "", pdf_reading.text(pdf))
    missing = [item for item in expected if re.sub(r"\s+", "", item) not in flat]
    return PdfCheck(pdf_reading.page_count(pdf), font_names(pdf_reading.fonts(pdf)), missing, len(expected))


def font_names(fonts: list[pdf_reading.PdfFont]) -> list[str]:
    """The fonts of a PDF, without the subset prefix (ABCDEF+), marked when not embedded."""
    names = set()
    for font in fonts:
        name = font.name.split("+")[-1]
        names.add(name if font.embedded else f"{name} (not embedded)")
    return sorted(names)


def expected_texts(application: Application) -> list[str]:
    """Every distinct 診断名 and 病理診断名 of the cases: what a reader checks the printout for."""
    texts = [
        text
        for section in application.sections
        for _, case in section.filled_cases()
        for text in (case.diagnosis, case.pathology)
        if text
    ]
    return list(dict.fromkeys(texts))


LIBREOFFICE_NEW = "LibreOffice, new profile each run"
LIBREOFFICE_WARM = "LibreOffice, profile already set up"
SHOREI_PROCESS = "Shorei, new process"
SHOREI_IN_PROCESS = "Shorei, in the open window's process"


# -- the comparison -------------------------------------------------------------------------------------


@dataclass
class Side:
    """One way of making the PDF: how, its timings, and what its PDF holds."""

    how: str
    note: str
    samples: list[float] = field(default_factory=list)
    check: PdfCheck | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def libreoffice_sides(
    program: Sequence[str], workbook: Path, folder: Path, runs: int, expected: list[str]
) -> list[Side]:
    new = Side(
        LIBREOFFICE_NEW,
        "a first start: LibreOffice sets up its user profile, then converts",
    )
    warm = Side(
        LIBREOFFICE_WARM,
        "a user's everyday start; the profile was set up by one untimed conversion first",
    )
    out = folder / "libreoffice"
    out.mkdir()
    for run in range(runs):
        seconds, pdf = convert_with_libreoffice(program, workbook, out, folder / f"profile-new-{run}")
        new.samples.append(seconds)
    new.check = check_pdf(pdf, expected)
    convert_with_libreoffice(program, workbook, out, folder / "profile-warm")
    for _ in range(runs):
        seconds, pdf = convert_with_libreoffice(program, workbook, out, folder / "profile-warm")
        warm.samples.append(seconds)
    warm.check = check_pdf(pdf, expected)
    return [new, warm]


def _shorei_sides(
    application: Application, folder: Path, runs: int, in_process_runs: int, expected: list[str]
) -> list[Side]:
    document = folder / "cases.json"
    save_application(application, document)
    keys = folder / "keys"
    out = folder / "shorei"
    in_process = Side(
        SHOREI_IN_PROCESS,
        "`export_application`: validate, PDF, sign, write the PDF and the package; the wait after 書き出す",
    )
    in_process.samples = time_calls(lambda: export_75(application, out, keys), runs=in_process_runs, warmup=1)
    in_process.check = check_pdf(out / "cases.pdf", expected)
    process = Side(
        SHOREI_PROCESS,
        "`python benchmarks/export_process.py`: interpreter and imports, read the document, then as above",
    )
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "export_process.py"),
        str(document),
        str(out),
        str(keys),
    ]
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        process.samples.append(time.perf_counter() - start)
    process.check = check_pdf(out / "cases.pdf", expected)
    return [process, in_process]


def _row(side: Side) -> str:
    m = Measurement(side.how, "—", None, side.samples)
    deciles, extremes = m.spread()
    return f"| {side.how} | {m.format(m.median)} | {deciles} | {extremes} | {len(m.samples)} | {side.note} |"


def comparison_markdown(
    libreoffice: str, sides: list[Side], application: Application, form: FormDefinition
) -> str:
    """The report's section: what was compared, the timings, what each PDF holds, and the ratio."""
    bundled = bundled_forms().get(application.form.id, application.form.version)
    limit = bundled.counts.max if bundled is not None else "?"
    lines = [
        "## The same 75 cases to a printable PDF: LibreOffice and Shorei",
        f"Measured side by side in this run. LibreOffice converts a clerk's workbook `{WORKBOOK_NAME}` (one "
        f"sheet 症例一覧 with {', '.join(HEADERS)}; {application.case_count()} rows; A4 landscape fitted to "
        f"the page width, header row repeated on each page, print area set, font {SHEET_FONT}), written with "
        "openpyxl, with `libreoffice -env:UserInstallation=file:///… --headless --convert-to pdf --outdir … "
        f"{WORKBOOK_NAME}`, a new process each run. Shorei exports the same application: the seal-ready "
        "sheets (one set per 申請2 section) and the signed package. The form's case limit (JB-2, "
        f"{limit} cases) is raised to {form.counts.max} for this, so that the 75 cases of SPEC §8 are "
        "exported rather than refused; every other rule runs as bundled.",
        f"LibreOffice: {libreoffice}.",
        "| how | median | p10 – p90 | min – max | runs | what it includes |\n|---|---|---|---|---|---|\n"
        + "\n".join(_row(side) for side in sides),
    ]
    checks = [f"- {side.how}: {side.check.describe()}" for side in sides if side.check is not None]
    lines.append(
        f"What each PDF holds (read with pypdfium2; the texts looked for are the "
        f"{len(expected_texts(application))} distinct 診断名 and 病理診断名 of the cases):\n\n"
        + "\n".join(checks)
    )
    lines += _verdicts(sides)
    return "\n\n".join(lines)


def _faster(reference: Side, side: Side) -> str:
    """How `side` compares with `reference`, by their medians: "8.0× faster", "1.4× slower", or "about the
    same time" within 10 %."""
    if abs(side.median - reference.median) <= 0.1 * reference.median:
        return "about the same time"
    if side.median < reference.median:
        return f"{reference.median / side.median:.1f}× faster"
    return f"{side.median / reference.median:.1f}× slower"


def _verdicts(sides: list[Side]) -> list[str]:
    """The comparison in words, and what makes it fair or not (fonts, pages, text)."""
    by_how = {side.how: side for side in sides}
    warm = by_how.get(LIBREOFFICE_WARM)
    process = by_how[SHOREI_PROCESS]
    in_process = by_how[SHOREI_IN_PROCESS]
    if warm is None:
        said = ["No comparison: LibreOffice's side was not measured (see above)."]
    else:
        said = [
            f"Medians: LibreOffice with its profile set up takes {format_seconds(warm.median)} to turn the "
            f"workbook into a PDF. Shorei started for the purpose takes {format_seconds(process.median)} "
            f"({_faster(warm, process)}: both pay for starting a program), and from the open window "
            f"{format_seconds(in_process.median)} ({_faster(warm, in_process)}), writing the signed package as "
            "well. The last is what a physician waits for; a clerk who already has the sheet open in Calc "
            "waits less than the headless conversion too, which is not measured here."
        ]
    checked = [side for side in sides if side.check is not None and not side.check.problem]
    fonts: dict[str, list[str]] = {}
    for side in checked:
        assert side.check is not None
        fonts.setdefault(side.how.split(",")[0], side.check.fonts)
    if len({tuple(names) for names in fonts.values()}) > 1:
        listed = "; ".join(f"{tool}'s PDF has {', '.join(names)}" for tool, names in fonts.items())
        said.append(f"The fonts differ: {listed}.")
        if any("Helvetica (not embedded)" in names for names in fonts.values()):
            said.append(
                "Helvetica (not embedded) is reportlab's starting font, declared on each page of Shorei's "
                "PDF; its text is set in the IPAexGothic it embeds."
            )
    elif len(fonts) > 1:
        said.append(f"Both PDFs use the same fonts: {', '.join(next(iter(fonts.values())))}.")
    failed = [
        side.how
        for side in checked
        if side.check is not None and (side.check.missing or not side.check.pages)
    ]
    if failed:
        said.append(
            f"**The PDF of {'; '.join(failed)} lacks pages or Japanese text: its time is no fair comparison.**"
        )
    return said


def run(quick: bool = False) -> Report:
    application = full_application()
    form = form_for_75(application)
    expected = expected_texts(application)
    runs = 1 if quick else 7
    with tempfile.TemporaryDirectory(prefix=".bench-", dir=ROOT) as name:
        folder = Path(name)
        sides = _shorei_sides(application, folder, runs, 1 if quick else 20, expected)
        executable = libreoffice_executable()
        if executable is None:
            wanted = os.environ.get(LIBREOFFICE_VARIABLE) or "libreoffice"
            status = (
                f"**not installed** (no `{wanted}` found on PATH), so only Shorei's side was measured; on "
                "Debian or Ubuntu: `apt-get install libreoffice-calc-nogui`"
            )
        else:
            status = f"{libreoffice_version(executable)} (`{executable}`)"
            workbook = folder / WORKBOOK_NAME
            write_clerk_workbook(application, form, workbook)
            try:
                sides = libreoffice_sides([executable], workbook, folder, runs, expected) + sides
            except (ConversionError, subprocess.SubprocessError) as error:
                status += f"; **the conversion failed** ({error}), so only Shorei's side was measured"
    return Report([], [comparison_markdown(status, sides, application, form)])
