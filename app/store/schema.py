"""The database layout, versioned with `PRAGMA user_version`, and the forward migrations between versions.

`MIGRATIONS[n]` takes a database from version n to n + 1; a new database runs them all. A migration is
never edited once released: a later layout is a new entry, so a database from any earlier version opens
(the store takes a backup before migrating one that holds data).

Each application is stored as rows, so a cell edit rewrites one small row: the application (title, form,
applicant as JSON), its sections (facility, accepted warnings), enrollment periods, and cases (one JSON
object per row, so the case's fields can grow with new forms without a migration). `changes` is the
history: one row per change with its invertible edits (app.store.patch).

Case reports (JSPM, v3) are rows too, one JSON object per report with its approval; the report archive
keeps each approved report that was reopened for editing; the 指導者 registry belongs to the data
folder, not to one application.
"""

from __future__ import annotations

from typing import Final

_V1: Final = """
CREATE TABLE applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    form_id TEXT NOT NULL,
    form_version TEXT NOT NULL,
    applicant TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    trashed_at TEXT
);
CREATE TABLE sections (
    app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    facility TEXT,
    accepted TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (app_id, position)
) WITHOUT ROWID;
CREATE TABLE enrollments (
    app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    section INTEGER NOT NULL,
    position INTEGER NOT NULL,
    start TEXT,
    "end" TEXT,
    PRIMARY KEY (app_id, section, position)
) WITHOUT ROWID;
CREATE TABLE cases (
    app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    section INTEGER NOT NULL,
    position INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (app_id, section, position)
) WITHOUT ROWID;
CREATE TABLE changes (
    app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    operation TEXT NOT NULL,
    summary TEXT NOT NULL,
    edits TEXT NOT NULL,
    PRIMARY KEY (app_id, version)
) WITHOUT ROWID;
"""

# v2: changes are grouped by the session (one opening of the store) that made them, so the window can
# offer "the state when I closed it on Tuesday" among the many per-cell states.
_V2: Final = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    pid INTEGER NOT NULL,
    app_version TEXT NOT NULL
);
ALTER TABLE changes ADD COLUMN session INTEGER REFERENCES sessions(id);
"""

# v3: JSPM case reports (one JSON row each, approval included), the archive of approved reports that were
# reopened (「削除して再依頼」 keeps a copy first), the 指導者 registry of the data folder, and the approval
# requests written. Every document now has a `reports` list, so the whole documents that earlier restores
# recorded in the history gain an empty one: replaying them then matches the documents as loaded.
_V3: Final = """
CREATE TABLE reports (
    app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (app_id, position)
) WITHOUT ROWID;
CREATE TABLE report_archive (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    report_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    version INTEGER NOT NULL,
    archived_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    data TEXT NOT NULL,
    session INTEGER REFERENCES sessions(id)
);
CREATE INDEX report_archive_app ON report_archive (app_id, id);
CREATE TABLE supervisors (
    member_id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE approval_requests (
    app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    request_id TEXT NOT NULL,
    supervisor TEXT NOT NULL,
    path TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (app_id, request_id)
) WITHOUT ROWID;
UPDATE changes
SET edits = (
    SELECT json_group_array(
        CASE
            WHEN json_array_length(edit.value, '$.path') = 0
                AND json_type(edit.value, '$.before') = 'object'
                AND json_type(edit.value, '$.after') = 'object'
            THEN json_insert(edit.value, '$.before.reports', json('[]'), '$.after.reports', json('[]'))
            ELSE json(edit.value)
        END
    )
    FROM (SELECT value FROM json_each(changes.edits) ORDER BY key) AS edit
)
WHERE EXISTS (SELECT 1 FROM json_each(changes.edits) AS edit WHERE json_array_length(edit.value, '$.path') = 0);
"""

# v4: what was printed and made for upload (SPEC §6, the society's 「印刷 済／アップロード 済」): one row per
# application and part (a section's sheets, or -1 for the whole application) and kind ("print", "upload"),
# with the fingerprint of the content it was made from, so an edit afterwards shows as 「印刷後に変更あり」.
# `named` says whether the user gave the application its name (else the list follows 氏名); databases
# from before keep the titles they had (the store clears it where the title is only a form's title);
# `copy_of` tells a 複製 from its original.
_V4: Final = """
CREATE TABLE outputs (
    app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    part INTEGER NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    version INTEGER NOT NULL,
    code TEXT,
    path TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (app_id, part, kind)
) WITHOUT ROWID;
ALTER TABLE applications ADD COLUMN named INTEGER NOT NULL DEFAULT 1;
ALTER TABLE applications ADD COLUMN copy_of INTEGER;
"""

MIGRATIONS: Final[tuple[str, ...]] = (_V1, _V2, _V3, _V4)
"""MIGRATIONS[n] migrates version n to n + 1."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
