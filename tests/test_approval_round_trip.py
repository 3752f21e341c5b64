"""The whole offline approval round trip from the command line, with two data folders: the applicant's
PC and the 指導者's PC each have their own key and store (issue 7, Done when).

request 3 cases → the 指導者 approves 2 and rejects 1 with comments → import → edit the rejected one →
request it again with the 17 others → all approved → import → the final package → verify.
"""

from __future__ import annotations

import json
import re
import shutil
from typing import TYPE_CHECKING, Any

import pytest

from app.cli import main
from app.models.document import load_application, save_application

if TYPE_CHECKING:
    from pathlib import Path


class Pc:
    """One installation: its data folder, used for every command run 'on' it."""

    def __init__(
        self, home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.home, self._monkeypatch, self._capsys = home, monkeypatch, capsys

    def run(self, *args: str | Path) -> tuple[int, str, str]:
        self._monkeypatch.setenv("SHOREI_HOME", str(self.home))
        code = main([str(arg) for arg in args])
        captured = self._capsys.readouterr()
        assert "Traceback" not in captured.err
        return code, captured.out, captured.err

    def ok(self, *args: str | Path) -> str:
        code, out, err = self.run(*args)
        assert code == 0, err
        return out


@pytest.fixture
def pcs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[Pc, Pc]:
    return Pc(tmp_path / "applicant-pc", monkeypatch, capsys), Pc(
        tmp_path / "supervisor-pc", monkeypatch, capsys
    )


@pytest.fixture
def application_file(tmp_path: Path, examples_dir: Path) -> Path:
    path = tmp_path / "work" / "申請.json"
    path.parent.mkdir()
    shutil.copy(examples_dir / "jspm-specialist-new-unapproved.json", path)
    return path


def states(path: Path) -> list[str | None]:
    return [None if r.approval is None else r.approval.state for r in load_application(path).reports]


SUPERVISOR = ["--name", "指導 一郎", "--member-id", "J00001", "--qualification", "指導医",
              "--from", "2020/4/1", "--to", "R12.3.31"]  # fmt: skip


def test_request_review_import_edit_rerequest_export_verify(
    pcs: tuple[Pc, Pc], application_file: Path
) -> None:
    applicant, supervisor = pcs
    work = application_file.parent
    applicant.ok("supervisors", "add", *SUPERVISOR)

    # Round 1: three cases; 備考 stays home.
    out = applicant.ok("approval", "request", application_file, "--cases", "1-3", "--supervisor", "J00001",
                       "--message", "3例の承認をお願いいたします。", "--out", work / "req1.json")  # fmt: skip
    assert "症例1、2、3" in out
    assert "自分用のメモ" not in (work / "req1.json").read_text(encoding="utf-8")
    assert states(application_file)[:4] == ["requested"] * 3 + [None]

    shown = supervisor.ok("approval", "show", work / "req1.json")
    assert "3例の承認をお願いいたします。" in shown and "介入時までの現病歴" in shown
    supervisor.ok("approval", "respond", work / "req1.json", "--approve", "1,2", "--reject", "3",
                  "--comment", "3:diagnosis=診断名を具体的に書いてください",
                  "--comment", "3:考察が短すぎます", "--out", work / "resp1.json")  # fmt: skip

    # The first result from this 指導者: the key is trusted only on purpose.
    code, _, err = applicant.run("approval", "import", application_file, work / "resp1.json")
    assert code == 1 and "--trust" in err and "鍵の指紋" in err
    out = applicant.ok("approval", "import", application_file, work / "resp1.json", "--trust")
    assert "承認 2件" in out and "非承認 1件" in out
    # --trust says which key it trusted, to compare with the 指導者's own.
    trusted = re.search(r"鍵を信頼して登録しました。指紋: ([0-9a-f]{4}(?:-[0-9a-f]{4}){7})", out)
    assert trusted is not None and trusted[1] in err
    document = load_application(application_file)
    assert states(application_file)[:3] == ["approved", "approved", "rejected"]
    rejected = document.reports[2]
    assert rejected.approval is not None
    assert {(c.field, c.comment) for c in rejected.approval.comments} == {
        ("diagnosis", "診断名を具体的に書いてください"),
        ("", "考察が短すぎます"),
    }

    # The applicant edits the rejected case, then requests it again with the other seventeen.
    rejected.diagnosis = "進行胃癌（腹膜播種）"
    rejected.narrative["reflection"] = (
        "治療抵抗性の苦痛に対し、ガイドラインに沿って鎮静の適応を多職種で検討した。"
    )
    save_application(document, application_file)
    applicant.ok("approval", "request", application_file, "--cases", "3-20", "--supervisor", "J00001",
                 "--out", work / "req2.json")  # fmt: skip
    supervisor.ok(
        "approval", "respond", work / "req2.json", "--approve", "3-20", "--out", work / "resp2.json"
    )
    out = applicant.ok("approval", "import", application_file, work / "resp2.json")
    assert "承認 18件" in out
    assert states(application_file) == ["approved"] * 20

    # The final package carries each case's signed approval; verify checks them.
    applicant.ok("validate", application_file)
    out = applicant.ok("export", application_file, "--out", work / "out")
    package = next((work / "out").glob("*.package.json"))
    pdf = next((work / "out").glob("*.pdf"))
    reports = json.loads(package.read_text(encoding="utf-8"))["content"]["application"]["reports"]
    assert all(r["approval"]["statement"]["decision"] == "approved" for r in reports)
    assert all(r["note"] == "" for r in reports)
    # Verified on the 指導者's PC too: nothing of the applicant's folder is needed.
    verified = supervisor.ok("verify", package, "--pdf", pdf)
    assert "有効" in verified and "指導者の承認: 20件" in verified
    # Who approved what, with the key, so the society can check the key against its register.
    assert "指導 一郎（会員番号 J00001、指導医）" in verified and "症例1、2、3" in verified


def _requested(applicant: Pc, application_file: Path) -> Path:
    applicant.ok("supervisors", "add", *SUPERVISOR)
    request = application_file.parent / "req.json"
    applicant.ok(
        "approval", "request", application_file, "--cases", "1-3", "--supervisor", "J00001", "--out", request
    )
    return request


def test_tampered_request_is_refused_naming_the_check(pcs: tuple[Pc, Pc], application_file: Path) -> None:
    applicant, supervisor = pcs
    request = _requested(applicant, application_file)
    request.write_text(request.read_text(encoding="utf-8").replace("膵癌", "胃癌", 1), encoding="utf-8")
    code, _, err = supervisor.run(
        "approval", "respond", request, "--approve", "1-3", "--out", request.with_name("r.json")
    )
    assert code == 2 and "req.json" in err and "確認に失敗しました" in err
    assert not request.with_name("r.json").exists()


def test_tampered_response_is_refused_and_nothing_changes(pcs: tuple[Pc, Pc], application_file: Path) -> None:
    applicant, supervisor = pcs
    request = _requested(applicant, application_file)
    response = request.with_name("resp.json")
    supervisor.ok(
        "approval",
        "respond",
        request,
        "--approve",
        "1,2",
        "--reject",
        "3",
        "--comment",
        "3:要修正",
        "--out",
        response,
    )
    response.write_text(
        response.read_text(encoding="utf-8").replace('"rejected"', '"approved"'), encoding="utf-8"
    )
    before = application_file.read_bytes()
    code, _, err = applicant.run("approval", "import", application_file, response, "--trust")
    assert code == 2 and "resp.json" in err and "署名" in err
    assert application_file.read_bytes() == before


def test_case_changed_after_the_request_is_named_on_import(
    pcs: tuple[Pc, Pc], application_file: Path
) -> None:
    applicant, supervisor = pcs
    request = _requested(applicant, application_file)
    response = request.with_name("resp.json")
    supervisor.ok("approval", "respond", request, "--approve", "1-3", "--out", response)
    document = load_application(application_file)
    document.reports[1].age = 99  # edited outside Shorei while the request was out
    save_application(document, application_file)
    code, _, err = applicant.run("approval", "import", application_file, response, "--trust")
    assert code == 2 and "症例2" in err and "内容ハッシュ" in err


def test_approved_case_changed_afterwards_fails_validate_and_verify(
    pcs: tuple[Pc, Pc], application_file: Path
) -> None:
    applicant, supervisor = pcs
    _fully_approved(applicant, supervisor, application_file)
    applicant.ok("export", application_file, "--out", application_file.parent / "out")

    # The document's approved case 5 is edited by hand: validation says its approval is void.
    document = load_application(application_file)
    document.reports[4].diagnosis = "食道癌"
    save_application(document, application_file)
    code, out, _ = applicant.run("validate", application_file)
    assert code == 1 and "症例5" in out and "無効" in out

    # The package's approved case 5 is edited and the package re-signed with the applicant's own key:
    # only the approvals check can catch it, and it names the case.
    from app.models.canonical import canonical_json, sha256_hex
    from app.signing.keys import load_or_create_signing_key
    from app.signing.signed_files import signed_bytes

    package_path = next((application_file.parent / "out").glob("*.package.json"))
    package = json.loads(package_path.read_text(encoding="utf-8"))
    package["content"]["application"]["reports"][4]["diagnosis"] = "食道癌"
    package["content_sha256"] = sha256_hex(canonical_json(package["content"]))
    del package["signature"]
    package_path.write_bytes(signed_bytes(package, load_or_create_signing_key(applicant.home / "keys")))
    code, out, err = applicant.run("verify", package_path)
    assert code == 1 and "症例5" in (out + err)


def test_withdraw_and_reopen(pcs: tuple[Pc, Pc], application_file: Path) -> None:
    applicant, supervisor = pcs
    request = _requested(applicant, application_file)
    applicant.ok("approval", "withdraw", application_file, "--cases", "3")
    assert states(application_file)[:3] == ["requested", "requested", None]
    code, _, err = applicant.run("approval", "withdraw", application_file, "--cases", "3")
    assert code == 1 and "承認依頼中ではない" in err

    supervisor.ok("approval", "respond", request, "--approve", "1-3", "--out", request.with_name("resp.json"))
    # Case 3 was withdrawn meanwhile: the answer for it no longer fits, and nothing is taken.
    code, _, err = applicant.run(
        "approval", "import", application_file, request.with_name("resp.json"), "--trust"
    )
    assert code == 2 and "症例3" in err

    code, _, err = applicant.run("approval", "reopen", application_file, "--case", "1")
    assert code == 1 and "承認済みではありません" in err


def test_self_approval_is_refused_on_both_sides(pcs: tuple[Pc, Pc], application_file: Path) -> None:
    applicant, _ = pcs
    me = ["--name", "緩和 花子", "--member-id", "J12345", "--qualification", "研修指導者資格を有する認定医",
          "--from", "2020-04-01", "--to", "2030-03-31"]  # fmt: skip
    applicant.ok("supervisors", "add", *me)
    code, _, err = applicant.run("approval", "request", application_file, "--cases", "1", "--supervisor", "J12345",
                                 "--out", application_file.with_name("req.json"))  # fmt: skip
    assert code == 1 and "ご本人" in err
    assert not application_file.with_name("req.json").exists()
    assert states(application_file)[0] is None


def _fully_approved(applicant: Pc, supervisor: Pc, application_file: Path) -> None:
    applicant.ok("supervisors", "add", *SUPERVISOR)
    request = application_file.parent / "req.json"
    applicant.ok(
        "approval", "request", application_file, "--cases", "1-20", "--supervisor", "J00001", "--out", request
    )
    supervisor.ok(
        "approval", "respond", request, "--approve", "1-20", "--out", request.with_name("resp.json")
    )
    applicant.ok("approval", "import", application_file, request.with_name("resp.json"), "--trust")


def test_approvals_cannot_be_moved_to_another_applicant(pcs: tuple[Pc, Pc], application_file: Path) -> None:
    """A clerk's PC signs for several doctors with one key: the approvals are bound to the 会員番号 too."""
    applicant, supervisor = pcs
    _fully_approved(applicant, supervisor, application_file)
    document = load_application(application_file)
    document.applicant.name, document.applicant.member_id = "別人 太郎", "J55555"
    save_application(document, application_file)
    code, _, err = applicant.run("export", application_file, "--out", application_file.parent / "out")
    assert code != 0 and "症例1" in err and "別の申請者" in err and "J12345" in err
    assert not (application_file.parent / "out").exists() or not list(
        (application_file.parent / "out").glob("*.json")
    )


def test_supervisor_without_a_listed_qualification_cannot_be_asked(
    pcs: tuple[Pc, Pc], application_file: Path
) -> None:
    applicant, _ = pcs
    clerk = [*SUPERVISOR[:4], "--qualification", "事務員", *SUPERVISOR[6:]]
    applicant.ok("supervisors", "add", *clerk)
    code, _, err = applicant.run("approval", "request", application_file, "--cases", "1", "--supervisor", "J00001",
                                 "--out", application_file.with_name("req.json"))  # fmt: skip
    assert code == 1 and "事務員" in err and "指導医" in err


def test_text_outside_the_form_never_travels_unseen(pcs: tuple[Pc, Pc], application_file: Path) -> None:
    applicant, _ = pcs
    applicant.ok("supervisors", "add", *SUPERVISOR)
    document = load_application(application_file)
    document.reports[0].narrative["hidden"] = "指導者に見えない文"
    save_application(document, application_file)
    code, out, _ = applicant.run("validate", application_file)
    assert code == 1 and "症例1 hidden" in out and "様式にない項目" in out
    code, _, _ = applicant.run("approval", "request", application_file, "--cases", "1", "--supervisor", "J00001",
                               "--out", application_file.with_name("req.json"))  # fmt: skip
    assert code == 1 and not application_file.with_name("req.json").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["approval", "show", "no-such.json"],
        ["approval", "show", "."],
        ["approval", "import", "{app}", "no-such.json"],
        ["approval", "respond", "no-such.json", "--approve", "1", "--out", "r.json"],
        ["approval", "request", "{app}", "--cases", "1", "--supervisor", "J00001", "--out", "{app}/x.json"],
        ["approval", "reopen", "{app}", "--case", "0"],
    ],
)
def test_bad_paths_and_numbers_give_one_line(
    pcs: tuple[Pc, Pc], application_file: Path, args: list[str]
) -> None:
    applicant, _ = pcs
    applicant.ok("supervisors", "add", *SUPERVISOR)
    before = application_file.read_bytes()
    code, _, err = applicant.run(*[arg.replace("{app}", str(application_file)) for arg in args])
    assert code in (1, 2)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("shorei: ")
    assert application_file.read_bytes() == before


def test_empty_comment_is_refused(pcs: tuple[Pc, Pc], application_file: Path) -> None:
    applicant, supervisor = pcs
    request = _requested(applicant, application_file)
    code, _, err = supervisor.run("approval", "respond", request, "--approve", "1,2", "--reject", "3",
                                  "--comment", "3:diagnosis=", "--out", request.with_name("r.json"))  # fmt: skip
    assert code == 2 and "空" in err and not request.with_name("r.json").exists()


def test_two_reopens_keep_two_copies(pcs: tuple[Pc, Pc], application_file: Path) -> None:
    applicant, supervisor = pcs
    _fully_approved(applicant, supervisor, application_file)
    applicant.ok("approval", "reopen", application_file, "--case", "1")
    applicant.ok("approval", "reopen", application_file, "--case", "2")
    copies = [load_application(path) for path in application_file.parent.glob("*.承認済みコピー-*")]
    assert len(copies) == 2
    # One copy still holds case 1 approved (taken before the first reopen), the other case 2.
    assert any(copy.reports[0].approval is not None for copy in copies)
    assert any(copy.reports[0].approval is None and copy.reports[1].approval is not None for copy in copies)


def test_approval_commands_change_the_file_through_the_operations(
    pcs: tuple[Pc, Pc], application_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """request, import --trust, reopen and withdraw plan the store's operations; the CLI sets no approval."""
    import inspect

    from app.cli import approval as cli_approval

    planned: list[str] = []

    def spy(operation: Any) -> type:
        def plan(self: object, application: object, labels: object) -> object:
            planned.append(operation.__name__)
            return operation.plan(self, application, labels)

        return type(operation.__name__, (operation,), {"plan": plan})

    for name in ("MarkRequested", "WithdrawRequest", "ImportResults", "ReopenReport"):
        monkeypatch.setattr(cli_approval, name, spy(getattr(cli_approval, name)))
    applicant, supervisor = pcs
    request = _requested(applicant, application_file)
    supervisor.ok("approval", "respond", request, "--approve", "1-3", "--out", request.with_name("resp.json"))
    applicant.ok("approval", "import", application_file, request.with_name("resp.json"), "--trust")
    applicant.ok("approval", "reopen", application_file, "--case", "1")
    applicant.ok("approval", "request", application_file, "--cases", "4", "--supervisor", "J00001",
                 "--out", request.with_name("req4.json"))  # fmt: skip
    applicant.ok("approval", "withdraw", application_file, "--cases", "4")
    assert planned == ["MarkRequested", "ImportResults", "ReopenReport", "MarkRequested", "WithdrawRequest"]
    assert states(application_file)[:4] == [None, "approved", "approved", None]
    assert ".approval =" not in inspect.getsource(cli_approval)
