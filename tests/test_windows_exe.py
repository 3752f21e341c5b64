"""The built Windows programs' PE headers: Shorei.exe windowed, shorei-cli.exe console, both with the icon
and a version resource naming pyproject's version.

They need the built program: scripts/windows/build.sh runs this file with SHOREI_WINDOWS_DIST naming
dist/windows/shorei/ (any OS can read a PE file with pefile). The normal suite, which builds nothing,
skips it.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pefile
import pytest

ROOT = Path(__file__).resolve().parent.parent
DIST_ENV = "SHOREI_WINDOWS_DIST"
DIST = os.environ.get(DIST_ENV, "")

pytestmark = pytest.mark.skipif(
    not DIST,
    reason=f"no built Windows program is named ({DIST_ENV} unset); scripts/windows/build.sh builds one and runs this",
)

GUI, CONSOLE = (
    pefile.SUBSYSTEM_TYPE["IMAGE_SUBSYSTEM_WINDOWS_GUI"],
    pefile.SUBSYSTEM_TYPE["IMAGE_SUBSYSTEM_WINDOWS_CUI"],
)


def _version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def _pe(name: str) -> pefile.PE:
    path = Path(DIST) / name
    assert path.is_file(), f"{path} is missing"
    return pefile.PE(str(path))


def _resource_types(pe: pefile.PE) -> set[int]:
    return {entry.id for entry in pe.DIRECTORY_ENTRY_RESOURCE.entries if entry.id is not None}


def _strings(pe: pefile.PE) -> dict[str, str]:
    found: dict[str, str] = {}
    for info in getattr(pe, "FileInfo", []):
        for block in info:
            for table in getattr(block, "StringTable", []):
                found.update({k.decode("utf-8"): v.decode("utf-8") for k, v in table.entries.items()})
    return found


@pytest.mark.parametrize(("name", "subsystem"), [("Shorei.exe", GUI), ("shorei-cli.exe", CONSOLE)])
def test_subsystem(name: str, subsystem: int) -> None:
    """Shorei.exe opens no console window (GUI, 2); shorei-cli.exe is a console program (3)."""
    assert _pe(name).OPTIONAL_HEADER.Subsystem == subsystem


@pytest.mark.parametrize("name", ["Shorei.exe", "shorei-cli.exe"])
def test_icon_and_version_resource(name: str) -> None:
    """Both carry the icon (RT_ICON, RT_GROUP_ICON) and a version resource with pyproject's version."""
    pe = _pe(name)
    types = _resource_types(pe)
    assert pefile.RESOURCE_TYPE["RT_ICON"] in types
    assert pefile.RESOURCE_TYPE["RT_GROUP_ICON"] in types
    assert pefile.RESOURCE_TYPE["RT_VERSION"] in types
    strings = _strings(pe)
    assert strings["ProductVersion"] == _version()
    assert strings["ProductName"] == "Shorei 症例登録"
    assert strings["OriginalFilename"] == name
    assert any("\u3040" <= ch <= "\u9fff" for ch in strings["FileDescription"]), "a Japanese description"


def test_the_icon_has_every_size() -> None:
    """The icon group holds 16 to 256 px images (Explorer picks the size it shows)."""
    pe = _pe("Shorei.exe")
    sizes = set()
    for entry in pe.DIRECTORY_ENTRY_RESOURCE.entries:
        if entry.id != pefile.RESOURCE_TYPE["RT_GROUP_ICON"]:
            continue
        for name_entry in entry.directory.entries:
            for lang in name_entry.directory.entries:
                data = pe.get_data(lang.data.struct.OffsetToData, lang.data.struct.Size)
                count = int.from_bytes(data[4:6], "little")
                for i in range(count):
                    width = data[6 + 14 * i]
                    sizes.add(width or 256)
    assert {16, 32, 48, 256} <= sizes
