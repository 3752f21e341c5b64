"""Writing a file so that a crash or a full disk leaves the old file or the new one, never part of either."""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows has no directory handles to flush)."""
    if os.name == "posix":
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def fsync_file(path: Path) -> None:
    """Flush a file that is already written and closed to disk.

    Opened for writing: Windows flushes only a handle with write access (os.fsync on a file opened "rb"
    raises PermissionError there), and POSIX accepts either.
    """
    with path.open("r+b") as handle:
        os.fsync(handle.fileno())


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` under a temporary name beside `path`, flush it to disk, then rename it over `path`.

    Opened with "x" rather than mkstemp so the file gets the usual permissions: documents, PDFs and
    packages are meant to be shared (the signing key is written elsewhere, owner-only).
    """
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with temp.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)
