"""Runs every benchmark and writes docs/benchmarks.md (machine, date, median and spread).

    uv run python benchmarks/run.py            # all
    uv run python benchmarks/run.py validate   # only the modules whose name contains "validate"

Each `benchmarks/bench_*.py` module has `run() -> list[Measurement]`; it may also have
`markdown() -> str` for a report that is not a timing (for example precision and recall).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import sys
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from benchmarks.common import Measurement

OUTPUT = ROOT / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) // 1024 // 1024} GiB"
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; Python {platform.python_version()}"


def table(measurements: list[Measurement]) -> str:
    lines = [
        "| what | budget | median | p10 – p90 | runs | within budget | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in measurements:
        verdict = {True: "yes", False: "**no**", None: "—"}[m.within_budget]
        lines.append(
            f"| {m.what} | {m.budget} | {m.format(m.median)} | "
            f"{m.format(m.quantile(0.1))} – {m.format(m.quantile(0.9))} | {len(m.samples)} | "
            f"{verdict} | {m.note} |"
        )
    return "\n".join(lines)


def main(filters: list[str]) -> None:
    modules = sorted(path.stem for path in (ROOT / "benchmarks").glob("bench_*.py"))
    chosen = [name for name in modules if not filters or any(f in name for f in filters)]
    measurements: list[Measurement] = []
    reports: list[str] = []
    for name in chosen:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name} …", file=sys.stderr)
        measurements.extend(module.run())
        if hasattr(module, "markdown"):
            reports.append(module.markdown())
    text = "\n\n".join(
        [
            "# Benchmarks",
            "Budgets of SPEC §8, measured by `uv run python benchmarks/run.py` (wall clock, medians; "
            "not pass/fail tests).",
            f"- Machine: {machine()}\n- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
            f"- Modules: {', '.join(chosen)}",
            table(measurements),
            *reports,
        ]
    )
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    print(table(measurements))


if __name__ == "__main__":
    main(sys.argv[1:])
