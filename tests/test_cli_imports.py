"""Each command imports only what it uses (SPEC §7): checked by the modules a fresh process has loaded,
never by timing (the figures are in benchmarks/bench_cli.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.fresh_process import ROOT, run_reporting

if TYPE_CHECKING:
    from pathlib import Path

_PROGRAM = """
import json, sys
from app.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def _loaded(tmp_path: Path, *arguments: str) -> set[str]:
    """The top-level packages a new process has imported after running `shorei ARGUMENTS`."""
    report = tmp_path / "modules.json"
    environment = {**os.environ, "SHOREI_HOME": str(tmp_path / "home"), "PYTHONUTF8": "1"}
    environment.pop("QT_QPA_PLATFORM", None)
    result, stderr = run_reporting(_PROGRAM, report, environment, *arguments)
    assert result["code"] in (0, 1), stderr
    return {name.split(".")[0] for name in result["modules"]} | set(result["modules"])


def test_validate_imports_no_pdf_signing_or_qt(tmp_path: Path, examples_dir: Path) -> None:
    """`shorei validate` loads neither reportlab, cryptography, PySide6 nor the export package."""
    loaded = _loaded(tmp_path, "validate", str(examples_dir / "valid-20-cases.json"))
    assert "app.validation" in loaded
    assert not loaded & {
        "reportlab",
        "cryptography",
        "PySide6",
        "openpyxl",
        "PIL",
        "app.export",
        "app.store.store",
    }


def test_verify_imports_no_pdf_or_qt(tmp_path: Path, examples_dir: Path) -> None:
    """`shorei verify` checks signatures (cryptography) without reportlab or PySide6."""
    out = tmp_path / "out"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "export",
            str(examples_dir / "valid-20-cases.json"),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env={**os.environ, "SHOREI_HOME": str(tmp_path / "home"), "PYTHONUTF8": "1"},
        capture_output=True,
        check=True,
    )
    loaded = _loaded(tmp_path, "verify", str(out / "valid-20-cases.package.json"))
    assert "cryptography" in loaded
    assert not loaded & {"reportlab", "PySide6", "openpyxl", "PIL", "app.export.pdf", "app.store.store"}


@pytest.mark.parametrize(
    ("command", "forbidden"),
    [
        (["forms"], {"PySide6", "reportlab", "cryptography"}),
        (["--version"], {"PySide6", "reportlab", "cryptography"}),
        (["export", "examples/valid-20-cases.json", "--out", "{tmp}/out"], {"PySide6"}),
    ],
)
def test_other_commands_import_no_qt(tmp_path: Path, command: list[str], forbidden: set[str]) -> None:
    """No command of the CLI path imports Qt (the window alone does); forms and --version no PDF either."""
    loaded = _loaded(tmp_path, *(word.replace("{tmp}", str(tmp_path)) for word in command))
    assert not loaded & forbidden
