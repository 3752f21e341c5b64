"""Where bundled data lives, from a source checkout and from the PyInstaller bundle alike."""

from __future__ import annotations

import sys
from pathlib import Path


def project_root() -> Path:
    """The folder holding `resources/` and `facility_data/`.

    PyInstaller unpacks data beside the program and says where in `sys._MEIPASS`; from source it is the
    folder above this package.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """A path under `resources/`."""
    return project_root().joinpath("resources", *parts)


def facility_data_path(*parts: str) -> Path:
    """A path under `facility_data/`."""
    return project_root().joinpath("facility_data", *parts)


def user_guide() -> Path:
    """The Japanese guide (docs/guide-ja.md), shipped inside the program for ヘルプ → 使い方."""
    return project_root().joinpath("docs", "guide-ja.md")
