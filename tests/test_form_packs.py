"""Form packs (issue 18): making, reading as hostile input, installing, listing, removing, and migrating."""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.export import form_packs
from app.export.form_pack_install import install_pack
from app.export.form_packs import PackError, UntrustedPublisherError, make_pack, read_pack
from app.models.application import Application
from app.models.form_packs import forms_for, installed_packs
from app.store import Store
from app.store.facility_lists import facility_list_status
from app.validation.migration import MigrationError, preview_migration

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WORKED = EXAMPLES / "packs" / "jbct-renewal-2027"
TARGET = ("jbct-renewal-2027", "2027.1")


def _shift_year(value: Any) -> Any:
    """Every year-month in a document one year later (the 2026 example as a 2027 application)."""
    if isinstance(value, dict):
        return {key: _shift_year(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shift_year(item) for item in value]
    if isinstance(value, str) and re.fullmatch(r"20\d\d-\d\d", value):
        return f"{int(value[:4]) + 1}{value[4:]}"
    return value


def _copy_pack_source(tmp_path: Path, **meta: str) -> Path:
    folder = tmp_path / "source"
    shutil.copytree(WORKED, folder)
    if meta:
        text = (folder / "pack.toml").read_text(encoding="utf-8")
        for key, value in meta.items():
            text = re.sub(rf"(?m)^{key} = .*$", f'{key} = "{value}"', text)
            if f"{key} = " not in text:
                text += f'{key} = "{value}"\n'
        (folder / "pack.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def worked_pack(tmp_path: Path) -> Path:
    """The worked example of docs/forms.md, signed with a new key."""
    out = tmp_path / "jbct-renewal-2027.shoreipack"
    make_pack(WORKED, tmp_path / "keys" / "publisher.pem", out)
    return out


def _rezip(pack: Path, out: Path, change: dict[str, bytes | None]) -> Path:
    """`pack` rewritten with members replaced (bytes) or left out (None)."""
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in change:
                replacement = change[info.filename]
                if replacement is not None:
                    target.writestr(info.filename, replacement)
            else:
                target.writestr(info.filename, source.read(info))
    return out


def _zip(out: Path, members: list[tuple[str, bytes]]) -> Path:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # a duplicate name is what the test makes on purpose
        for name, data in members:
            archive.writestr(name, data)
    out.write_bytes(buffer.getvalue())
    return out


def test_round_trip_pack_install_new_application_export_verify(
    tmp_path: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pack → install → a new application on the pack's form → export → verify, all through `shorei`."""
    pack = tmp_path / "p.shoreipack"
    key = tmp_path / "keys" / "publisher.pem"
    assert main(["forms", "pack", str(WORKED), "--key", str(key), "--out", str(pack)]) == 0
    assert main(["forms", "install", str(pack), "--trust"]) == 0
    capsys.readouterr()
    with Store.open(shorei_home) as store:
        info = store.applications.create(TARGET[0])
        assert (info.form_id, info.form_version) == TARGET
    document = _shift_year(
        json.loads((EXAMPLES / "valid-25-cases-1-section.json").read_text(encoding="utf-8"))
    )
    document["form"] = {"id": TARGET[0], "version": TARGET[1]}
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out_dir = tmp_path / "out"
    assert main(["export", str(path), "--out", str(out_dir)]) == 0
    capsys.readouterr()
    package = next(out_dir.glob("*.json"))
    pdf = next(out_dir.glob("*.pdf"))
    assert main(["verify", str(package), "--pdf", str(pdf)]) == 0
    assert "様式: jbct-renewal-2027 2027.1" in capsys.readouterr().out


def test_list_names_bundled_and_installed_forms_with_publisher_and_origin(
    worked_pack: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`shorei forms list` shows the bundled forms as part of the program and the pack's form with its key."""
    result = install_pack(shorei_home, worked_pack, trust=True)
    assert main(["forms", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    bundled = next(line for line in lines if line.startswith("jbct-renewal-2026\t"))
    assert bundled.endswith("Shorei に同梱\t-\tプログラムの一部")
    installed = next(line for line in lines if line.startswith("jbct-renewal-2027\t2027.1\t"))
    assert result.manifest.signature.fingerprint in installed
    assert "様式パック jbct-renewal-2027@2027.1（jbct-renewal-2027.shoreipack" in installed


def test_unknown_publisher_is_refused_without_trust(
    worked_pack: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A first pack by an unknown key: exit 1 naming the fingerprint; --trust installs it; the next needs no --trust."""
    fingerprint = read_pack(worked_pack).fingerprint
    assert main(["forms", "install", str(worked_pack)]) == 1
    err = capsys.readouterr().err
    assert fingerprint in err and "--trust" in err and len(err.strip().splitlines()) == 1
    assert forms_for(shorei_home).get(*TARGET) is None
    assert main(["forms", "install", str(worked_pack), "--trust"]) == 0
    assert forms_for(shorei_home).get(*TARGET) is not None
    assert main(["forms", "install", str(worked_pack)]) == 0
    assert "すでに取り込まれています" in capsys.readouterr().out


def test_another_key_for_a_trusted_publisher_name_is_still_refused(
    tmp_path: Path, worked_pack: Path, shorei_home: Path
) -> None:
    """The same publisher name signed by another key is a new key: refused, naming the trusted one."""
    install_pack(shorei_home, worked_pack, trust=True)
    source = _copy_pack_source(tmp_path, version="2027.2")
    text = (source / "forms" / "jbct-renewal-2027.toml").read_text(encoding="utf-8")
    (source / "forms" / "jbct-renewal-2027.toml").write_text(
        text.replace('version = "2027.1"', 'version = "2027.2"'), encoding="utf-8"
    )
    other = make_pack(source, tmp_path / "other.pem", tmp_path / "other.shoreipack").path
    with pytest.raises(UntrustedPublisherError, match="以前、別の鍵"):
        install_pack(shorei_home, other)


def test_tampered_member_is_refused(tmp_path: Path, worked_pack: Path, shorei_home: Path) -> None:
    """A form changed after signing fails its SHA-256; nothing is installed."""
    name = "forms/jbct-renewal-2027.toml"
    with zipfile.ZipFile(worked_pack) as archive:
        text = archive.read(name).decode("utf-8").replace('latest_end = "2027-09"', 'latest_end = "2030-09"')
    tampered = _rezip(worked_pack, tmp_path / "t.shoreipack", {name: text.encode("utf-8")})
    with pytest.raises(PackError, match="署名の後に変更されています") as refused:
        install_pack(shorei_home, tampered, trust=True)
    assert not refused.value.unreadable
    assert installed_packs(shorei_home) == []


def test_tampered_manifest_fails_the_signature(
    tmp_path: Path, worked_pack: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Changing the manifest (here the publisher) breaks the Ed25519 signature: exit 1, one line."""
    with zipfile.ZipFile(worked_pack) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["publisher"] = "日本がん治療認定医機構"
    from app.models.canonical import canonical_json

    tampered = _rezip(worked_pack, tmp_path / "t.shoreipack", {"manifest.json": canonical_json(manifest)})
    assert main(["forms", "install", str(tampered), "--trust"]) == 1
    err = capsys.readouterr().err
    assert "署名が一致しません" in err and len(err.strip().splitlines()) == 1


def test_pack_needing_a_newer_program_is_refused(
    tmp_path: Path, shorei_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pack made for Shorei 99.0 says which version it needs."""
    source = _copy_pack_source(tmp_path, requires_program="99.0")
    monkeypatch.setattr(form_packs, "program_version", lambda: "99.0")
    pack = make_pack(source, tmp_path / "k.pem", tmp_path / "new.shoreipack").path
    monkeypatch.undo()
    with pytest.raises(PackError, match=r"Shorei 99\.0 以降が必要です"):
        install_pack(shorei_home, pack, trust=True)


def test_pack_naming_a_rule_the_program_lacks_is_refused(
    tmp_path: Path, shorei_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A form whose rule set this Shorei does not have: refused, naming the rule and the version needed."""
    source = _copy_pack_source(tmp_path)
    form = source / "forms" / "jbct-renewal-2027.toml"
    form.write_text(
        form.read_text(encoding="utf-8").replace('rule_set = "jbct"', 'rule_set = "jbct2027"'),
        encoding="utf-8",
    )
    monkeypatch.setattr(form_packs, "rule_set_names", lambda: frozenset({"jbct", "jspm", "jbct2027"}))
    pack = make_pack(source, tmp_path / "k.pem", tmp_path / "rule.shoreipack").path
    monkeypatch.undo()
    with pytest.raises(PackError, match=r"規則「jbct2027」.*より新しい Shorei"):
        install_pack(shorei_home, pack, trust=True)


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ([("manifest.json", b"{}"), ("../evil.toml", b"x")], "使えません"),
        ([("manifest.json", b"{}"), ("/etc/passwd", b"x")], "使えません"),
        ([("manifest.json", b"{}"), ("forms/..\\x.toml", b"x")], "使えません"),
        ([("manifest.json", b"{}"), ("forms/CON.toml", b"x")], "使えません"),
        ([("manifest.json", b"{}"), ("forms/nul", b"x")], "使えません"),
        ([("manifest.json", b"{}"), ("forms/a.toml.", b"x")], "使えません"),
        ([("manifest.json", b"{}"), ("forms/a.toml", b"1"), ("forms/a.toml", b"2")], "二つ入っています"),
        ([("manifest.json", b"{}"), ("forms/A.toml", b"1"), ("forms/a.toml", b"2")], "二つ入っています"),
        ([("manifest.json", b"{}"), ("forms/big.toml", b"\0" * (11 * 1024 * 1024))], "大きすぎます"),
        ([("manifest.json", b"{}"), ("forms/bomb.toml", b"\0" * (5 * 1024 * 1024))], "zip 爆弾"),
        ([("forms/a.toml", b"x")], "manifest.json がありません"),
    ],
)
def test_hostile_zips_are_refused_with_one_line(
    tmp_path: Path, members: list[tuple[str, bytes]], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Path traversal, absolute names, Windows device names, duplicates, huge members and zip bombs: exit 2,
    one clear line."""
    pack = _zip(tmp_path / "bad.shoreipack", members)
    with pytest.raises(PackError, match=problem) as refused:
        read_pack(pack)
    assert refused.value.unreadable
    assert main(["forms", "install", str(pack), "--trust"]) == 2
    err = capsys.readouterr().err
    assert problem in err and len(err.strip().splitlines()) == 1


def test_not_a_zip_is_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Any other file: exit 2, one line, no traceback."""
    path = tmp_path / "x.shoreipack"
    path.write_bytes(b"%PDF-1.7 not a pack")
    assert main(["forms", "install", str(path)]) == 2
    assert "zip として読めません" in capsys.readouterr().err


def test_unlisted_member_is_refused(tmp_path: Path, worked_pack: Path) -> None:
    """A file the manifest does not list is outside the signature: refused."""
    extra = _rezip(worked_pack, tmp_path / "x.shoreipack", {})
    with zipfile.ZipFile(extra, "a") as archive:
        archive.writestr("forms/extra.toml", b"id = 'x'")
    with pytest.raises(PackError, match="目録にないファイル"):
        read_pack(extra)


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows has no POSIX file modes; the per-user folder protects it"
)
def test_pack_key_is_created_owner_only(tmp_path: Path) -> None:
    """`forms pack --key KEY` makes a missing key readable by its owner only."""
    key = tmp_path / "k.pem"
    result = make_pack(WORKED, key, tmp_path / "p.shoreipack")
    assert result.key_created
    assert key.stat().st_mode & 0o777 == 0o600


def test_versions_side_by_side_and_each_application_stays_on_its_version(
    worked_pack: Path, shorei_home: Path
) -> None:
    """With the 2027 pack installed, a 2026 application stays on 2026.1 and both forms are offered."""
    with Store.open(shorei_home) as store:
        old = store.applications.import_document(EXAMPLES / "valid-25-cases-1-section.json")
    install_pack(shorei_home, worked_pack, trust=True)
    forms = forms_for(shorei_home)
    assert forms.get("jbct-renewal-2026", "2026.1") is not None and forms.get(*TARGET) is not None
    assert forms.origin(*TARGET) == "jbct-renewal-2027@2027.1"
    assert forms.origin("jbct-renewal-2026", "2026.1") is None
    with Store.open(shorei_home) as store:
        assert store.get(old.id).form.version == "2026.1"


def test_migrate_preview_lists_exactly_the_cases_outside_the_new_window(
    worked_pack: Path, shorei_home: Path
) -> None:
    """The worked example: the cases that begin before 2023/04 appear as new errors, named as validate names them."""
    install_pack(shorei_home, worked_pack, trust=True)
    forms = forms_for(shorei_home)
    application = Application.model_validate_json((EXAMPLES / "valid-25-cases-1-section.json").read_bytes())
    source = forms.get("jbct-renewal-2026", "2026.1")
    target = forms.get(*TARGET)
    assert source is not None and target is not None
    preview = preview_migration(application, source, target)
    outside = {
        row
        for row, case in enumerate(application.sections[0].cases, start=1)
        if case.start is not None and case.start.display() < "2023/04"
    }
    period_rows = {issue.row for issue in preview.appearing if issue.row is not None}
    assert period_rows == outside
    assert {issue.code for issue in preview.appearing if issue.row is not None} == {"period-before-window"}
    assert all(issue.is_error for issue in preview.appearing[: len(preview.new_errors)])
    assert preview.appearing[1].message.startswith("申請2(1) No.1 実施期間:")
    assert any("2022/04〜2026/09 → 2023/04〜2027/09" in change for change in preview.changes)
    assert preview.migrated.form.version == "2027.1"


def test_migrate_preview_names_choices_no_longer_in_the_list(tmp_path: Path) -> None:
    """A choice dropped from the new form's list is named as a change of the document."""
    from app.models.forms import bundled_forms

    source = bundled_forms().get("jbct-renewal-2026", "2026.1")
    assert source is not None
    items = source.choices["items"]
    target = source.model_copy(
        update={
            "version": "2026.9",
            "choices": {
                **source.choices,
                "items": items.model_copy(
                    update={"options": [o for o in items.options if o.label != "手術"]}
                ),
            },
        }
    )
    application = Application.model_validate_json((EXAMPLES / "valid-25-cases-1-section.json").read_bytes())
    preview = preview_migration(application, source, target)
    assert any(change.startswith("申請2(1) No.1 実施した診療項目: 「手術」") for change in preview.changes)
    with pytest.raises(MigrationError):
        preview_migration(application, source, source)


def test_cli_migrate_dry_run_changes_nothing_and_the_move_writes_the_new_form(
    tmp_path: Path, worked_pack: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`shorei migrate --dry-run` prints the preview and leaves FILE; without it FILE names the new form."""
    install_pack(shorei_home, worked_pack, trust=True)
    path = tmp_path / "a.json"
    shutil.copyfile(EXAMPLES / "valid-25-cases-1-section.json", path)
    before = path.read_bytes()
    assert main(["migrate", str(path), "--to", "jbct-renewal-2027@2027.1", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "新たに出る問題（7件）" in out and "申請2(1) No.6 実施期間" in out
    assert path.read_bytes() == before
    assert main(["migrate", str(path), "--to", "jbct-renewal-2027@2027.1"]) == 0
    assert json.loads(path.read_text(encoding="utf-8"))["form"] == {"id": TARGET[0], "version": TARGET[1]}
    assert main(["migrate", str(path), "--to", "nope@1"]) == 2


def test_store_move_is_one_change_undone_in_one_step(worked_pack: Path, shorei_home: Path) -> None:
    """The move is one recorded change; restoring the version before it gives back the 2026 application."""
    install_pack(shorei_home, worked_pack, trust=True)
    with Store.open(shorei_home) as store:
        info = store.applications.import_document(EXAMPLES / "valid-25-cases-1-section.json")
        original = store.get(info.id)
        before = store.info(info.id).version
        moved = store.applications.migrate(info.id, *TARGET)
        assert moved.form.version == "2027.1"
        assert store.info(info.id).version == before + 1
        change = store.history.changes(info.id, limit=1)[0]
        assert change.operation == "migrate" and "jbct-renewal-2027 2027.1" in change.summary
        assert store.history.restore(info.id, before) == original
        assert store.info(info.id).form_version == "2026.1"


def test_remove_is_refused_while_an_application_uses_the_form(
    worked_pack: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`forms remove` refuses while an application is on the pack's form, and removes it once none is."""
    install_pack(shorei_home, worked_pack, trust=True)
    with Store.open(shorei_home) as store:
        info = store.applications.create(TARGET[0])
    assert main(["forms", "remove", "jbct-renewal-2027@2027.1"]) == 1
    assert "作成中の申請があるため外せません" in capsys.readouterr().err
    with Store.open(shorei_home) as store:
        store.applications.move_to_trash(info.id)
        store.applications.empty_trash()
    assert main(["forms", "remove", "jbct-renewal-2027@2027.1"]) == 0
    assert forms_for(shorei_home).get(*TARGET) is None
    assert main(["forms", "remove", "jbct-renewal-2026@2026.1"]) == 1
    assert "Shorei に含まれている" in capsys.readouterr().err


def test_installed_file_changed_afterwards_is_left_out_and_reported(
    worked_pack: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An installed form edited by hand no longer matches its manifest: not offered, and `forms list` says why."""
    install_pack(shorei_home, worked_pack, trust=True)
    (installed,) = installed_packs(shorei_home)
    form = installed.folder / "forms" / "jbct-renewal-2027.toml"
    form.write_text(form.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert forms_for(shorei_home).get(*TARGET) is None
    assert main(["forms"]) == 0
    assert "取り込んだ後に変更されています" in capsys.readouterr().err


def test_facility_list_pack_records_its_origin(tmp_path: Path, shorei_home: Path) -> None:
    """A pack holding only a facility list puts it in use, its manifest naming the pack and the key."""
    source = tmp_path / "facilities-pack"
    (source / "facilities").mkdir(parents=True)
    sample = EXAMPLES.parent / "facility_data" / "jbct-sample"
    manifest = json.loads((sample / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(sample=False, list_id="jbct-2027", name="認定研修施設 2027年度")
    (source / "facilities" / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False), encoding="utf-8"
    )
    shutil.copyfile(sample / "facilities.csv", source / "facilities" / "facilities.csv")
    (source / "pack.toml").write_text(
        'id = "jbct-facilities"\nversion = "2027.1"\npublisher = "テスト発行者"\nfacility_kind = "jbct"\n',
        encoding="utf-8",
    )
    pack = make_pack(source, tmp_path / "k.pem", tmp_path / "f.shoreipack")
    result = install_pack(shorei_home, pack.path, trust=True)
    assert result.facilities is not None and result.forms == []
    status = facility_list_status(shorei_home, "jbct")
    assert status.imported and status.active.name == "認定研修施設 2027年度"
    assert "様式パック jbct-facilities@2027.1" in status.active.source
    assert pack.manifest.signature.fingerprint in status.active.source


def test_pack_without_pack_toml_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`forms pack` on a folder without pack.toml: exit 2, one line saying what to write."""
    (tmp_path / "empty").mkdir()
    args = [
        "forms",
        "pack",
        str(tmp_path / "empty"),
        "--key",
        str(tmp_path / "k.pem"),
        "--out",
        str(tmp_path / "p"),
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "pack.toml がありません" in err and len(err.strip().splitlines()) == 1


def test_migrate_to_a_form_of_another_layout_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JBCT application cannot move to a JSPM form (sections vs case reports): exit 1, one line."""
    path = EXAMPLES / "valid-25-cases-1-section.json"
    assert main(["migrate", str(path), "--to", "jspm-specialist-new@2024.1", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "移せません" in err and len(err.strip().splitlines()) == 1


def test_vocabulary_that_is_not_toml_is_refused_when_packing(tmp_path: Path) -> None:
    """A vocabulary file travels as TOML: one that does not parse is refused before anything is signed."""
    source = _copy_pack_source(tmp_path)
    (source / "vocabulary").mkdir()
    (source / "vocabulary" / "diagnosis-names.toml").write_text("names = [", encoding="utf-8")
    with pytest.raises(PackError, match="語彙"):
        make_pack(source, tmp_path / "k.pem", tmp_path / "v.shoreipack")
    assert not (tmp_path / "v.shoreipack").exists()


def test_two_versions_of_one_form_side_by_side(tmp_path: Path, worked_pack: Path, shorei_home: Path) -> None:
    """2027.1 and 2027.2 installed together: both offered; an application made on 2027.1 stays on it."""
    install_pack(shorei_home, worked_pack, trust=True)
    with Store.open(shorei_home) as store:
        first = store.applications.create(TARGET[0], form_version="2027.1")
    source = _copy_pack_source(tmp_path, version="2027.2")
    form = source / "forms" / "jbct-renewal-2027.toml"
    form.write_text(
        form.read_text(encoding="utf-8").replace('version = "2027.1"', 'version = "2027.2"'), encoding="utf-8"
    )
    second = make_pack(source, tmp_path / "keys" / "publisher.pem", tmp_path / "second.shoreipack").path
    assert not install_pack(shorei_home, second).newly_trusted  # the same key: no --trust needed
    assert forms_for(shorei_home).versions(TARGET[0]) == ["2027.1", "2027.2"]
    with Store.open(shorei_home) as store:
        assert store.get(first.id).form.version == "2027.1"
        assert store.applications.create(TARGET[0]).form_version == "2027.2"


def test_form_versions_sort_as_numbers() -> None:
    """2027.10 is newer than 2027.9: the registry's newest version and its list compare numbers."""
    from app.models.forms import FormRegistry, bundled_forms

    base = bundled_forms().get("jbct-renewal-2026", "2026.1")
    assert base is not None
    registry = FormRegistry([base.model_copy(update={"version": v}) for v in ("2027.9", "2027.10", "2027.2")])
    assert registry.versions("jbct-renewal-2026") == ["2027.2", "2027.9", "2027.10"]
    newest = registry.get("jbct-renewal-2026")
    assert newest is not None and newest.version == "2027.10"


def _one_line_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_pack_toml_with_a_time_value_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A TOML date-time or time in pack.toml (which JSON cannot hold) is named in one line, not a traceback."""
    folder = _copy_pack_source(tmp_path)
    with (folder / "pack.toml").open("a", encoding="utf-8") as handle:
        handle.write("released = 2026-12-07T10:00:00\n")
    args = ["forms", "pack", str(folder), "--key", str(tmp_path / "k.pem"), "--out", str(tmp_path / "p")]
    assert "時刻・日時の値は目録に書けません" in _one_line_exit_2(args, capsys)


def test_pack_that_cannot_be_written_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`forms pack --out` naming a folder: one line saying the pack cannot be made, not a traceback."""
    (tmp_path / "taken").mkdir()
    args = ["forms", "pack", str(WORKED), "--key", str(tmp_path / "k.pem"), "--out", str(tmp_path / "taken")]
    assert "様式パックを作れません" in _one_line_exit_2(args, capsys)


def test_remove_that_the_system_refuses_is_one_line(
    worked_pack: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pack folder the system will not delete (on Windows, a file still open) is one line, exit 2."""
    install_pack(shorei_home, worked_pack, trust=True)

    def refuse(path: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(shutil, "rmtree", refuse)
    assert "様式パックを外せません" in _one_line_exit_2(
        ["forms", "remove", "jbct-renewal-2027@2027.1"], capsys
    )


def test_trusting_one_key_does_not_trust_another(
    tmp_path: Path, worked_pack: Path, shorei_home: Path
) -> None:
    """The window installs with the key the user confirmed: a pack signed by another key (the file
    replaced after the dialog) is refused, the confirmed one installs."""
    other = make_pack(WORKED, tmp_path / "other.pem", tmp_path / "other.shoreipack")
    with pytest.raises(UntrustedPublisherError):
        install_pack(shorei_home, other.path, trust_fingerprint=read_pack(worked_pack).fingerprint)
    result = install_pack(shorei_home, worked_pack, trust_fingerprint=read_pack(worked_pack).fingerprint)
    assert result.newly_trusted and not result.unchanged


def test_remove_leaves_earlier_states_whose_restore_says_to_install_the_pack_again(
    worked_pack: Path, shorei_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Moved to 2027.1 and back: the pack can be removed (no application is on it now) and the command
    names the application whose history holds a 2027.1 state; bringing that state back is refused with
    a line saying to install the pack again, and works once it is installed again."""
    from app.store import EditError

    install_pack(shorei_home, worked_pack, trust=True)
    with Store.open(shorei_home) as store:
        info = store.applications.import_document(EXAMPLES / "valid-25-cases-1-section.json")
        name = store.info(info.id).display_name
        store.applications.migrate(info.id, *TARGET)
        on_pack = store.info(info.id).version
        store.applications.migrate(info.id, "jbct-renewal-2026", "2026.1")
    capsys.readouterr()
    assert main(["forms", "remove", "jbct-renewal-2027@2027.1"]) == 0
    out = capsys.readouterr().out
    assert f"申請「{name}」の変更履歴には" in out and "取り込み直してください" in out
    with Store.open(shorei_home) as store:
        before = store.get(info.id)
        with pytest.raises(
            EditError, match=r"様式 jbct-renewal-2027 2027\.1 で作られています.*取り込み直して"
        ):
            store.history.restore(info.id, on_pack)
        assert store.get(info.id) == before and store.info(info.id).version == on_pack + 1
    install_pack(shorei_home, worked_pack)
    with Store.open(shorei_home) as store:
        assert store.history.restore(info.id, on_pack).form.version == "2027.1"


@pytest.mark.parametrize(
    ("needs", "have", "refused"),
    [
        ("0.1", "0.1.0", False),  # trailing zeros do not count
        ("0.1.0", "0.1", False),
        ("0.10.0", "0.9.5", True),  # numbers as numbers
        ("0.9.5", "0.10.0", False),
        ("1.0", "0.99", True),
    ],
)
def test_program_versions_compare_as_form_versions_do(
    tmp_path: Path, shorei_home: Path, monkeypatch: pytest.MonkeyPatch, needs: str, have: str, refused: bool
) -> None:
    """`requires_program` is compared with the one version order the forms use (app.models.forms)."""
    from app.models.forms import version_order

    source = _copy_pack_source(tmp_path, requires_program=needs)
    monkeypatch.setattr(form_packs, "program_version", lambda: "99.0")
    pack = make_pack(source, tmp_path / "k.pem", tmp_path / "p.shoreipack").path
    monkeypatch.setattr(form_packs, "program_version", lambda: have)
    assert (version_order(needs) > version_order(have)) is refused
    if refused:
        with pytest.raises(PackError, match=rf"Shorei {re.escape(needs)} 以降が必要です"):
            install_pack(shorei_home, pack, trust=True)
    else:
        assert install_pack(shorei_home, pack, trust=True).forms
    assert not hasattr(form_packs, "version_key")
