"""`shorei verify` knows every facility list the installation has used, not only the one in use now."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from app.cli import main
from app.store import known_facility_lists
from tests.export_support import import_dated_list

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_package_made_with_an_older_list_still_verifies(
    tmp_path: Path, shorei_home: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Export under the October list, import November's, then verify: October's list is still known."""
    import_dated_list(
        shorei_home,
        tmp_path,
        dt.date(2026, 10, 1),
        "20615,大津赤十字病院,滋賀県大津市長等1-1-35,,,認定研修施設",
    )
    out = tmp_path / "out"
    assert main(["export", str(examples_dir / "valid-20-cases.json"), "--out", str(out)]) == 0
    import_dated_list(
        shorei_home, tmp_path, dt.date(2026, 11, 1), "20111,諏訪赤十字病院,長野県諏訪市諏訪,,,認定研修施設"
    )
    names = [info.name for info in known_facility_lists(shorei_home)]
    assert {"認定研修施設一覧 2026-10-01", "認定研修施設一覧 2026-11-01"} <= set(names)
    assert any("サンプル" in name for name in names)
    capsys.readouterr()
    [package] = out.glob("*.package.json")
    [pdf] = out.glob("*.pdf")
    assert main(["verify", str(package), "--pdf", str(pdf)]) == 0
    assert "有効" in capsys.readouterr().out
