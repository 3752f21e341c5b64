"""SPEC §8: one cell edit committed through the store (issue budget 5 ms; the frame budget is 16 ms with
revalidation and the view), and facility search over a generated 20,000-entry list, per keystroke
(budget 5 ms at the 95th percentile)."""

from __future__ import annotations

import datetime as dt
import functools
import random
import tempfile
from pathlib import Path

from app.models.application import FacilityChoice
from app.models.facility import Facility, FacilityListInfo
from app.models.forms import bundled_forms
from app.operations.cases import SetCaseField
from app.operations.sections import SetFacility
from app.store import Store
from app.store.facility_files import bundled_facility_list
from app.store.facility_index import FacilityIndex
from app.validation import validate
from benchmarks.bench_validate import full_application
from benchmarks.common import Measurement, time_calls

ROOT = Path(__file__).resolve().parent.parent

_PREFECTURES = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
]  # fmt: skip
_PLACES = [
    "伊勢", "岐阜", "諏訪", "那須", "芳賀", "秋田", "大津", "小川", "豊津", "札幌", "函館", "盛岡", "仙台",
    "山形", "郡山", "水戸", "宇都宮", "前橋", "高崎", "川越", "所沢", "千葉", "船橋", "松戸", "八王子",
    "立川", "横浜", "川崎", "相模原", "新潟", "長岡", "富山", "金沢", "福井", "甲府", "松本", "長野",
    "静岡", "浜松", "名古屋", "豊橋", "岡崎", "津", "四日市", "京都", "大阪", "堺", "豊中", "神戸", "姫路",
    "奈良", "和歌山", "鳥取", "松江", "岡山", "倉敷", "広島", "福山", "下関", "徳島", "高松", "松山",
    "高知", "北九州", "福岡", "久留米", "佐賀", "長崎", "佐世保", "熊本", "大分", "宮崎", "鹿児島", "那覇",
    "霞ヶ浦", "駒ヶ根", "茅ヶ崎", "山崎", "柴崎", "宮崎台", "長崎台", "川崎台",
]  # fmt: skip
_SURNAMES = [
    "髙橋",
    "高橋",
    "山﨑",
    "山崎",
    "渡邊",
    "渡邉",
    "渡辺",
    "齋藤",
    "齊藤",
    "斎藤",
    "佐藤",
    "鈴木",
    "田中",
]
_PATTERNS = [
    "{place}赤十字病院", "{place}市立病院", "{place}市民病院", "{place}中央病院", "{place}総合病院",
    "{place}医療センター", "国立病院機構{place}医療センター", "{place}がんセンター", "{place}大学医学部附属病院",
    "{place}県立病院", "{place}労災病院", "{place}共済病院", "{place}済生会病院", "{place}記念病院",
    "{surname}病院", "{surname}記念病院", "{place}{surname}クリニック", "{place}第{n}病院",
]  # fmt: skip


def generated_facilities(count: int = 20_000, seed: int = 7) -> list[Facility]:
    """A list shaped like the societies' ones: repeated place names and patterns, variant kanji,
    some facilities listed twice with other certification periods (JS-3)."""
    rng = random.Random(seed)
    facilities: list[Facility] = []
    for number in range(count):
        place = rng.choice(_PLACES)
        name = rng.choice(_PATTERNS).format(place=place, surname=rng.choice(_SURNAMES), n=number % 9 + 1)
        prefecture = rng.choice(_PREFECTURES)
        address = f"{prefecture}{place}市{rng.choice(['本町', '中央', '栄町', '旭町'])}{rng.randint(1, 9)}-{rng.randint(1, 40)}-{rng.randint(1, 30)}"
        start = dt.date(2015 + number % 8, 4, 1)
        facilities.append(
            Facility(
                cert_no=f"{10000 + number:05d}",
                name=name,
                address=address,
                cert_start=start,
                cert_end=start.replace(year=start.year + 5) - dt.timedelta(days=1),
                kind="認定研修施設" if number % 5 else "関連施設",
            )
        )
    return facilities


def _info(count: int) -> FacilityListInfo:
    return FacilityListInfo(
        list_id="bench",
        society="ベンチマーク",
        name=f"生成した {count} 施設",
        version_date=dt.date(2026, 4, 1),
        source="benchmarks/bench_store.py",
        sha256="0" * 64,
        sample=False,
        data_file="generated.csv",
    )


def keystrokes(words: list[str]) -> list[str]:
    """Every prefix of each word, as the search box sees it while the user types."""
    return [word[:end] for word in words for end in range(1, len(word) + 1)]


_TYPED = [
    "伊勢赤十字病院",
    "いせ",
    "髙橋病院",
    "山崎",
    "渡辺記念",
    "斉藤",
    "医療センター",
    "国立病院機構",
    "大学医学部附属",
    "20953",
    "1234",
    "東京都",
    "名古屋 がん",
    "ｶﾜｻｷ",
    "霞ケ浦",
]


def _search_measurements(folder: Path, rounds: int) -> list[Measurement]:
    facilities = generated_facilities()
    info = _info(len(facilities))
    queries = keystrokes(_TYPED)
    measurements: list[Measurement] = []
    for label, fts, spec_row in (
        ("FTS5 trigram + short-query scan", None, 4),
        ("fallback without FTS5", False, None),
    ):
        index = FacilityIndex.build(info, facilities, folder / f"index-{fts}.sqlite", fts=fts)
        index.close()
        index = FacilityIndex.open(folder / f"index-{fts}.sqlite", fts=fts)
        per_query = [
            time_calls(functools.partial(index.search, query), runs=rounds, warmup=2) for query in queries
        ]
        long_p95 = _p95(
            [
                s
                for q, chunk in zip(queries, per_query, strict=True)
                if len(q.replace(" ", "")) >= 3
                for s in chunk
            ]
        )
        short_p95 = _p95(
            [
                s
                for q, chunk in zip(queries, per_query, strict=True)
                if len(q.replace(" ", "")) < 3
                for s in chunk
            ]
        )
        measurements.append(
            Measurement(
                what=f"facility search, 20,000 entries, per keystroke ({label})",
                budget="≤ 5 ms (p95)",
                budget_seconds=0.005,
                samples=[sample for chunk in per_query for sample in chunk],
                note=(
                    f"{len(queries)} keystrokes × {rounds}; p95 for ≥ 3 characters {long_p95 * 1e3:.2f} ms, "
                    f"for 1–2 characters {short_p95 * 1e3:.2f} ms; FTS5 in use: {index.uses_fts}"
                ),
                spec_row=spec_row,
                judged_at=0.95,
            )
        )
        index.close()
    return measurements


def _p95(samples: list[float]) -> float:
    return sorted(samples)[int(0.95 * len(samples))]


def _edit_measurements(folder: Path, runs: int) -> list[Measurement]:
    application = full_application()
    form = bundled_forms().get(application.form.id, application.form.version)
    assert form is not None
    facilities = bundled_facility_list()
    with Store.open(folder / "home") as store:
        info = store.applications.import_application(application, title="bench")
        store.apply(info.id, SetFacility(0, FacilityChoice(cert_no="20953", name="伊勢赤十字病院")))
        counter = iter(range(10**9))

        def edit() -> object:
            return store.apply(info.id, SetCaseField(1, 7, "age", str(20 + next(counter) % 80)))

        def edit_and_validate() -> object:
            return validate(edit(), form, facilities)  # type: ignore[arg-type]

        edit_samples = time_calls(edit, runs=runs, warmup=20)
        full_samples = time_calls(edit_and_validate, runs=runs, warmup=20)
        size = store.path.stat().st_size
    return [
        Measurement(
            what="one cell edit committed through the store (WAL, synchronous=FULL)",
            budget="≤ 5 ms",
            budget_seconds=0.005,
            samples=edit_samples,
            note=f"75-case application; includes the history entry and the returned Application; db {size // 1024} kB",
        ),
        Measurement(
            what="one cell edit committed + revalidated (store part of the 16 ms frame)",
            budget="≤ 16 ms (with view update)",
            budget_seconds=0.016,
            samples=full_samples,
            note="store.apply(SetCaseField) + validate(); the view update is measured with the window",
        ),
    ]


def run(quick: bool = False) -> list[Measurement]:
    runs = 3 if quick else 500
    # On the project's disk, not a RAM-backed /tmp, so fsync costs what it costs on a PC.
    with tempfile.TemporaryDirectory(prefix=".bench-", dir=ROOT) as name:
        folder = Path(name)
        return _edit_measurements(folder, runs) + _search_measurements(folder, rounds=1 if quick else 20)
