"""`shorei verify` knows every facility list the installation has used, not only the one in use now."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from app.cli import main
from app.store import import_facility_list, known_facility_lists

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def _import_list(home: Path, folder: Path, version: dt.date, extra: str) -> None:
    path = folder / f"認定施設一覧-{version}.csv"
    path.write_text(
        "認定番号,施設名,住所,認定開始,認定終了,種別\n"
        f"20953,伊勢赤十字病院,三重県伊勢市船江1-471-2,,,認定研修施設\n{extra}\n",
        encoding="utf-8",
    )
    import_facility_list(
        home, path, kind="jbct", society="日本がん治療認定医機構",
        name=f"認定研修施設一覧 {version}", version_date=version, source="機構ウェブサイト",
    )  # fmt: skip


def test_package_made_with_an_older_list_still_verifies(
    tmp_path: Path, shorei_home: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Export under the October list, import November's, then verify: October's list is still known."""
    _import_list(
        shorei_home,
        tmp_path,
        dt.date(2026, 10, 1),
        "20615,大津赤十字病院,滋賀県大津市長等1-1-35,,,認定研修施設",
    )
    out = tmp_path / "out"
    assert main(["export", str(examples_dir / "valid-20-cases.json"), "--out", str(out)]) == 0
    _import_list(
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
