"""The files that leave the machine (SPEC §6): the seal-ready PDF, the signed package, and verification.

No Qt here: the window and `shorei export` / `shorei verify` call the same operations.
"""

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
from app.export.file_names import default_stem, safe_stem
from app.export.keys import KeyFileError, SigningKey, load_or_create_signing_key
from app.export.signing import UnreadableFileError, read_limited
from app.export.verify import Check, UnreadablePackageError, Verification, verify_package

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
    "KeyFileError",
    "SigningKey",
    "UnreadableFileError",
    "UnreadablePackageError",
    "Verification",
    "build_request",
    "build_response",
    "comment_fields",
    "default_stem",
    "export_application",
    "load_or_create_signing_key",
    "match_response",
    "plan_export",
    "read_limited",
    "read_request",
    "read_response",
    "request_file_name",
    "requested_application",
    "requested_approvals",
    "requested_report",
    "response_file_name",
    "safe_stem",
    "verify_package",
    "verify_statement",
]
