"""Run a small Python program in a new interpreter that writes a JSON report, for the tests that check
what a fresh process has imported (the CLI's commands, the window's start)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_reporting(
    program: str, report: Path, environment: dict[str, str], *arguments: str
) -> tuple[dict[str, Any], str]:
    """Run `program` with `report` and `arguments` as its arguments, from the repository's root; the JSON
    it wrote to `report`, and the process's stderr (the program must write the report)."""
    done = subprocess.run(
        [sys.executable, "-c", program, str(report), *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        encoding="utf-8",
        check=False,
    )
    assert report.exists(), done.stderr
    return json.loads(report.read_text(encoding="utf-8")), done.stderr
