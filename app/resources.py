"""Where bundled data lives, from a source checkout and from the PyInstaller bundle alike."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any


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


def read_toml(path: Path) -> dict[str, Any]:
    """A bundled TOML file, parsed. Parsing the forms and the vocabulary is a large share of a command's
    start, so the result is kept beside the file as JSON in `__pycache__/`, named by the text's SHA-256,
    the way Python keeps compiled modules: written only where Python writes bytecode (not with
    PYTHONDONTWRITEBYTECODE, nor inside the installed program, whose folder the uninstaller must find as it
    left it), read whenever it is there. Raises
    OSError, UnicodeDecodeError or tomllib.TOMLDecodeError as reading the file itself would."""
    import hashlib
    import json
    import tomllib

    text = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    cached = path.parent / "__pycache__" / f"{path.name}.{digest}.json"
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    except (OSError, ValueError):
        pass
    parsed = tomllib.loads(text)
    if not sys.dont_write_bytecode and not getattr(sys, "frozen", False):
        with contextlib.suppress(OSError, TypeError, ValueError):  # TypeError: a TOML date is not JSON
            payload = json.dumps(parsed, ensure_ascii=False)
            cached.parent.mkdir(exist_ok=True)
            temporary = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            temporary.write_text(payload, encoding="utf-8")
            temporary.replace(cached)
    return parsed
