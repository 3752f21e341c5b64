"""Pure rule functions → list[Issue]: the one place for every rule (no Qt)."""

from app.validation.engine import validate
from app.validation.issue import Issue, has_errors

__all__ = ["Issue", "has_errors", "validate"]
