"""SPEC §8 for the window: start to a usable window with 75 cases (≤ 1.0 s), one cell edit end to end —
store commit, revalidation, repaint — (≤ 16 ms), and peak memory with 75 cases open (≤ 250 MB)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_validate import full_application
from benchmarks.common import Measurement, time_calls

ROOT = Path(__file__).resolve().parent.parent


def _home_with_75_cases(folder: Path) -> Path:
    from app.store import Store

    home = folder / "home"
    with Store.open(home) as store:
        store.applications.import_application(full_application(), title="75例の申請")
    return home


def _start_runs(home: Path, runs: int) -> tuple[list[float], list[float]]:
    env = {**os.environ, "SHOREI_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    # One untimed start that may write bytecode caches (__pycache__, gitignored): the installed program
    # starts from compiled bytecode (the PyInstaller bundle), so compiling the sources is not part of its
    # start; a shell with PYTHONDONTWRITEBYTECODE=1 would otherwise time the compiler on every run.
    warm = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "start_window.py")],
        env=warm,
        capture_output=True,
        check=True,
    )
    seconds: list[float] = []
    memory: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "start_window.py")],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        seconds.append(time.perf_counter() - start)
        memory.append(float(done.stdout.strip().splitlines()[-1]))
    return seconds, memory


def _edit_samples(home: Path, runs: int) -> list[float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.views.app import ensure_qt_app, window_settings
    from app.views.main_window import build_main_window

    app = ensure_qt_app()
    window = build_main_window(home, window_settings(home))
    window.resize(1366, 768)
    window.show()
    QApplication.processEvents()
    page = window.pages[1]
    index = page.model.index(12, page.model.columns.index("age"))
    ages = iter(range(10**9))

    def edit() -> None:
        page.model.setData(index, str(20 + next(ages) % 60))
        page.grid.viewport().repaint()
        app.processEvents()

    try:
        return time_calls(edit, runs=runs, warmup=10)
    finally:
        window.close()
        window.store.close()
        window.facility_source.index.close()  # type: ignore[attr-defined]


def run(quick: bool = False) -> list[Measurement]:
    with tempfile.TemporaryDirectory() as folder:
        home = _home_with_75_cases(Path(folder))
        start, memory = _start_runs(home, runs=1 if quick else 9)
        edits = _edit_samples(home, runs=3 if quick else 300)
    return [
        Measurement(
            what="start to a usable main window with a 75-case application open",
            budget="≤ 1.0 s",
            budget_seconds=1.0,
            samples=start,
            spec_row=1,
            note="whole process: interpreter, Qt, store open with integrity check, window, first paint of the grid;"
            " bytecode compiled once before the timed runs, as in the installed program",
        ),
        Measurement(
            what="one cell edit: autosave committed + revalidated + view updated",
            budget="≤ 16 ms",
            budget_seconds=0.016,
            samples=edits,
            spec_row=3,
            note="setData → store (WAL, synchronous=FULL) → validate 75 cases → grid repaint",
        ),
        Measurement(
            what="peak memory with a 75-case application open",
            budget="≤ 250 MB",
            budget_seconds=250,
            samples=memory,
            spec_row=8,
            note="max resident set size of the process at first paint",
            unit="MB",
        ),
    ]
