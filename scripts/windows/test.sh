#!/usr/bin/env bash
# Runs the whole test suite (GUI tier included) under Wine's Windows Python, in the environment that
# scripts/windows/setup.sh makes (run first if it is missing). Qt's `windows` platform under an Xvfb of its
# own (the `offscreen` platform can hang at exit under Wine). Prints the failures by file and one summary
# line, `windows: N passed, M failed`; exits non-zero on any failure or error.
#
# Usage: bash scripts/windows/test.sh [pytest arguments, e.g. tests/test_cli.py -x]
#   WIN_ROOT     the environment (default build/windows)
#   WIN_DISPLAY  the X display number for Xvfb (default: the first free one from 90)
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
display=${WIN_DISPLAY:-}
if [ -z "$display" ]; then
    display=90
    while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do
        display=$((display + 1))
    done
fi
Xvfb ":$display" -screen 0 1920x1080x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xvfb_pid=$!
cleanup() {
    wineserver -k 2>/dev/null || true
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 50); do
    [ -e "/tmp/.X11-unix/X$display" ] && break
    kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb could not start on :$display ($(cat "$out/xvfb.log"))"
    sleep 0.1
done

# --- the suite ------------------------------------------------------------------------------------------
junit=$out/junit.xml
started=$(win_now)
# PYTHONPATH: the checkout, as uv's editable install gives it on Linux. Windows Python's own console
# encoding stays as Windows has it; only pytest's report is written as UTF-8 (Japanese test ids).
set +e
# Bytecode is written (into __pycache__ of the checkout): the tests start dozens of child interpreters.
env -u PYTHONDONTWRITEBYTECODE DISPLAY=":$display" QT_QPA_PLATFORM=windows PYTHONPATH="$(winpath "$win_checkout")" \
    timeout --kill-after=10 "${WIN_TEST_TIMEOUT:-1500}" \
    wine "$WIN_PYTHON/python.exe" -c \
    "import sys; sys.stdout.reconfigure(encoding='utf-8', errors='backslashreplace'); sys.stderr.reconfigure(encoding='utf-8', errors='backslashreplace'); import pytest; sys.exit(pytest.main())" \
    -p no:cacheprovider -v --durations=20 --junitxml="$(winpath "$junit")" "$@" </dev/null 2>&1 |
    sed -u 's/\r$//' >"$out/pytest.log"
code=${PIPESTATUS[0]}
set -e
seconds=$(($(win_now) - started))
tail -n 5 "$out/pytest.log"

[ -f "$junit" ] || {
    tail -n 60 "$out/pytest.log" >&2
    fail "pytest wrote no report (exit $code after $seconds s; whole log: $out/pytest.log)"
}

# Failures by file, then the summary line.
python3 - "$junit" "$seconds" "$code" <<'PY'
import collections, sys, xml.etree.ElementTree as ET
junit, seconds, code = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
counts = collections.Counter()
failed = collections.defaultdict(list)
for case in ET.parse(junit).getroot().iter("testcase"):
    verdicts = {child.tag for child in case}
    if verdicts & {"failure", "error"}:
        counts["failed"] += 1
        path = case.get("classname", "").replace(".", "/")
        failed[case.get("file") or path].append(case.get("name"))
    elif "skipped" in verdicts:
        counts["skipped"] += 1
    else:
        counts["passed"] += 1
for path, names in sorted(failed.items()):
    print(f"  {path}: {len(names)} failed: {', '.join(names[:8])}{' …' if len(names) > 8 else ''}")
line = f"windows: {counts['passed']} passed, {counts['failed']} failed"
if counts["skipped"]:
    line += f", {counts['skipped']} skipped"
print(f"windows tests: whole suite under Wine in {seconds} s (pytest exit {code})")
print(line)
PY
[ "$code" = 0 ] || exit 1
