"""ファイル → 様式パックを取り込む… and 新しい様式に移す… in the window (issue 18)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.export.form_packs import make_pack
from app.views import form_packs
from app.views.form_packs import MigrateDialog, TrustPackDialog, migration_candidates

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from pytestqt.qtbot import QtBot

    from app.models.form_packs import PackManifest
    from app.models.forms import FormDefinition
    from app.views.main_window import MainWindow


def _pack(tmp_path: Path, examples_dir: Path) -> Path:
    return make_pack(
        examples_dir / "packs" / "jbct-renewal-2027", tmp_path / "publisher.pem", tmp_path / "p.shoreipack"
    ).path


def test_import_shows_the_fingerprint_and_installs_when_confirmed(
    window: MainWindow, tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog gets the pack's publisher key (untrusted at first); confirming installs the form."""
    seen: list[tuple[str, bool]] = []

    def ask(parent: object, manifest: PackManifest, trusted: bool) -> bool:
        seen.append((manifest.signature.fingerprint, trusted))
        return len(seen) > 1  # the first time the user cancels

    monkeypatch.setattr(TrustPackDialog, "ask", classmethod(lambda cls, *args: ask(*args)))
    pack = _pack(tmp_path, examples_dir)
    assert not form_packs.import_form_pack(window, pack)
    assert window.forms.get("jbct-renewal-2027", "2027.1") is None
    assert form_packs.import_form_pack(window, pack)
    assert seen[0][1] is False and len(seen[0][0]) == 39
    assert window.forms.get("jbct-renewal-2027", "2027.1") is not None


def test_move_to_the_new_form_and_undo_in_one_step(
    window: MainWindow, tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """新しい様式に移す moves the application (one undo step); undo brings back the 2026 form and its widgets."""
    monkeypatch.setattr(TrustPackDialog, "ask", classmethod(lambda cls, *args: True))
    assert form_packs.import_form_pack(window, _pack(tmp_path, examples_dir))
    candidates = migration_candidates(window)
    assert [(form.id, form.version) for form in candidates] == [("jbct-renewal-2027", "2027.1")]
    dialog = MigrateDialog(window, candidates)
    text = dialog.preview.toPlainText()  # the HTML as text
    assert "新たに出る問題" in text and "申請2(1) No.1 実施期間" in text
    dialog.close()

    def choose(cls: object, parent: MainWindow, found: list[FormDefinition]) -> FormDefinition:
        return found[0]

    monkeypatch.setattr(MigrateDialog, "ask", classmethod(choose))
    count = window.undo_stack.count()
    assert form_packs.migrate_application(window)
    assert window.undo_stack.count() == count + 1
    assert window.form is not None and window.form.version == "2027.1"
    assert any(issue.code == "period-before-window" for issue in window.issues)
    window.undo_stack.undo()
    assert window.form is not None and window.form.version == "2026.1"
    assert window.application is not None and window.application.form.version == "2026.1"
    assert not any(issue.code == "period-before-window" for issue in window.issues)


def test_no_other_form_says_how_to_get_one(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    """With only the bundled forms, 新しい様式に移す says to import a pack instead of opening the dialog."""
    shown: list[str] = []
    monkeypatch.setattr(
        "app.views.dialogs.notify", lambda parent, title, text, warning=False: shown.append(text)
    )
    assert not form_packs.migrate_application(window)
    assert "様式パックを取り込む" in shown[0]


def test_trust_dialog_shows_publisher_and_fingerprint(
    qtbot: QtBot, tmp_path: Path, examples_dir: Path
) -> None:
    """The confirmation names the pack, its publisher and the key fingerprint, and says it is a first use."""
    from PySide6.QtWidgets import QLabel

    from app.export.form_packs import read_pack

    manifest = read_pack(_pack(tmp_path, examples_dir)).manifest
    dialog = TrustPackDialog(manifest, False)
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert manifest.ref in texts and manifest.publisher in texts
    assert manifest.signature.fingerprint in texts and "初めて" in texts
    assert "診断名の語彙: Shorei に同梱のもの" in texts


def test_migration_candidates_offer_the_newest_version_of_the_same_form_first() -> None:
    """新しい様式に移す offers first the newest version of the application's own form, by number
    (2026.10 after 2026.9), then older ones, then other forms of the same layout."""
    from types import SimpleNamespace

    from app.models.forms import FormRegistry, bundled_forms

    current = bundled_forms().get("jbct-renewal-2026", "2026.1")
    assert current is not None
    versions = [current.model_copy(update={"version": v}) for v in ("2025.1", "2026.9", "2026.10")]
    other = current.model_copy(update={"id": "jbct-renewal-2027", "version": "2027.1"})
    window = SimpleNamespace(form=current, forms=FormRegistry([current, *versions, other]))
    found = migration_candidates(window)  # type: ignore[arg-type]
    assert [(form.id, form.version) for form in found] == [
        ("jbct-renewal-2026", "2026.10"),
        ("jbct-renewal-2026", "2026.9"),
        ("jbct-renewal-2026", "2025.1"),
        ("jbct-renewal-2027", "2027.1"),
    ]


def test_the_grids_completer_reads_the_vocabulary_of_the_applications_form(
    window: MainWindow, tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After moving to a pack form whose vocabulary knows ZQXCA, the 診断名 completer expands it; after
    undoing the move (the program's form again) it does not."""
    import shutil

    from app.resources import resource_path

    source = tmp_path / "source"
    shutil.copytree(examples_dir / "packs" / "jbct-renewal-2027", source)
    (source / "vocabulary").mkdir()
    bundled = resource_path("vocabulary", "diagnosis-abbreviations.toml").read_text(encoding="utf-8")
    (source / "vocabulary" / "diagnosis-abbreviations.toml").write_text(
        bundled + '\n[abbreviations.pack]\nZQXCA = "肺癌"\n', encoding="utf-8"
    )
    pack = make_pack(source, tmp_path / "publisher.pem", tmp_path / "v.shoreipack").path
    monkeypatch.setattr(TrustPackDialog, "ask", classmethod(lambda cls, *args: True))
    assert form_packs.import_form_pack(window, pack)
    monkeypatch.setattr(MigrateDialog, "ask", classmethod(lambda cls, parent, found: found[0]))
    suggest = window._suggest
    assert suggest is not None and suggest("ZQXCA") == []
    assert form_packs.migrate_application(window)
    assert suggest("ZQXCA")[0] == "肺癌"
    window.undo_stack.undo()
    assert suggest("ZQXCA") == []


def test_undo_to_a_form_whose_pack_was_removed_is_refused_and_dropped(
    window: MainWindow, tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moved to 2027.1 and back, then the pack removed: 元に戻す says to install the pack again, changes
    nothing, and drops that step; the next 元に戻す goes on to the state before the first move."""
    from app.export.form_pack_install import remove_pack

    shown: list[str] = []
    monkeypatch.setattr(
        "app.views.dialogs.notify", lambda parent, title, text, warning=False: shown.append(text)
    )
    monkeypatch.setattr(TrustPackDialog, "ask", classmethod(lambda cls, *args: True))
    assert form_packs.import_form_pack(window, _pack(tmp_path, examples_dir))
    shown.clear()

    def choose(version: str) -> None:
        monkeypatch.setattr(
            MigrateDialog,
            "ask",
            classmethod(lambda cls, parent, found: next(f for f in found if f.version == version)),
        )
        assert form_packs.migrate_application(window)

    choose("2027.1")
    choose("2026.1")
    remove_pack(window.store.home, "jbct-renewal-2027@2027.1", window.store.applications.forms_in_use())
    window.store.reload_forms()
    window.forms = window.store.forms
    assert window.app_id is not None
    version = window.store.info(window.app_id).version
    count = window.undo_stack.count()
    window.undo_stack.undo()
    assert len(shown) == 1 and "取り込み直して" in shown[0]
    assert window.store.info(window.app_id).version == version
    assert window.form is not None and window.form.version == "2026.1"
    assert window.undo_stack.count() == count - 1 and not window.undo_stack.canRedo()
    window.undo_stack.undo()  # the move to 2027.1, undone: as before it (the same as now), no refusal
    assert window.form.version == "2026.1" and len(shown) == 1 and window.undo_stack.canRedo()
