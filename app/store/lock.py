"""One writer per data folder: an OS lock on a lock file, released by the OS when the process ends.

A lock file alone (exists = locked) would stay behind after a crash and lock the user out; an OS lock
(`flock` on POSIX, `msvcrt.locking` on Windows) dies with its process, so a killed Shorei never blocks
the next one. The file also says who holds it, for the message the second instance shows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import sys
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Windows locks are mandatory: lock a byte past the holder's note so others can still read the note.
_WINDOWS_LOCK_OFFSET = 1 << 20


class FolderLock:
    """An exclusive, non-blocking lock on `path` (created if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; False (at once, without waiting) if another holds it."""
        if self._handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # "a+" so that opening does not truncate the holder's note before we know we hold the lock.
        handle = self.path.open("a+", encoding="utf-8")
        try:
            if not _lock(handle):
                handle.close()
                return False
            # The note is for the message a second Shorei shows; a full disk must not cost the lock.
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
                handle.write(
                    f"pid {os.getpid()} on {socket.gethostname()} since {dt.datetime.now().astimezone():%Y-%m-%d %H:%M}\n"
                )
                handle.flush()
        except BaseException:
            handle.close()
            raise
        self._handle = handle
        return True

    def still_held(self) -> bool:
        """True while the lock file on disk is the one locked here. Deleting or replacing `shorei.lock` lets
        a second Shorei lock a new file; the first then must not write (issue 15, item 13)."""
        handle = self._handle
        if handle is None:
            return False
        try:
            on_disk = self.path.stat()
            held = os.fstat(handle.fileno())
        except OSError:
            return False
        return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            _unlock(handle)
            with contextlib.suppress(OSError):  # a note that a full disk could not take
                handle.close()

    def holder(self) -> str:
        """Who holds the lock, as its note says ('' when unknown)."""
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return ""


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: IO[str]) -> bool:
        handle.seek(_WINDOWS_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(_WINDOWS_LOCK_OFFSET)
        with contextlib.suppress(OSError):
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
