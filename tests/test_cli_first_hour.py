"""The command line a new user meets: `shorei new`, `--version`, `shorei FILE`, argparse in Japanese, and
messages that name flags and document fields rather than the window's buttons."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from app.cli import _as_gui, display_problem, main
from app.cli.parser import translate
from tests.cli_support import SAMPLE_NOTICE
from tests.factories import document

if TYPE_CHECKING:
    from pathlib import Path


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# ---- shorei new ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form_id",
    ["jbct-renewal-2026", "jspm-specialist-new", "jspm-certified-new", "jspm-specialist-transition"],
)
def test_new_writes_a_blank_document_that_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form_id: str
) -> None:
    """`shorei new FORM --out FILE` writes a blank application of any installed form; validate reads it."""
    target = tmp_path / "新しい申請.json"
    assert main(["new", form_id, "--out", str(target), "--name", "山田 太郎", "--member-id", "123456"]) == 0
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["form"]["id"] == form_id
    assert (written["applicant"]["name"], written["applicant"]["member_id"]) == ("山田 太郎", "123456")
    capsys.readouterr()
    assert main(["validate", str(target)]) == 1  # blank: the case count is short, but it is readable
    assert "症例 0例" in capsys.readouterr().out


def test_new_names_the_installed_forms_for_an_unknown_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown form: exit 2, one line naming the installed forms; nothing written."""
    target = tmp_path / "x.json"
    assert main(["new", "nope", "--out", str(target)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "様式「nope」はインストールされていません" in line and "jbct-renewal-2026" in line
    assert not target.exists()


def test_new_never_replaces_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An existing --out file is kept as it is: exit 2 and a line saying so."""
    target = tmp_path / "x.json"
    target.write_text("mine", encoding="utf-8")
    assert main(["new", "jbct-renewal-2026", "--out", str(target)]) == 2
    assert "すでにあります" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "mine"


def test_version_lists_every_component(capsys: pytest.CaptureFixture[str]) -> None:
    """`shorei --version` prints Shorei's version, each form, the vocabulary and the facility lists."""
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Shorei: ")
    assert "jbct-renewal-2026" in out and "診断名辞書" in out and "施設一覧（jbct）" in out


# ---- shorei FILE and the window's start ----------------------------------------------------------


def test_file_alone_opens_it_in_the_window(
    examples_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`shorei FILE --screenshot PNG` is `shorei gui FILE --screenshot PNG` (what Windows sends)."""
    calls: list[tuple[object, object]] = []

    def run(file: object, screenshot: object) -> int:
        calls.append((file, screenshot))
        return 0

    monkeypatch.setattr("app.views.app.run", run)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    example = examples_dir / "valid-20-cases.json"
    assert main([str(example), "--screenshot", str(tmp_path / "s.png")]) == 0
    assert calls == [(example, tmp_path / "s.png")]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["mine.json"], ["gui", "mine.json"]),
        (["validate", "mine.json"], ["validate", "mine.json"]),
        (["--version"], ["--version"]),
        (["valdate"], ["valdate"]),
    ],
)
def test_only_a_file_is_taken_for_the_window(argv: list[str], expected: list[str]) -> None:
    """A .json (or existing path) first is a file to open; commands, options and typos are not."""
    assert _as_gui(argv, {"validate", "gui"}) == expected


def test_a_mistyped_command_is_named_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    """A word that is neither a command nor a file: exit 2, Japanese usage and error, how to go on."""
    with pytest.raises(SystemExit) as exited:
        main(["valdate"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("使い方: shorei")
    assert "shorei: エラー: valdate というコマンドもファイルもありません" in err and "shorei -h" in err


@pytest.mark.parametrize(
    ("environ", "platform", "refused"),
    [
        ({}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({}, "win32", False),
    ],
)
def test_no_display_is_said_before_qt_aborts(environ: dict[str, str], platform: str, refused: bool) -> None:
    """On Linux with no display and no Qt platform chosen, the window is refused with a Japanese reason."""
    problem = display_problem(environ, platform)
    assert (problem is not None) == refused
    if problem is not None:
        assert "画面" in problem and "shorei validate" in problem


def test_no_display_exits_two_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`shorei` with no display: exit 2 and one Japanese line, Qt never started."""
    monkeypatch.setattr("sys.platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("app.views.app.run", lambda *_: pytest.fail("Qt started"))
    assert main([]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("shorei: 画面（ディスプレイ）がないため")


# ---- argparse in Japanese ------------------------------------------------------------------------


def test_missing_argument_is_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    """`shorei validate` without FILE: Japanese usage line and error, exit 2."""
    with pytest.raises(SystemExit) as exited:
        main(["validate"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "使い方: shorei validate [-h] [--json] FILE",
        "shorei validate: エラー: 次の引数が必要です: FILE",
    ]


def test_help_is_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    """-h prints Japanese headings and the help option's own text in Japanese."""
    with pytest.raises(SystemExit):
        main(["export", "-h"])
    out = capsys.readouterr().out
    assert out.startswith("使い方: shorei export")
    assert "引数:" in out and "オプション:" in out and "この説明を表示して終了します" in out
    assert "usage" not in out and "show this help" not in out


@pytest.mark.parametrize(
    ("english", "japanese"),
    [
        ("unrecognized arguments: --x", "使えない引数です: --x"),
        (
            "argument COMMAND: invalid choice: 'x' (choose from 'a', 'b')",
            "引数 COMMAND: 'x' は選べません（選べるもの: 'a', 'b'）",
        ),
        ("argument --section: invalid int value: 'a'", "引数 --section: 整数として読めません: 'a'"),
        ("argument --out: expected one argument", "引数 --out: 値を1つ指定してください"),
        ("日本語のまま", "日本語のまま"),
    ],
)
def test_argparse_messages_are_translated(english: str, japanese: str) -> None:
    """argparse's own error texts come out in Japanese."""
    assert translate(english) == japanese


def test_unknown_option_is_japanese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An option no command has: 「使えない引数です」, exit 2."""
    with pytest.raises(SystemExit):
        main(["forms", "--nope"])
    assert "shorei: エラー: 使えない引数です: --nope" in capsys.readouterr().err


# ---- messages of the command line's own ----------------------------------------------------------


def test_every_schema_problem_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three wrong values: exit 2, a headline line and each problem with its place (no 「ほか2件」)."""
    doc = document()
    for row in doc["sections"][0]["cases"][:3]:
        row["age"] = "x"
    path = _write(tmp_path / "bad.json", doc)
    assert main(["validate", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"shorei: {path}: 申請データの内容が不正です（3件）"
    assert lines[1:] == [f"  /sections/0/cases/{row}/age: 整数で書いてください" for row in range(3)]


def test_every_schema_problem_is_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json gives each schema problem as an issue (code document-unreadable), exit 2."""
    doc = document()
    for row in doc["sections"][0]["cases"][:2]:
        row["age"] = "x"
    path = _write(tmp_path / "bad.json", doc)
    assert main(["validate", "--json", str(path)]) == 2
    issues = json.loads(capsys.readouterr().out)["issues"]
    assert [issue["code"] for issue in issues] == ["document-unreadable"] * 2
    assert "/sections/0/cases/1/age" in issues[1]["message"]


def test_sex_message_is_japanese_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """性別 written 男: the message says "male"（男性）or "female"（女性）in Japanese."""
    doc = document()
    doc["sections"][0]["cases"][0]["sex"] = "男"
    assert main(["validate", str(_write(tmp_path / "s.json", doc))]) == 2
    err = capsys.readouterr().err
    assert '性別は "male"（男性）か "female"（女性）で書いてください（値: "男"）' in err
    assert " or " not in err


@pytest.mark.parametrize("name", ["症例一覧.csv", "症例一覧.xlsx"])
@pytest.mark.parametrize("command", ["validate", "export"])
def test_a_case_list_gets_the_import_cases_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, command: str
) -> None:
    """A CSV/XLSX given where a document belongs: exit 2 and how to read it in with import-cases."""
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf\xe5\xb9\xb4\xe9\xbd\xa2,\xe6\x80\xa7\xe5\x88\xa5\n65,M\n")
    argv = [command, str(path)] + (["--out", str(tmp_path / "out")] if command == "export" else [])
    assert main(argv) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert f"shorei import-cases 申請.json {name} --section 1" in line


@pytest.mark.parametrize("command", ["validate", "export"])
def test_the_sample_facility_list_is_said(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """validate and export say on stderr, in one line, that the facility list in use is the sample."""
    argv = [command, str(examples_dir / "valid-20-cases.json")]
    assert main(argv + (["--out", str(tmp_path / "out")] if command == "export" else [])) == 0
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(SAMPLE_NOTICE) and "shorei facilities import" in line


def test_an_imported_list_is_not_called_a_sample(
    examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Once the society's list is imported, validate prints nothing on stderr."""
    from app.resources import facility_data_path

    source = facility_data_path("jbct-sample") / "facilities.csv"
    assert main(["facilities", "import", str(source), "--date", "2026-04-01"]) == 0
    capsys.readouterr()
    assert main(["validate", str(examples_dir / "valid-20-cases.json")]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("form", [{"id": "jbct-renewal-2026"}, "jbct-renewal-2026"])
def test_form_without_version_is_read_as_installed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: object
) -> None:
    """A document naming only the form id is read as the installed version, with a notice."""
    doc = {**document(), "form": form}
    assert main(["validate", str(_write(tmp_path / "d.json", doc))]) == 0
    err = capsys.readouterr().err
    assert "様式の版が書かれていないため、インストール済みの版 2026.1 として読みました" in err


def test_facility_messages_name_document_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI's facility message names the document's fields and `facilities search`, not a button."""
    doc = document()
    doc["sections"][0]["facility"] = None
    assert main(["validate", str(_write(tmp_path / "f.json", doc))]) == 1
    out = capsys.readouterr().out
    assert "shorei facilities search" in out and "cert_no" in out
    assert "認定施設検索" not in out


def test_import_cases_says_replace_flag(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cases that do not fit: the refusal names --replace, not the window's 「置き換える」."""
    table = tmp_path / "一覧.xlsx"
    assert main(["export-cases", str(examples_dir / "valid-20-cases.json"), "--out", str(table)]) == 0
    source = examples_dir / "valid-20-cases.json"
    argv = ["import-cases", str(source), str(table), "--section", "1", "--out", str(tmp_path / "o.json")]
    capsys.readouterr()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "--replace を付けて置き換えるか" in err and "「置き換える」" not in err
