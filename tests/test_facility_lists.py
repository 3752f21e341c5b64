"""Importing a society's facility list into the data folder, the list in use, and the CLI commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import TYPE_CHECKING

import openpyxl
import pytest

from app import cli
from app.models.forms import FormRegistry, bundled_forms
from app.resources import facility_data_path
from app.store.facility_index import FacilityIndex
from app.store.facility_lists import (
    active_facility_list,
    facility_list_status,
    import_facility_list,
    revert_facility_list,
)
from app.store.facility_table import FacilityListError
from app.store.layout import facility_folder

if TYPE_CHECKING:
    from pathlib import Path


HEADER = "認定番号,施設名,住所,認定開始,認定終了,種別\n"
LIST_A = (
    HEADER
    + "20953,伊勢赤十字病院,三重県伊勢市,2020/04/01,2030/03/31,認定研修施設\n50001,新設病院,東京都,,,認定研修施設\n"
)
LIST_B = HEADER + "60001,別の病院,大阪府,,,認定研修施設\n99999,取り込み病院,京都府,,,認定研修施設\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def kind_folder(home: Path) -> Path:
    return facility_folder(home) / "jbct"


def test_sample_is_in_use_until_a_list_is_imported(shorei_home: Path) -> None:
    """Before any import, the bundled sample is the list, and it says it is a sample."""
    status = facility_list_status(shorei_home)
    assert status.active.sample is True and status.imported is False and status.count == 10
    assert not shorei_home.exists()


def test_import_puts_the_list_in_use_and_keeps_the_file(shorei_home: Path, tmp_path: Path) -> None:
    """An imported list is used from then on; the file, its manifest and its index are kept."""
    source = write(tmp_path, "jbct.csv", LIST_A, "cp932")
    result = import_facility_list(
        shorei_home, source, version_date=dt.date(2026, 4, 1), today=dt.date(2026, 5, 1)
    )
    assert result.count == 2 and result.previous is None and not result.unchanged
    info = result.info
    assert info.sample is False and info.society == "日本がん治療認定医機構"
    assert info.name == "がん治療認定医 認定研修施設"
    assert info.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert info.source == "jbct.csv を 2026-05-01 に取り込み"
    with active_facility_list(shorei_home) as index:
        assert index.info == info
        assert [f.name for f in index.by_cert_no("50001")] == ["新設病院"]
        assert index.search("新設")[0].facility.cert_no == "50001"
        assert index.uses_fts
    folder = kind_folder(shorei_home) / f"20260401-{info.sha256[:12]}"
    assert sorted(p.name for p in folder.iterdir()) == ["index.sqlite", "manifest.json", "source.csv"]
    assert (folder / "source.csv").read_bytes() == source.read_bytes()


def test_new_import_keeps_the_previous_list_and_revert_brings_it_back(
    shorei_home: Path, tmp_path: Path
) -> None:
    """Importing a newer list keeps the one before; reverting swaps them back."""
    first = import_facility_list(
        shorei_home, write(tmp_path, "a.csv", LIST_A), version_date=dt.date(2026, 4, 1)
    )
    second = import_facility_list(
        shorei_home, write(tmp_path, "b.csv", LIST_B), version_date=dt.date(2026, 10, 1)
    )
    assert second.previous == first.info
    assert facility_list_status(shorei_home).previous == first.info
    assert revert_facility_list(shorei_home) == first.info
    with active_facility_list(shorei_home) as index:
        assert index.info == first.info
    assert revert_facility_list(shorei_home) == second.info
    third = import_facility_list(shorei_home, write(tmp_path, "c.csv", LIST_A + "70001,三番目,沖縄県,,,\n"))
    assert third.previous == second.info
    # Every imported list is kept, so a package signed against any of them still verifies (issue 15).
    assert len([p for p in kind_folder(shorei_home).iterdir() if p.is_dir()]) == 3


def test_broken_list_changes_nothing(shorei_home: Path, tmp_path: Path) -> None:
    """A list with a bad row is refused whole: the list in use stays, nothing half-imported is left."""
    good = import_facility_list(shorei_home, write(tmp_path, "a.csv", LIST_A))
    before = sorted(p.name for p in kind_folder(shorei_home).iterdir())
    broken = write(tmp_path, "broken.csv", LIST_B + "60001,別の病院,大阪府,,,認定研修施設\n")
    with pytest.raises(
        FacilityListError, match=r"broken\.csv: 4行目: 認定番号 60001 が2行目と重複しています"
    ):
        import_facility_list(shorei_home, broken)
    assert sorted(p.name for p in kind_folder(shorei_home).iterdir()) == before
    with active_facility_list(shorei_home) as index:
        assert index.info == good.info


def test_import_interrupted_while_building_leaves_the_old_list(
    shorei_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the import fails half-way (disk full, power), the previous list is still the one in use."""
    good = import_facility_list(shorei_home, write(tmp_path, "a.csv", LIST_A))

    def fail(*args: object, **kwargs: object) -> FacilityIndex:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FacilityIndex, "build", fail)
    # One line saying the disk is full and nothing changed (issue 15), not the raw OSError.
    with pytest.raises(
        FacilityListError, match="ディスクの空き容量が足りません。使用中の施設一覧は変わっていません"
    ):
        import_facility_list(shorei_home, write(tmp_path, "b.csv", LIST_B))
    monkeypatch.undo()
    assert not [p for p in kind_folder(shorei_home).iterdir() if p.name.startswith(".import-")]
    with active_facility_list(shorei_home) as index:
        assert index.info == good.info


def test_leftovers_of_a_killed_import_are_cleared_next_time(shorei_home: Path, tmp_path: Path) -> None:
    """A half-written folder from an import killed mid-way is removed by the next import."""
    import_facility_list(shorei_home, write(tmp_path, "a.csv", LIST_A))
    leftover = kind_folder(shorei_home) / ".import-dead"
    leftover.mkdir()
    (leftover / "source.csv").write_text("half", encoding="utf-8")
    import_facility_list(shorei_home, write(tmp_path, "b.csv", LIST_B))
    assert not leftover.exists()


def test_same_file_twice_changes_nothing(shorei_home: Path, tmp_path: Path) -> None:
    """Importing the list already in use says so and keeps the previous list as it was."""
    import_facility_list(shorei_home, write(tmp_path, "a.csv", LIST_A), version_date=dt.date(2026, 4, 1))
    import_facility_list(shorei_home, write(tmp_path, "b.csv", LIST_B), version_date=dt.date(2026, 4, 1))
    again = import_facility_list(shorei_home, tmp_path / "b.csv", version_date=dt.date(2026, 4, 1))
    assert again.unchanged
    assert facility_list_status(shorei_home).previous is not None


def test_missing_index_is_rebuilt_from_the_list(shorei_home: Path, tmp_path: Path) -> None:
    """If the search index is lost, the list itself is read again and search works the same."""
    info = import_facility_list(shorei_home, write(tmp_path, "a.csv", LIST_A)).info
    folder = next(p for p in kind_folder(shorei_home).iterdir() if p.is_dir())
    (folder / "index.sqlite").unlink()
    with active_facility_list(shorei_home) as index:
        assert index.info == info and index.search("新設")[0].facility.name == "新設病院"


def test_changed_list_file_is_reported(shorei_home: Path, tmp_path: Path) -> None:
    """A stored list changed behind Shorei's back fails its SHA-256 and asks for a new import."""
    import_facility_list(shorei_home, write(tmp_path, "a.csv", LIST_A))
    folder = next(p for p in kind_folder(shorei_home).iterdir() if p.is_dir())
    (folder / "index.sqlite").unlink()
    (folder / "source.csv").write_text(LIST_B, encoding="utf-8")
    with pytest.raises(FacilityListError, match="SHA-256 と一致しません"):
        active_facility_list(shorei_home)


def test_broken_pointer_is_reported(shorei_home: Path, tmp_path: Path) -> None:
    """A damaged record of the list in use is reported, not silently replaced by the sample."""
    import_facility_list(shorei_home, write(tmp_path, "a.csv", LIST_A))
    (kind_folder(shorei_home) / "active.json").write_text("{", encoding="utf-8")
    with pytest.raises(FacilityListError, match="取り込み直してください"):
        active_facility_list(shorei_home)


def test_list_with_its_manifest_can_be_imported(shorei_home: Path) -> None:
    """A list folder with a manifest (as Shorei bundles them) imports with its own description."""
    result = import_facility_list(shorei_home, facility_data_path("jbct-sample"))
    assert result.info.list_id == "jbct-sample" and result.count == 10


def test_unknown_kind_needs_a_society(shorei_home: Path, tmp_path: Path) -> None:
    """A list of a kind Shorei has no sample for needs the society named."""
    with pytest.raises(FacilityListError, match="学会名を指定してください"):
        import_facility_list(shorei_home, write(tmp_path, "a.csv", LIST_A), kind="other")
    with pytest.raises(FacilityListError, match="種類"):
        import_facility_list(shorei_home, write(tmp_path, "a.csv", LIST_A), kind="../x")


# ---- the command line -----------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_search_lists_the_sample_red_cross_hospitals(capsys: pytest.CaptureFixture[str]) -> None:
    """`shorei facilities search 赤十字 --json` lists the sample's facilities and says it is a sample."""
    code, out, err = run(capsys, "facilities", "search", "赤十字", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["list"]["sample"] is True
    assert len(document["results"]) == 10
    assert all("赤十字" in result["name"] for result in document["results"])
    assert {"cert_no": "20953", "name": "伊勢赤十字病院", "ended": False, "match": "name"}.items() <= next(
        result for result in document["results"] if result["cert_no"] == "20953"
    ).items()
    assert "サンプル" in err


def test_cli_search_finds_a_name_written_with_a_variant_kanji(capsys: pytest.CaptureFixture[str]) -> None:
    """豐津 (old form of 豊) finds 豊津赤十字病院 in the sample."""
    code, out, _ = run(capsys, "facilities", "search", "豐津")
    assert code == 0
    assert out.splitlines()[0] == "20195\t豊津赤十字病院\t佐賀県豊津市和歌田2430"


def test_cli_search_with_no_match_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """A search with no match prints nothing on stdout and says so on stderr."""
    code, out, err = run(capsys, "facilities", "search", "存在しない病院")
    assert (code, out) == (0, "")
    assert "一致する施設はありません" in err


def test_cli_import_then_search_and_validate_use_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, examples_dir: Path
) -> None:
    """After `facilities import`, search and `shorei validate` use the imported list, not the sample."""
    code, out, err = run(capsys, "validate", "--json", str(examples_dir / "broken.json"))
    assert "facility-unknown" in {issue["code"] for issue in json.loads(out)["issues"]}
    code, out, err = run(
        capsys, "facilities", "import", str(write(tmp_path, "b.csv", LIST_B)), "--date", "2026-10-01"
    )
    assert code == 0, err
    assert out.startswith("取り込みました: がん治療認定医 認定研修施設（2施設、2026-10-01版）")
    code, out, err = run(capsys, "validate", "--json", str(examples_dir / "broken.json"))
    assert "facility-unknown" not in {issue["code"] for issue in json.loads(out)["issues"]}
    code, out, err = run(capsys, "validate", str(examples_dir / "valid-20-cases.json"))
    assert code == 1 and "認定番号 20953 は施設一覧" in out
    code, out, err = run(capsys, "facilities", "search", "取り込み")
    assert out == "99999\t取り込み病院\t京都府\n" and err == ""
    code, out, err = run(capsys, "facilities", "status")
    assert "種類: 取り込み済み" in out and "件数: 2施設" in out
    code, out, err = run(capsys, "facilities", "revert")
    assert code == 2 and "元に戻せる以前の施設一覧がありません" in err


def test_cli_import_of_a_broken_file_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A broken list gets exit 2 and one line on stderr naming the file and the line, no traceback."""
    broken = write(tmp_path, "壊れた一覧.csv", HEADER + "1,A,B,2024/13/01,,\n")
    code, out, err = run(capsys, "facilities", "import", str(broken))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith(f"shorei: {broken}: 2行目: 認定開始: 存在しない日付です")
    code, out, err = run(capsys, "facilities", "import", str(tmp_path / "none.csv"))
    assert code == 2 and "ファイルがありません" in err


def test_cli_imports_excel_and_marks_ended_certifications(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An Excel list imports; an entry whose certification has ended is marked （認定終了） (JS-3)."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["認定番号", "施設名", "住所", "認定開始", "認定終了", "種別"])
    workbook.active.append(
        ["70001", "終了した病院", "長野県", dt.datetime(2010, 4, 1), dt.datetime(2015, 3, 31), "認定研修施設"]
    )
    workbook.active.append(["70001", "終了した病院", "長野県", dt.datetime(2015, 4, 1), None, "関連施設"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "list.xlsx"
    path.write_bytes(buffer.getvalue())
    code, _, err = run(capsys, "facilities", "import", str(path))
    assert code == 0, err
    code, out, _ = run(capsys, "facilities", "search", "終了")
    assert out.splitlines() == ["70001\t終了した病院（認定終了）\t長野県", "70001\t終了した病院\t長野県"]
    code, out, _ = run(capsys, "facilities", "search", "70001", "--json")
    assert [r["ended"] for r in json.loads(out)["results"]] == [True, False]


def test_validate_without_a_list_of_that_kind_checks_everything_else(
    capsys: pytest.CaptureFixture[str], examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form whose society's list is not installed is still validated, with a note that facilities are not."""
    registry = bundled_forms()
    form = registry.get("jbct-renewal-2026")
    assert form is not None
    other = form.model_copy(update={"facility": form.facility.model_copy(update={"list_kind": "nolist"})})
    monkeypatch.setattr("app.models.form_packs.forms_for", lambda home: FormRegistry([other]))
    code, out, err = run(capsys, "validate", "--json", str(examples_dir / "broken.json"))
    assert code == 1
    assert "facility-unknown" not in {issue["code"] for issue in json.loads(out)["issues"]}
    assert "施設一覧（nolist）がありません" in err and "施設の確認は行いません" in err


def test_validate_with_a_broken_list_is_unreadable(
    capsys: pytest.CaptureFixture[str], shorei_home: Path, tmp_path: Path, examples_dir: Path
) -> None:
    """A damaged imported list stops validation with exit 2 rather than checking against the wrong list."""
    import_facility_list(shorei_home, write(tmp_path, "a.csv", LIST_A))
    (kind_folder(shorei_home) / "active.json").write_text("[]", encoding="utf-8")
    code, out, err = run(capsys, "validate", str(examples_dir / "valid-20-cases.json"))
    assert (code, out) == (2, "")
    assert "使用中の施設一覧の記録が壊れています" in err
