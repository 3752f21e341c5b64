"""The standing fuzzer (issue 15): hostile documents, case lists, facility lists, packages, approval
requests and responses, generated and mutated, run through every command-line entry point in-process and
through the store's import.

Every run must: exit 0, 1 or 2 (nothing else, no exception out of `main`); print no traceback; leave
nothing half-imported (the store, the facility list in use and the output files are as before when a
command refuses); and stay within a memory bound (tracemalloc) and a generous per-example time bound
(hypothesis' deadline, a safety net against a pathological read, not a performance figure).

A few hundred examples run in the normal suite; `pytest --fuzz-long` runs thousands.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.models.document import DocumentError
from app.store import Store, StoreError, facility_list_status
from tests.test_approval_round_trip import SUPERVISOR

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MEMORY_BOUND = 300 * 1024 * 1024
"""Peak Python allocations for one hostile input: far above a real one, far below a denial of service."""
TIME_BOUND_MS = 30_000


def fuzz_settings(request: pytest.FixtureRequest, normal: int) -> settings:
    """`normal` examples in the suite, 20× with --fuzz-long."""
    long = bool(request.config.getoption("--fuzz-long"))
    return settings(
        max_examples=normal * 20 if long else normal,
        deadline=TIME_BOUND_MS,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        derandomize=not long,
        database=None,
    )


class Runner:
    """Runs `shorei …` in-process and checks the contract of every run."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self._runs = 0

    def __call__(self, *args: str | Path) -> tuple[int, str, str]:
        self._capsys.readouterr()
        # Memory is traced on every third run: tracing doubles the cost, and the inputs vary anyway.
        self._runs += 1
        traced = self._runs % 3 == 0
        if traced:
            tracemalloc.start()
        peak = 0
        try:
            try:
                code = main([str(arg) for arg in args])
            except SystemExit as exit_:  # argparse
                code = exit_.code if isinstance(exit_.code, int) else 2
            if traced:
                _, peak = tracemalloc.get_traced_memory()
        finally:
            if traced:
                tracemalloc.stop()
        captured = self._capsys.readouterr()
        assert code in (0, 1, 2), (args, code, captured.err)
        assert "Traceback" not in captured.err and "Traceback" not in captured.out, captured.err
        assert peak < MEMORY_BOUND, (args, peak)
        return code, captured.out, captured.err


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Runner:
    return Runner(capsys)


# ---- hostile values and mutations ------------------------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u202e",
            "<b>&amp;</b>",
            "=1+1",
            "9" * 5000,
            "𠮷野家",
            "田中花子さん",
            "1950年1月2日生",
            "2024-13",
            "R6.5",
            "令和元年",
            "-1",
            "1e400",
            "NaN",
            "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        ]
    ),
)
HOSTILE_VALUE: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([2**53, -(2**53), 10**20, 10**400, 0, -1, 121]),
        st.floats(allow_nan=False, allow_infinity=False),
        HOSTILE_TEXT,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _mutate_json(data: st.DataObject, document: Any, rounds: int = 3) -> Any:
    """Replace, delete or add values at random places of a JSON value (a deep copy)."""
    document = json.loads(json.dumps(document))
    for _ in range(data.draw(st.integers(1, rounds))):
        paths = _paths(document)
        path = data.draw(st.sampled_from(paths))
        if not path:
            continue
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        last = path[-1]
        if action == "replace":
            parent[last] = data.draw(HOSTILE_VALUE)
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[data.draw(st.text(max_size=8))] = data.draw(HOSTILE_VALUE)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(json.loads(json.dumps(parent[last])))
    return document


def _mutate_bytes(data: st.DataObject, original: bytes) -> bytes:
    """Flip, cut, insert or truncate bytes. Places are drawn from a fixed range and taken modulo the
    length, so that generation does not depend on the input's size (an XLSX is not byte-identical twice)."""
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        if not mutated:
            break
        where = data.draw(st.integers(0, 2**20)) % len(mutated)
        action = data.draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if action == "flip":
            mutated[where] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del mutated[where : where + data.draw(st.integers(1, 64))]
        elif action == "insert":
            mutated[where:where] = data.draw(st.binary(min_size=1, max_size=16))
        else:
            del mutated[where:]
    return bytes(mutated)


def _hostile_document(data: st.DataObject, source: Path) -> bytes:
    original = source.read_bytes()
    if data.draw(st.booleans()):
        return _mutate_bytes(data, original)
    mutated = _mutate_json(data, json.loads(original))
    text = json.dumps(mutated, ensure_ascii=data.draw(st.booleans()))
    return text.encode("utf-8")


DOCUMENTS = ["valid-20-cases.json", "valid-25-cases-3-sections.json", "jspm-specialist-new-unapproved.json",
             "jspm-transition-7-cases.json", "broken.json"]  # fmt: skip


_COMMANDS: dict[str, Callable[[Path, Path, Path], list[str | Path]]] = {
    "import-cases": lambda d, t, w: ["import-cases", d, t, "--section", "1", "--out", w / "imported.json"],
    "export-cases": lambda d, t, w: ["export-cases", d, "--out", w / "cases.xlsx"],
    "export-draft": lambda d, t, w: ["export", d, "--out", w / "out", "--draft"],
    "export": lambda d, t, w: ["export", d, "--out", w / "out"],
    "request": lambda d, t, w: [
        "approval",
        "request",
        d,
        "--cases",
        "1",
        "--supervisor",
        "J00001",
        "--out",
        w / "r.json",
    ],
    "withdraw": lambda d, t, w: ["approval", "withdraw", d, "--cases", "1"],
    "reopen": lambda d, t, w: ["approval", "reopen", d, "--case", "1"],
}


def _snapshot(home: Path) -> list[tuple[int, int]]:
    with Store.open(home, read_only=True) as store:
        return [(info.id, info.version) for info in store.applications.all()]


# ---- documents through every command that reads one --------------------------------------------


def test_fuzz_documents_through_every_command(
    request: pytest.FixtureRequest, run: Runner, tmp_path: Path, shorei_home: Path
) -> None:
    """Mutated documents: validate, export (draft and final), import-cases, export-cases, the approval
    commands and the store's import: exit 0/1/2, one line, nothing half-written or half-imported."""
    table = tmp_path / "cases.csv"
    table.write_text("年齢,性別,診断名\n65,男,胃癌\n", encoding="utf-8")
    run("supervisors", "add", *SUPERVISOR)
    Store.open(shorei_home).close()

    @fuzz_settings(request, 30)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        work = tmp_path / "work"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        document = work / "申請.json"
        document.write_bytes(_hostile_document(data, EXAMPLES / data.draw(st.sampled_from(DOCUMENTS))))
        before = document.read_bytes()
        run("validate", document, *(["--json"] if data.draw(st.booleans()) else []))
        command = data.draw(st.sampled_from(sorted(_COMMANDS)))
        code, _, _ = run(*_COMMANDS[command](document, table, work))
        if command == "import-cases":
            assert (code == 0) == (work / "imported.json").exists()
        elif command == "export-draft" and code != 0:
            assert not (work / "out").exists() or not list((work / "out").glob("*.pdf"))
        writes_file = command in ("request", "withdraw", "reopen")
        if code != 0 or not writes_file:
            assert document.read_bytes() == before, command
        assert not list(work.glob(".*.lock")), "a document lock was left behind"
        if data.draw(st.booleans()):
            # The store's import (what `shorei gui FILE` does): whole or nothing.
            snapshot = _snapshot(shorei_home)
            with Store.open(shorei_home) as store:
                try:
                    store.applications.import_document(document)
                except (DocumentError, StoreError):
                    assert [(i.id, i.version) for i in store.applications.all()] == snapshot
                else:
                    assert len(store.applications.all()) == len(snapshot) + 1

    check()


# ---- case lists ----------------------------------------------------------------------------------

CELL = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    HOSTILE_TEXT,
    st.sampled_from(["男", "女", "手術", "胃癌", "2024/05", "R6.5", "2024.1", "=SUM(A1)", "#N/A", "65歳"]),
)
HEADER = ["年齢", "性別", "実施した診療項目", "その他の内容", "開始", "終了", "診断名", "病理診断名", "備考"]


def _csv_bytes(rows: Sequence[Sequence[Any]], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return buffer.getvalue().encode(encoding, errors="replace")


def _xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _table_bytes(data: st.DataObject, rows: list[list[Any]]) -> tuple[bytes, str]:
    kind = data.draw(st.sampled_from(["utf-8", "cp932", "xlsx", "bytes"]))
    content = _xlsx_bytes(rows) if kind == "xlsx" else _csv_bytes(rows, "utf-8" if kind == "bytes" else kind)
    if kind == "bytes" or data.draw(st.integers(0, 5)) == 0:
        content = _mutate_bytes(data, content)
    return content, ".xlsx" if kind == "xlsx" else ".csv"


def test_fuzz_case_lists(request: pytest.FixtureRequest, run: Runner, tmp_path: Path) -> None:
    """Generated and mutated CSV/XLSX case lists through `import-cases`: the output is written whole or
    not at all, FILE is never changed."""
    document = tmp_path / "申請.json"
    shutil.copy(EXAMPLES / "valid-20-cases.json", document)
    before = document.read_bytes()

    @fuzz_settings(request, 40)
    @given(data=st.data(), rows=st.lists(st.lists(CELL, max_size=10), max_size=12))
    def check(data: st.DataObject, rows: list[list[Any]]) -> None:
        header = data.draw(st.permutations(HEADER)) if data.draw(st.booleans()) else HEADER
        content, suffix = _table_bytes(data, [list(header), *rows])
        table = tmp_path / f"一覧{suffix}"
        table.write_bytes(content)
        out = tmp_path / "out.json"
        out.unlink(missing_ok=True)
        extra = ["--skip-unreadable"] if data.draw(st.booleans()) else []
        code, _, _ = run("import-cases", document, table, "--section", "1", "--replace", "--out", out, *extra)
        assert (code == 0) == out.exists()
        assert document.read_bytes() == before

    check()


# ---- facility lists ------------------------------------------------------------------------------

FACILITY_HEADER = ["認定番号", "施設名", "住所", "認定開始", "認定終了", "種別"]


def test_fuzz_facility_lists(
    request: pytest.FixtureRequest, run: Runner, tmp_path: Path, shorei_home: Path
) -> None:
    """Generated CSV/XLSX lists and manifests through `facilities import`: a refused list leaves the list
    in use and the folder as they were (nothing half-imported)."""

    @fuzz_settings(request, 40)
    @given(data=st.data(), rows=st.lists(st.lists(CELL, max_size=7), max_size=10))
    def check(data: st.DataObject, rows: list[list[Any]]) -> None:
        content, suffix = _table_bytes(data, [FACILITY_HEADER, *rows])
        folder = tmp_path / "list"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        target: Path = folder / f"list{suffix}"
        target.write_bytes(content)
        if data.draw(st.booleans()):
            import hashlib

            manifest = {"list_id": "jbct", "society": "機構", "name": "一覧", "version_date": "2026-10-01",
                        "source": "x", "sha256": hashlib.sha256(content).hexdigest(), "sample": False,
                        "data_file": target.name}  # fmt: skip
            manifest = _mutate_json(data, manifest, rounds=2) if data.draw(st.booleans()) else manifest
            (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
            target = folder
        before = facility_list_status(shorei_home).active
        kinds = shorei_home / "facilities" / "jbct"
        lists_before = sorted(p.name for p in kinds.iterdir()) if kinds.is_dir() else []
        code, _, _ = run("facilities", "import", target)
        if code != 0:
            assert facility_list_status(shorei_home).active == before
            lists_after = sorted(p.name for p in kinds.iterdir()) if kinds.is_dir() else []
            assert [n for n in lists_after if not n.startswith(".")] == [
                n for n in lists_before if not n.startswith(".")
            ]
        assert not [p for p in kinds.glob(".import-*")] if kinds.is_dir() else True

    check()


# ---- packages ------------------------------------------------------------------------------------


def test_fuzz_packages(request: pytest.FixtureRequest, run: Runner, tmp_path: Path) -> None:
    """Mutated packages (bytes and JSON) through `verify` (with and without the PDF): 0/1/2, and a package
    whose bytes changed is never 有効."""
    out = tmp_path / "out"
    code, _, err = run("export", EXAMPLES / "valid-20-cases.json", "--out", out)
    assert code == 0, err
    [package] = out.glob("*.package.json")
    [pdf] = out.glob("*.pdf")
    original = package.read_bytes()

    @fuzz_settings(request, 40)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        if data.draw(st.booleans()):
            mutated = _mutate_bytes(data, original)
        else:
            mutated = json.dumps(_mutate_json(data, json.loads(original)), ensure_ascii=False).encode("utf-8")
        hostile = tmp_path / "hostile.package.json"
        hostile.write_bytes(mutated)
        extra: list[str | Path] = ["--pdf", pdf] if data.draw(st.integers(0, 3)) == 0 else []
        code, _, _ = run("verify", hostile, *extra)
        if mutated != original:
            assert code != 0

    check()


# ---- approval requests and responses -----------------------------------------------------------


def test_fuzz_requests_and_responses(
    request: pytest.FixtureRequest, run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mutated approval requests (`approval show`, `approval respond`) and responses (`approval import`,
    with and without --trust): 0/1/2; a refused import leaves FILE and the 指導者's key untrusted."""
    applicant_home, supervisor_home = tmp_path / "applicant", tmp_path / "supervisor"

    def on(home: Path) -> Callable[..., tuple[int, str, str]]:
        def call(*args: str | Path) -> tuple[int, str, str]:
            monkeypatch.setenv("SHOREI_HOME", str(home))
            return run(*args)

        return call

    applicant, supervisor = on(applicant_home), on(supervisor_home)
    document = tmp_path / "申請.json"
    shutil.copy(EXAMPLES / "jspm-specialist-new-unapproved.json", document)
    assert applicant("supervisors", "add", *SUPERVISOR)[0] == 0
    req = tmp_path / "req.json"
    assert (
        applicant("approval", "request", document, "--cases", "1-3", "--supervisor", "J00001", "--out", req)[
            0
        ]
        == 0
    )
    resp = tmp_path / "resp.json"
    assert supervisor("approval", "respond", req, "--approve", "1-3", "--out", resp)[0] == 0
    requested = document.read_bytes()
    request_bytes, response_bytes = req.read_bytes(), resp.read_bytes()

    @fuzz_settings(request, 40)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        which = data.draw(st.sampled_from(["request", "response"]))
        original = request_bytes if which == "request" else response_bytes
        if data.draw(st.booleans()):
            mutated = _mutate_bytes(data, original)
        else:
            mutated = json.dumps(_mutate_json(data, json.loads(original)), ensure_ascii=False).encode("utf-8")
        hostile = tmp_path / f"hostile-{which}.json"
        hostile.write_bytes(mutated)
        if which == "request":
            supervisor("approval", "show", hostile)
            supervisor("approval", "respond", hostile, "--approve", "1-3", "--out", tmp_path / "answer.json")
            return
        document.write_bytes(requested)
        trust = ["--trust"] if data.draw(st.booleans()) else []
        _, registry, _ = applicant("supervisors", "list")
        code, _, _ = applicant("approval", "import", document, hostile, *trust)
        if code != 0:
            assert document.read_bytes() == requested
            assert applicant("supervisors", "list")[1] == registry

    check()
