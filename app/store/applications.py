"""The applications of a data folder as records: create, import and export, list, rename, duplicate,
trash, and move to another form version (`store.applications`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from app.models.application import Application, FormRef
from app.models.document import DocumentError, load_application, save_application
from app.models.text import normalize_text
from app.operations.history import replace_document
from app.operations.patch import Edit
from app.operations.plan import MAX_ENROLLMENTS, MAX_REPORTS, MAX_ROWS, MAX_SECTIONS, Plan
from app.operations.reports import blank_report, fresh_copies
from app.operations.sections import empty_section
from app.store.database import dumps, parse_stamp, stamp
from app.store.errors import EditError, NotFoundError
from app.store.rows import to_application

if TYPE_CHECKING:
    import datetime as dt
    import sqlite3
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from app.models.forms import FormDefinition, FormRegistry
    from app.operations.patch import Json
    from app.store.database import Database
    from app.store.rows import Editing, Loaded, Recording, Rows


def blank_document(form: FormDefinition) -> Json:
    """A new, empty application document under `form` (the window's 新規 and `shorei new`)."""
    document: Json = Application(form=FormRef(id=form.id, version=form.version)).model_dump(mode="json")
    if form.layout == "case-reports":
        # As the society's page lists them: numbers 1 … max, each 未登録 until filled in.
        document["reports"] = [blank_report() for _ in range(form.counts.max)]
    else:
        document["sections"] = [empty_section()]
    return document


@dataclass(frozen=True)
class ApplicationInfo:
    """An application as the store lists it (no rows loaded). Times are UTC; `version` counts changes."""

    id: int
    title: str
    form_id: str
    form_version: str
    applicant_name: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    trashed_at: dt.datetime | None
    named: bool = True
    """The user gave the name (新規 with a name, 名前変更); otherwise the list shows 氏名 (`display_name`)."""
    copy_of: int | None = None
    """The application this one was duplicated from."""

    @property
    def display_name(self) -> str:
        """The name the list shows: the user's name for it, else the applicant's 氏名, else the title."""
        return self.title if self.named or not self.applicant_name else self.applicant_name


_INFO_COLUMNS: Final = (
    "id, title, form_id, form_version, coalesce(json_extract(applicant, '$.name'), ''), version, "
    "created_at, updated_at, trashed_at, named, copy_of"
)


def _info(row: Sequence[Any]) -> ApplicationInfo:
    return ApplicationInfo(
        id=row[0],
        title=row[1],
        form_id=row[2],
        form_version=row[3],
        applicant_name=row[4],
        version=row[5],
        created_at=parse_stamp(row[6]),
        updated_at=parse_stamp(row[7]),
        trashed_at=None if row[8] is None else parse_stamp(row[8]),
        named=bool(row[9]),
        copy_of=row[10],
    )


class Applications:
    """The application records of one store (`store.applications`)."""

    def __init__(
        self,
        database: Database,
        rows: Rows,
        forms: Callable[[], FormRegistry],
        *,
        edit: Editing,
        record: Recording,
    ) -> None:
        self._database = database
        self._rows = rows
        self._forms = forms
        self._edit = edit
        self._record = record

    def migrate(self, app_id: int, form_id: str, version: str) -> Application:
        """Move the application to another installed form version: one change (one undo step), the old
        form kept in the history. The values stay as typed; see app.validation.migration for the preview."""
        forms = self._forms()
        target = forms.get(form_id, version)
        if target is None:
            raise EditError(f"様式 {form_id} {version} はインストールされていません")

        def plan(loaded: Loaded) -> Plan | None:
            old = loaded.document["form"]
            source = forms.get(old["id"], old["version"])
            if source is not None and source.layout != target.layout:
                raise EditError(f"様式「{form_id}」は形が違うため、この申請を移せません")
            if (old["id"], old["version"]) == (form_id, version):
                return None
            document = {**loaded.document, "form": {"id": form_id, "version": version}}
            summary = f"様式を移す: {old['id']} {old['version']} → {form_id} {version}"
            return replace_document(loaded.document, document, "migrate", summary)

        return self._edit(app_id, plan)

    def forms_in_use(self) -> set[tuple[str, str]]:
        """(form id, version) of every application, those in the trash included."""
        rows = self._database.db().execute("SELECT DISTINCT form_id, form_version FROM applications")
        return {(row[0], row[1]) for row in rows}

    def create(self, form_id: str, title: str = "", *, form_version: str | None = None) -> ApplicationInfo:
        """A new, empty application under an installed form (the newest version unless named)."""
        forms = self._forms()
        form = forms.get(form_id, form_version)
        if form is None:
            installed = "、".join(forms.ids()) or "なし"
            raise EditError(f"様式「{form_id}」はインストールされていません（インストール済み: {installed}）")
        return self._insert(
            blank_document(form), title or form.title, "create", "新規作成", named=bool(normalize_text(title))
        )

    def import_application(
        self, application: Application, *, title: str = "", summary: str = "取り込み"
    ) -> ApplicationInfo:
        """A new application holding `application` (checked against the store's limits)."""
        self._check_limits(application, source="申請データ")
        document = application.model_dump(mode="json")
        default = application.applicant.name or "取り込んだ申請"
        return self._insert(document, title or default, "import", summary, named=False)

    def import_document(self, path: Path, *, title: str | None = None) -> ApplicationInfo:
        """A new application read from an application document (SPEC §4). Unreadable input raises
        `DocumentError` (one line naming the file), and nothing is stored."""
        application = load_application(path, self._forms())
        self._check_limits(application, source=str(path))
        return self.import_application(
            application, title=title or path.stem, summary=f"取り込み: {path.name}"
        )

    def export_document(self, app_id: int, path: Path, *, include_private: bool = True) -> None:
        """Write the application as a document (written whole or not at all). `include_private=False`
        leaves out every 備考, for a document that leaves the machine."""
        save_application(
            to_application(self._rows.load(app_id).document), path, include_private=include_private
        )

    @staticmethod
    def _check_limits(application: Application, *, source: str) -> None:
        if len(application.sections) > MAX_SECTIONS:
            raise DocumentError(
                source, f"施設が多すぎます（{len(application.sections)}件、上限 {MAX_SECTIONS}件）"
            )
        for index, section in enumerate(application.sections, start=1):
            if len(section.cases) > MAX_ROWS:
                raise DocumentError(
                    source, f"施設{index}の症例が多すぎます（{len(section.cases)}行、上限 {MAX_ROWS}行）"
                )
            if len(section.enrollment) > MAX_ENROLLMENTS:
                raise DocumentError(source, f"施設{index}の在籍期間が多すぎます（上限 {MAX_ENROLLMENTS}件）")
        if len(application.reports) > MAX_REPORTS:
            raise DocumentError(
                source, f"症例が多すぎます（{len(application.reports)}件、上限 {MAX_REPORTS}件）"
            )
        seen: set[str] = set()
        for number, report in enumerate(application.reports, start=1):
            if report.id in seen:
                # Requests and approvals name a report by its id: two with one id cannot be told apart.
                raise DocumentError(source, f"症例{number}の id が別の症例と同じです（{report.id}）")
            seen.add(report.id)

    def _insert(
        self,
        document: Json,
        title: str,
        operation: str,
        summary: str,
        *,
        named: bool = True,
        copy_of: int | None = None,
    ) -> ApplicationInfo:
        title = self._title(title)
        now = stamp(self._database.now())
        with self._database.saving() as connection:
            cursor = connection.execute(
                "INSERT INTO applications (title, form_id, form_version, applicant, version, created_at,"
                " updated_at, named, copy_of) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
                (
                    title,
                    document["form"]["id"],
                    document["form"]["version"],
                    dumps(document["applicant"]),
                    now,
                    now,
                    int(named),
                    copy_of,
                ),
            )
            app_id = cursor.lastrowid
            assert app_id is not None
            self._rows.write_rows(app_id, document)
            connection.execute(
                "INSERT INTO changes (app_id, version, at, operation, summary, edits, session) VALUES (?, 0, ?, ?, ?, '[]', ?)",
                (app_id, now, operation, summary, self._database.session),
            )
        return self.info(app_id)

    @staticmethod
    def _title(title: str) -> str:
        text = normalize_text(title)
        if not text:
            raise EditError("名前を入力してください")
        if len(text) > 200:
            raise EditError(f"名前が長すぎます（{len(text)}文字、上限 200文字）")
        return text

    def all(self) -> list[ApplicationInfo]:
        """Applications not in the trash, most recently changed first."""
        rows = self._database.db().execute(
            f"SELECT {_INFO_COLUMNS} FROM applications WHERE trashed_at IS NULL ORDER BY updated_at DESC, id DESC"
        )
        return [_info(row) for row in rows]

    def in_trash(self) -> list[ApplicationInfo]:
        """Applications in the trash, most recently deleted first."""
        rows = self._database.db().execute(
            f"SELECT {_INFO_COLUMNS} FROM applications WHERE trashed_at IS NOT NULL ORDER BY trashed_at DESC, id DESC"
        )
        return [_info(row) for row in rows]

    def info(self, app_id: int) -> ApplicationInfo:
        row = (
            self._database.db()
            .execute(f"SELECT {_INFO_COLUMNS} FROM applications WHERE id = ?", (app_id,))
            .fetchone()
        )
        if row is None:
            raise NotFoundError(app_id)
        return _info(row)

    def rename(self, app_id: int, title: str) -> ApplicationInfo:
        """A new name for the application in the list (recorded in its history)."""
        new = self._title(title)
        old = self.info(app_id).title
        if new != old:
            self._database.writable()
            edit = Edit("set", ("$title",), old, new)
            plan = Plan("rename", f"名前を変更: {old} → {new}", [edit])

            def mark_named(connection: sqlite3.Connection, _version: int) -> None:
                connection.execute("UPDATE applications SET named = 1 WHERE id = ?", (app_id,))

            self._record(app_id, self._rows.load(app_id), plan, title=new, also=mark_named)
        return self.info(app_id)

    def duplicate(self, app_id: int, title: str | None = None) -> ApplicationInfo:
        """A copy of the application as it is now, with a history of its own. A copy is a separate
        application: its case reports get new ids and no approvals (an approval belongs to the original)."""
        source = self.info(app_id)
        document = self._rows.load(app_id).document
        document = {**document, "reports": fresh_copies(document["reports"])}
        return self._insert(
            document,
            title or f"{source.title}（コピー）",
            "duplicate",
            f"「{source.title}」から複製",
            named=bool(title) or source.named,
            copy_of=app_id,
        )

    def move_to_trash(self, app_id: int) -> None:
        """Delete an application: it goes to the trash, from where it can be put back."""
        self.info(app_id)
        with self._database.saving() as connection:
            connection.execute(
                "UPDATE applications SET trashed_at = ? WHERE id = ? AND trashed_at IS NULL",
                (stamp(self._database.now()), app_id),
            )
        self._rows.forget(app_id)

    def restore_from_trash(self, app_id: int) -> ApplicationInfo:
        self.info(app_id)
        with self._database.saving() as connection:
            connection.execute("UPDATE applications SET trashed_at = NULL WHERE id = ?", (app_id,))
        self._rows.forget(app_id)
        return self.info(app_id)

    def empty_trash(self) -> int:
        """Remove the applications in the trash for good, with their history. Returns how many."""
        with self._database.saving() as connection:
            removed = [
                row[0]
                for row in connection.execute("SELECT id FROM applications WHERE trashed_at IS NOT NULL")
            ]
            connection.execute("DELETE FROM applications WHERE trashed_at IS NOT NULL")
        for app_id in removed:
            self._rows.forget(app_id)
        return len(removed)
