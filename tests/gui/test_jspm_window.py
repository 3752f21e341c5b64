"""The applicant's window for case-report forms (JSPM, issue 7): the 症例一覧, the 症例編集, the coverage
panel, and approval by files (request, withdraw, import the 指導者's results, 「削除して再依頼」)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget

from app.approval.envelope import ApprovalError
from app.approval.request import read_request
from app.approval.response import build_response
from app.models.application import Application, FieldComment, Supervisor
from app.models.canonical import canonical_json
from app.models.facility import ENDED_LABEL, Facility
from app.operations.approval import WithdrawRequest
from app.operations.reports import SetReportFacility, SetReportField
from app.signing.keys import SigningKey
from app.views import approval_dialogs, dialogs
from app.views.app import ensure_qt_app, window_settings
from app.views.approval_dialogs import RequestChoice, RequestDialog
from app.views.facility_picker import FacilityPick, FacilityPickerDialog
from app.views.main_window import MainWindow, build_main_window
from app.views.report_model import ReportTableModel
from app.views.start_page import NewApplication, NewApplicationDialog
from app.views.supervisor_dialogs import SupervisorDialog, SupervisorRegistryDialog
from tests.ime import commit_text
from tests.jspm_factories import SPECIALIST_NEW, TRANSITION, approve, jspm_application, jspm_form

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from app.views.reports_page import ReportsPage

SUPERVISOR = Supervisor(
    name="指導 一郎",
    member_id="J00001",
    qualification="指導医",
    cert_start=dt.date(2020, 4, 1),
    cert_end=dt.date(2030, 3, 31),
)
NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


class Recorder:
    """A patched `confirm` that says yes and keeps each question."""

    def __init__(self, asked: list[str]) -> None:
        self.asked = asked

    def __call__(self, parent: object, title: str, text: str) -> bool:
        self.asked.append(text)
        return True


class Messages:
    """What the window told the user (notify is patched: a test never waits on a message box)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, bool]] = []

    def __call__(self, parent: object, title: str, text: str, *, warning: bool = False) -> None:
        self.shown.append((title, text, warning))

    def last(self) -> str:
        return self.shown[-1][1] if self.shown else ""


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> Messages:
    found = Messages()
    monkeypatch.setattr(dialogs, "notify", found)
    return found


@pytest.fixture
def window(qtbot: QtBot, shorei_home: Path, messages: Messages) -> Iterator[MainWindow]:
    """The window over an empty data folder (no application open yet)."""
    ensure_qt_app()
    shorei_home.mkdir(parents=True, exist_ok=True)
    win = build_main_window(shorei_home, window_settings(shorei_home), opening_file=True)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    win.store.close()
    assert win.facility_sources is not None
    win.facility_sources.close()


def page_of(window: MainWindow) -> ReportsPage:
    assert window.reports is not None
    return window.reports


def open_application(window: MainWindow, application: Application) -> ReportsPage:
    info = window.store.applications.import_application(application, title="テスト")
    window.open_application(info.id)
    return page_of(window)


def new_jspm(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, form_id: str = SPECIALIST_NEW
) -> ReportsPage:
    """新規 with the form chosen in the (patched) form dialog."""
    monkeypatch.setattr(
        NewApplicationDialog,
        "ask",
        classmethod(lambda cls, parent, forms: NewApplication(forms.get(form_id), "")),
    )
    window.new_application()
    return page_of(window)


def stored(window: MainWindow) -> Application:
    assert window.app_id is not None
    return window.store.get(window.app_id)


def type_line(qtbot: QtBot, widget: Any, text: str) -> None:
    """Type into a one-line field (Japanese through the IME) and press Enter."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        commit_text(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def choose(combo: Any, text: str) -> None:
    """Pick an entry of a drop-down as the user does (the choice is taken on `activated`)."""
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def statuses(page: ReportsPage) -> list[str]:
    return page.model.statuses()


# --- 新規 and the list ------------------------------------------------------------------------------


def test_new_offers_every_form_and_opens_the_case_list(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """新規 lists the JBCT form and the three JSPM forms; a JSPM one opens the 症例一覧 with 1…20 未登録."""
    dialog = NewApplicationDialog(window.forms, window)
    qtbot.addWidget(dialog)
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any("更新申請" in t for t in texts)
    for title in ("専門医新規申請", "認定医新規申請", "専門医移行申請"):
        assert any(title in t for t in texts), title
    assert any("専門医新規申請" in t and "指導者の承認が必要" in t for t in texts)

    page = new_jspm(window, monkeypatch)
    assert window.jbct is None and page.isVisible()  # no section tabs
    assert page.model.rowCount() == 20
    assert statuses(page) == ["未登録"] * 20
    assert page.model.headerData(ReportTableModel.NOTE, Qt.Orientation.Horizontal) == "備考※"
    assert "症例 0 / 20" in window.count_label.text()
    assert page.request_button.isVisible() and page.registry_button.isVisible()


def test_forms_without_approval_hide_the_approval_actions(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """専門医移行申請 needs no 指導者: no approval buttons, and the coverage panel asks for one each."""
    page = new_jspm(window, monkeypatch, TRANSITION)
    assert page.model.rowCount() == 7
    assert not page.request_button.isVisible() and not page.registry_button.isVisible()
    assert "ちょうど1例" in page.coverage.title.text()
    assert "承認" not in window.count_label.text()


def test_cancelled_form_choice_creates_nothing(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing the form choice leaves the list of applications as it was."""
    monkeypatch.setattr(NewApplicationDialog, "ask", classmethod(lambda cls, parent, forms: None))
    window.new_application()
    assert window.store.applications.all() == []


def test_jbct_window_still_opens_its_sections(window: MainWindow, examples_dir: Path) -> None:
    """After a JSPM application, a JBCT one shows its three section tabs again (and no case list)."""
    open_application(window, jspm_application())
    assert window.open_file(examples_dir / "valid-20-cases.json")
    assert window.reports is None and window.tabs.isVisible() and len(window.pages) == 3
    assert window.applicant is not None and window.applicant.month is not None


def test_add_delete_and_move_cases(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """追加 appends a case, 上へ moves it (its id with it), 削除 asks first when it holds something."""
    page = open_application(window, jspm_application())
    ids = [r.id for r in stored(window).reports]
    page.add_button.click()
    assert len(stored(window).reports) == 21 and page.current_row() == 20
    page.select_row(1)
    page.up_button.click()
    assert [r.id for r in stored(window).reports][:2] == [ids[1], ids[0]]
    assert page.current_row() == 0
    monkeypatch.setattr(dialogs, "confirm", lambda *a: False)
    page.delete_button.click()
    assert len(stored(window).reports) == 21
    monkeypatch.setattr(dialogs, "confirm", lambda *a: True)
    page.delete_button.click()
    assert len(stored(window).reports) == 20 and ids[1] not in [r.id for r in stored(window).reports]


# --- the editor ---------------------------------------------------------------------------------------


def test_fill_a_case_through_the_editor(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each field typed (Japanese through the IME, dates as R5.4.1) is saved before 保存済み shows;
    the case becomes 未承認 once complete, and the count and coverage follow."""
    page = new_jspm(window, monkeypatch)
    window.set_applicant_field("name", "緩和 花子")
    window.set_applicant_field("member_id", "J12345")
    editor = page.editor
    page.select_row(0)
    choose(editor.category, "痛み")
    assert stored(window).reports[0].category == "痛み"
    assert "✓ 痛み 1" in page.coverage.cells["痛み"].text()
    assert "せん妄" in page.coverage.summary.text()

    entry = Facility(cert_no="S004", name="西浜がんセンター（サンプル）", kind="認定研修施設",
                     cert_start=dt.date(2019, 4, 1), cert_end=dt.date(2029, 3, 31))  # fmt: skip
    monkeypatch.setattr(
        FacilityPickerDialog, "ask_entry", classmethod(lambda cls, *a, **k: FacilityPick(entry))
    )
    editor.facility_button.click()
    type_line(qtbot, editor.start, "R5.4.1")
    type_line(qtbot, editor.end, "2023/6/30")
    type_line(qtbot, editor.age, "６８")
    choose(editor.sex, "男性")
    type_line(qtbot, editor.diagnosis, "膵癌")
    for key, text in (("history", "膵癌に対し化学療法中、背部痛が増悪。"), ("problems", "疼痛 NRS 7/10。"),
                      ("course", "オピオイドを導入した。"), ("reflection", "早期の介入が有効であった。")):  # fmt: skip
        narrative = editor.narratives[key]
        narrative.setFocus()
        commit_text(narrative, text)
        assert editor.counters[key].text() == f"{len(text)} / {jspm_form().field(key).max_length}"
    page.table.setFocus()  # the last long field loses focus: saved
    assert "保存済み" in window.save_label.text()

    report = stored(window).reports[0]
    assert (report.start, report.end, report.age, report.sex) == (
        dt.date(2023, 4, 1), dt.date(2023, 6, 30), 68, "male")  # fmt: skip
    assert report.diagnosis == "膵癌" and report.narrative["reflection"] == "早期の介入が有効であった。"
    assert report.facility is not None and (report.facility.cert_no, report.facility.kind) == (
        "S004",
        "認定研修施設",
    )
    assert statuses(page)[0] == "未承認"
    assert "症例 1 / 20" in window.count_label.text()
    assert "西浜がんセンター" in editor.facility_label.text()


def test_text_being_typed_is_saved_when_another_application_opens(window: MainWindow) -> None:
    """A long field typed but not yet saved (no pause, no focus change) goes to its own application
    before another one opens."""
    page = open_application(window, jspm_application())
    first = window.app_id
    narrative = page.editor.narratives["course"]
    narrative.setFocus()
    narrative.selectAll()
    commit_text(narrative, "途中まで書いた経過")
    other = window.store.applications.import_application(jspm_application(), title="別の申請")
    window.open_application(other.id)
    assert first is not None
    assert window.store.get(first).reports[0].narrative["course"] == "途中まで書いた経過"
    assert window.store.get(other.id).reports[0].narrative["course"] != "途中まで書いた経過"


def test_unreadable_date_is_kept_on_screen_and_not_saved(window: MainWindow, qtbot: QtBot) -> None:
    """A date that cannot be read stays as typed with the reason; the store keeps the old date."""
    page = open_application(window, jspm_application())
    type_line(qtbot, page.editor.start, "2023/13/40")
    assert page.editor.start.text() == "2023/13/40"
    assert "保存されていません" in page.editor.problems["start"].text()
    assert stored(window).reports[0].start == dt.date(2023, 4, 1)
    assert "未保存" in window.save_label.text()


def test_facility_search_lists_each_entry_with_its_period_and_ended_ones(
    window: MainWindow, qtbot: QtBot
) -> None:
    """The 診療施設検索 shows every entry of a facility with kind and period, 「（認定終了）」 on ended ones,
    and an ended entry whose period fits the case can be chosen; the case then has no period problem."""
    page = open_application(window, jspm_application())
    page.select_row(2)
    type_line(qtbot, page.editor.start, "2018/4/1")
    type_line(qtbot, page.editor.end, "2018/9/30")
    dialog = FacilityPickerDialog(
        page.context.search_facilities, None, manual_label="手入力", sample_notice=None,
        today=dt.date(2026, 11, 21),
    )  # fmt: skip
    qtbot.addWidget(dialog)
    dialog.show()
    commit_text(dialog.query, "東都")
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2)
    periods = [dialog.model.index(r, 3).data() for r in range(2)]
    kinds = [dialog.model.index(r, 2).data() for r in range(2)]
    assert "2015/04/01〜2020/03/31" + ENDED_LABEL in periods
    assert "2020/04/01〜2030/03/31" in periods and set(kinds) == {"認定研修施設", "基幹施設"}
    dialog.table.selectRow(periods.index("2015/04/01〜2020/03/31" + ENDED_LABEL))
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    pick = dialog.chosen_pick()
    assert pick is not None and pick.entry is not None and pick.entry.cert_end == dt.date(2020, 3, 31)

    page.context.perform("施設", lambda a: window.store.apply(a, SetReportFacility(2, pick.entry)))
    codes = {i.code for i in window.issues if i.row == 3}
    assert "period-outside-facility-certification" not in codes and "facility-unknown" not in codes
    assert "認定研修施設" in page.editor.facility_label.text()


def test_counter_turns_red_over_the_limit_and_the_text_is_kept(window: MainWindow) -> None:
    """Over the form's limit the counter is red; the text is still saved and the rule reports it."""
    page = open_application(window, jspm_application())
    narrative = page.editor.narratives["history"]
    narrative.setFocus()
    narrative.selectAll()
    commit_text(narrative, "あ" * 601)
    counter = page.editor.counters["history"]
    assert counter.text() == "601 / 600" and "#b3261e" in counter.styleSheet()
    page.editor.save_pending()
    assert stored(window).reports[0].narrative["history"] == "あ" * 601
    assert "600文字以内" in page.editor.problems["history"].text()


def test_problem_click_jumps_to_the_case_and_field(window: MainWindow, qtbot: QtBot) -> None:
    """Clicking a case's problem selects that case and puts the cursor in its field."""
    application = jspm_application()
    application.reports[5].diagnosis = ""
    page = open_application(window, application)
    panel = window.problems
    position = next(
        i for i, issue in enumerate(panel.issues()) if issue.row == 6 and issue.field == "diagnosis"
    )
    item = panel.topLevelItem(position)
    assert item is not None
    panel.scrollToItem(item)
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=panel.visualItemRect(item).center())
    assert page.current_row() == 5
    assert page.editor.diagnosis.hasFocus()
    assert "診断名が未入力です" in page.editor.problems["diagnosis"].text()


def test_undo_and_redo_an_edit(window: MainWindow, qtbot: QtBot) -> None:
    """Undo restores the case as it was before an edit, in the store and on screen; redo brings it back."""
    page = open_application(window, jspm_application())
    type_line(qtbot, page.editor.diagnosis, "肺癌")
    assert stored(window).reports[0].diagnosis == "肺癌"
    page.table.setFocus()
    window.undo_stack.undo()
    assert stored(window).reports[0].diagnosis == "慢性心不全"
    assert page.editor.diagnosis.text() == "慢性心不全"
    window.undo_stack.redo()
    assert page.editor.diagnosis.text() == "肺癌"


def test_a_locked_case_cannot_be_edited(window: MainWindow, qtbot: QtBot) -> None:
    """承認依頼中 and 承認 cases are read-only with a banner saying why and what to do; 備考 still changes."""
    application = jspm_application()
    approve(application.reports[0], state="requested")
    approve(application.reports[1])
    page = open_application(window, application)
    editor = page.editor
    assert statuses(page)[:2] == ["承認依頼中", "承認"]
    assert editor.lock_banner.isVisible() and "取り下げ" in editor.lock_text.text()
    assert editor.diagnosis.isReadOnly() and not editor.category.isEnabled()
    assert not editor.facility_button.isEnabled()
    qtbot.keyClicks(editor.diagnosis, "x")
    qtbot.keyClick(editor.diagnosis, Qt.Key.Key_Return)
    assert stored(window).reports[0].diagnosis == "慢性心不全"
    type_line(qtbot, editor.note, "memo")
    assert stored(window).reports[0].note == "memo"

    page.select_row(1)
    assert "削除して再依頼" in editor.lock_text.text() and "コピーを残して" in editor.lock_text.text()
    assert editor.narratives["history"].isReadOnly()
    assert not page.delete_button.isEnabled() and page.reopen_button.isEnabled()


def test_rejected_case_shows_the_comments_above_it(window: MainWindow) -> None:
    """A 非承認 case shows the 指導者's comments in the blue frame and marks the fields they concern."""
    application = jspm_application()
    approve(application.reports[3], state="rejected")
    approval = application.reports[3].approval
    assert approval is not None
    approval.decided_at = "2026-10-30T10:00:00+00:00"
    approval.comments = [
        FieldComment(field="reflection", comment="考察が短すぎます。"),
        FieldComment(field="facility", comment="施設の種別を確認してください。"),
    ]
    page = open_application(window, application)
    page.select_row(3)
    editor = page.editor
    assert statuses(page)[3] == "非承認"
    assert editor.rejection.isVisible() and not editor.lock_banner.isVisible()
    text = editor.rejection_text.text()
    assert "考察: 考察が短すぎます。" in text and "診療施設名: 施設の種別を確認してください。" in text
    assert "2026/10/30" in text
    assert editor.captions["reflection"].text() == "◆考察" and editor.captions["facility"].text().startswith(
        "◆"
    )
    assert editor.captions["history"].text() == "介入時までの現病歴"
    assert "#3b6fd4" in editor.inputs["reflection"].styleSheet()
    assert not editor.diagnosis.isReadOnly()


# --- approval: registry, request, withdraw, import, reopen --------------------------------------------


def test_supervisor_registry_adds_edits_and_removes(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """指導者登録 stores 指導者 in the data folder; removing asks first."""
    kinds = jspm_form().approval.supervisor_kinds  # type: ignore[union-attr]
    dialog = SupervisorRegistryDialog(window.store, kinds, window, confirm=lambda *a: True)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(SupervisorDialog, "ask", classmethod(lambda cls, parent, kinds, current: SUPERVISOR))
    dialog.add()
    assert window.store.supervisors.all() == [SUPERVISOR]
    assert cell(dialog.table, 0, 3) == "2020/04/01〜2030/03/31"
    assert cell(dialog.table, 0, 4) == "（未登録）"
    dialog.table.selectRow(0)
    changed = SUPERVISOR.model_copy(update={"qualification": "専門医"})
    monkeypatch.setattr(SupervisorDialog, "ask", classmethod(lambda cls, parent, kinds, current: changed))
    dialog.edit_selected()
    assert window.store.supervisors.all()[0].qualification == "専門医"
    key = SigningKey.generate().fingerprint
    window.store.supervisors.trust_key(SUPERVISOR.member_id, key)
    dialog.refresh()
    assert cell(dialog.table, 0, 4) == key
    other = SigningKey.generate().fingerprint
    rekeyed = changed.model_copy(update={"fingerprint": other})
    monkeypatch.setattr(SupervisorDialog, "ask", classmethod(lambda cls, parent, kinds, current: rekeyed))
    dialog.table.selectRow(0)
    dialog.edit_selected()  # a new key for a trusted 指導者 is taken after asking (confirm says yes here)
    assert window.store.supervisors.all()[0].fingerprint == other
    dialog.table.selectRow(0)
    dialog.remove_selected()
    assert window.store.supervisors.all() == []


def test_supervisor_dialog_reads_dates_as_typed_and_says_what_is_wrong(qtbot: QtBot) -> None:
    """認定期間 typed as R2.4.1 is read; a missing name is named in the message."""
    dialog = SupervisorDialog(["指導医", "専門医"], None)
    qtbot.addWidget(dialog)
    dialog.member_id.setText("J00001")
    dialog.cert_start.setText("R2.4.1")
    dialog.cert_end.setText("2030/3/31")
    assert str(dialog.read()).startswith("氏名")
    commit_text(dialog.name, "指導 一郎")
    result = dialog.read()
    assert isinstance(result, Supervisor) and result.cert_start == dt.date(2020, 4, 1)
    dialog.cert_end.setText("いつか")
    assert "認定期間（終了）" in str(dialog.read())


def test_request_dialog_counts_the_message_and_notes_the_private_remark(qtbot: QtBot) -> None:
    """症例承認依頼 lists the cases, counts the 通信欄 live (red over 200) and says 備考 are not sent."""
    application = jspm_application()
    application.reports[0].note = "自分用"
    dialog = RequestDialog(jspm_form(), [(1, application.reports[0])], lambda: [SUPERVISOR])
    qtbot.addWidget(dialog)
    assert cell(dialog.cases, 0, 0) == "1" and cell(dialog.cases, 0, 1) == "痛み"
    assert "備考は指導者に送信されません" in " ".join(w.text() for w in dialog.findChildren(QLabel))
    commit_text(dialog.message, "よろしくお願いします")
    assert dialog.counter.text() == "10 / 200"
    commit_text(dialog.message, "あ" * 195)
    assert dialog.counter.text() == "205 / 200" and "#b3261e" in dialog.counter.styleSheet()
    assert "200文字以内" in str(dialog.read())
    dialog.message.setPlainText("お願いします")
    choice = dialog.read()
    assert isinstance(choice, RequestChoice) and choice.supervisor == SUPERVISOR


def _request(
    window: MainWindow, page: ReportsPage, rows: list[int], monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    page.model.set_checked(rows)
    monkeypatch.setattr(
        RequestDialog, "ask", classmethod(lambda cls, *a, **k: RequestChoice(SUPERVISOR, "ご確認ください"))
    )

    def choose(parent: object, suggested: Path) -> Path:
        assert (
            suggested.name.startswith("承認依頼_")
            and "_症例" in suggested.name
            and suggested.suffix == ".json"
        )
        return path

    monkeypatch.setattr(approval_dialogs, "ask_where_to_save_request", choose)
    page.request_button.click()


@pytest.fixture
def requested(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[ReportsPage, Path]:
    """Cases 1–3 of a complete application requested from 指導 一郎 (registered, no key yet)."""
    application = jspm_application()
    application.reports[0].note = "秘密のメモ"
    page = open_application(window, application)
    window.store.supervisors.save(SUPERVISOR)
    path = tmp_path / "request.approval-request.json"
    _request(window, page, [0, 1, 2], monkeypatch, path)
    return page, path


def test_request_writes_a_signed_file_and_marks_the_cases(
    window: MainWindow, requested: tuple[ReportsPage, Path], messages: Messages
) -> None:
    """承認依頼をする for the checked cases writes the request (without 備考) and makes them 承認依頼中."""
    page, path = requested
    request = read_request(path.read_bytes(), source=path.name)
    assert [case.number for case in request.cases] == [1, 2, 3]
    assert request.message == "ご確認ください" and request.supervisor.member_id == "J00001"
    assert "秘密のメモ" not in path.read_text(encoding="utf-8")
    assert statuses(page)[:4] == ["承認依頼中", "承認依頼中", "承認依頼中", "未承認"]
    assert page.model.checked_rows() == []
    assert "指導者 指導 一郎 に渡してください" in messages.last()
    page.select_row(0)
    assert page.editor.lock_banner.isVisible()


def test_request_refusal_changes_nothing(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, messages: Messages
) -> None:
    """A 未登録 case or a 指導者 whose period does not fit is refused with a message; no file, no change."""
    application = jspm_application()
    application.reports[1].diagnosis = ""
    page = open_application(window, application)
    path = tmp_path / "request.json"
    _request(window, page, [0, 1], monkeypatch, path)
    assert not path.exists()
    assert statuses(page)[:2] == ["未承認", "未登録"]
    assert messages.shown[-1][2] and "2" in messages.last()
    with pytest.raises(ApprovalError):  # the same refusal, from the operation itself
        from app.approval.request import build_request

        build_request(stored(window), jspm_form(), [1], SUPERVISOR, "", SigningKey.generate(), now=NOW)


def test_withdraw_asks_first_and_only_takes_requested_cases(
    window: MainWindow, requested: tuple[ReportsPage, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """承認依頼の取り下げ warns first; yes returns the 承認依頼中 cases among the checked to 未承認."""
    page, _ = requested
    page.model.set_checked([1, 5])
    assert page.withdraw_button.isEnabled()
    monkeypatch.setattr(dialogs, "confirm", lambda *a: False)
    page.withdraw_button.click()
    assert statuses(page)[1] == "承認依頼中"
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", Recorder(asked))
    page.withdraw_button.click()
    assert "症例2の承認依頼を取り下げますか" in asked[0] and "指導者にも伝えて" in asked[0]
    assert statuses(page)[:3] == ["承認依頼中", "未承認", "承認依頼中"]
    assert statuses(page)[5] == "未承認"


def _response(path: Path, key: SigningKey, tmp_path: Path, *, reject_third: bool = True) -> Path:
    request = read_request(path.read_bytes(), source=path.name)
    decisions: dict[str, Any] = {case.id: ("approved", []) for case in request.cases}
    if reject_third:
        decisions[request.cases[2].id] = (
            "rejected",
            [FieldComment(field="reflection", comment="考察をもう少し具体的に書いてください。")],
        )
    response = tmp_path / "result.approval-response.json"
    response.write_bytes(build_response(request, decisions, key, now=NOW))
    return response


def test_import_asks_to_trust_the_key_then_applies_the_results(
    window: MainWindow,
    requested: tuple[ReportsPage, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    messages: Messages,
) -> None:
    """The first result of a 指導者 shows its key fingerprint and asks to trust it; then 2 承認, 1 非承認,
    the approved cases locked and the rejected one showing the comment."""
    page, path = requested
    key = SigningKey.generate()
    response = _response(path, key, tmp_path)
    monkeypatch.setattr(approval_dialogs, "ask_response_to_open", lambda parent, start: response)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", Recorder(asked))
    page.import_button.click()
    assert key.fingerprint in asked[0]
    assert statuses(page)[:3] == ["承認", "承認", "非承認"]
    assert "承認 2件、非承認 1件" in messages.last()
    assert window.store.supervisors.all()[0].fingerprint == key.fingerprint
    assert page.current_row() == 2
    assert "考察をもう少し具体的に" in page.editor.rejection_text.text()
    assert page.model.index(0, ReportTableModel.DECIDED).data() == "2026/11/01"
    assert page.model.index(0, ReportTableModel.SUPERVISOR).data() == "指導 一郎"


def test_import_declined_trust_changes_nothing(
    window: MainWindow, requested: tuple[ReportsPage, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Saying no to an unknown key imports nothing and trusts nothing."""
    page, path = requested
    response = _response(path, SigningKey.generate(), tmp_path)
    monkeypatch.setattr(approval_dialogs, "ask_response_to_open", lambda parent, start: response)
    monkeypatch.setattr(dialogs, "confirm", lambda *a: False)
    page.import_button.click()
    assert statuses(page)[:3] == ["承認依頼中"] * 3
    assert window.store.supervisors.all()[0].fingerprint == ""


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("signature", "署名"),
        ("other-key", "指導者"),
        ("withdrawn-and-edited", "依頼番号"),
    ],
)
def test_import_refuses_a_result_that_fails_a_check(
    window: MainWindow,
    requested: tuple[ReportsPage, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    messages: Messages,
    tamper: str,
    expected: str,
) -> None:
    """A changed file, another key than the trusted one, or a result for a request withdrawn since (and
    the case edited): one clear message naming the check, and nothing changes."""
    page, path = requested
    key = SigningKey.generate()
    window.store.supervisors.trust_key(SUPERVISOR.member_id, key.fingerprint)
    response = _response(path, SigningKey.generate() if tamper == "other-key" else key, tmp_path)
    if tamper == "signature":
        data = json.loads(response.read_text(encoding="utf-8"))
        data["created"] = "2026-11-02T00:00:00Z"
        response.write_bytes(canonical_json(data))
    if tamper == "withdrawn-and-edited":
        assert window.app_id is not None
        window.store.apply(window.app_id, WithdrawRequest([0]))
        window.store.apply(window.app_id, SetReportField(0, "diagnosis", "胃癌"))
        window.open_application(window.app_id)
    before = stored(window)
    monkeypatch.setattr(approval_dialogs, "ask_response_to_open", lambda parent, start: response)
    monkeypatch.setattr(dialogs, "confirm", lambda *a: True)
    page.import_button.click()
    _title, text, warning = messages.shown[-1]
    assert warning and expected in text and "何も変更していません" in text
    assert stored(window) == before


def test_reopen_an_approved_case_keeps_a_copy(
    window: MainWindow,
    requested: tuple[ReportsPage, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """「削除して再依頼」 asks first, keeps the approved content, and makes the case editable (未承認)."""
    page, path = requested
    key = SigningKey.generate()
    window.store.supervisors.trust_key(SUPERVISOR.member_id, key.fingerprint)
    response = _response(path, key, tmp_path, reject_third=False)
    monkeypatch.setattr(approval_dialogs, "ask_response_to_open", lambda parent, start: response)
    monkeypatch.setattr(dialogs, "confirm", lambda *a: True)
    page.import_button.click()
    assert statuses(page)[:3] == ["承認"] * 3
    page.select_row(1)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", Recorder(asked))
    page.editor.lock_button.click()
    assert "承認済みの内容はコピーを残してから編集可能に戻します" in asked[0]
    assert statuses(page)[1] == "未承認" and not page.editor.diagnosis.isReadOnly()
    assert window.app_id is not None and len(window.store.archive.archived_reports(window.app_id)) == 1
