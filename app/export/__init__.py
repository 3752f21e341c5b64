"""The files that leave the machine (SPEC §6): the seal-ready PDF, the signed package, and verification.

No Qt here: the window and `shorei export` / `shorei verify` call the same operations.

The names below are loaded when first used (PEP 562): `shorei verify` needs the signature checks, not
reportlab, and importing one module of this package does not import the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.export.approval import (
        ApprovalError,
        ApprovalFileError,
        FileCheck,
        build_request,
        build_response,
        comment_fields,
        match_response,
        read_request,
        read_response,
        request_file_name,
        requested_application,
        requested_approvals,
        requested_report,
        response_file_name,
        verify_statement,
    )
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
    "ApprovalError": "app.export.approval",
    "ApprovalFileError": "app.export.approval",
    "FileCheck": "app.export.approval",
    "build_request": "app.export.approval",
    "build_response": "app.export.approval",
    "comment_fields": "app.export.approval",
    "match_response": "app.export.approval",
    "read_request": "app.export.approval",
    "read_response": "app.export.approval",
    "request_file_name": "app.export.approval",
    "requested_application": "app.export.approval",
    "requested_approvals": "app.export.approval",
    "requested_report": "app.export.approval",
    "response_file_name": "app.export.approval",
    "verify_statement": "app.export.approval",
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
    "ApprovalError",
    "ApprovalFileError",
    "Check",
    "EarlierExport",
    "ExportCancelledError",
    "ExportError",
    "ExportPlan",
    "ExportRefusedError",
    "ExportResult",
    "FileCheck",
    "UnreadablePackageError",
    "Verification",
    "build_request",
    "build_response",
    "comment_fields",
    "export_application",
    "match_response",
    "plan_export",
    "read_request",
    "read_response",
    "request_file_name",
    "requested_application",
    "requested_approvals",
    "requested_report",
    "response_file_name",
    "verify_package",
    "verify_statement",
]
