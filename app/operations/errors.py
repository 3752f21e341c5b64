"""The errors a change can meet, defined below the store so that the operations raise the very classes
the store raises (app.store.errors re-exports them; callers keep catching `StoreError`)."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every store error. `str()` is one Japanese line fit for a dialog or stderr."""


class EditError(StoreError, ValueError):
    """An operation refused its input (a value that cannot be read, a row that does not exist).
    Nothing was changed; the message names the place and says what to type."""


class HistoryError(StoreError):
    """The recorded history does not fit the stored state, so an earlier state cannot be rebuilt."""
