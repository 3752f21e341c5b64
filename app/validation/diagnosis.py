"""診断名 and 病理診断名 checks (JB-11, JB-12, JB-13) over the bundled vocabulary.

This is the core's first check: known abbreviations and chart shorthand, suspicion, benign and
borderline words, bare organ tumours, and the unspecific oral cancer of JB-12.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from app.models.text import normalize_text
from app.resources import resource_path

if TYPE_CHECKING:
    from app.validation.issue import Severity

FindingCode = Literal["diagnosis-abbreviation", "diagnosis-not-malignant", "diagnosis-oral-unspecific"]

_LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9/]*")
_BRACKETS = str.maketrans(
    {"(": "（", ")": "）", "[": "（", "]": "）", "「": "（", "」": "）", "【": "（", "】": "）"}
)
_SPACES = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True, slots=True)
class DiagnosisFinding:
    """Why a name will not count, with the message to show and the name to propose (if any)."""

    code: FindingCode
    severity: Severity
    message: str
    suggestion: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    version: str
    abbreviations: dict[str, str]
    shorthand_suffixes: tuple[str, ...]
    allowed_latin: frozenset[str]
    malignant_markers: tuple[str, ...]
    benign_terms: tuple[str, ...]
    benign_exceptions: tuple[str, ...]
    suspicion_terms: tuple[str, ...]
    oral_unspecific: frozenset[str]
    oral_examples: tuple[str, ...]
    pathology_none: frozenset[str]


@functools.cache
def vocabulary() -> Vocabulary:
    """The bundled vocabulary, read once on first use."""
    data = tomllib.loads(resource_path("vocabulary", "diagnosis.toml").read_text(encoding="utf-8"))
    return Vocabulary(
        version=data["version"],
        abbreviations=dict(data["abbreviations"]),
        shorthand_suffixes=tuple(data["cancer_shorthand_suffixes"]),
        allowed_latin=frozenset(data["allowed_latin"]),
        malignant_markers=tuple(data["malignant_markers"]),
        benign_terms=tuple(data["benign_terms"]),
        benign_exceptions=tuple(data["benign_exceptions"]),
        suspicion_terms=tuple(data["suspicion_terms"]),
        oral_unspecific=frozenset(data["oral_unspecific"]),
        oral_examples=tuple(data["oral_examples"]),
        pathology_none=frozenset(data["pathology_none"]),
    )


def normalize_diagnosis(text: str) -> str:
    """The comparable form of a name: normalised, without spaces, brackets unified, がん/ガン → 癌."""
    name = _SPACES.sub("", normalize_text(text)).translate(_BRACKETS)
    return name.replace("がん", "癌").replace("ガン", "癌")


def _abbreviation(name: str, vocab: Vocabulary) -> DiagnosisFinding | None:
    expansion = vocab.abbreviations.get(name)
    if expansion is None:
        for suffix in vocab.shorthand_suffixes:
            stem = name.removesuffix(suffix)
            if stem != name and stem and not stem[-1].isascii():
                expansion = f"{stem}癌"
                break
    if expansion is not None:
        return DiagnosisFinding(
            "diagnosis-abbreviation",
            "error",
            f"「{name}」は略語です。『{expansion}』のように一般名で入力してください",
            expansion,
        )
    for token in _LATIN_TOKEN.findall(name):
        if token in vocab.allowed_latin or len(token) == 1:
            continue
        known = vocab.abbreviations.get(token)
        if known is not None:
            return DiagnosisFinding(
                "diagnosis-abbreviation",
                "error",
                f"「{token}」は略語です。『{known}』のように一般名で入力してください",
                name.replace(token, known),
            )
        if token.isupper() and len(token) <= 6:
            return DiagnosisFinding(
                "diagnosis-abbreviation",
                "warning",
                f"「{token}」は略語の可能性があります。略語は使えません。一般名（日本語）で入力してください",
            )
    return None


def check_diagnosis(text: str, *, dental: bool) -> list[DiagnosisFinding]:
    """Findings for a 診断名 (JB-11, JB-12); empty when the name will count as far as we can tell."""
    vocab = vocabulary()
    name = normalize_text(text)
    if not name:
        return []
    if (finding := _abbreviation(name, vocab)) is not None:
        return [finding]
    compact = _SPACES.sub("", name).translate(_BRACKETS)
    if any(term in compact for term in vocab.suspicion_terms):
        return [
            DiagnosisFinding(
                "diagnosis-not-malignant",
                "error",
                f"「{name}」は疑い（未確定）の診断です。良悪性が確定していない症例は数えられません。"
                "確定した診断名を入力するか、別の症例にしてください",
            )
        ]
    if dental and compact in vocab.oral_unspecific:
        examples = "」「".join(vocab.oral_examples[:3])
        return [
            DiagnosisFinding(
                "diagnosis-oral-unspecific",
                "error",
                f"歯科口腔外科の申請では「{name}」だけでは不十分です。「{examples}」のように部位を入れてください",
            )
        ]
    masked = compact
    for exception in vocab.benign_exceptions:
        masked = masked.replace(exception, "癌")
    benign = next((term for term in vocab.benign_terms if term in masked), None)
    if benign is not None and "癌" not in masked.replace("境界悪性", ""):
        return [
            DiagnosisFinding(
                "diagnosis-not-malignant",
                "error",
                f"「{name}」は良性または境界悪性（{benign}）の診断名です。悪性腫瘍の症例だけが数えられます",
            )
        ]
    if any(marker in compact for marker in vocab.malignant_markers):
        return []
    if compact.endswith("腫瘍"):
        return [
            DiagnosisFinding(
                "diagnosis-not-malignant",
                "error",
                f"「{name}」では悪性かどうかがわかりません。『{name}（組織型）』または組織型の名前で入力してください"
                "（例: 脳腫瘍 → 脳腫瘍（髄芽腫）または髄芽腫、皮膚腫瘍 → 基底細胞癌）",
            )
        ]
    return [
        DiagnosisFinding(
            "diagnosis-not-malignant",
            "warning",
            f"「{name}」が悪性腫瘍とわかる診断名か確認してください（癌・肉腫・白血病・リンパ腫など）。"
            "悪性腫瘍の一般名であれば、理由を記録して警告を承認できます",
        )
    ]


def is_no_pathology(text: str) -> bool:
    """「無し」: no pathological diagnosis was made (JB-13)."""
    return normalize_text(text) in vocabulary().pathology_none


def check_pathology(text: str) -> list[DiagnosisFinding]:
    """Findings for a 病理診断名 (JB-13): the abbreviation check; 「無し」 is accepted."""
    name = normalize_text(text)
    if not name or is_no_pathology(name):
        return []
    finding = _abbreviation(name, vocabulary())
    return [] if finding is None else [finding]
