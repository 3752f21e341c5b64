"""README.md's command examples run as written, in order, from a fresh copy of the repository.

Every fenced block whose language is `console` is a session: each line starting with `$ ` is run, the
other lines are what it prints (not compared: fingerprints and dates differ). A command ends with exit 0
unless its comment says otherwise (`# exit 1: …`). Blocks not meant to run use another language (`sh`,
`powershell`, `text`). The lines are read from README.md itself, so the README and the program cannot
drift apart.

The commands a README line may use are the ones a reader types on any system: `uv run shorei …` (run
here as `python -m app.cli …` with this interpreter, which is what `uv run shorei` starts), `mkdir -p DIR`,
`cp SRC DST`,
`NAME=value` before a command, `&&` between commands, and a `# comment` at the end.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
NOT_COPIED = {
    ".git",
    ".venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".import_linter_cache",
    "build",
    "dist",
    "out",
}
"""What a fresh clone does not have (caches, builds, the README's own `out/`)."""

_FENCE = re.compile(r"^```(?P<language>[\w-]*)\s*$")
_EXIT = re.compile(r"#\s*exit\s+(?P<code>\d+)")


@dataclass(frozen=True)
class Command:
    """One `$ ` line of the README: where it is, what it says, and the exit status it should end with."""

    line: int
    text: str
    expected: int


def console_commands(markdown: str) -> list[Command]:
    """Every `$ ` line of every ```console block, in order, with continuation lines (`\\`) joined."""
    commands: list[Command] = []
    language: str | None = None
    pending: tuple[int, str] | None = None
    for number, line in enumerate(markdown.splitlines(), start=1):
        fence = _FENCE.match(line.strip())
        if fence is not None:
            language = None if language is not None else fence["language"]
            continue
        if language != "console":
            continue
        if pending is not None:
            start, text = pending
            text = f"{text} {line.strip()}"
        elif line.startswith("$ "):
            start, text = number, line[2:].strip()
        else:
            continue
        if text.endswith("\\"):
            pending = (start, text[:-1].rstrip())
            continue
        pending = None
        commands.append(Command(start, text, _expected(text)))
    return commands


def split_comment(text: str) -> tuple[str, str]:
    """(command, comment): a `#` starting a word outside quotes begins the comment, as in a shell."""
    quote = ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1].isspace()):
            return text[:index].rstrip(), text[index:]
    return text, ""


def _expected(text: str) -> int:
    match = _EXIT.match(split_comment(text)[1])
    return int(match["code"]) if match else 0


def _run_one(words: list[str], folder: Path, environment: dict[str, str]) -> tuple[int, str]:
    """One simple command (no `&&`): its exit status and what it printed."""
    environment = dict(environment)
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        environment[name] = value
    if words[:3] == ["uv", "run", "shorei"]:
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", *words[3:]],
            cwd=folder,
            env=environment,
            capture_output=True,
            encoding="utf-8",
            check=False,
        )
        return done.returncode, done.stdout + done.stderr
    if words[:2] == ["mkdir", "-p"] and len(words) == 3:
        (folder / words[2]).mkdir(parents=True, exist_ok=True)
        return 0, ""
    if words[:1] == ["cp"] and len(words) == 3:
        shutil.copyfile(folder / words[1], folder / words[2])
        return 0, ""
    raise AssertionError(
        f"README: {' '.join(words)!r} is not a command this test runs (uv run shorei …, mkdir -p, cp). "
        "Mark a block that is not meant to run with another language than console."
    )


def run_line(text: str, folder: Path, environment: dict[str, str]) -> tuple[int, str]:
    """A README line as a POSIX shell runs it: commands joined by `&&` stop at the first failure."""
    tokens = shlex.split(split_comment(text)[0])
    status, printed = 0, ""
    while tokens:
        cut = tokens.index("&&") if "&&" in tokens else len(tokens)
        status, output = _run_one(tokens[:cut], folder, environment)
        printed += output
        if status != 0:
            break
        tokens = tokens[cut + 1 :]
    return status, printed


def fresh_copy(target: Path) -> Path:
    """The repository's files as a fresh clone has them."""
    shutil.copytree(ROOT, target, ignore=lambda _folder, names: [n for n in names if n in NOT_COPIED])
    return target


def test_console_blocks_are_found() -> None:
    """The README's sessions are read: the approval round trip ends in a verified package."""
    commands = console_commands(README.read_text(encoding="utf-8"))
    texts = [command.text for command in commands]
    assert any("uv run shorei approval respond" in text for text in texts)
    assert any("uv run shorei verify" in text for text in texts)
    assert any(command.expected == 1 for command in commands)


def test_console_lines_parse() -> None:
    """Comments, `# exit N`, continuation lines and other languages are read as documented."""
    markdown = "\n".join(
        [
            "```console",
            "$ uv run shorei validate a.json   # exit 1: errors",
            "output line",
            "$ uv run shorei export a.json \\",
            "    --out out/",
            "```",
            "```sh",
            "$ uv run shorei not-run",
            "```",
        ]
    )
    commands = console_commands(markdown)
    assert [(c.line, c.text, c.expected) for c in commands] == [
        (2, "uv run shorei validate a.json   # exit 1: errors", 1),
        (4, "uv run shorei export a.json --out out/", 0),
    ]


def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    """Each `$ ` line of README.md, in order, in a fresh copy with its own data folder, ends as it says."""
    folder = fresh_copy(tmp_path / "shorei")
    environment = {
        **os.environ,
        "SHOREI_HOME": str(tmp_path / "home"),
        "PYTHONUTF8": "1",
        "QT_QPA_PLATFORM": "offscreen",
    }
    for command in console_commands(README.read_text(encoding="utf-8")):
        status, printed = run_line(command.text, folder, environment)
        assert "Traceback" not in printed, f"README.md:{command.line}: {command.text}\n{printed}"
        assert status == command.expected, (
            f"README.md:{command.line}: {command.text}\nexit {status}, expected {command.expected}\n{printed}"
        )
