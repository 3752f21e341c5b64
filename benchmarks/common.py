"""Timing helpers shared by the benchmarks: medians and spread, never pass/fail."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Measurement:
    """One budget of SPEC §8, measured."""

    what: str
    budget: str
    budget_seconds: float | None
    samples: list[float]
    note: str = ""
    unit: str = "s"
    """"s" for seconds; "MB" for memory (samples and budget in megabytes)."""

    def format(self, value: float) -> str:
        return f"{value:.0f} MB" if self.unit == "MB" else format_seconds(value)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def within_budget(self) -> bool | None:
        return None if self.budget_seconds is None else self.median <= self.budget_seconds


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
