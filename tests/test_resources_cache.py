"""Bundled TOML files are parsed once and kept as JSON beside them, as Python keeps compiled modules."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from app.resources import read_toml

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_parsed_toml_is_kept_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first read writes the cache; the next reads it; a changed file is parsed anew."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "form.toml"
    path.write_text('title = "様式"\n[counts]\nmin = 20\n', encoding="utf-8")
    assert read_toml(path) == {"title": "様式", "counts": {"min": 20}}
    [cached] = (tmp_path / "__pycache__").iterdir()
    assert cached.name.startswith("form.toml.") and cached.suffix == ".json"
    cached.write_text('{"title": "キャッシュ"}', encoding="utf-8")
    assert read_toml(path) == {"title": "キャッシュ"}
    path.write_text('title = "新しい版"\n', encoding="utf-8")
    assert read_toml(path) == {"title": "新しい版"}


def test_nothing_is_written_without_bytecode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With PYTHONDONTWRITEBYTECODE (or a read-only folder) the file is parsed and nothing is written."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    path = tmp_path / "v.toml"
    path.write_text("a = 1\n", encoding="utf-8")
    assert read_toml(path) == {"a": 1}
    assert not (tmp_path / "__pycache__").exists()


def test_dates_are_parsed_but_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A TOML date has no JSON form: the file is still read, just not kept."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "d.toml"
    path.write_text("day = 2026-04-01\n", encoding="utf-8")
    assert str(read_toml(path)["day"]) == "2026-04-01"
    assert list((tmp_path / "__pycache__").glob("*.json")) == []
