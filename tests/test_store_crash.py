"""A Shorei killed at any moment (as a crash, the task manager or a pulled plug ends it) loses no
acknowledged edit, and the database always opens and passes its integrity check.

Each round starts a child process (a new interpreter, as Windows has no fork) that edits as fast as it can
and reports each edit once the store has returned (the moment the window would show 保存済み); the parent
kills it (`Popen.kill()`: SIGKILL on POSIX, TerminateProcess on Windows) at a random point, then opens the
data folder and checks every reported edit. The child is a real process with its own file handles, locks
and fsyncs. Starting an interpreter costs far more than forking did, so the next two rounds' children
start (on both cores) while the current one runs and is checked, and each round is killed at a random
point of a random edit (from before the store is open to dozens of edits in) rather than after a random
delay.
"""

from __future__ import annotations

import collections
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from app.models.application import Case
from app.operations.cases import DeleteCase, InsertCase, SetCaseField
from app.operations.reports import SetReportField
from app.store import Store

FORM = "jbct-renewal-2026"
REPORT_FORM = "jspm-specialist-new"
ROUNDS = int(os.environ.get("SHOREI_CRASH_ROUNDS", "40"))
"""Rounds by default; raise it for a longer soak (each round starts a new interpreter: about half a second
of CPU on Linux, more under Wine)."""
_FIELDS = ("age", "diagnosis", "note", "pathology")
_REPORT_FIELDS = ("age", "diagnosis", "note", "history")
_ROOT = Path(__file__).resolve().parent.parent
_CHILD_FAILED = 3
"""The child's exit code when an edit raised: distinct from a kill (-9 on POSIX, 1 on Windows)."""
_KILLED = 1 if sys.platform == "win32" else -9
"""How `Popen.returncode` reports a `Popen.kill()`: TerminateProcess(…, 1) on Windows, SIGKILL elsewhere."""


def _child(home: Path, app_id: int, reports_id: int, seed: int) -> NoReturn:
    """Edit until killed; after each edit returns, write one line: version and what was done (case rows of
    a JBCT application, and case reports of a JSPM one). Starts once the parent says "go"."""
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    sys.stdin.buffer.readline()
    try:
        rng = random.Random(seed)
        with Store.open(home, allow_read_only=False) as store:
            while True:
                roll = rng.random()
                target = app_id
                if roll < 0.6:
                    row, field = rng.randrange(25), rng.choice(_FIELDS)
                    value: Any = rng.randrange(121) if field == "age" else f"{seed}-{rng.randrange(10**6)}癌"
                    store.apply(app_id, SetCaseField(0, row, field, value))
                    action = ["set", row, field, value]
                elif roll < 0.8:
                    row, field = rng.randrange(20), rng.choice(_REPORT_FIELDS)
                    value = rng.randrange(121) if field == "age" else f"{seed}-{rng.randrange(10**6)}"
                    if field == "history":
                        value += "\n経過"
                    store.apply(reports_id, SetReportField(row, field, value))
                    target, action = reports_id, ["report", row, field, value]
                elif roll < 0.9:
                    row = rng.randrange(len(store.get(app_id).sections[0].cases) + 1)
                    value = f"挿入{seed}-{rng.randrange(10**6)}"
                    store.apply(app_id, InsertCase(0, row, Case(diagnosis=value)))
                    action = ["insert", row, "diagnosis", value]
                elif roll < 0.97:
                    rows = len(store.get(app_id).sections[0].cases)
                    if rows == 0:
                        continue
                    store.apply(app_id, DeleteCase(0, rng.randrange(rows)))
                    action = ["delete"]
                else:
                    version = store.info(app_id).version
                    store.history.restore(app_id, rng.randrange(max(1, version - 5), version + 1))
                    action = ["restore"]
                version = store.info(target).version
                # ASCII only (ensure_ascii), so the console's code page does not matter.
                out.write((json.dumps([version, *action]) + "\n").encode("ascii"))
                out.flush()
    except BaseException:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        os._exit(_CHILD_FAILED)
    os._exit(0)


def _start(home: Path, app_id: int, reports_id: int, seed: int) -> subprocess.Popen[bytes]:
    """A child that has imported everything and waits for "go" (so its start-up is not part of the round)."""
    environment = {**os.environ, "PYTHONUTF8": "1"}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), environment.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, __file__, str(home), str(app_id), str(reports_id), str(seed)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=_ROOT,
    )


def _round(child: subprocess.Popen[bytes], seed: int, rng: random.Random) -> list[list[Any]]:
    assert child.stdin is not None and child.stdout is not None
    try:
        ready = child.stdout.readline()
        assert ready.strip() == b"ready", f"round {seed}: the child did not start: {ready!r}"
        child.stdin.write(b"go\n")
        child.stdin.flush()
        lines: list[bytes] = []
        if rng.random() < 0.2:
            # Anywhere from before the store is open to its first edits.
            time.sleep(rng.uniform(0.0, 0.02))
        else:
            # After a random number of acknowledged edits, at a random point of the next one.
            for _ in range(rng.randrange(1, 30)):
                line = child.stdout.readline()
                if not line:
                    break
                lines.append(line)
            time.sleep(rng.uniform(0.0, 0.003))
        child.kill()
        rest, errors = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == _KILLED, (
        f"round {seed}: the child ended by itself (exit {child.returncode}) instead of being killed: "
        + errors.decode("utf-8", "replace")
    )
    # A line cut by the kill was never acknowledged; only whole lines count.
    data = b"".join(lines) + rest
    return [json.loads(line) for line in data.decode("ascii").replace("\r", "").split("\n")[:-1]]


def test_killed_writer_loses_no_acknowledged_edit(shorei_home: Path) -> None:
    """After dozens of kills mid-edit, every edit reported saved is there and the database opens."""
    with Store.open(shorei_home) as store:
        app_id = store.applications.create(FORM, "クラッシュ試験").id
        reports_id = store.applications.create(REPORT_FORM, "クラッシュ試験（症例報告）").id
    rng = random.Random(20261121)
    acknowledged = 0
    # Two children wait ready at any time, so that their start-up runs on both cores beside the round.
    waiting = collections.deque(
        _start(shorei_home, app_id, reports_id, seed) for seed in range(min(2, ROUNDS))
    )
    for seed in range(ROUNDS):
        child = waiting.popleft()
        if seed + 2 < ROUNDS:
            waiting.append(_start(shorei_home, app_id, reports_id, seed + 2))
        try:
            reports = _round(child, seed, rng)
        except BaseException:
            for other in waiting:
                other.kill()
                other.communicate()
            raise
        acknowledged += len(reports)
        with Store.open(shorei_home, allow_read_only=False) as store:
            assert store.database.db().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
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
                    saved = store.history.state_at(reports_id, version).reports[row]
                    stored = saved.narrative.get(field) if field == "history" else getattr(saved, field)
                    assert stored == value, f"round {seed}: version {version} report {row} {field}"
                elif kind in ("set", "insert"):
                    row, field, value = details
                    state = store.history.state_at(app_id, version)
                    stored = getattr(state.sections[0].cases[row], field)
                    assert stored == value, f"round {seed}: version {version} row {row} {field}"
            if seed % 25 == 0 or seed == ROUNDS - 1:
                # The whole history still replays, from now back to creation (not every round: it grows).
                store.history.state_at(app_id, 0)
                store.history.state_at(reports_id, 0)
    assert acknowledged > ROUNDS, "the children hardly edited anything: the test proves little"


if __name__ == "__main__":
    _child(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
