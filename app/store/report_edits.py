"""The names the store's modules take from app.operations for case reports, under the name they had here."""

from __future__ import annotations

from app.operations.plan import MAX_REPORTS as MAX_REPORTS
from app.operations.reports import blank_report as blank_report
from app.operations.reports import fresh_copies as fresh_copies
