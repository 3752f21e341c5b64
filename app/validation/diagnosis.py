"""診断名 and 病理診断名 checks (JB-11, JB-12, JB-13) over a diagnosis vocabulary (app.models.vocabulary):
the rules pass the one of the application's form (`context.form.vocabulary`); without one, the program's.

A 診断名 is read in three steps. Abbreviations and chart shorthand first (HCC, 胃ca, 悪リン), because the
applicant must write the generic name whatever else is wrong. Then the name (or its expansion) is scanned
for the vocabulary's terms, longest first at each position, and classified: suspicion, benign, borderline,
precancerous, not a tumour, uncertain, a bare organ tumour, or malignant. Last, for 歯科口腔外科 applicants,
a malignant oral name must carry its site (JB-12).

Definite findings are errors. Only guesses are warnings, which the applicant may accept with a reason: an
upper-case token we do not know, a name whose behaviour depends on the pathology report (褐色細胞腫), and a
name we cannot classify at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from app.models.forms import bundled_forms
from app.models.text import normalize_text
from app.models.vocabulary import SPACES, Category, Vocabulary, compact_name, normalize_diagnosis
from app.validation.abbreviations import DiagnosisFinding, find_abbreviation, is_suspicion, outer_name

if TYPE_CHECKING:
    from app.validation.issue import Severity

__all__ = [
    "DiagnosisFinding",
    "check_diagnosis",
    "check_pathology",
    "is_no_pathology",
    "normalize_diagnosis",
    "vocabulary",
]


# When several non-malignant terms occur, the first category in this order names the problem.
_NOT_MALIGNANT_ORDER: tuple[Category, ...] = (
    "strong_benign",
    "benign",
    "borderline",
    "precancerous",
    "non_neoplastic",
)


# --- classification ------------------------------------------------------------------------------------


def _scan(key: str, vocab: Vocabulary) -> list[tuple[str, Category]]:
    """The vocabulary's terms in `key`, left to right, the longest at each position."""
    found: list[tuple[str, Category]] = []
    index, length = 0, len(key)
    while index < length:
        for term in vocab.terms_by_first.get(key[index], ()):
            end = index + len(term)
            if key.startswith(term, index) and not (term[-1] == "腫" and end < length and key[end] in "瘍瘤"):
                found.append((term, vocab.terms[term]))
                index = end
                break
        else:
            index += 1
    return found


def _not_malignant(
    message: str, severity: Severity = "error", suggestion: str | None = None
) -> DiagnosisFinding:
    return DiagnosisFinding("diagnosis-not-malignant", severity, message, suggestion)


def _classify(name: str, vocab: Vocabulary) -> DiagnosisFinding | None:
    """None when the name shows a malignancy; otherwise why it does not (JB-11)."""
    compact = compact_name(name)
    key = compact.lower()
    if is_suspicion(key, vocab):
        confirmed = SPACES.sub("", vocab.suspicion_strip.sub("", compact)).replace("（）", "").strip("の・")
        proposal = confirmed if confirmed and _classify(confirmed, vocab) is None else None
        advice = f"確定していれば『{proposal}』と入力し、" if proposal else "確定した診断名を入力するか、"
        return _not_malignant(
            f"「{name}」は疑い（未確定）の診断です。良悪性が確定していない症例は数えられません。"
            f"{advice}確定していなければ別の症例を登録してください",
            suggestion=proposal,
        )
    found = _scan(key, vocab)
    categories = {category: term for term, category in reversed(found)}
    if "strong_benign" not in categories and "malignant" in categories:
        return None
    for category in _NOT_MALIGNANT_ORDER:
        if (term := categories.get(category)) is not None:
            return _not_malignant(_NOT_MALIGNANT_MESSAGES[category].format(name=name, term=term))
    outer = outer_name(compact, vocab)
    suffix = next((s for s in vocab.non_neoplastic_suffixes if outer.endswith(s)), None)
    if suffix is not None:
        return _not_malignant(_NOT_MALIGNANT_MESSAGES["non_neoplastic"].format(name=name, term=suffix))
    if (term := categories.get("uncertain")) is not None:
        return _not_malignant(
            f"「{name}」（{term}）は、病理所見によって良悪性が分かれる診断名です。悪性と診断されていれば"
            "悪性とわかる診断名にしてください。病理で悪性と確定している場合は、理由を記録して警告を承認"
            "できます",
            "warning",
        )
    if "tumour" in categories:
        return _not_malignant(_bare_tumour_message(name, outer, vocab))
    return _not_malignant(
        f"「{name}」が悪性腫瘍とわかる診断名か判断できません。癌・肉腫・白血病・リンパ腫など、悪性とわかる"
        "一般名にしてください。悪性腫瘍の一般名であれば、理由を記録して警告を承認できます",
        "warning",
    )


_NOT_MALIGNANT_MESSAGES: dict[Category, str] = {
    "strong_benign": "「{name}」は良性の診断名です。悪性腫瘍の症例だけが数えられます。別の症例を登録してください",
    "benign": "「{name}」は良性腫瘍・良性病変（{term}）の診断名です。悪性腫瘍の症例だけが数えられます。"
    "悪性と診断されていれば悪性とわかる診断名にし、そうでなければ別の症例を登録してください",
    "borderline": "「{name}」は境界悪性・中間群（{term}）の診断名で、良悪性が不明なものは数えられません。"
    "悪性と診断されていれば悪性とわかる診断名にし、そうでなければ別の症例を登録してください",
    "precancerous": "「{name}」は前癌病変・異形成（{term}）で、悪性腫瘍ではありません。癌と診断されていれば"
    "癌の診断名（例:『上皮内癌』）にし、そうでなければ別の症例を登録してください",
    "non_neoplastic": "「{name}」は腫瘍ではない病名（{term}）です。がん診療の症例として、悪性腫瘍の診断名を"
    "入力してください",
}


def _bare_tumour_message(name: str, outer: str, vocab: Vocabulary) -> str:
    organ = outer
    for word in ("腫瘍", "腫瘤", "新生物"):
        organ = organ.removesuffix(word)
    example = next(
        (
            vocab.bare_tumour_examples[o]
            for o in sorted(vocab.bare_tumour_examples, key=len, reverse=True)
            if o != "default" and organ.endswith(o)
        ),
        None,
    )
    if example is None:
        return (
            f"「{name}」では悪性かどうかがわかりません。組織型を括弧で添えるか、組織型の名前で入力して"
            "ください（例: 脳腫瘍 → 脳腫瘍（髄芽腫）または髄芽腫、皮膚腫瘍 → 基底細胞癌）"
        )
    return (
        f"「{name}」では悪性かどうかがわかりません。組織型を括弧で添えるか（例:『{outer}（{example}）』）、"
        f"組織型の名前（例:『{example}』）で入力してください"
    )


def _oral(name: str, vocab: Vocabulary) -> DiagnosisFinding | None:
    """JB-12: for 歯科口腔外科 applicants, an oral cancer must name its site (舌癌, 上顎歯肉癌)."""
    compact = compact_name(name)
    word = next((w for w in vocab.oral_unspecific if w in compact), None)
    if word is None or any(site in compact for site in vocab.oral_sites):
        return None
    alternatives = tuple(compact.replace(word, site, 1) for site in vocab.oral_examples)
    shown = "』『".join(alternatives[:3])
    return DiagnosisFinding(
        "diagnosis-oral-unspecific",
        "error",
        f"歯科口腔外科の申請では「{name}」では部位がわかりません。『{shown}』のように部位を入れた診断名に"
        "してください",
        None,
        alternatives,
    )


_REMEMBERED: Final = 4096
"""Results kept per vocabulary: the grid validates every name again after each edit."""


@dataclass
class DiagnosisChecks:
    """The checks over one vocabulary, with the results they remember (kept with the vocabulary,
    `Vocabulary.derived`, so results of two vocabularies never mix)."""

    vocab: Vocabulary
    _diagnoses: dict[tuple[str, bool], tuple[DiagnosisFinding, ...]] = field(default_factory=dict)
    _pathology: dict[str, tuple[DiagnosisFinding, ...]] = field(default_factory=dict)

    def diagnosis(self, text: str, dental: bool) -> tuple[DiagnosisFinding, ...]:
        found = self._diagnoses.get((text, dental))
        if found is None:
            if len(self._diagnoses) >= _REMEMBERED:
                self._diagnoses.clear()
            found = self._diagnoses[text, dental] = self._check(text, dental)
        return found

    def pathology(self, text: str) -> tuple[DiagnosisFinding, ...]:
        found = self._pathology.get(text)
        if found is None:
            if len(self._pathology) >= _REMEMBERED:
                self._pathology.clear()
            found = self._pathology[text] = self._check_pathology(text)
        return found

    def no_pathology(self, text: str) -> bool:
        return normalize_text(text) in self.vocab.pathology_none

    def _check(self, text: str, dental: bool) -> tuple[DiagnosisFinding, ...]:
        vocab = self.vocab
        name = normalize_text(text)
        if not name:
            return ()
        findings: list[DiagnosisFinding] = []
        target = name
        abbreviation = find_abbreviation(name, vocab)
        if abbreviation is not None:
            findings.append(abbreviation)
            if abbreviation.severity == "error" and abbreviation.suggestion is not None:
                target = abbreviation.suggestion
        verdict = _classify(target, vocab)
        if verdict is not None:
            # After an abbreviation only a definite problem of the name it stands for is worth a second line.
            if abbreviation is None or verdict.severity == "error":
                findings.append(verdict)
        elif dental and (oral := _oral(target, vocab)) is not None:
            findings.append(oral)
        return tuple(findings)

    def _check_pathology(self, text: str) -> tuple[DiagnosisFinding, ...]:
        name = normalize_text(text)
        if not name or self.no_pathology(name):
            return ()
        finding = find_abbreviation(name, self.vocab)
        return () if finding is None else (finding,)


def vocabulary() -> Vocabulary:
    """The program's vocabulary (`resources/vocabulary/`): what a form without its own reads."""
    return bundled_forms().vocabulary.vocabulary


def checks_for(vocab: Vocabulary | None) -> DiagnosisChecks:
    """The checks over `vocab` (the program's when None), made once per vocabulary."""
    return (vocab or vocabulary()).derived(DiagnosisChecks)


def check_diagnosis(
    text: str, *, dental: bool, vocabulary: Vocabulary | None = None
) -> list[DiagnosisFinding]:
    """Findings for a 診断名 (JB-11, JB-12) under `vocabulary` (the form's; the program's when None);
    empty when the name will count as far as we can tell."""
    return list(checks_for(vocabulary).diagnosis(text, dental))


def is_no_pathology(text: str, vocabulary: Vocabulary | None = None) -> bool:
    """「無し」: no pathological diagnosis was made (JB-13)."""
    return checks_for(vocabulary).no_pathology(text)


def check_pathology(text: str, vocabulary: Vocabulary | None = None) -> list[DiagnosisFinding]:
    """Findings for a 病理診断名 (JB-13): the abbreviation check; 「無し」 is accepted."""
    return list(checks_for(vocabulary).pathology(text))
