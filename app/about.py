"""The versions a user or the society's office asks about: `shorei --version` and ヘルプ → バージョン情報.

No Qt here (the window adds Qt's own version); heavy modules are imported only when the list is asked for,
so the version alone costs nothing at start-up.
"""

from __future__ import annotations

import platform
from typing import TYPE_CHECKING

# Defined apart (app.version) so that the store, whose facility lists are read below, need not import this.
from app.version import program_version as program_version

if TYPE_CHECKING:
    from pathlib import Path


def component_versions(home: Path) -> list[tuple[str, str]]:
    """(label, version) for Shorei, every form (bundled or from an installed pack), the diagnosis vocabulary, the facility list in
    use for each list kind the forms name, and Python; for the data folder `home`."""
    from app.models.form_packs import forms_for
    from app.store.errors import StoreError
    from app.store.facility_lists import facility_list_status
    from app.store.facility_table import FacilityListError
    from app.validation.diagnosis import vocabulary

    rows = [("Shorei", program_version())]
    forms = forms_for(home).all()
    rows += [(f"様式 {form.title}", f"{form.id} {form.version}") for form in forms]
    rows.append(("診断名辞書", vocabulary().version))
    for kind in sorted({form.facility.list_kind for form in forms}):
        try:
            status = facility_list_status(home, kind)
        except (StoreError, FacilityListError, OSError) as error:
            rows.append((f"施設一覧（{kind}）", f"読み込めません: {error}"))
            continue
        info = status.active
        where = "同梱のサンプル" if info.sample else ("取り込み済み" if status.imported else "同梱")
        rows.append(
            (
                f"施設一覧（{kind}）",
                f"{info.name} {info.version_date.isoformat()}版 {status.count}件（{where}）",
            )
        )
    rows.append(("Python", platform.python_version()))
    return rows
