"""The names the store's modules take from app.operations (where the planners now live), under the name
they had here: `ops.Labels`, `ops.Plan`, the limits, and the whole-document plans of the history."""

from __future__ import annotations

from app.operations.history import describe_difference as describe_difference
from app.operations.history import replace_document as replace_document
from app.operations.plan import MAX_ENROLLMENTS as MAX_ENROLLMENTS
from app.operations.plan import MAX_ROWS as MAX_ROWS
from app.operations.plan import MAX_SECTIONS as MAX_SECTIONS
from app.operations.plan import FieldValue as FieldValue
from app.operations.plan import Labels as Labels
from app.operations.plan import Plan as Plan
from app.operations.sections import empty_section as empty_section
