"""`shorei export` and `shorei verify` (SPEC §7): exit codes, messages, and files written."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from app.cli import main
from tests.cli_support import SAMPLE_NOTICE, one_clear_line

if TYPE_CHECKING:
    from pathlib import Path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_writes_pdf_and_package(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exporting a valid application writes FILE.pdf and FILE.package.json and exits 0."""
    folder = tmp_path / "out"
    code, out, err = _run(capsys, "export", str(examples_dir / "valid-20-cases.json"), "--out", str(folder))
    # The one line on stderr says that the bundled sample facility list was used.
    assert code == 0 and err.startswith(SAMPLE_NOTICE) and err.count("\n") == 1
    assert sorted(path.name for path in folder.iterdir()) == [
        "valid-20-cases.package.json",
        "valid-20-cases.pdf",
    ]
    assert "照合コード" in out and "署名鍵の指紋" in out


def test_export_refuses_errors_and_lists_them(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An application with errors exits 1, lists every error, says how to go on, and writes nothing."""
    folder = tmp_path / "out"
    code, out, err = _run(capsys, "export", str(examples_dir / "broken.json"), "--out", str(folder))
    assert code == 1
    assert out.count("エラー  ") == 27
    one_clear_line(err)
    assert "--draft" in err
    assert not folder.exists()


def test_export_draft_writes_only_a_watermarked_pdf(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --draft an application with errors gives a PDF only, named -draft, and exits 0."""
    code, out, _ = _run(
        capsys, "export", str(examples_dir / "broken.json"), "--out", str(tmp_path / "new"), "--draft"
    )
    assert code == 0
    assert [path.name for path in (tmp_path / "new").iterdir()] == ["broken-draft.pdf"]
    assert "下書き" in out


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "ファイルがありません"), (b"{", "JSON として読めません"), (b"\x00\xff", "UTF-8")],
)
def test_export_of_unreadable_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, problem: str
) -> None:
    """Unreadable input exits 2 with one line naming the file and the problem."""
    source = tmp_path / "input.json"
    if content is not None:
        source.write_bytes(content)
    code, _, err = _run(capsys, "export", str(source), "--out", str(tmp_path / "out"))
    assert code == 2
    one_clear_line(err)
    assert "input.json" in err and problem in err


def test_export_into_a_file_exits_2(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An --out that is a file, not a folder, exits 2 with one clear line."""
    target = tmp_path / "taken"
    target.write_text("", encoding="utf-8")
    code, _, err = _run(capsys, "export", str(examples_dir / "valid-20-cases.json"), "--out", str(target))
    assert code == 2
    one_clear_line(err)
    assert "フォルダではありません" in err


@pytest.fixture
def exported(examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    folder = tmp_path / "out"
    assert _run(capsys, "export", str(examples_dir / "valid-20-cases.json"), "--out", str(folder))[0] == 0
    return folder / "valid-20-cases.package.json", folder / "valid-20-cases.pdf"


def test_verify_valid_package_and_pdf(
    exported: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """verify exits 0 and says what it checked, the PDF included."""
    package, pdf = exported
    code, out, err = _run(capsys, "verify", str(package), "--pdf", str(pdf))
    assert code == 0 and err == ""
    assert out.startswith("有効: ")
    assert "署名: 一致" in out and "jbct-renewal-2026 2026.1" in out and "SHA-256 一致" in out
    assert "valid-20-cases.pdf と一致" in out


def test_verify_without_pdf_says_it_was_not_checked(
    exported: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --pdf, verify still exits 0 and says how to check the PDF too."""
    code, out, _ = _run(capsys, "verify", str(exported[0]))
    assert code == 0 and "PDF: 未確認" in out


def test_verify_tampered_package_exits_1_naming_the_check(
    exported: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A package whose content was edited exits 1 and says the signature check failed."""
    package = exported[0]
    package.write_bytes(package.read_bytes().replace(b'"age":38', b'"age":39', 1))
    code, out, _ = _run(capsys, "verify", str(package))
    assert code == 1
    assert out.startswith("無効: ") and "署名の確認に失敗しました" in out


def test_verify_reformatted_package_exits_1_as_non_canonical(
    exported: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A package pretty-printed by an editor exits 1 naming the canonical-form check."""
    package = exported[0]
    package.write_text(json.dumps(json.loads(package.read_bytes()), indent=2, ensure_ascii=False), "utf-8")
    code, out, _ = _run(capsys, "verify", str(package))
    assert code == 1 and "正規形（RFC 8785）の確認に失敗しました" in out


def test_verify_with_another_pdf_exits_1(
    exported: tuple[Path, Path], examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PDF other than the one the package names exits 1 naming the PDF check."""
    other = tmp_path / "other.pdf"
    other.write_bytes(exported[1].read_bytes() + b"\n")
    code, out, _ = _run(capsys, "verify", str(exported[0]), "--pdf", str(other))
    assert code == 1 and "PDFの確認に失敗しました" in out and "other.pdf" in out


def test_verify_unreadable_exits_2(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing file, an application document instead of a package, or a missing PDF exit 2."""
    for args in (
        [str(tmp_path / "missing.package.json")],
        [str(examples_dir / "valid-20-cases.json")],
        [str(examples_dir / "valid-20-cases.json"), "--pdf", str(tmp_path / "missing.pdf")],
    ):
        code, _, err = _run(capsys, "verify", *args)
        assert code == 2
        one_clear_line(err)


def test_missing_font_is_one_clear_line_not_a_traceback(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged installation without its font: export says which file and what to do, writes nothing."""
    from app.export import fonts

    monkeypatch.setattr(fonts, "FONT_NAME", "ShoreiMissingFont")
    monkeypatch.setattr(fonts, "FONT_FILE", "no-such-font.ttf")
    folder = tmp_path / "out"
    code, _, err = _run(capsys, "export", str(examples_dir / "valid-20-cases.json"), "--out", str(folder))
    assert code != 0
    one_clear_line(err)
    assert "no-such-font.ttf" in err and "入れ直して" in err
    assert not list(folder.glob("*.pdf"))
