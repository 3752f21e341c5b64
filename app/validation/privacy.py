"""The privacy check (SPEC §6): a free text that leaves the machine must not identify the patient.

The societies forbid a patient's name, ID or birth date in what is submitted, and a physician pasting from
the chart will bring them along. What looks like one is a warning (`privacy-identifier`), kept with a
reason like any warning: the check cannot know that 「田中さん」 is the patient's daughter's nurse. 備考
never leaves the machine and is not checked.

The patterns are deliberately narrow (no false alarms on ordinary clinical prose such as 「患者さん」,
「ご家族様」, 「A氏」 or a 令和 date of care): a chart-number word with digits, a long run of digits, a
name written with 様/さん/氏, a full birth date.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from app.models.application import Application, Case, CaseReport
    from app.validation.reporting import Reporter, RowReporter, ValidationContext

_ID_WORD: Final = re.compile(
    r"(カルテ(?:番号|No\.?|NO\.?|no\.?|ID)?|患者(?:ID|番号|No\.?)|診察券(?:番号)?|病歴番号|(?<![A-Za-z])(?:ID|id|Id))"
    r"\s*[:：=#＃]?\s*(?:は|が)?\s*(\d{3,})"
)
_DIGIT_RUN: Final = re.compile(r"(?<![\d.,/\-])\d{7,}(?![\d.,/\-])")
_NAME: Final = re.compile(
    r"([一-龥々〆ヶ]{1,4}(?:[ 　]?[一-龥々〆ヶ]{1,3})?|[ァ-ヴー]{2,8}(?:[ 　・]?[ァ-ヴー]{2,8})?)(様|さま|さん|氏)(?!名)"
)
_BIRTH_WORD: Final = re.compile(r"生年月日|誕生日")
_WESTERN_BIRTH: Final = re.compile(
    r"(?:19|20)\d{2}\s*[年/.\-]\s*\d{1,2}\s*[月/.\-]\s*\d{1,2}\s*日?\s*(?:生|産まれ|生まれ)"
)
_OLD_ERA_DATE: Final = re.compile(
    r"(?:明治|大正|昭和)\s*(?:\d{1,2}|元)\s*[年.\-/．]\s*\d{1,2}\s*[月.\-/．]\s*\d{1,2}\s*日?"
    # A letter era only with dots (S25.1.2): 「肝細胞癌（S5/6/8）」「S7-8」 are liver segments.
    r"|(?<![A-Za-z])[MTS]\s*(?:\d{1,2}|元)\s*[.．]\s*\d{1,2}\s*[.．]\s*\d{1,2}(?![\d/\-])"
)
_ERA_BIRTH: Final = re.compile(
    r"(?<![A-Za-z])(?:明治|大正|昭和|平成|令和|[MTSHR])\s*(?:\d{1,2}|元)\s*[年.\-/．]\s*\d{1,2}\s*[月.\-/．]\s*\d{1,2}\s*日?\s*(?:生|産まれ|生まれ)"
)

_NOT_NAMES: Final = (
    "患者", "家族", "本人", "主人", "旦那", "息子", "長男", "次男", "三男", "長女", "次女", "三女", "祖母", "祖父",
    "叔母", "叔父", "伯母", "伯父", "両親", "先生", "皆様", "各位", "利用者", "相談者", "奥",
    "ヘルパー", "ケアマネ", "ケアマネジャー", "ケアマネージャー", "ボランティア", "ソーシャルワーカー",
    "ワーカー", "スタッフ", "チャプレン", "ナース", "ドクター", "パートナー", "メンバー",
    "師", "士", "員", "長", "医", "係", "者",
    # Relatives, acquaintances and places a palliative-care narrative speaks of (ご遺族様, 姪御さん, 施設さん …).
    "遺族", "親族", "兄弟", "姉妹", "夫婦", "婆", "爺", "嬢", "姪", "甥", "姪御", "甥御", "彼女", "彼氏",
    "友人", "隣人", "恋人", "近所", "大家", "後見人", "代理人", "保証人", "管理人", "住職",
    "病院", "医院", "当院", "貴院", "施設", "薬局", "病棟", "看護", "包括", "紹介元", "御中",
    "ステーション", "センター", "クリニック", "チーム", "セラピスト",
)  # fmt: skip
_NOT_NAME_WORDS: Final = frozenset("子孫妻夫母父兄姉弟妹親嫁娘方人客御神仏様王同両本貴彼其某皆")
"""Words that end a noun followed by 様/さん/氏 without being a name (ご家族様, 患者さん, 同氏 …)."""


@dataclass(frozen=True)
class PrivacyFinding:
    """What was found (its kind, in Japanese) and the text that matched."""

    what: str
    found: str


_MAYBE: Final = re.compile(r"[0-9０-９様さ氏生誕]")
"""A character every pattern below needs (a digit, or a letter of 様/さん/さま/氏/生年月日/誕生日): most texts
have none and are passed over without normalising them."""


def privacy_findings(text: str) -> list[PrivacyFinding]:
    """Everything in `text` that looks like it identifies a patient, first occurrence of each kind."""
    return list(_findings(text)) if text and _MAYBE.search(text) else []


@functools.lru_cache(maxsize=4096)
def _findings(text: str) -> tuple[PrivacyFinding, ...]:
    """privacy_findings, kept per text: a cell edit revalidates every case, whose texts rarely change."""
    folded = unicodedata.normalize("NFKC", text)
    findings: list[PrivacyFinding] = []
    if match := _ID_WORD.search(folded):
        findings.append(PrivacyFinding("カルテ番号・患者ID", match.group(0).strip()))
    elif match := _DIGIT_RUN.search(folded):
        findings.append(PrivacyFinding("長い数字（カルテ番号など）", match.group(0)))
    for match in _NAME.finditer(folded):
        name = match.group(1)
        if _is_name(name, match.group(2), folded, match.start(), match.end()):
            findings.append(PrivacyFinding("氏名", match.group(0)))
            break
    if match := (
        _BIRTH_WORD.search(folded)
        or _WESTERN_BIRTH.search(folded)
        or _ERA_BIRTH.search(folded)
        or _OLD_ERA_DATE.search(folded)
    ):
        findings.append(PrivacyFinding("生年月日", match.group(0).strip()))
    return tuple(findings)


_NOT_SAMA: Final = frozenset("同多異模仕態一各文左有紋王神殿若皇貴外内今別図胞瘍腫贅腺癌症")
"""Kanji that make a word with 様 (同様, 多様, 模様, 仕様 …): 「前回同様」 names nobody; nor does a
pathology term that ends there, 「腺癌（印環細胞様）」「腫瘍様」「疣贅様」."""


def _is_word_char(char: str) -> bool:
    return bool(char) and ("一" <= char <= "龥" or "ァ" <= char <= "ヴ" or char in "々ー")


def _is_name(name: str, suffix: str, text: str, start: int, end: int) -> bool:
    compact = name.replace(" ", "").replace("　", "").replace("・", "")
    if compact in _NOT_NAME_WORDS or any(compact.endswith(word) for word in _NOT_NAMES):
        return False
    if suffix in ("様", "さま"):
        after = text[end] if end < len(text) else ""
        # 様 is also 「…のような」 in medical terms (髄様癌, 腫瘍様, 細胞様樹状細胞 …): then a word goes on.
        if len(compact) < 2 or compact[-1] in _NOT_SAMA or _is_word_char(after):
            return False
    # 「A氏」「Bさん」 (a letter) and 「〇〇様」 are how a case is written without a name.
    before = text[start - 1] if start > 0 else ""
    return not (before.isascii() and before.isalpha())


_JBCT_FIELDS: Final = ("item_other", "diagnosis", "pathology")
"""JBCT texts that are printed and packaged (備考 never leaves the machine)."""


def _report(out: RowReporter, field: str, label: str, text: str, owner: Case | CaseReport) -> None:
    for finding in privacy_findings(text)[:1]:
        shown = finding.found if len(finding.found) <= 20 else finding.found[:20] + "…"
        out.add(
            "privacy-identifier",
            "warning",
            field=field,
            accepted=owner.accepted_reason(_CODE),  # looked up only for a finding
            label=label,
            what=finding.what,
            found=shown,
        )


def check_privacy_jbct(context: ValidationContext, application: Application, out: Reporter) -> None:
    """SPEC §6 privacy: その他の内容, 診断名 and 病理診断名 of every case."""
    form = context.form
    for section_index, section in enumerate(application.sections):
        for row, case in section.filled_cases():
            at = out.at_row(section_index, row)
            for key in _JBCT_FIELDS:
                _report(at, key, form.field(key).label, getattr(case, key), case)


def check_privacy_jspm(context: ValidationContext, application: Application, out: Reporter) -> None:
    """SPEC §6 privacy: 診断名, every narrative field and the 通信欄 sent to the 指導者."""
    form = context.form
    for row, report in enumerate(application.reports):
        if report.is_blank():
            continue
        at = out.at_row(None, row)
        _report(at, "diagnosis", form.field("diagnosis").label, report.diagnosis, report)
        for spec in form.narrative_fields():
            _report(at, spec.key, spec.label, report.narrative.get(spec.key, ""), report)
        if report.approval is not None:
            _report(at, "approval", "通信欄", report.approval.message, report)


_CODE: Final = "privacy-identifier"
