"""Writes the example documents in this folder. Run: uv run python examples/generate.py"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
FORM = {"id": "jbct-renewal-2026", "version": "2026.1"}

DIAGNOSES = [
    ("胃癌", "中分化型管状腺癌", "手術"),
    ("肝細胞癌", "無し", "IVR"),
    ("非小細胞肺癌", "腺癌", "薬物療法"),
    ("大腸癌", "高分化型管状腺癌", "手術"),
    ("直腸癌", "中分化型管状腺癌", "放射線治療"),
    ("乳癌", "浸潤性乳管癌", "薬物療法"),
    ("膵癌", "浸潤性膵管癌", "薬物療法"),
    ("食道癌", "扁平上皮癌", "内視鏡治療"),
    ("前立腺癌", "腺癌", "放射線治療"),
    ("膀胱癌", "尿路上皮癌", "手術"),
    ("腎細胞癌", "淡明細胞型腎細胞癌", "手術"),
    ("子宮体癌", "類内膜癌", "手術"),
    ("子宮頸癌", "扁平上皮癌", "放射線治療"),
    ("卵巣癌", "高異型度漿液性癌", "薬物療法"),
    ("びまん性大細胞型B細胞リンパ腫", "びまん性大細胞型B細胞リンパ腫", "薬物療法"),
    ("急性骨髄性白血病", "無し", "造血幹細胞移植"),
    ("多発性骨髄腫", "形質細胞腫瘍", "薬物療法"),
    ("甲状腺乳頭癌", "乳頭癌", "手術"),
    ("悪性黒色腫", "悪性黒色腫", "その他"),
    ("脳腫瘍（髄芽腫）", "髄芽腫", "放射線治療"),
    ("基底細胞癌", "基底細胞癌", "手術"),
    ("骨肉腫", "骨肉腫", "薬物療法"),
    ("胆管癌", "腺癌", "緩和ケア"),
    ("悪性胸膜中皮腫", "上皮型中皮腫", "緩和ケア"),
    ("小細胞肺癌", "小細胞癌", "薬物療法"),
]


def case(number: int, start: str, end: str) -> dict[str, Any]:
    diagnosis, pathology, item = DIAGNOSES[number % len(DIAGNOSES)]
    return {
        "age": 38 + (number * 7) % 50,
        "sex": "male" if number % 3 else "female",
        "item": item,
        "item_other": "免疫チェックポイント阻害薬の副作用管理" if item == "その他" else "",
        "start": start,
        "end": end,
        "diagnosis": diagnosis,
        "pathology": pathology,
        "note": f"カルテ番号 {100200 + number}（自分用のメモ。印刷されません）",
        "accepted": [],
    }


def months(year: int, month: int, span: int) -> tuple[str, str]:
    start = year * 12 + month - 1
    end = start + span
    return f"{start // 12:04d}-{start % 12 + 1:02d}", f"{end // 12:04d}-{end % 12 + 1:02d}"


def document(
    sections: list[dict[str, Any]], *, dental: bool = False, month: str = "2026-09"
) -> dict[str, Any]:
    return {
        "format": "shorei/application@1",
        "form": FORM,
        "applicant": {
            "name": "山田 太郎",
            "member_id": "123456",
            "dental": dental,
            "application_month": month,
        },
        "sections": sections,
    }


def valid_20() -> dict[str, Any]:
    cases = [case(n, *months(2022 + n // 5, 4 + (n % 5) * 2, n % 4)) for n in range(20)]
    return document(
        [
            {
                "facility": {"cert_no": "20953", "name": "伊勢赤十字病院", "manual": False},
                "enrollment": [{"start": "2022-04", "end": "2026-09"}],
                "cases": cases,
                "accepted": [],
            }
        ]
    )


def valid_25_three_sections() -> dict[str, Any]:
    first = [case(n, *months(2022, 4 + n, 2)) for n in range(12)]
    second = [case(12 + n, *months(2023, 10 + n, 3)) for n in range(5)] + [
        case(17 + n, *months(2025, 10 + n, 1)) for n in range(3)
    ]
    third = [case(20 + n, *months(2025, 4 + n, 1)) for n in range(3)] + [
        case(23 + n, *months(2026, 4 + n, 2)) for n in range(2)
    ]
    return document(
        [
            {
                "facility": {"cert_no": "20953", "name": "伊勢赤十字病院", "manual": False},
                "enrollment": [{"start": "2022-04", "end": "2023-09"}],
                "cases": first,
                "accepted": [],
            },
            {
                "facility": {"cert_no": "20615", "name": "大津赤十字病院", "manual": False},
                "enrollment": [
                    {"start": "2023-10", "end": "2025-03"},
                    {"start": "2025-10", "end": "2026-03"},
                ],
                "cases": second,
                "accepted": [],
            },
            {
                "facility": {"cert_no": "", "name": "やまだ腫瘍内科クリニック", "manual": True},
                "enrollment": [
                    {"start": "2025-04", "end": "2025-09"},
                    {"start": "2026-04", "end": "2026-09"},
                ],
                "cases": third,
                "accepted": [],
            },
        ]
    )


def valid_25_one_section() -> dict[str, Any]:
    """25 cases at one facility (the most one sheet set holds), one warning kept with its reason."""
    cases = [case(n, *months(2022 + n // 6, 4 + (n % 6), n % 3)) for n in range(25)]
    # Two patients of the same sex and age with the same cancer in the same months: JB-6 warns, and the
    # physician keeps both rows with the reason (the common case of this warning in a busy practice).
    cases[1] = {**cases[0], "age": cases[0]["age"] + 1, "note": "カルテ番号 100299（別患者）"}
    cases[1]["accepted"] = [
        {
            "code": "duplicate-patient",
            "reason": "別の患者です（同時期に同じ胃癌で手術した別症例。カルテで確認済み）",
        }
    ]
    return document(
        [
            {
                "facility": {"cert_no": "20953", "name": "伊勢赤十字病院", "manual": False},
                "enrollment": [{"start": "2022-04", "end": "2026-09"}],
                "cases": cases,
                "accepted": [],
            }
        ]
    )


LONG_DIAGNOSES = [
    ("左乳房浸潤性乳管癌（ホルモン受容体陽性）", "浸潤性乳管癌（硬性型・核グレード２）", "手術"),
    ("胃体部進行癌（腹膜播種を伴う）", "低分化型腺癌（充実型）・印環細胞癌", "薬物療法"),
    ("肺上葉非小細胞肺癌（腺癌・EGFR変異）", "肺腺癌（腺房型優位）ＥＧＦＲ陽性", "薬物療法"),
    ("膵頭部浸潤性膵管癌（局所進行・切除不能）", "浸潤性膵管癌（中分化型管状腺癌）", "その他"),
    ("上行結腸癌（多発肝転移・肺転移あり）", "高分化型管状腺癌（ＲＡＳ野生型）", "手術"),
    ("食道胸部中部扁平上皮癌（術前化学療法後）", "扁平上皮癌（中分化型）・脈管侵襲あり", "放射線治療"),
    ("びまん性大細胞型Ｂ細胞リンパ腫（胃原発）", "びまん性大細胞型Ｂ細胞リンパ腫", "薬物療法"),
    ("急性骨髄性白血病（寛解導入療法後再発）", "無し", "造血幹細胞移植"),
    ("前立腺癌（去勢抵抗性・多発骨転移あり）", "腺癌（グリソンスコア４＋５＝９）", "放射線治療"),
    ("子宮頸部扁平上皮癌（局所進行期）", "角化型扁平上皮癌（浸潤癌）", "その他"),
    ("肝細胞癌（門脈腫瘍栓を伴う多発病変）", "中分化型肝細胞癌（索状型）", "IVR"),
    ("卵巣高異型度漿液性癌（腹膜播種あり）", "高異型度漿液性癌（ＢＲＣＡ変異陽性）", "薬物療法"),
    ("腎盂尿路上皮癌（リンパ節転移を伴う）", "浸潤性尿路上皮癌（高異型度）", "手術"),
    ("甲状腺乳頭癌（頸部リンパ節転移あり）", "乳頭癌（古典型）・被膜外浸潤あり", "手術"),
    ("悪性胸膜中皮腫（上皮型・進行期）", "上皮型中皮腫（管状乳頭型）", "緩和ケア"),
]
LONG_OTHER = ["がん悪液質に対する栄養療法と運動療法の併用", "免疫関連有害事象の外来管理"]


def long_names() -> dict[str, Any]:
    """25 cases at one facility with 診断名 and 病理診断名 of up to 20 characters, 「その他」 items, names
    that need the fallback font (𠮷, 髙, 﨑, 𡈽) and an empty row in the grid: the sheet still fits one
    page and numbers the cases 1–25 without a gap."""
    cases = []
    for n in range(25):
        diagnosis, pathology, item = LONG_DIAGNOSES[n % len(LONG_DIAGNOSES)]
        start, end = months(2022 + n // 6, 4 + (n % 6), n % 4)
        cases.append(
            {
                **case(n, start, end),
                "age": 31 + (n * 11) % 58,
                "item": item,
                "item_other": LONG_OTHER[n % 2] if item == "その他" else "",
                "diagnosis": diagnosis,
                "pathology": pathology,
                "accepted": [
                    {
                        "code": "diagnosis-abbreviation",
                        "reason": "RAS は遺伝子名で、病理報告書の記載どおりです（診断名の略語ではありません）",
                    }
                ]
                if "ＲＡＳ" in pathology
                else [],
            }
        )
    blank = {
        "age": None,
        "sex": None,
        "item": "",
        "item_other": "",
        "start": None,
        "end": None,
        "diagnosis": "",
        "pathology": "",
        "note": "",
        "accepted": [],
    }
    doc = document(
        [
            {
                "facility": {"cert_no": "", "name": "𡈽浦記念髙﨑がんセンター", "manual": True},
                "enrollment": [{"start": "2022-04", "end": "2026-09"}],
                "cases": [*cases[:7], blank, *cases[7:]],
                "accepted": [],
            }
        ]
    )
    doc["applicant"] = {**doc["applicant"], "name": "髙﨑 𠮷太郎", "member_id": "20240815"}
    return doc


def broken() -> dict[str, Any]:
    """Trips most of the JBCT rules, each on its own row so the listing reads like a lesson."""
    good = valid_20()["sections"][0]["cases"][:3]
    rows: list[dict[str, Any]] = [
        good[0],
        {**good[1], "age": None},  # age-missing
        {**good[1], "age": 130, "diagnosis": "胃癌疑い"},  # age-range, diagnosis-not-malignant
        {**good[2], "sex": None},  # sex-missing
        {**good[2], "item": ""},  # item-missing
        {**good[2], "item": "化学療法"},  # item-unknown
        {**good[2], "item": "その他", "item_other": ""},  # item-other-text-missing
        {**good[2], "item": "口腔ケア", "diagnosis": "口腔がん"},  # item-oral-care-not-dental
        {**good[2], "end": None},  # period-missing
        {**good[2], "start": "2024-08", "end": "2024-03"},  # period-order
        {**good[2], "start": "2021-10", "end": "2022-06"},  # period-before-window
        {**good[2], "start": "2026-03", "end": "2026-12"},  # period-after-application
        {**good[2], "start": "2023-01", "end": "2023-06"},  # period-outside-enrollment
        {**good[2], "diagnosis": ""},  # diagnosis-missing
        {**good[2], "diagnosis": "HCC", "pathology": "tub2"},  # diagnosis-abbreviation (both)
        {**good[2], "diagnosis": "脳腫瘍"},  # diagnosis-not-malignant
        {**good[2], "pathology": ""},  # pathology-missing
        {**good[0]},  # duplicate-patient (same as row 1)
        {**good[2], "diagnosis": "胃癌\u0007"},  # text-invalid
        {**good[2], "diagnosis": "胆嚢癌"},
    ]
    # Distinct ages so that only the row meant to look like a second case of one patient does.
    rows = [
        row if index in (0, 2, 17) or row["age"] is None else {**row, "age": 20 + 3 * index}
        for index, row in enumerate(rows)
    ]
    return document(
        [
            {
                "facility": {"cert_no": "99999", "name": "架空病院", "manual": False},  # facility-unknown
                "enrollment": [
                    {"start": "2022-04", "end": "2022-12"},
                    {"start": "2022-10", "end": "2022-11"},  # enrollment-overlap
                    {"start": "2024-06", "end": "2024-01"},  # enrollment-order
                    {"start": "2025-01", "end": "2027-03"},  # enrollment-outside-window
                ],
                "cases": rows,
                "accepted": [],
            },
            {"facility": None, "enrollment": [], "cases": [], "accepted": []},
            {  # section-order (2(2) is empty), section-unneeded, facility-missing, enrollment-missing
                "facility": None,
                "enrollment": [],
                "cases": [case(n, "2023-01", "2023-02") for n in range(18, 24)],  # and case-count: 26 in all
                "accepted": [],
            },
        ],
        month="2026-08",
    )


JSPM_CASES = [
    (
        "痛み",
        "膵癌",
        "膵癌に対し外来化学療法中、背部痛が増悪し入院。",
        "背部痛 NRS 8/10、夜間不眠。",
        "オキシコドンを導入・増量し NRS 2/10。腹腔神経叢ブロックを併用した。",
        "神経障害性疼痛の評価と早期のブロック併用が有効であった。",
    ),
    (
        "身体症状（痛み以外）",
        "非小細胞肺癌",
        "肺癌の多発転移で呼吸困難が増悪し入院。",
        "安静時の呼吸困難、不安。",
        "モルヒネ少量持続投与と送風、体位の工夫で呼吸困難が軽減した。",
        "非薬物療法を組み合わせることで少量のオピオイドで緩和できた。",
    ),
    (
        "精神症状",
        "乳癌",
        "乳癌の骨転移で治療中、抑うつ気分が続き紹介。",
        "抑うつ、食欲低下、希死念慮なし。",
        "精神科と連携し薬物療法と支持的精神療法を行い、気分が改善した。",
        "身体症状の緩和と並行した精神的支援が重要であった。",
    ),
    (
        "せん妄",
        "大腸癌",
        "大腸癌の肝転移で入院中、夜間の不穏が出現。",
        "過活動型せん妄、高カルシウム血症。",
        "原因検索と補正、環境調整、少量の抗精神病薬で改善した。",
        "可逆的な原因を探すことの大切さを学んだ。",
    ),
    (
        "苦痛緩和のための鎮静",
        "胃癌",
        "胃癌の腹膜播種で終末期、治療抵抗性の苦痛が出現。",
        "治療抵抗性の呼吸困難と苦悶。",
        "多職種で検討し、家族の同意を得て間欠的鎮静を行った。",
        "ガイドラインに沿った意思決定の過程を記録することが重要であった。",
    ),
    (
        "社会的な関わり",
        "慢性心不全",
        "重症心不全で入退院を繰り返し、在宅療養を希望。",
        "介護力不足、経済的な不安。",
        "医療ソーシャルワーカーと介護保険・訪問診療を調整し、在宅へ移行した。",
        "非がん疾患でも早期の社会的支援が生活の質を支えた。",
    ),
    (
        "スピリチュアルな関わり",
        "膵癌",
        "膵癌の終末期、生きる意味を問う発言が増えた。",
        "スピリチュアルペイン（関係性、自律）。",
        "傾聴とディグニティセラピーを行い、家族への手紙を残された。",
        "患者の語りを支えることがケアの中心であった。",
    ),
]


def jspm_report(number: int) -> dict[str, Any]:
    category, diagnosis, history, problems, course, reflection = JSPM_CASES[number % len(JSPM_CASES)]
    month = 4 + number % 9
    return {
        "id": f"{number + 1:032x}",
        "category": category,
        "facility": {
            "cert_no": "S001",
            "name": "東都中央病院（サンプル）",
            "kind": "基幹施設",
            "cert_start": "2020-04-01",
            "cert_end": "2030-03-31",
            "manual": False,
        },
        "start": f"2023-{month:02d}-01",
        "end": f"2023-{month:02d}-28",
        "age": 45 + (number * 7) % 45,
        "sex": "male" if number % 2 else "female",
        "diagnosis": diagnosis,
        "narrative": {"history": history, "problems": problems, "course": course, "reflection": reflection},
        "note": f"ID {300400 + number}（自分用のメモ。指導者には送信されません）",
        "approval": None,
        "accepted": [],
    }


def jspm_document(form: dict[str, str], reports: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": "shorei/application@1",
        "form": form,
        "applicant": {"name": "緩和 花子", "member_id": "J12345", "dental": False, "application_month": None},
        "sections": [],
        "reports": reports,
    }


def jspm_specialist_new() -> dict[str, Any]:
    """専門医新規申請: 20 complete cases over the seven categories, none requested yet (all 未承認)."""
    return jspm_document(
        {"id": "jspm-specialist-new", "version": "2024.1"}, [jspm_report(n) for n in range(20)]
    )


def jspm_transition() -> dict[str, Any]:
    """専門医移行申請: exactly seven, one per category, no approval needed: ready to print."""
    return jspm_document(
        {"id": "jspm-specialist-transition", "version": "2024.1"}, [jspm_report(n) for n in range(7)]
    )


EXAMPLES = {
    "valid-20-cases.json": valid_20,
    "valid-25-cases-3-sections.json": valid_25_three_sections,
    "valid-25-cases-1-section.json": valid_25_one_section,
    "broken.json": broken,
    "valid-25-long-names.json": long_names,
    "jspm-specialist-new-unapproved.json": jspm_specialist_new,
    "jspm-transition-7-cases.json": jspm_transition,
}


def main() -> None:
    for name, build in EXAMPLES.items():
        doc = build()
        (HERE / name).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
