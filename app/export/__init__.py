"""The files that leave the machine (SPEC §6): the seal-ready PDF, the signed package, and verification.

No Qt here: the window and `shorei export` / `shorei verify` call the same operations.
"""

from app.export.export import (
    ExportError,
    ExportPlan,
    ExportRefusedError,
    ExportResult,
    default_stem,
    export_application,
    plan_export,
    safe_stem,
)
from app.export.keys import KeyFileError, SigningKey, load_or_create_signing_key
from app.export.signing import UnreadableFileError, read_limited
from app.export.verify import Check, UnreadablePackageError, Verification, verify_package

__all__ = [
    "Check",
    "ExportError",
    "ExportPlan",
    "ExportRefusedError",
    "ExportResult",
    "KeyFileError",
    "SigningKey",
    "UnreadableFileError",
    "UnreadablePackageError",
    "Verification",
    "default_stem",
    "export_application",
    "load_or_create_signing_key",
    "plan_export",
    "read_limited",
    "safe_stem",
    "verify_package",
]
