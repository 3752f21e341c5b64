"""Supervisor mode (指導者): opening a 承認依頼 file, deciding each case with comments, saving the signed
response, and what is refused (self-approval, a case outside the certification period, a tampered file)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.approval.request import build_request
from app.approval.response import read_response
from app.cli import main
from app.models.application import Supervisor
from app.signing.keys import SigningKey, load_or_create_signing_key
from app.signing.signed_files import signed_bytes
from app.views import review_files as review_files_module
from app.views import review_window as review_module
from app.views.app import ensure_qt_app
from app.views.review_window import ReviewWindow, open_review
from tests.ime import commit_text
from tests.jspm_factories import APPLICANT, SUPERVISOR, jspm_application, jspm_facilities, jspm_form, report

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from pytestqt.qtbot import QtBot

NOW = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)
PRIVATE_NOTE = "私用メモ: 指導者に送らない"


def cases(count: int) -> list[dict[str, Any]]:
    """Complete reports, each with a private 備考 that must never reach the 指導者."""
    return [report(n, note=PRIVATE_NOTE) for n in range(count)]


@pytest.fixture
def applicant_key() -> SigningKey:
    """The applicant's key: another PC's, never the one in this test's data folder."""
    return SigningKey.generate()


def write_request(
    folder: Path, reports: list[dict[str, Any]], key: SigningKey, *, supervisor: dict[str, Any] = SUPERVISOR
) -> Path:
    """A signed request for every report, as the applicant's Shorei writes it."""
    _request, data = build_request(
        jspm_application(reports),
        jspm_form(),
        range(len(reports)),
        Supervisor.model_validate(supervisor, strict=False),
        "3例の承認をお願いします。",
        key,
        now=NOW,
        facilities=jspm_facilities(),
    )
    path = folder / "承認依頼.json"
    path.write_bytes(data)
    return path


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, list[Any]]:
    """Dialogs answered as a user would (yes; the suggested place); what they said is recorded."""
    seen: dict[str, list[Any]] = {"notify": [], "confirm": [], "saved": [], "chosen": []}

    def notify(parent: object, title: str, text: str, *, warning: bool = False) -> None:
        seen["notify"].append((title, text))

    def confirm(parent: object, title: str, text: str) -> bool:
        seen["confirm"].append((title, text))
        return True

    def choose(parent: object, suggested: Path) -> Path:
        seen["chosen"].append(suggested)
        return tmp_path / "結果.json"

    monkeypatch.setattr(review_module, "notify", notify)
    monkeypatch.setattr(review_module, "confirm", confirm)
    monkeypatch.setattr(review_module, "ask_where_to_save_response", choose)
    monkeypatch.setattr(review_module, "show_saved", lambda parent, path, summary: seen["saved"].append(path))
    return seen


@pytest.fixture
def opened(qtbot: QtBot) -> Iterator[Callable[[Path], ReviewWindow]]:
    """Opens review screens the way the menu does; closes those still open at the end."""
    ensure_qt_app()
    windows: list[ReviewWindow] = []

    def open_it(path: Path) -> ReviewWindow:
        window = open_review(path, None)
        assert window is not None
        windows.append(window)
        qtbot.waitExposed(window)
        with qtbot.waitActive(window):
            window.activateWindow()
        return window

    yield open_it
    for window in windows:
        if shiboken6.isValid(window):
            window.close()


def visible_reviews() -> list[ReviewWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ReviewWindow) and w.isVisible()]


def type_comment(window: ReviewWindow, field: str, text: str) -> None:
    box = window.detail.case_comment if field == "" else window.detail.comments[field]
    box.setFocus()
    commit_text(box, text)


def test_approve_two_reject_one_and_read_the_response_back(
    tmp_path: Path,
    applicant_key: SigningKey,
    opened: Callable[[Path], ReviewWindow],
    dialogs: dict[str, list[Any]],
    qtbot: QtBot,
) -> None:
    """Two cases approved with Ctrl+Enter, one rejected with a field comment; the saved file reads back."""
    reports = cases(3)
    window = opened(write_request(tmp_path, reports, applicant_key))
    assert window.table.rowCount() == 3
    assert "3例の承認をお願いします。" in window.header_values["通信欄"].text()
    assert "緩和 花子" in window.header_values["申請者"].text()
    assert window.header_values["この PC の署名鍵"].text() == load_or_create_signing_key().fingerprint
    assert not window.banner.isVisible()

    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.current_row() == 1  # approving moves on to the next case
    qtbot.keyClick(window.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.current_row() == 2
    type_comment(window, "course", "レスキュー薬の用量を記載してください")
    window.detail.reject_button.click()
    assert window.table.item(2, 4).text() == "非承認"  # type: ignore[union-attr]

    window.save_button.click()
    assert dialogs["confirm"] and "承認 2件、非承認 1件" in dialogs["confirm"][-1][1]
    saved = tmp_path / "結果.json"
    assert dialogs["saved"] == [saved]
    assert dialogs["chosen"][0].parent == tmp_path  # suggested beside the request

    response, statements = read_response(saved.read_bytes(), source=str(saved))
    decisions = {s.case_id: (s.decision, [(c.field, c.comment) for c in s.comments]) for s in statements}
    assert decisions == {
        reports[0]["id"]: ("approved", []),
        reports[1]["id"]: ("approved", []),
        reports[2]["id"]: ("rejected", [("course", "レスキュー薬の用量を記載してください")]),
    }
    assert response.signature.fingerprint == load_or_create_signing_key().fingerprint
    assert PRIVATE_NOTE not in saved.read_text(encoding="utf-8")


def test_saving_is_refused_until_every_case_is_decided(
    tmp_path: Path,
    applicant_key: SigningKey,
    opened: Callable[[Path], ReviewWindow],
    dialogs: dict[str, list[Any]],
) -> None:
    """With a case undecided nothing is written; the message names it and the list jumps to it."""
    window = opened(write_request(tmp_path, cases(2), applicant_key))
    window.detail.approve_button.click()
    window.save_button.click()
    assert not (tmp_path / "結果.json").exists()
    [(_title, text)] = dialogs["notify"]
    assert "番号 2" in text
    assert window.current_row() == 1


def test_rejecting_needs_a_comment(
    tmp_path: Path,
    applicant_key: SigningKey,
    opened: Callable[[Path], ReviewWindow],
    dialogs: dict[str, list[Any]],
) -> None:
    """非承認 without any comment is refused with what to do; a whole-case comment is enough."""
    window = opened(write_request(tmp_path, cases(1), applicant_key))
    window.detail.reject_button.click()
    assert window.review.state(window.review.cases[0].id).decision is None
    assert "コメント" in dialogs["notify"][-1][1]
    type_comment(window, "", "全体に記載が不足しています")
    window.detail.reject_button.click()
    assert window.review.state(window.review.cases[0].id).decision == "rejected"


def test_self_approval_is_blocked(
    tmp_path: Path, opened: Callable[[Path], ReviewWindow], dialogs: dict[str, list[Any]], qtbot: QtBot
) -> None:
    """A request signed with this PC's own key: a red warning, and nothing can be approved or saved."""
    own_key = load_or_create_signing_key()
    window = opened(write_request(tmp_path, cases(1), own_key))
    assert window.banner.isVisible()
    assert "申請者ご本人の鍵" in window.banner.text()
    assert not window.detail.approve_button.isEnabled()
    assert not window.approve_all_button.isEnabled()
    assert not window.save_button.isEnabled()
    qtbot.keyClick(window.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.review.undecided()
    assert "承認できません" in dialogs["notify"][-1][1]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda request: request["supervisor"].update(fingerprint="0000-1111-2222-3333-4444-5555-6666-7777"),
         "0000-1111-2222-3333-4444-5555-6666-7777 の指導者あて"),
        (lambda request: request["supervisor"].update(member_id=APPLICANT["member_id"]), "申請者ご本人"),
    ],
    ids=["addressed-to-another-key", "applicant-named-as-supervisor"],
)  # fmt: skip
def test_a_request_this_pc_may_not_answer_is_blocked(
    tmp_path: Path,
    applicant_key: SigningKey,
    opened: Callable[[Path], ReviewWindow],
    dialogs: dict[str, list[Any]],
    change: Callable[[dict[str, Any]], None],
    said: str,
) -> None:
    """Addressed to another 指導者's key, or naming the applicant as 指導者: shown, and nothing is decided."""
    path = write_request(tmp_path, cases(1), applicant_key)
    path.write_bytes(resigned(path.read_bytes(), applicant_key, change))
    window = opened(path)
    assert window.banner.isVisible() and said in window.banner.text()
    assert not window.detail.approve_button.isEnabled()
    assert not window.detail.reject_button.isEnabled()
    assert not window.save_button.isEnabled()
    window.reject_current()
    assert window.review.undecided()


def test_a_case_outside_the_certification_period_cannot_be_approved(
    tmp_path: Path,
    applicant_key: SigningKey,
    opened: Callable[[Path], ReviewWindow],
    dialogs: dict[str, list[Any]],
) -> None:
    """JS-5: a case period beyond the 指導者's certification period is marked and cannot be approved. The
    applicant's Shorei never writes such a request; one edited and signed again elsewhere can say it."""
    reports = [report(0), report(1, start="2024-01-10", end="2024-03-31")]
    path = write_request(tmp_path, reports, applicant_key)

    def narrow(request: dict[str, Any]) -> None:
        request["supervisor"]["cert_end"] = "2023-12-31"

    path.write_bytes(resigned(path.read_bytes(), applicant_key, narrow))
    window = opened(path)
    assert "期間外" in window.table.item(1, 4).text()  # type: ignore[union-attr]
    window.select_case(1)
    assert window.detail.period_banner.isVisible()
    assert "2020/04/01〜2023/12/31" in window.detail.period_banner.text()
    assert "認定期間外" in window.detail.values["start"].text()
    window.select_case(0)
    assert not window.detail.period_banner.isVisible()
    assert "認定期間外" not in window.detail.values["start"].text()
    window.select_case(1)
    assert not window.detail.approve_button.isEnabled()
    window.approve_current()
    assert window.review.state(reports[1]["id"]).decision is None

    window.approve_all()
    assert "番号 2 は指導者の認定期間外" in dialogs["confirm"][-1][1]
    assert window.review.state(reports[0]["id"]).decision == "approved"
    assert window.review.state(reports[1]["id"]).decision is None


def test_approve_all_asks_first(
    tmp_path: Path,
    applicant_key: SigningKey,
    opened: Callable[[Path], ReviewWindow],
    dialogs: dict[str, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """「すべて承認」 approves nothing when the confirmation is declined, and every undecided case when given."""
    window = opened(write_request(tmp_path, cases(3), applicant_key))
    monkeypatch.setattr(review_module, "confirm", lambda parent, title, text: False)
    window.approve_all_button.click()
    assert len(window.review.undecided()) == 3
    monkeypatch.setattr(review_module, "confirm", lambda parent, title, text: True)
    window.approve_all_button.click()
    assert window.review.undecided() == []
    assert window.progress.text().startswith("承認 3件")


def resigned(data: bytes, key: SigningKey, change: Callable[[dict[str, Any]], None]) -> bytes:
    """The request changed by `change` and signed again with the applicant's key: a valid signature over
    content that no longer matches its hash (a generator that lies, or a hand-edited file re-signed)."""
    request = json.loads(data)
    change(request)
    del request["signature"]
    return signed_bytes(request, key)


def _edit_history(request: dict[str, Any]) -> None:
    request["cases"][0]["content"]["narrative"]["history"] += "（追記）"


@pytest.mark.parametrize(
    ("tamper", "check"),
    [
        (lambda data, key: resigned(data, key, _edit_history), "ハッシュ"),
        (lambda data, key: data.replace("疼痛".encode(), "頭痛".encode()), "署名"),
        (lambda data, key: data.replace("3例の承認".encode(), "4例の承認".encode()), "署名"),
        (lambda data, key: json.dumps(json.loads(data), indent=1).encode(), "正規形"),
        (lambda data, key: data[: len(data) // 2], "読"),
    ],
    ids=["case-content-resigned", "case-content", "message", "pretty-printed", "truncated"],
)
def test_a_tampered_request_opens_nothing_and_names_the_check(
    tmp_path: Path,
    applicant_key: SigningKey,
    dialogs: dict[str, list[Any]],
    tamper: Callable[[bytes, SigningKey], bytes],
    check: str,
) -> None:
    """A changed request is refused before anything is shown; the message names the file and the check."""
    ensure_qt_app()
    path = write_request(tmp_path, cases(1), applicant_key)
    changed = tamper(path.read_bytes(), applicant_key)
    assert changed != path.read_bytes()
    path.write_bytes(changed)
    before = visible_reviews()
    assert open_review(path, None) is None
    [(title, text)] = dialogs["notify"]
    assert title == "承認依頼ファイルを開けません"
    assert str(path) in text and check in text
    assert visible_reviews() == before


def test_decisions_survive_closing_and_reopening(
    tmp_path: Path,
    applicant_key: SigningKey,
    opened: Callable[[Path], ReviewWindow],
    dialogs: dict[str, list[Any]],
    shorei_home: Path,
) -> None:
    """Closed by accident: the draft in the data folder brings back decisions and comments."""
    reports = cases(2)
    path = write_request(tmp_path, reports, applicant_key)
    window = opened(path)
    window.detail.approve_button.click()
    type_comment(window, "diagnosis", "病期を追記してください")
    window.close()
    request_id = window.review.request.request_id
    draft = json.loads((shorei_home / "reviews" / f"{request_id}.json").read_text(encoding="utf-8"))
    assert draft["cases"][reports[0]["id"]]["decision"] == "approved"

    again = opened(path)
    assert again.review.state(reports[0]["id"]).decision == "approved"
    assert again.table.item(0, 4).text() == "承認"  # type: ignore[union-attr]
    assert "下書きを復元" in again.statusBar().currentMessage()
    again.select_case(1)
    assert again.detail.comments["diagnosis"].toPlainText() == "病期を追記してください"


def test_the_menu_opens_the_review_screen(
    window: Any, tmp_path: Path, applicant_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ファイル → 承認依頼ファイルを開く（指導者）… opens the chosen request beside the main window."""
    path = write_request(tmp_path, cases(1), applicant_key)
    monkeypatch.setattr(review_files_module, "ask_request_to_open", lambda parent: path)
    [action] = [a for a in window.menuBar().actions()[0].menu().actions() if "指導者" in a.text()]
    action.trigger()
    [review] = [w for w in window.findChildren(ReviewWindow) if w.isVisible()]
    assert review.review.request.applicant.name == "緩和 花子"
    review.close()


def test_cli_gui_review_opens_the_review_screen(
    tmp_path: Path, applicant_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`shorei gui --review REQUEST` shows only the review screen for that request (exit code of the loop)."""
    app = ensure_qt_app()
    path = write_request(tmp_path, cases(2), applicant_key)
    shown: list[ReviewWindow] = []

    def run_loop() -> int:
        shown.extend(
            w for w in QApplication.topLevelWidgets() if isinstance(w, ReviewWindow) and w.isVisible()
        )
        for window in shown:
            window.close()
        return 0

    monkeypatch.setattr(app, "exec", run_loop)
    assert main(["gui", "--review", str(path)]) == 0
    [window] = shown
    assert window.table.rowCount() == 2


def test_cli_gui_review_refuses_a_tampered_file(
    tmp_path: Path,
    applicant_key: SigningKey,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A request that fails a check: exit 2, the check named on stderr and in a message box, no window."""
    ensure_qt_app()
    path = write_request(tmp_path, cases(1), applicant_key)
    path.write_bytes(resigned(path.read_bytes(), applicant_key, _edit_history))
    boxes: list[str] = []

    def show_later(app: QApplication, title: str, text: str, screenshot: object = None) -> None:
        # The box opens once the event loop runs; closing it ends the program (exit 2).
        boxes.append(text)
        QTimer.singleShot(0, lambda: app.exit(2))

    monkeypatch.setattr("app.views.app.show_error_later", show_later)
    assert main(["gui", "--review", str(path)]) == 2
    err = capsys.readouterr().err
    assert "ハッシュ" in err and str(path) in err
    assert boxes and "ハッシュ" in boxes[0]


def test_cli_gui_review_and_file_together_is_a_usage_error(tmp_path: Path) -> None:
    """`--review` opens the 指導者's screen only; naming an application file too is refused."""
    with pytest.raises(SystemExit) as stopped:
        main(["gui", str(tmp_path / "a.json"), "--review", str(tmp_path / "r.json")])
    assert stopped.value.code == 2


def test_keyboard_moves_between_cases_and_through_the_fields(
    tmp_path: Path, applicant_key: SigningKey, opened: Callable[[Path], ReviewWindow], qtbot: QtBot
) -> None:
    """Up/Down in the list change the case shown; Tab goes from the list into the comment boxes in form
    order; Alt+Down moves on from inside a comment box."""
    window = opened(write_request(tmp_path, cases(3), applicant_key))
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    assert window.current_row() == 1
    assert window.detail.title.text().startswith("番号 2")
    qtbot.keyClick(window.table, Qt.Key.Key_Up)
    assert window.current_row() == 0

    expected = [*window.detail.comments.values(), window.detail.case_comment, window.detail.approve_button]
    for widget in expected:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is widget

    box = window.detail.comments["diagnosis"]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.current_row() == 1
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.review.state(window.review.cases[1].id).decision == "approved"
