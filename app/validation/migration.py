"""What moving an application to another form version would do, before it is done (SPEC §2, §7 migrate).

Every application stays on the form version it was drafted under until the user moves it. The preview
validates the document under both forms and names, case by case as `validate` names them
(申請2(1) No.3 …), the problems that would appear (new errors first) and those that would go, and says
what the move changes in the document: the form it names, the target period and counts, fields renamed
or dropped, and values no longer in a choice list. The move itself changes only the form the document
names; the values stay as typed, so undoing it gives back exactly what was there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.models.application import FormRef
from app.validation.engine import validate

if TYPE_CHECKING:
    from app.models.application import Application
    from app.models.facility import FacilityLookup
    from app.models.forms import FieldSpec, FormDefinition
    from app.validation.issue import Issue


class MigrationError(Exception):
    """The application cannot move to that form (another layout, or the same form). One Japanese line."""


IssueKey = tuple[str, int | None, int | None, str | None]


def _key(issue: Issue) -> IssueKey:
    return (issue.code, issue.section, issue.row, issue.field)


@dataclass(frozen=True)
class MigrationPreview:
    """The effect of moving `application` from `source` to `target`."""

    source: FormDefinition
    target: FormDefinition
    migrated: Application
    appearing: list[Issue]
    disappearing: list[Issue]
    changes: list[str]

    @property
    def new_errors(self) -> list[Issue]:
        return [issue for issue in self.appearing if issue.is_error]

    def lines(self) -> list[str]:
        """The preview as the CLI prints it and the window shows it."""
        label = {"error": "エラー", "warning": "警告"}
        out = [
            f"様式の移行: {self.source.id} {self.source.version} → {self.target.id} {self.target.version}",
            "文書の変更:",
        ]
        out += [f"  ・{change}" for change in self.changes]
        out.append(
            f"新たに出る問題（{len(self.appearing)}件）:" if self.appearing else "新たに出る問題: なし"
        )
        out += [f"  {label[issue.severity]}  {issue.message}" for issue in self.appearing]
        out.append(f"消える問題（{len(self.disappearing)}件）:" if self.disappearing else "消える問題: なし")
        out += [f"  {label[issue.severity]}  {issue.message}" for issue in self.disappearing]
        return out


def preview_migration(
    application: Application,
    source: FormDefinition,
    target: FormDefinition,
    facilities: FacilityLookup | None = None,
) -> MigrationPreview:
    """What moving `application` (drafted under `source`) to `target` would change; MigrationError when
    it cannot move there."""
    if source.layout != target.layout:
        raise MigrationError(
            f"様式「{target.id}」は「{source.id}」と様式の形（{target.layout} と {source.layout}）が違うため移せません"
        )
    if (source.id, source.version) == (target.id, target.version):
        raise MigrationError(f"この申請はすでに様式 {target.id} {target.version} で作成されています")
    migrated = application.model_copy(update={"form": FormRef(id=target.id, version=target.version)})
    before = validate(application, source, facilities)
    after = validate(migrated, target, facilities)
    old_keys = {_key(issue) for issue in before}
    new_keys = {_key(issue) for issue in after}
    appearing = [issue for issue in after if _key(issue) not in old_keys]
    # New errors first, then new warnings, each in the form's order (validate sorts them so).
    appearing.sort(key=lambda issue: not issue.is_error)
    disappearing = [issue for issue in before if _key(issue) not in new_keys]
    changes = _document_changes(application, source, target)
    return MigrationPreview(source, target, migrated, appearing, disappearing, changes)


def _document_changes(application: Application, source: FormDefinition, target: FormDefinition) -> list[str]:
    if source.title == target.title:
        changes = [f"様式: {source.title}（{source.id} {source.version} → {target.id} {target.version}）"]
    else:
        changes = [
            f"様式: {source.title}（{source.id} {source.version}）→ {target.title}（{target.id} {target.version}）"
        ]
    if source.window is not None and target.window is not None and source.window != target.window:
        changes.append(
            f"今回対象となる期間: {source.window.start.display()}〜{source.window.latest_end.display()}"
            f" → {target.window.start.display()}〜{target.window.latest_end.display()}"
        )
    if (source.counts.min, source.counts.max) != (target.counts.min, target.counts.max):
        changes.append(
            f"症例数: {source.counts.min}〜{source.counts.max}例 → {target.counts.min}〜{target.counts.max}例"
        )
    old_fields = {spec.key: spec for spec in (*source.applicant_fields, *source.fields)}
    new_fields = {spec.key: spec for spec in (*target.applicant_fields, *target.fields)}
    for key, spec in old_fields.items():
        if key not in new_fields:
            filled = len(_values(application, spec))
            kept = (
                f"入力済み {filled}件の値は残りますが、点検・印刷されません" if filled else "入力はありません"
            )
            changes.append(f"項目「{spec.label}」は新しい様式にありません（{kept}）")
        elif new_fields[key].label != spec.label:
            changes.append(f"項目名: 「{spec.label}」→「{new_fields[key].label}」")
    changes += [
        f"項目「{spec.label}」が加わります" for key, spec in new_fields.items() if key not in old_fields
    ]
    for spec in new_fields.values():
        if spec.choices is None or spec.choices not in target.choices:
            continue
        allowed = set(target.choices[spec.choices].labels()) | {
            option.value for option in target.choices[spec.choices].options
        }
        for place, value in _values(application, spec, source):
            if value not in allowed:
                changes.append(f"{place}{spec.label}: 「{value}」は新しい様式の選択肢にありません")
    if not changes[1:]:
        changes.append("様式の名前のほかに変わる項目はありません")
    return changes


def _values(
    application: Application, spec: FieldSpec, form: FormDefinition | None = None
) -> list[tuple[str, str]]:
    """The non-empty values of field `spec` in the document, with the place as validate names it."""
    found: list[tuple[str, str]] = []
    applicant = application.applicant.model_dump()
    if spec.key in applicant:
        value = applicant[spec.key]
        if value not in (None, "", False):
            found.append(("", str(value)))
        return found
    for s_index, section in enumerate(application.sections):
        label = form.section_label(s_index) if form is not None else f"施設{s_index + 1}"
        for row, case in enumerate(section.cases):
            value = getattr(case, spec.key, None)
            if value not in (None, ""):
                found.append((f"{label} No.{row + 1} ", str(value)))
    for row, report in enumerate(application.reports):
        value = getattr(report, spec.key, None) if spec.key != "narrative" else None
        if value is None:
            value = report.narrative.get(spec.key)
        if value not in (None, ""):
            found.append((f"症例{row + 1} ", str(value)))
    return found
