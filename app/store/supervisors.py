"""The 指導者 registry's rules (JS-5): what a registration may change, and how a key fingerprint is read.

The registry belongs to the data folder (the applicant registers a 指導者 once and asks them for several
cases or applications); the store keeps it in the `supervisors` table. A 指導者's results are trusted only
when signed by the key whose fingerprint is registered, so that fingerprint changes only on purpose
(`Store.trust_supervisor_key`), never as a side effect of editing a name.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Final

from app.models.text import normalize_text
from app.store.errors import EditError

if TYPE_CHECKING:
    from app.models.application import Supervisor

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
    """What `save_supervisor` stores: the registration as given, keeping the trusted key when none is
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
