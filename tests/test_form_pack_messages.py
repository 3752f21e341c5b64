"""A pack form need not word every message (issue 18): a code its [messages] lacks reads the bundled
form's wording, or a plain Japanese line; such a pack is packed (with a note) and installed, not refused."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import main
from app.export.form_packs import make_pack
from app.models.application import Application
from app.models.form_packs import forms_for
from app.models.forms import bundled_forms
from app.validation import validate

if TYPE_CHECKING:
    import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WORKED = EXAMPLES / "packs" / "jbct-renewal-2027"
TARGET = ("jbct-renewal-2027", "2027.1")


def _source_without(tmp_path: Path, code: str) -> Path:
    folder = tmp_path / "source"
    shutil.copytree(WORKED, folder)
    form = folder / "forms" / "jbct-renewal-2027.toml"
    text = form.read_text(encoding="utf-8")
    shorter = re.sub(rf"(?m)^{re.escape(code)} = .*\n", "", text)
    assert shorter != text
    form.write_text(shorter, encoding="utf-8")
    return folder


def _privacy_issue(form_id: str, version: str, home: Path) -> tuple[str, str]:
    document = json.loads((EXAMPLES / "valid-25-cases-1-section.json").read_text(encoding="utf-8"))
    document["form"] = {"id": form_id, "version": version}
    document["sections"][0]["cases"][0]["diagnosis"] = "胃癌（カルテ番号 1234567）"
    form = forms_for(home).get(form_id, version)
    assert form is not None
    (issue,) = [
        i for i in validate(Application.model_validate(document), form) if i.code == "privacy-identifier"
    ]
    return issue.severity, issue.message


def test_a_pack_lacking_a_message_installs_and_reads_the_bundled_wording(
    tmp_path: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The 2027 example without `privacy-identifier`: `forms pack` notes it, install is not refused, and
    the issue reads exactly as under the bundled 2026 form."""
    source = _source_without(tmp_path, "privacy-identifier")
    pack = tmp_path / "p.shoreipack"
    assert main(["forms", "pack", str(source), "--key", str(tmp_path / "k.pem"), "--out", str(pack)]) == 0
    out = capsys.readouterr().out
    assert "[messages] にない文言（1件: privacy-identifier）" in out
    assert main(["forms", "install", str(pack), "--trust"]) == 0
    form = forms_for(shorei_home).get(*TARGET)
    assert form is not None and "privacy-identifier" not in form.messages
    severity, message = _privacy_issue(*TARGET, shorei_home)
    assert (severity, message) == _privacy_issue("jbct-renewal-2026", "2026.1", shorei_home)
    assert message.startswith("申請2(1) No.1 診断名: 診断名に患者を特定できる情報")


def test_make_pack_lists_the_borrowed_codes(tmp_path: Path) -> None:
    """`make_pack` says, per form, which codes read this Shorei's wording; the full example borrows none."""
    assert make_pack(WORKED, tmp_path / "k.pem", tmp_path / "full.shoreipack").borrowed == {}
    source = _source_without(tmp_path, "privacy-identifier")
    result = make_pack(source, tmp_path / "k.pem", tmp_path / "short.shoreipack")
    assert result.borrowed == {"jbct-renewal-2027": ["privacy-identifier"]}


def test_a_code_no_form_words_reads_a_plain_japanese_line() -> None:
    """A code neither the form nor any bundled form words: a plain line naming the code (with the
    finding's own text when the rule passes one), never a KeyError."""
    form = bundled_forms().get("jbct-renewal-2026", "2026.1")
    assert form is not None
    assert (
        form.message("rule-of-a-later-shorei")
        == "この入力には確認が必要な点があります（rule-of-a-later-shorei）"
    )
    assert (
        form.message("rule-of-a-later-shorei", detail="理由の説明") == "理由の説明（rule-of-a-later-shorei）"
    )


def test_a_form_with_no_messages_reads_the_bundled_form_of_its_rule_set() -> None:
    """A JBCT form stating no message at all reads, code by code, the bundled JBCT form's wording."""
    bundled = bundled_forms().get("jbct-renewal-2026", "2026.1")
    assert bundled is not None
    empty = bundled.model_copy(update={"id": "jbct-renewal-2027", "version": "2027.1", "messages": {}})
    params = {"min": 1, "max": 2, "count": 3, "advice": ""}
    assert empty.message("case-count", **params) == bundled.message("case-count", **params)
