"""Timing helpers shared by the benchmarks: medians and spread, never pass/fail."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Measurement:
    """One timing (or memory figure), with its budget when it has one."""

    what: str
    budget: str
    budget_seconds: float | None
    samples: list[float]
    note: str = ""
    unit: str = "s"
    """"s" for seconds; "MB" for memory (samples and budget in megabytes)."""
    spec_row: int | None = None
    """Its place among SPEC §8's budgets (1 = start … 8 = peak memory; see run.SPEC_BUDGETS), which the
    report lists first in that order; None for every other figure."""
    judged_at: float = 0.5
    """The quantile compared with the budget: the median, unless the budget names another (p95)."""

    def format(self, value: float) -> str:
        return f"{value:.0f} MB" if self.unit == "MB" else format_seconds(value)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def judged(self) -> float:
        return self.median if self.judged_at == 0.5 else self.quantile(self.judged_at)

    @property
    def within_budget(self) -> bool | None:
        return None if self.budget_seconds is None else self.judged <= self.budget_seconds

    def verdict(self) -> str:
        """ "within" or "**over**" (with the quantile judged when it is not the median), or "—"."""
        if self.within_budget is None:
            return "—"
        word = "within" if self.within_budget else "**over**"
        if self.judged_at == 0.5:
            return word
        return f"{word} (p{self.judged_at * 100:.0f} {self.format(self.judged)})"

    def spread(self) -> tuple[str, str]:
        """(p10 – p90, min – max), formatted."""
        return (
            f"{self.format(self.quantile(0.1))} – {self.format(self.quantile(0.9))}",
            f"{self.format(min(self.samples))} – {self.format(max(self.samples))}",
        )


@dataclass(frozen=True)
class Report:
    """What a benchmark module's `run()` may return instead of a plain list of measurements: the
    measurements for the report's tables and sections of its own (markdown, each with its heading)."""

    measurements: list[Measurement]
    sections: list[str] = field(default_factory=list)


def table(measurements: list[Measurement]) -> str:
    """A markdown table: median, p10 – p90, min – max and number of runs, budget and verdict."""
    lines = [
        "| what | budget | median | p10 – p90 | min – max | runs | verdict | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in measurements:
        deciles, extremes = m.spread()
        lines.append(
            f"| {m.what} | {m.budget} | {m.format(m.median)} | {deciles} | {extremes} | "
            f"{len(m.samples)} | {m.verdict()} | {m.note} |"
        )
    return "\n".join(lines)


def time_calls(function: Callable[[], object], *, runs: int, warmup: int = 3) -> list[float]:
    """Wall-clock seconds of `runs` calls after `warmup` calls."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def format_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"
