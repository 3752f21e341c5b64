"""The 指導者 registry's rules (JS-5): what a registration may change, and how a key fingerprint is read.

The registry belongs to the data folder (the applicant registers a 指導者 once and asks them for several
cases or applications); the store keeps it in the `supervisors` table (`store.supervisors`, a `Supervisors`).
A 指導者's results are trusted only when signed by the key whose fingerprint is registered, so that
fingerprint changes only on purpose (`Supervisors.trust_key`), never as a side effect of editing a name.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import TYPE_CHECKING, Final

from app.models.application import Supervisor
from app.models.text import normalize_text
from app.store.database import dumps, stamp
from app.store.errors import EditError

if TYPE_CHECKING:
    import sqlite3

    from app.store.database import Database

_DASHES: Final = re.compile(r"[\s\-‐‑‒–—―ー−]")
_HEX32: Final = re.compile(r"[0-9a-f]{32}")
EXAMPLE_FINGERPRINT: Final = "d953-9dee-b900-8f79-b2f0-7e9a-7140-bc48"


def read_fingerprint(text: str) -> str:
    """A key fingerprint as typed or read aloud (full-width, upper case, spaces or other dashes between
    the groups) in its printed form: eight groups of four hex digits joined by "-" (app.signing.keys)."""
    digits = _DASHES.sub("", unicodedata.normalize("NFKC", text)).lower()
    if not _HEX32.fullmatch(digits):
        raise EditError(
            f"鍵の指紋が読めません（入力: {text.strip()!r}）。指導者の Shorei に表示される"
            f"16進数32桁（例: {EXAMPLE_FINGERPRINT}）を入力してください"
        )
    return "-".join(digits[i : i + 4] for i in range(0, 32, 4))


def not_registered(member_id: str) -> str:
    return f"指導者（会員番号 {normalize_text(member_id)}）は登録されていません。先に「指導者登録」で登録してください"


def merged(supervisor: Supervisor, registered: Supervisor | None) -> Supervisor:
    """What `Supervisors.save` stores: the registration as given, keeping the trusted key when none is
    given, and refusing a different key than the trusted one."""
    if supervisor.cert_start > supervisor.cert_end:
        raise EditError(
            f"指導者 {supervisor.name}: 認定期間の開始（{supervisor.cert_start:%Y/%m/%d}）が"
            f"終了（{supervisor.cert_end:%Y/%m/%d}）より後です"
        )
    given = read_fingerprint(supervisor.fingerprint) if supervisor.fingerprint.strip() else ""
    trusted = registered.fingerprint if registered is not None else ""
    if given and trusted and given != trusted:
        raise EditError(
            f"指導者 {supervisor.name} の鍵の指紋（{given}）が登録済みのもの（{trusted}）と違います。"
            "鍵が替わったことを指導者ご本人に確かめてから、「鍵を信頼する」で登録し直してください"
        )
    return supervisor.model_copy(update={"fingerprint": given or trusted})


class Supervisors:
    """The 指導者 registry of one data folder (`store.supervisors`)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def all(self) -> list[Supervisor]:
        """The registered 指導者, in the order they were first registered."""
        rows = self._database.db().execute("SELECT data FROM supervisors ORDER BY rowid")
        return [Supervisor.model_validate(json.loads(row[0])) for row in rows]

    def get(self, member_id: str) -> Supervisor | None:
        """The registered 指導者 with that 会員番号, or None."""
        row = (
            self._database.db()
            .execute("SELECT data FROM supervisors WHERE member_id = ?", (normalize_text(member_id),))
            .fetchone()
        )
        return None if row is None else Supervisor.model_validate(json.loads(row[0]))

    def save(self, supervisor: Supervisor) -> Supervisor:
        """Register a 指導者 or update one (by 会員番号). An empty fingerprint keeps the trusted key; another
        key than the trusted one is refused here (see `trust_key`). Returns what is stored."""
        self._database.writable()
        saved = merged(supervisor, self.get(supervisor.member_id))
        self._put(saved)
        return saved

    def trust_key(self, member_id: str, fingerprint: str) -> Supervisor:
        """Trust `fingerprint` (as read from the 指導者, e.g. on paper or by phone) as the key that signs
        this 指導者's results; replaces an earlier one."""
        self._database.writable()
        current = self.get(member_id)
        if current is None:
            raise EditError(not_registered(member_id))
        saved = current.model_copy(update={"fingerprint": read_fingerprint(fingerprint)})
        self._put(saved)
        return saved

    def remove(self, member_id: str) -> None:
        """Remove a 指導者 from the registry (reports already requested keep their copy of the 指導者)."""
        with self._database.saving() as connection:
            cursor = connection.execute(
                "DELETE FROM supervisors WHERE member_id = ?", (normalize_text(member_id),)
            )
            if cursor.rowcount == 0:
                raise EditError(not_registered(member_id))

    def _put(self, supervisor: Supervisor) -> None:
        with self._database.saving() as connection:
            self.write(connection, supervisor)

    def write(self, connection: sqlite3.Connection, supervisor: Supervisor) -> None:
        """Write the registry's row for `supervisor` in the caller's transaction (`Store.apply` trusts a
        key in the same transaction as the results it signed)."""
        connection.execute(
            "INSERT INTO supervisors (member_id, data, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (member_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            (supervisor.member_id, dumps(supervisor.model_dump(mode="json")), stamp(self._database.now())),
        )
