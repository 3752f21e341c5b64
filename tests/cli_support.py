"""What the command line's error output must look like (SPEC §7), for the CLI tests."""

from __future__ import annotations

SAMPLE_NOTICE = "shorei: 注意: 施設一覧は同梱のサンプル"
"""The start of the one-line notice that the bundled sample facility list is in use (issue 17)."""


def one_clear_line(err: str) -> None:
    """One line naming the problem, besides the notice that the bundled sample facility list is in use."""
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if not line.startswith(SAMPLE_NOTICE)]
    assert len(lines) == 1 and lines[0].startswith("shorei: "), err
