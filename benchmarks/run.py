"""Runs every benchmark and writes docs/benchmarks.md (machine, date, median and spread).

    uv run python -m benchmarks.run              # all (a few minutes), rewrites docs/benchmarks.md
    uv run python -m benchmarks.run validate     # only the modules whose name contains "validate"
    uv run python -m benchmarks.run --quick --output /tmp/b.md   # one run each: checks the harness only

Each `benchmarks/bench_*.py` module has `run(quick: bool = False)` returning a list of Measurement, or a
Report when it also writes sections of its own (for example precision and recall, or the LibreOffice
comparison).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import Measurement, Report, table  # noqa: E402  (after the path is set)

OUTPUT = ROOT / "docs" / "benchmarks.md"
COMMAND = "uv run python -m benchmarks.run"

SPEC_BUDGETS = {
    1: "start to a usable main window with a 75-case application open (≤ 1.0 s)",
    2: "validate a full application, 3 sections × 25 cases (≤ 2 ms)",
    3: "one cell edit: autosave committed + revalidated + view updated (≤ 16 ms)",
    4: "facility search over 20,000 entries, per keystroke (≤ 5 ms)",
    5: "PDF of 75 cases (≤ 300 ms)",
    6: "package sign (≤ 20 ms)",
    7: "verify (≤ 20 ms)",
    8: "peak memory with a 75-case application open (≤ 250 MB)",
}
"""SPEC §8's budgets; a measurement names its row with `spec_row`."""


def _first_line(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(prefix):
                return line.split(":" if ":" in line else "=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return None


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, OS, Python and Qt of this machine."""
    cpu = _first_line("/proc/cpuinfo", "model name") or platform.processor() or platform.machine()
    memory = _first_line("/proc/meminfo", "MemTotal")
    ram = f"{int(memory.split()[0]) / 1024 / 1024:.1f} GiB" if memory else "unknown"
    distribution = _first_line("/etc/os-release", "PRETTY_NAME")
    system = f"{platform.system()} {platform.release()}"
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        qt = f"Qt {qVersion()} (PySide6 {PySide6.__version__})"
    except ImportError:
        qt = "PySide6 not installed"
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical cores",
        "RAM": ram,
        "OS": f"{distribution} ({system})" if distribution else system,
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "Qt": qt,
    }


def load_average() -> float | None:
    """The 1-minute load average (how many processes wanted a CPU), where the OS reports one."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def describe_load(before: float | None, after: float | None, cores: int | None = None) -> str:
    if before is None or after is None:
        return "not reported by this OS"
    cores = cores or os.cpu_count() or 1
    said = f"{before:.1f} before the run, {after:.1f} after it, on {cores} logical cores"
    if max(before, after) > cores:
        said += " (**busy**: other programs competed for the CPU, so the figures are slower than on a quiet machine)"
    return said


def render(
    measurements: list[Measurement],
    sections: list[str],
    *,
    modules: list[str],
    seconds: float,
    quick: bool,
    date: dt.datetime,
    machine_info: dict[str, str],
) -> str:
    """The whole report as markdown."""
    spec = sorted((m for m in measurements if m.spec_row is not None), key=lambda m: m.spec_row or 0)
    other = [m for m in measurements if m.spec_row is None]
    measured = {m.spec_row for m in spec}
    missing = [text for row, text in SPEC_BUDGETS.items() if row not in measured]
    over = [m.what for m in spec if m.within_budget is False]
    if over:
        verdict = f"**Over budget: {'; '.join(over)}.**"
    else:
        verdict = f"All {len(spec)} SPEC §8 figures measured are within budget."
    if missing:
        verdict += " Not measured in this run: " + "; ".join(missing) + "."
    facts = [f"- {name}: {value}" for name, value in machine_info.items()]
    facts += [
        f"- Date: {date:%Y-%m-%d %H:%M} UTC",
        f"- Modules: {', '.join(modules)} ({seconds / 60:.1f} min in all)",
    ]
    parts = [
        "# Benchmarks",
        f"Every figure on this page comes from one command, which rewrites this file:\n\n    {COMMAND}\n\n"
        "Wall-clock time, reported as the median with its spread (10th – 90th percentile and minimum – "
        "maximum) over the number of runs shown; each budget is compared with the median unless it says "
        "otherwise. These are measurements, not pass/fail tests (`tests/test_benchmarks.py` only checks "
        "that the harness still runs).",
    ]
    if quick:
        parts.append("**Quick mode: one run or so of each figure, to check the harness. Not a measurement.**")
    parts += [
        "\n".join(facts),
        "## SPEC §8 budgets",
        verdict,
        table(spec) if spec else "(none measured)",
    ]
    if other:
        parts += ["## Other measurements", table(other)]
    parts += sections
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("filters", nargs="*", help="run only the modules whose name contains one of these")
    parser.add_argument("--quick", action="store_true", help="one run or so of each: checks the harness")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    names = sorted(path.stem for path in (ROOT / "benchmarks").glob("bench_*.py"))
    chosen = [name for name in names if not args.filters or any(f in name for f in args.filters)]
    if not chosen:
        print(f"no benchmark module matches {args.filters}; there are: {', '.join(names)}", file=sys.stderr)
        return 2
    measurements: list[Measurement] = []
    sections: list[str] = []
    started = time.perf_counter()
    load_before = load_average()
    for name in chosen:
        print(f"running {name} …", file=sys.stderr, flush=True)
        result = importlib.import_module(f"benchmarks.{name}").run(quick=args.quick)
        if isinstance(result, Report):
            measurements += result.measurements
            sections += result.sections
        else:
            measurements += result
    text = render(
        measurements,
        sections,
        modules=chosen,
        seconds=time.perf_counter() - started,
        quick=args.quick,
        date=dt.datetime.now(dt.UTC),
        machine_info={**machine(), "Load average (1 min)": describe_load(load_before, load_average())},
    )
    args.output.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
