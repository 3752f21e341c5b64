"""`shorei validate` and `shorei forms` as SPEC §7 says: output, JSON shape, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from app.cli import main
from tests.factories import document

if TYPE_CHECKING:
    from pathlib import Path


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_valid_example_exits_zero(examples_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A valid application: exit 0 and a summary that says there are no errors."""
    assert main(["validate", str(examples_dir / "valid-20-cases.json")]) == 0
    out = capsys.readouterr().out
    assert "症例 20例、エラー 0件、警告 0件" in out


def test_three_section_example_exits_zero(examples_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The 25-case, three-facility example is valid too."""
    assert main(["validate", "--json", str(examples_dir / "valid-25-cases-3-sections.json")]) == 0
    assert json.loads(capsys.readouterr().out) == {"issues": []}


def test_broken_example_lists_every_problem(examples_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The broken example exits 1 and lists each problem on its own line with the place."""
    assert main(["validate", str(examples_dir / "broken.json")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("エラー  申請2(1) No.3 年齢:") for line in lines)
    assert any(line.startswith("警告  申請2(3):") for line in lines)
    assert "提出できません" in lines[-1]


def test_json_output_shape(examples_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints {"issues": [...]} with exactly the six keys, 1-based section and row or null."""
    assert main(["validate", "--json", str(examples_dir / "broken.json")]) == 1
    issues = json.loads(capsys.readouterr().out)["issues"]
    assert all(set(issue) == {"code", "severity", "section", "row", "field", "message"} for issue in issues)
    first = issues[0]
    assert (first["code"], first["section"], first["row"]) == ("case-count", None, None)
    age = next(issue for issue in issues if issue["code"] == "age-range")
    assert (age["section"], age["row"], age["field"]) == (1, 3, "age")


def test_warnings_alone_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Warnings do not stop an application: exit 0, with the warning listed."""
    doc = document()
    doc["sections"][0]["cases"][0]["diagnosis"] = "褐色細胞腫"  # malignant or not by pathology: a warning
    assert main(["validate", str(_write(tmp_path / "w.json", doc))]) == 0
    assert "警告" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"format": "shorei/application@1", "form": {"id": "jbct', "途中で終わっています"),
        (b"\x00\x01\x02\xff\xfe binary", "UTF-8"),
        (json.dumps({**document(), "format": "other@1"}).encode(), "申請データの形式ではありません"),
        (json.dumps({**document(), "form": {"id": "nope", "version": "1"}}).encode(), "様式「nope」"),
    ],
)
def test_unreadable_input_exits_two_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    """Truncated, binary, wrong format, unknown form: exit 2 and one line on stderr naming the file."""
    path = tmp_path / "input.json"
    path.write_bytes(content)
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"shorei: {path}: ")
    assert expected in line


def test_fifty_megabyte_file_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 50 MB file is refused by size, with one line."""
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (50 * 1024 * 1024))
    assert main(["validate", str(path)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "大きすぎます" in line


def test_missing_file_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path that does not exist: exit 2, one line."""
    assert main(["validate", str(tmp_path / "nope.json")]) == 2
    assert "ファイルがありません" in capsys.readouterr().err


def test_forms_lists_installed_forms(capsys: pytest.CaptureFixture[str]) -> None:
    """`shorei forms` prints id, version, society and title of each installed form."""
    assert main(["forms"]) == 0
    assert "jbct-renewal-2026\t2026.1\t日本がん治療認定医機構" in capsys.readouterr().out


def test_no_command_opens_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bare `shorei` opens the main window (SPEC §7), with no file and no screenshot."""
    calls: list[tuple[object, object]] = []

    def run(file: object, screenshot: object) -> int:
        calls.append((file, screenshot))
        return 0

    monkeypatch.setattr("app.views.app.run", run)
    assert main([]) == 0
    assert calls == [(None, None)]


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """`shorei --help` names every command."""
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    for command in ("validate", "forms", "gui", "export", "verify", "facilities"):
        assert command in out


def test_installed_command_never_prints_a_traceback(tmp_path: Path) -> None:
    """The real console script on a binary file: exit 2, no traceback, UTF-8 output through a pipe."""
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "validate", str(path)], capture_output=True, check=False
    )
    assert result.returncode == 2
    stderr = result.stderr.decode("utf-8")
    assert "Traceback" not in stderr
    assert "UTF-8 のテキストとして読めません" in stderr
