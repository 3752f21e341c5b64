#!/usr/bin/env bash
# Runs the whole test suite (GUI tier included) under Wine's Windows Python, in the environment that
# scripts/windows/setup.sh makes (run first if it is missing). Qt's `windows` platform under an Xvfb of its
# own (the `offscreen` platform can hang at exit under Wine). The suite is split by file into two pytest
# processes that run side by side (one Wine process mostly keeps one core busy). Prints the failures by
# file and one summary line, `windows: N passed, M failed`; exits non-zero on any failure or error.
#
# Usage: bash scripts/windows/test.sh [pytest arguments, e.g. tests/test_cli.py -x]
#   With arguments, one pytest process runs exactly those.
#   WIN_ROOT          the environment (default build/windows)
#   WIN_DISPLAY       the X display number for Xvfb (default: the first free one from 90)
#   WIN_TEST_SHARDS   pytest processes for the whole suite (default 2)
#   WIN_TEST_TIMEOUT  seconds before a hung run is stopped (default 1500)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
cd "$win_checkout"

fail() {
    echo "windows tests: FAILED: $*" >&2
    exit 1
}

[ -f "$WIN_PYTHON/python.exe" ] || bash "$here/setup.sh"

out=$WIN_ROOT/test-run
rm -rf "$out"
mkdir -p "$out"

# --- Xvfb on a display of its own ------------------------------------------------------------------------
start_xvfb 90 1920x1080x24 "$out/xvfb.log"

# --- the shards -----------------------------------------------------------------------------------------
# Each shard's files, one shard a line: the longest-running files first, each to the shard with the least
# so far. Seconds under Wine on two busy cores, measured; any other file counts by its size.
if [ $# -eq 0 ]; then
    python3 - "${WIN_TEST_SHARDS:-2}" >"$out/shards" <<'PY'
import pathlib, sys
measured = {
    "tests/test_store_crash.py": 142, "tests/test_benchmarks.py": 70, "tests/test_diagnosis_vocabulary.py": 55,
    "tests/gui/test_window.py": 48, "tests/test_store_reports.py": 47, "tests/test_approval_round_trip.py": 43,
    "tests/gui/test_jspm_window.py": 38, "tests/test_build_spec.py": 31, "tests/test_case_import.py": 30,
    "tests/test_verify.py": 26, "tests/test_export_pdf.py": 23, "tests/test_store_safety.py": 22,
    "tests/test_cli.py": 21, "tests/test_store_history.py": 21,
}
files = sorted(str(p) for p in pathlib.Path("tests").rglob("test_*.py"))
weight = {f: measured.get(f, pathlib.Path(f).stat().st_size / 1250) for f in files}
shards = [[] for _ in range(max(1, int(sys.argv[1])))]
load = [0.0] * len(shards)
for f in sorted(files, key=lambda f: -weight[f]):
    i = load.index(min(load))
    shards[i].append(f)
    load[i] += weight[f]
for shard in shards:
    if shard:
        print(" ".join(sorted(shard)))
PY
fi

# --- the suite ------------------------------------------------------------------------------------------
started=$(win_now)
# PYTHONPATH: the checkout, as uv's editable install gives it on Linux. Windows Python's own console
# encoding stays as Windows has it; only pytest's report is written as UTF-8 (Japanese test ids). Bytecode
# is written (into __pycache__ of the checkout): the tests start dozens of child interpreters.
run_shard() {
    local n=$1
    shift
    set +e
    env -u PYTHONDONTWRITEBYTECODE DISPLAY=":$display" QT_QPA_PLATFORM=windows \
        PYTHONPATH="$(winpath "$win_checkout")" \
        timeout --kill-after=10 "${WIN_TEST_TIMEOUT:-1500}" \
        wine "$WIN_PYTHON/python.exe" -c \
        "import sys; sys.stdout.reconfigure(encoding='utf-8', errors='backslashreplace'); sys.stderr.reconfigure(encoding='utf-8', errors='backslashreplace'); import pytest; sys.exit(pytest.main())" \
        -p no:cacheprovider -v --durations=10 --basetemp="$(winpath "$out/tmp-$n")" \
        --junitxml="$(winpath "$out/junit-$n.xml")" "$@" </dev/null 2>&1 |
        sed -u 's/\r$//' >"$out/pytest-$n.log"
    echo "${PIPESTATUS[0]}" >"$out/exit-$n"
}
pids=()
n=0
if [ $# -gt 0 ]; then
    n=1
    run_shard 1 "$@" &
    pids+=($!)
else
    while read -r -a files; do
        n=$((n + 1))
        run_shard "$n" "${files[@]}" &
        pids+=($!)
    done <"$out/shards"
fi
for pid in "${pids[@]}"; do
    wait "$pid" || true
done
seconds=$(($(win_now) - started))

code=0
missing=0
for i in $(seq "$n"); do
    shard_code=$(cat "$out/exit-$i" 2>/dev/null || echo 1)
    echo "shard $i: $(tail -n 1 "$out/pytest-$i.log") (exit $shard_code; log: $out/pytest-$i.log)"
    [ "$shard_code" = 0 ] || code=1
    [ -f "$out/junit-$i.xml" ] || {
        tail -n 40 "$out/pytest-$i.log" >&2
        echo "windows tests: shard $i wrote no report (exit $shard_code after $seconds s)" >&2
        code=1
        missing=$((missing + 1))
    }
done

# Failures by file, then the summary line.
python3 - "$out" "$seconds" "$missing" <<'PY'
import collections, os, pathlib, sys, xml.etree.ElementTree as ET
out, seconds, missing = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
counts = collections.Counter()
failed = collections.defaultdict(list)
for junit in sorted(out.glob("junit-*.xml")):
    for case in ET.parse(junit).getroot().iter("testcase"):
        verdicts = {child.tag for child in case}
        if verdicts & {"failure", "error"}:
            counts["failed"] += 1
            # classname is the module's dotted path, then any test class: keep the part that is a file.
            parts = case.get("classname", "").split(".")
            path = next(("/".join(parts[:n]) + ".py" for n in range(len(parts), 0, -1)
                         if os.path.isfile("/".join(parts[:n]) + ".py")), ".".join(parts))
            failed[path].append(case.get("name"))
        elif "skipped" in verdicts:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
if missing:
    # A shard that stopped without a report (hung past the timeout, crashed) counts as one failure.
    counts["failed"] += missing
    failed["(a whole shard: no report)"] = [f"{missing} shard(s)"]
for path, names in sorted(failed.items()):
    print(f"  {path}: {len(names)} failed: {', '.join(names[:8])}{' …' if len(names) > 8 else ''}")
line = f"windows: {counts['passed']} passed, {counts['failed']} failed"
if counts["skipped"]:
    line += f", {counts['skipped']} skipped"
print(f"windows tests: ran under Wine in {seconds} s")
print(line)
PY
exit "$code"
