"""What `shorei facilities …` does, printed for a terminal or as JSON (`app.cli` parses the arguments)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, TextIO

from app.models.facility import ENDED_LABEL
from app.store.facility_lists import active_facility_list as _active
from app.store.facility_lists import (
    facility_list_status,
    import_facility_list,
    revert_facility_list,
)

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.facility import FacilityListInfo
    from app.store.facility_index import FacilityHit


def _list_json(info: FacilityListInfo, count: int) -> dict[str, object]:
    return {
        "list_id": info.list_id,
        "name": info.name,
        "society": info.society,
        "version_date": info.version_date.isoformat(),
        "sample": info.sample,
        "count": count,
    }


def _hit_json(hit: FacilityHit, today: dt.date) -> dict[str, object]:
    facility = hit.facility
    return {
        "cert_no": facility.cert_no,
        "name": facility.name,
        "address": facility.address,
        "cert_start": None if facility.cert_start is None else facility.cert_start.isoformat(),
        "cert_end": None if facility.cert_end is None else facility.cert_end.isoformat(),
        "kind": facility.kind,
        "ended": facility.is_ended(today),
        "match": hit.match,
    }


def _sample_note(info: FacilityListInfo) -> str:
    return (
        f"注意: 使用中の施設一覧はサンプルです（{info.name}）。"
        "学会が公開している一覧を shorei facilities import FILE で取り込んでください"
    )


def search(
    home: Path,
    text: str,
    *,
    kind: str,
    limit: int,
    as_json: bool,
    out: TextIO,
    err: TextIO,
    today: dt.date | None = None,
) -> int:
    day = today or dt.date.today()
    with _active(home, kind) as index:
        hits = index.search(text, limit=max(1, limit))
        if as_json:
            document = {
                "list": _list_json(index.info, len(index)),
                "query": text,
                "results": [_hit_json(hit, day) for hit in hits],
            }
            json.dump(document, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            for hit in hits:
                facility = hit.facility
                ended = ENDED_LABEL if facility.is_ended(day) else ""
                print(f"{facility.cert_no}\t{facility.name}{ended}\t{facility.address}", file=out)
            if not hits:
                print(f"「{text}」に一致する施設はありません", file=err)
        if index.info.sample:
            print(_sample_note(index.info), file=err)
    return 0


def import_list(
    home: Path,
    file: Path,
    *,
    kind: str,
    society: str | None,
    name: str | None,
    version_date: dt.date | None,
    source: str | None,
    out: TextIO,
) -> int:
    result = import_facility_list(
        home, file, kind=kind, society=society, name=name, version_date=version_date, source=source
    )
    info = result.info
    if result.unchanged:
        print(f"同じ施設一覧がすでに使用中です: {info.name}（{result.count}施設）", file=out)
        return 0
    print(f"取り込みました: {info.name}（{result.count}施設、{info.version_date:%Y-%m-%d}版）", file=out)
    if result.previous is not None:
        print(
            f"以前の一覧: {result.previous.name}（{result.previous.version_date:%Y-%m-%d}版）。"
            "shorei facilities revert で戻せます",
            file=out,
        )
    return 0


def status(home: Path, *, kind: str, out: TextIO) -> int:
    current = facility_list_status(home, kind)
    info = current.active
    kind_label = (
        "サンプル（実際の一覧ではありません）"
        if info.sample
        else "取り込み済み"
        if current.imported
        else "同梱"
    )
    print(f"使用中: {info.name}", file=out)
    print(f"種類: {kind_label}", file=out)
    print(f"件数: {current.count}施設", file=out)
    print(f"版: {info.version_date:%Y-%m-%d}", file=out)
    print(f"学会: {info.society}", file=out)
    print(f"入手元: {info.source}", file=out)
    print(f"SHA-256: {info.sha256}", file=out)
    if current.previous is not None:
        print(f"以前の一覧: {current.previous.name}（{current.previous.version_date:%Y-%m-%d}版）", file=out)
    return 0


def revert(home: Path, *, kind: str, out: TextIO) -> int:
    info = revert_facility_list(home, kind)
    print(f"以前の施設一覧に戻しました: {info.name}（{info.version_date:%Y-%m-%d}版）", file=out)
    return 0
