"""The benchmark harness still runs and reports honestly (no timing is judged here: figures are not tests)."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from benchmarks import run
from benchmarks.bench_libreoffice import (
    HEADERS,
    LIBREOFFICE_VARIABLE,
    LIBREOFFICE_WARM,
    SHOREI_IN_PROCESS,
    SHOREI_PROCESS,
    ConversionError,
    Side,
    _faster,
    check_pdf,
    comparison_markdown,
    expected_texts,
    export_75,
    font_names,
    form_for_75,
    libreoffice_sides,
    write_clerk_workbook,
)
from benchmarks.bench_validate import full_application
from benchmarks.common import Measurement
from tests.pdf_reading import PdfFont

if TYPE_CHECKING:
    from pathlib import Path

MACHINE = {
    "CPU": "Test CPU, 2 logical cores",
    "RAM": "1.0 GiB",
    "OS": "TestOS",
    "Python": "3.11",
    "Qt": "Qt 6",
}


def _render(measurements: list[Measurement], sections: list[str] | None = None) -> str:
    return run.render(
        measurements,
        sections or [],
        modules=["bench_test"],
        seconds=60,
        quick=False,
        date=dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC),
        machine_info=MACHINE,
    )


def test_quick_run_writes_every_part_of_the_report_without_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One command in quick mode writes the report: machine, SPEC §8 table with spread, and the comparison
    section saying that LibreOffice is not installed while Shorei's side is still measured."""
    monkeypatch.setenv(LIBREOFFICE_VARIABLE, "no-such-libreoffice-for-the-test")
    output = tmp_path / "benchmarks.md"

    assert run.main(["validate", "export", "libreoffice", "--quick", "--output", str(output)]) == 0

    text = output.read_text(encoding="utf-8")
    assert text == capsys.readouterr().out
    assert f"    {run.COMMAND}\n" in text
    assert "Quick mode" in text
    for fact in ("- CPU: ", "- RAM: ", "- OS: ", "- Python: ", "- Qt: ", "- Date: "):
        assert fact in text
    assert "| median | p10 – p90 | min – max | runs | verdict |" in text
    for what in ("validate a full application", "PDF of 75 cases", "package sign", "verify a 75-case"):
        assert f"| {what}" in text
    assert "Not measured in this run: start to a usable main window" in text
    assert "**not installed** (no `no-such-libreoffice-for-the-test` found on PATH)" in text
    assert f"| {SHOREI_PROCESS} |" in text and f"| {SHOREI_IN_PROCESS} |" in text
    assert f"{SHOREI_PROCESS}: 3 pages; fonts: IPAexGothic; Japanese texts: all" in text
    assert "No comparison: LibreOffice's side was not measured" in text


def test_report_shows_median_spread_runs_and_the_verdict_against_each_budget() -> None:
    """Median, p10 – p90, min – max and the number of runs are printed; a median over its budget is
    flagged, and a budget judged at p95 says so."""
    slow = Measurement("validate", "≤ 2 ms", 0.002, [n / 1000 for n in range(10, 0, -1)], spec_row=2)
    search = Measurement(
        "facility search", "≤ 5 ms (p95)", 0.005, [0.001] * 19 + [0.004], spec_row=4, judged_at=0.95
    )
    other = Measurement("read the vocabulary", "—", None, [0.5, 1.5])

    text = _render([other, search, slow])

    assert "| validate | ≤ 2 ms | 5.50 ms | 2.00 ms – 10.00 ms | 1.00 ms – 10.00 ms | 10 | **over** |" in text
    assert "| facility search | ≤ 5 ms (p95) | 1.00 ms |" in text
    assert "| 20 | within (p95 4.00 ms) |" in text
    assert "**Over budget: validate.**" in text
    assert text.index("| validate |") < text.index("| facility search |")  # in SPEC §8's order
    assert "## Other measurements" in text
    assert "| read the vocabulary | — | 1.00 s | 500.00 ms – 1.50 s | 500.00 ms – 1.50 s | 2 | — |" in text
    assert "- Date: 2026-05-01 09:30 UTC" in text


def test_clerk_workbook_holds_the_75_cases_ready_to_print(tmp_path: Path) -> None:
    """The XLSX LibreOffice converts is a clerk's 症例一覧: the seven headers, one row per case in Japanese,
    A4 landscape fitted to the width, header repeated, print area set."""
    from openpyxl import load_workbook

    application = full_application()
    path = tmp_path / "症例一覧.xlsx"
    write_clerk_workbook(application, form_for_75(application), path)

    sheet = load_workbook(path)["症例一覧"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == HEADERS
    assert len(rows) == 2 + 75
    assert rows[2] == (1, 20, "女性", "手術", "2022/04〜2022/06", "胃癌", "中分化型管状腺癌")
    assert rows[-1][0] == 75
    assert sheet.print_area == "'症例一覧'!$A$1:$G$77"
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet["F3"].font.name == "IPAexGothic"


def _fake_libreoffice(tmp_path: Path, pdf: Path | None) -> list[str]:
    """A program that answers like `libreoffice` (a Python script run by this interpreter, so it runs on
    every OS): --convert-to copies `pdf`, or writes nothing when `pdf` is None, as LibreOffice does when it
    fails yet exits 0."""
    script = tmp_path / "fake_libreoffice.py"
    script.write_text(
        textwrap.dedent(f"""
            import shutil, sys
            from pathlib import Path
            from urllib.parse import urlparse
            from urllib.request import url2pathname
            args = sys.argv[1:]
            assert args[0].startswith("-env:UserInstallation=file:"), args
            Path(url2pathname(urlparse(args[0].split("=", 1)[1]).path)).mkdir(parents=True, exist_ok=True)
            out = Path(args[args.index("--outdir") + 1])
            source = {str(pdf) if pdf else None!r}
            if source:
                shutil.copy(source, out / (Path(args[-1]).stem + ".pdf"))
        """),
        encoding="utf-8",
    )
    return [sys.executable, str(script)]


def test_libreoffice_side_is_timed_checked_and_compared(tmp_path: Path) -> None:
    """With a LibreOffice that writes a PDF, both profiles are timed, the PDF is checked for pages, fonts
    and Japanese text, and the report states the medians and the fonts."""
    application = full_application()
    form = form_for_75(application)
    shorei_pdf = export_75(application, tmp_path / "shorei", tmp_path / "keys")
    workbook = tmp_path / "症例一覧.xlsx"
    write_clerk_workbook(application, form, workbook)
    expected = expected_texts(application)
    (tmp_path / "work").mkdir()

    sides = libreoffice_sides(
        _fake_libreoffice(tmp_path, shorei_pdf), workbook, tmp_path / "work", 2, expected
    )
    shorei = [
        Side(SHOREI_PROCESS, "cold", [1.0, 1.2, 1.1], check_pdf(shorei_pdf, expected)),
        Side(SHOREI_IN_PROCESS, "warm", [0.1, 0.12], check_pdf(shorei_pdf, expected)),
    ]
    text = comparison_markdown("LibreOffice 0.0 (fake)", sides + shorei, application, form)

    assert [len(side.samples) for side in sides] == [2, 2]
    assert all(side.check is not None and side.check.pages == 3 and not side.check.missing for side in sides)
    assert "| LibreOffice, new profile each run |" in text
    assert "| LibreOffice, profile already set up |" in text
    assert "Shorei started for the purpose takes 1.10 s" in text
    assert "from the open window 110.00 ms" in text
    assert "Both PDFs use the same fonts: IPAexGothic." in text
    assert "lacks pages or Japanese text" not in text


def test_libreoffice_writing_no_pdf_is_an_error_not_a_timing(tmp_path: Path) -> None:
    """LibreOffice exits 0 even when it converts nothing: no PDF means ConversionError, never a figure."""
    workbook = tmp_path / "症例一覧.xlsx"
    workbook.write_bytes(b"not really a workbook")
    (tmp_path / "work").mkdir()

    with pytest.raises(ConversionError, match="no PDF"):
        libreoffice_sides(_fake_libreoffice(tmp_path, None), workbook, tmp_path / "work", 1, ["胃癌"])


def test_a_pdf_without_the_japanese_text_is_called_unfair(tmp_path: Path) -> None:
    """A PDF whose text lacks the cases (wrong font, empty sheet) is flagged in the report."""
    application = full_application()
    pdf = export_75(application, tmp_path / "shorei", tmp_path / "keys")
    check = check_pdf(pdf, ["胃癌", "この病名はない"])
    sides = [
        Side(LIBREOFFICE_WARM, "warm", [1.0], check),
        Side(SHOREI_PROCESS, "cold", [1.0], check),
        Side(SHOREI_IN_PROCESS, "warm", [0.1], check),
    ]

    text = comparison_markdown("fake", sides, application, form_for_75(application))

    assert check.missing == ["この病名はない"]
    assert "1 of 2 found; missing: この病名はない" in text
    assert "lacks pages or Japanese text: its time is no fair comparison" in text


def test_font_names_drop_the_subset_prefix_and_mark_fonts_not_embedded() -> None:
    """A PDF's fonts become font names as a reader knows them."""
    fonts = [
        PdfFont("Helvetica", embedded=False, subset=False, to_unicode=False),
        PdfFont("AAAAAA+IPAexGothic", embedded=True, subset=True, to_unicode=True),
        PdfFont("AAAAAB+IPAexGothic", embedded=True, subset=True, to_unicode=True),
    ]

    assert font_names(fonts) == ["Helvetica (not embedded)", "IPAexGothic"]


def test_load_average_is_reported_and_a_busy_machine_is_flagged() -> None:
    """The report says how busy the machine was, and flags a load above the number of cores."""
    assert run.describe_load(0.3, 1.1, cores=2) == "0.3 before the run, 1.1 after it, on 2 logical cores"
    assert "**busy**" in run.describe_load(0.3, 2.5, cores=2)
    assert run.describe_load(None, 1.0) == "not reported by this OS"


@pytest.mark.parametrize(
    ("shorei", "said"),
    [
        (0.1, "10.0× faster"),
        (0.95, "about the same time"),
        (1.08, "about the same time"),
        (1.5, "1.5× slower"),
    ],
)
def test_comparison_words_follow_the_medians(shorei: float, said: str) -> None:
    """Faster, slower or about the same, as the medians say (never "1.0× faster")."""
    assert _faster(Side("LibreOffice", "", [1.0]), Side("Shorei", "", [shorei])) == said
