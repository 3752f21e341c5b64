"""Shorei's own version, for the store's session log and the window's title (`app.about` lists the rest).

Apart from `app.about` so that the store, which `app.about` reads, does not import it back.
"""

from __future__ import annotations

import importlib.metadata


def program_version() -> str:
    """Shorei's version as installed (the bundle carries the distribution's metadata too)."""
    try:
        return importlib.metadata.version("shorei")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
