"""The versions `shorei --version` and ヘルプ → バージョン情報 show."""

from __future__ import annotations

import importlib.metadata
from typing import TYPE_CHECKING

from app.about import component_versions, program_version
from app.models.forms import bundled_forms

if TYPE_CHECKING:
    from pathlib import Path


def test_program_version_is_the_installed_distribution() -> None:
    """The program's version is the one pyproject.toml gives the distribution."""
    assert program_version() == importlib.metadata.version("shorei")


def test_component_versions_name_every_form_the_vocabulary_and_the_sample_lists(tmp_path: Path) -> None:
    """Every installed form, the vocabulary and each facility list in use are listed; the sample says so."""
    rows = dict(component_versions(tmp_path / "home"))
    assert rows["Shorei"] == program_version()
    for form in bundled_forms().all():
        assert rows[f"様式 {form.title}"] == f"{form.id} {form.version}"
    assert rows["診断名辞書"].count("/") == 2
    assert "同梱のサンプル" in rows["施設一覧（jbct）"]
    assert "Python" in rows
