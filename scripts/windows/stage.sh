#!/usr/bin/env bash
# The Windows stage of CI (.ci/run runs it after the Linux tests): make the Windows environment under Wine
# (setup.sh), run the whole test suite there (test.sh), then build, smoke-test and package the Windows
# program (build.sh, when the checkout has it). One summary line per step; the last line repeats the
# Windows test summary (`windows: N passed, M failed`). Exits non-zero when a step fails.
#
# Usage: bash scripts/windows/stage.sh        (WIN_ROOT as for setup.sh)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# One WIN_ROOT (exported) for the three steps.
# shellcheck source=common.sh
. "$here/common.sh"
cd "$win_checkout"

stage_started=$(date +%s)
summary=""
status=0

run_step() {
    local name=$1
    shift
    local started code log
    started=$(date +%s)
    log=$(mktemp)
    echo "== windows stage: $name"
    "$@" 2>&1 | tee "$log"
    code=${PIPESTATUS[0]}
    if [ "$name" = test ]; then
        summary=$(grep -E '^windows: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    fi
    rm -f "$log"
    if [ "$code" = 0 ]; then
        echo "stage: $name: ok ($(($(date +%s) - started)) s)"
    else
        echo "stage: $name: FAILED, exit $code ($(($(date +%s) - started)) s)"
        status=1
    fi
    return "$code"
}

if run_step setup bash "$here/setup.sh"; then
    run_step test bash "$here/test.sh" || true
    if [ -f "$here/build.sh" ]; then
        run_step build bash "$here/build.sh" || true
    else
        echo "stage: build: skipped (scripts/windows/build.sh is not in this checkout)"
    fi
fi

echo "stage: windows stage $([ "$status" = 0 ] && echo passed || echo FAILED) in $(($(date +%s) - stage_started)) s"
# Last, so that CI's closing line is the Windows test summary (none when the tests could not run).
[ -z "$summary" ] || echo "$summary"
exit "$status"
