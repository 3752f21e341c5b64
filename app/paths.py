"""The user's data folder: bound once here, overridable with `SHOREI_HOME` (SPEC §7)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "Shorei"
HOME_ENV = "SHOREI_HOME"


def data_home(environ: dict[str, str] | None = None) -> Path:
    """The data folder (database, keys, backups, imported facility lists). Not created here."""
    env = os.environ if environ is None else environ
    override = env.get(HOME_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs  # only without SHOREI_HOME; keeps every command's start light

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
