"""Whether an application's sheets were printed and its upload file made, and whether it changed since
(issue 13 item 7, the society's 「印刷 済／アップロード 済」).

What was made is kept by the store (`store.archive.record_output`) with a fingerprint of the content it was made
from: the application without its private fields (備考), whole for the upload file and per section for
the sheets. An edit that changes that content, and only such an edit, shows as 「印刷後に変更あり」;
undoing it back to the printed content clears it. A 照合コード is of the whole package, so any change
means every sheet must be printed again; `changed_parts` names the sections whose own content changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Sequence

    from app.models.application import Application
    from app.store.archive import Output

WHOLE_APPLICATION: Final = -1
"""The `part` of an output made of the whole application (the upload file, a JSPM sheet set)."""

DRAFT, READY, PRINTED, CHANGED = "下書き", "提出できます", "印刷済", "印刷後に変更あり"
"""The states the list shows, in this order of progress; CHANGED is after PRINTED."""


def _fingerprint(value: object) -> str:
    # Compared only with what this installation stored, so plain sorted JSON is enough (RFC 8785 is what
    # is signed, and ten times slower: this runs after every edit of a printed application).
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_fingerprints(application: Application) -> dict[int, str]:
    """The fingerprint of what is printed: of the whole application (key `WHOLE_APPLICATION`) and of each
    section with the applicant (key: the section's index). 備考 are left out (they never leave the PC)."""
    public = application.model_dump(mode="json")
    for section in public["sections"]:
        for case in section["cases"]:
            case["note"] = ""
    for report in public["reports"]:
        report["note"] = ""
    found = {WHOLE_APPLICATION: _fingerprint(public)}
    for index, section in enumerate(public["sections"]):
        found[index] = _fingerprint(
            {"form": public["form"], "applicant": public["applicant"], "section": section}
        )
    return found


@dataclass(frozen=True)
class PrintState:
    """What was printed and made for upload, and whether the content changed since."""

    printed: bool
    """The sheets were printed or written as PDF (not a draft)."""
    uploaded: bool
    """The upload file was written."""
    changed: bool
    """The content differs from what was printed or written."""
    changed_parts: tuple[int, ...] = ()
    """The sections (indexes) whose own content changed since their sheets were printed."""
    code: str | None = None
    """The 照合コード of the last upload file written."""
    printed_parts: tuple[int, ...] = ()
    """The sections (indexes) whose sheets were printed or written as PDF."""

    @property
    def label(self) -> str:
        """As the society shows it: 「印刷 済／アップロード 済」, with 「（印刷後に変更あり）」 after a change."""
        text = f"印刷 {'済' if self.printed else '未'}／アップロード {'済' if self.uploaded else '未'}"
        return f"{text}（{CHANGED}）" if self.changed else text

    def section_label(self, index: int) -> str:
        """The state of one section's sheets: 印刷済, 印刷後に変更あり (its own content changed, or another
        section's, which changes the 照合コード on every sheet), or "" when never printed."""
        if index not in self.printed_parts:
            return ""
        return CHANGED if self.changed else PRINTED


NOT_PRINTED: Final = PrintState(printed=False, uploaded=False, changed=False)


def print_state(application: Application, outputs: Sequence[Output]) -> PrintState:
    """The state of `application` after `outputs` (what `store.archive.outputs` holds for it)."""
    if not outputs:
        return NOT_PRINTED
    now = content_fingerprints(application)
    printed = uploaded = changed = False
    parts: set[int] = set()
    sheets: set[int] = set()
    code = None
    for output in outputs:
        if output.kind == "print":
            printed = True
            if output.part != WHOLE_APPLICATION:
                sheets.add(output.part)
        else:
            uploaded = True
            code = output.code
        if now.get(output.part) != output.content:
            changed = True
            if output.part != WHOLE_APPLICATION:
                parts.add(output.part)
    return PrintState(printed, uploaded, changed, tuple(sorted(parts)), code, tuple(sorted(sheets)))


def list_state(state: PrintState, errors: int) -> str:
    """The one word the list of applications shows: 下書き, 提出できます, 印刷済 or 印刷後に変更あり."""
    if state.changed:
        return CHANGED
    if state.printed:
        return PRINTED
    return DRAFT if errors else READY
