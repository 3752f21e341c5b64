"""A Shorei killed at any moment (SIGKILL, as a crash or a pulled plug ends it) loses no acknowledged edit,
and the database always opens and passes its integrity check.

Each round forks a child that edits as fast as it can and reports each edit once the store has returned
(the moment the window would show 保存済み); the parent kills it after a random delay, then opens the
data folder and checks every reported edit. Forking, not starting a new interpreter, keeps hundreds of
rounds to seconds; the child is a real process with its own file handles, locks and fsyncs.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import time
from typing import TYPE_CHECKING, Any, NoReturn

from app.models.application import Case
from app.store import Store

if TYPE_CHECKING:
    from pathlib import Path

FORM = "jbct-renewal-2026"
REPORT_FORM = "jspm-specialist-new"
ROUNDS = int(os.environ.get("SHOREI_CRASH_ROUNDS", "300"))
"""Hundreds of rounds by default (the issue's bar); raise it for a longer soak."""
_FIELDS = ("age", "diagnosis", "note", "pathology")
_REPORT_FIELDS = ("age", "diagnosis", "note", "history")


def _child(home: Path, app_id: int, reports_id: int, seed: int, report: int) -> NoReturn:
    """Edit until killed; after each edit returns, write one line: version and what was done (case rows of
    a JBCT application, and case reports of a JSPM one)."""
    code = 0
    try:
        rng = random.Random(seed)
        with Store.open(home, allow_read_only=False) as store:
            while True:
                roll = rng.random()
                target = app_id
                if roll < 0.6:
                    row, field = rng.randrange(25), rng.choice(_FIELDS)
                    value: Any = rng.randrange(121) if field == "age" else f"{seed}-{rng.randrange(10**6)}癌"
                    store.set_case_field(app_id, 0, row, field, value)
                    action = ["set", row, field, value]
                elif roll < 0.8:
                    row, field = rng.randrange(20), rng.choice(_REPORT_FIELDS)
                    value = rng.randrange(121) if field == "age" else f"{seed}-{rng.randrange(10**6)}"
                    if field == "history":
                        value += "\n経過"
                    store.set_report_field(reports_id, row, field, value)
                    target, action = reports_id, ["report", row, field, value]
                elif roll < 0.9:
                    row = rng.randrange(len(store.get(app_id).sections[0].cases) + 1)
                    value = f"挿入{seed}-{rng.randrange(10**6)}"
                    store.insert_case(app_id, 0, row, Case(diagnosis=value))
                    action = ["insert", row, "diagnosis", value]
                elif roll < 0.97:
                    rows = len(store.get(app_id).sections[0].cases)
                    if rows == 0:
                        continue
                    store.delete_case(app_id, 0, rng.randrange(rows))
                    action = ["delete"]
                else:
                    version = store.info(app_id).version
                    store.restore(app_id, rng.randrange(max(1, version - 5), version + 1))
                    action = ["restore"]
                version = store.info(target).version
                os.write(report, (json.dumps([version, *action], ensure_ascii=False) + "\n").encode())
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _read_reports(descriptor: int, deadline: float) -> bytes:
    chunks = []
    while True:
        ready, _, _ = select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(descriptor, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _round(home: Path, app_id: int, reports_id: int, seed: int, rng: random.Random) -> list[list[Any]]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(home, app_id, reports_id, seed, write_end)
    os.close(write_end)
    try:
        # Anywhere from before the store is open to dozens of edits in.
        time.sleep(rng.uniform(0.0, 0.04))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), f"the child ended by itself (status {status}) instead of being killed"
        data = _read_reports(read_end, time.monotonic() + 5)
    finally:
        os.close(read_end)
    # A line cut by the kill was never acknowledged; only whole lines count.
    return [json.loads(line) for line in data.decode().split("\n")[:-1]]


def test_killed_writer_loses_no_acknowledged_edit(shorei_home: Path) -> None:
    """After hundreds of SIGKILLs mid-edit, every edit reported saved is there and the database opens."""
    with Store.open(shorei_home) as store:
        app_id = store.create_application(FORM, "クラッシュ試験").id
        reports_id = store.create_application(REPORT_FORM, "クラッシュ試験（症例報告）").id
    rng = random.Random(20261121)
    acknowledged = 0
    for seed in range(ROUNDS):
        reports = _round(shorei_home, app_id, reports_id, seed, rng)
        acknowledged += len(reports)
        with Store.open(shorei_home, allow_read_only=False) as store:
            assert store._db().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            acknowledged_by_app = {
                app_id: [line for line in reports if line[1] != "report"],
                reports_id: [line for line in reports if line[1] == "report"],
            }
            for target, lines in acknowledged_by_app.items():
                current = store.info(target).version
                if lines:
                    assert current >= lines[-1][0], (
                        f"round {seed}: version {current} < acknowledged {lines[-1][0]}"
                    )
            for version, kind, *details in reports:
                if kind == "report":
                    row, field, value = details
                    saved = store.state_at(reports_id, version).reports[row]
                    stored = saved.narrative.get(field) if field == "history" else getattr(saved, field)
                    assert stored == value, f"round {seed}: version {version} report {row} {field}"
                elif kind in ("set", "insert"):
                    row, field, value = details
                    state = store.state_at(app_id, version)
                    stored = getattr(state.sections[0].cases[row], field)
                    assert stored == value, f"round {seed}: version {version} row {row} {field}"
            if seed % 25 == 0 or seed == ROUNDS - 1:
                # The whole history still replays, from now back to creation (not every round: it grows).
                store.state_at(app_id, 0)
                store.state_at(reports_id, 0)
    assert acknowledged > ROUNDS, "the children hardly edited anything: the test proves little"
