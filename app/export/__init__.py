"""The files that leave the machine (SPEC §6): the seal-ready PDF, the signed package, and verification.

No Qt here: the window and `shorei export` / `shorei verify` call the same operations.

The names below are loaded when first used (PEP 562): `shorei verify` needs the signature checks, not
reportlab, and importing one module of this package does not import the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.export.export import (
        EarlierExport,
        ExportCancelledError,
        ExportError,
        ExportPlan,
        ExportRefusedError,
        ExportResult,
        export_application,
        plan_export,
    )
    from app.export.verify import Check, UnreadablePackageError, Verification, verify_package

_WHERE = {
    "EarlierExport": "app.export.export",
    "ExportCancelledError": "app.export.export",
    "ExportError": "app.export.export",
    "ExportPlan": "app.export.export",
    "ExportRefusedError": "app.export.export",
    "ExportResult": "app.export.export",
    "export_application": "app.export.export",
    "plan_export": "app.export.export",
    "Check": "app.export.verify",
    "UnreadablePackageError": "app.export.verify",
    "Verification": "app.export.verify",
    "verify_package": "app.export.verify",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "Check",
    "EarlierExport",
    "ExportCancelledError",
    "ExportError",
    "ExportPlan",
    "ExportRefusedError",
    "ExportResult",
    "UnreadablePackageError",
    "Verification",
    "export_application",
    "plan_export",
    "verify_package",
]
