"""The command line as a user starts it: `shorei validate`, `shorei verify` and `shorei export` as whole
processes, each beside the cost of importing what it needs (SPEC §7: validate and verify at most 1.3×
importing pydantic and the document model).

Every run is a new Python process (`python -m app.cli …`, what the `shorei` script runs), timed from
start to exit; the runs of the commands and of their baselines are interleaved, so that a busy machine
slows them alike. The figures are reported, never judged by a test.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Measurement, Report, format_seconds

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "valid-20-cases.json"
RATIO = 1.3
"""SPEC §7: validate and verify cost at most this many times their baseline."""

BASELINE = "import pydantic, app.models.document"
"""What validating cannot do without: pydantic and the document model."""

EXPORT_BASELINE = (
    "import pydantic, app.models.document, reportlab.platypus, reportlab.graphics.barcode.qr, "
    "reportlab.pdfbase.ttfonts, cryptography.hazmat.primitives.asymmetric.ed25519"
)
"""What an export cannot do without: the document model, reportlab's layout, QR and font modules, and
the Ed25519 signature."""


def _environment(home: Path) -> dict[str, str]:
    """As a user's machine runs Shorei: with compiled bytecode (the untimed first round writes it, as an
    installed program or the bundle has it), whatever this shell says."""
    environment = {**os.environ, "SHOREI_HOME": str(home), "PYTHONUTF8": "1"}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def _seconds(arguments: list[str], environment: dict[str, str], *, expect: int = 0) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, where the OS reports a child's; else 0) of one process."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *arguments], env=environment, cwd=ROOT, capture_output=True, check=False
    )
    elapsed = time.perf_counter() - start
    after = os.times()
    if done.returncode != expect:
        raise RuntimeError(f"{arguments}: exit {done.returncode}: {done.stderr.decode(errors='replace')}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return elapsed, cpu


def commands(folder: Path) -> dict[str, list[str]]:
    """Each timed process's arguments (after the Python executable), by name."""
    out = folder / "out"
    package = out / "valid-20-cases.package.json"
    pdf = out / "valid-20-cases.pdf"
    return {
        "baseline": ["-c", BASELINE],
        "validate": ["-m", "app.cli", "validate", str(EXAMPLE)],
        "verify": ["-m", "app.cli", "verify", str(package), "--pdf", str(pdf)],
        "export baseline": ["-c", EXPORT_BASELINE],
        "export": ["-m", "app.cli", "export", str(EXAMPLE), "--out", str(folder / "export")],
    }


def measure(runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU seconds of each process, `runs` times, interleaved (after one untimed round that
    warms the disk cache, writes the bytecode and makes the package that verify reads)."""
    folder = Path(tempfile.mkdtemp(prefix="shorei-bench-cli-"))
    try:
        environment = _environment(folder / "home")
        _seconds(["-m", "app.cli", "export", str(EXAMPLE), "--out", str(folder / "out")], environment)
        named = commands(folder)
        samples: dict[str, list[float]] = {name: [] for name in named}
        cpu: dict[str, list[float]] = {name: [] for name in named}
        for round_ in range(runs + 1):
            for name, arguments in named.items():
                if name == "export":
                    shutil.rmtree(folder / "export", ignore_errors=True)
                seconds, used = _seconds(arguments, environment)
                if round_ > 0:
                    samples[name].append(seconds)
                    cpu[name].append(used)
        return samples, cpu
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(quick: bool = False) -> Report:
    samples, cpu = measure(1 if quick else 9)
    baseline = statistics.median(samples["baseline"])
    budget = RATIO * baseline
    note = "a new process; interleaved with its baseline"
    measurements = [
        Measurement(f'process: `python -c "{BASELINE}"` (baseline)', "—", None, samples["baseline"], note),
        Measurement(
            "process: `shorei validate` (20 cases)",
            f"≤ {RATIO}× baseline ({format_seconds(budget)})",
            budget,
            samples["validate"],
            note,
        ),
        Measurement(
            "process: `shorei verify --pdf`",
            f"≤ {RATIO}× baseline ({format_seconds(budget)})",
            budget,
            samples["verify"],
            note,
        ),
        Measurement(
            "process: import pydantic, the document model, reportlab, Ed25519 (export baseline)",
            "—",
            None,
            samples["export baseline"],
            note,
        ),
        Measurement("process: `shorei export` (20 cases)", "—", None, samples["export"], note),
    ]

    def ratio(figures: dict[str, list[float]], name: str, base: str) -> str:
        below = statistics.median(figures[base])
        return f"{statistics.median(figures[name]) / below:.2f}×" if below > 0 else "—"

    ratios = [
        f"| `shorei {name}` | {ratio(samples, name, base)} | {ratio(cpu, name, base)} | {against} |"
        for name, base, against in (
            ("validate", "baseline", "pydantic + document model"),
            ("verify", "baseline", "pydantic + document model"),
            ("export", "export baseline", "pydantic + document model + reportlab + Ed25519"),
        )
    ]
    section = "\n".join(
        [
            "## The command line as a whole process",
            "",
            f"Medians of whole processes over their baseline (SPEC §7: validate and verify ≤ {RATIO}×): wall",
            "clock, and CPU time (user + system; less moved by other programs on a busy machine, — where the",
            "OS does not report a child's).",
            "",
            "| command | wall clock ÷ baseline | CPU time ÷ baseline | baseline |",
            "|---|---|---|---|",
            *ratios,
        ]
    )
    return Report(measurements, [section])


if __name__ == "__main__":
    report = run(quick="--quick" in sys.argv)
    for m in report.measurements:
        print(f"{m.what}: {m.format(m.median)} ({m.verdict()})")
    print(report.sections[0])
