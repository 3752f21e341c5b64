# Sourced by scripts/windows/*.sh: where the Windows environment lives and how to run Windows Python under
# Wine. Everything here follows shared knowledge of what works (Debian's Wine 8.0, the embeddable CPython
# 3.11, Qt's `windows` platform under Xvfb).
#
# WIN_ROOT (default: build/windows in the checkout) holds prefix/ (the WINEPREFIX), python/ (the Windows
# CPython with its site-packages) and cache/. One WIN_ROOT serves one run at a time: the scripts stop its
# wineserver when they finish.

win_checkout=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WIN_ROOT=${WIN_ROOT:-$win_checkout/build/windows}
mkdir -p "$WIN_ROOT"
WIN_ROOT=$(cd "$WIN_ROOT" && pwd)
export WIN_ROOT
export WINEPREFIX=$WIN_ROOT/prefix
export WINEARCH=win64
export WINEDEBUG=-all
# No .NET and no Gecko: Wine would offer to download them.
export WINEDLLOVERRIDES="mscoree,mshtml="
WIN_PYTHON=$WIN_ROOT/python
WIN_SITE=$WIN_PYTHON/Lib/site-packages

# The Z:\… form of a Linux path, as Windows programs under Wine see it.
winpath() {
    local p
    p=$(realpath -m "$1")
    printf 'Z:%s' "${p//\//\\}"
}

# Runs Windows Python with the given arguments. Wine's Python must never get a regular file as stdin, stdout
# or stderr (init_sys_streams fails with WinError 6), so stdin is /dev/null and both outputs go through a
# pipe to this function's stdout. Returns Python's exit code.
winpy() {
    wine "$WIN_PYTHON/python.exe" "$@" </dev/null 2>&1 | cat
    return "${PIPESTATUS[0]}"
}

# Seconds since the epoch, for the per-step times.
win_now() { date +%s; }

# An Xvfb of the caller's own for Qt's `windows` platform (`offscreen` can hang at exit under Wine): on
# WIN_DISPLAY, or the first free display from FIRST; SCREEN is e.g. 1366x768x24; its log goes to LOG.
# Sets `display`, and a trap that stops it and the wineserver when the script ends. Calls the caller's
# `fail` when Xvfb does not start.
start_xvfb() {
    local first=$1 screen=$2 log=$3
    display=${WIN_DISPLAY:-}
    if [ -z "$display" ]; then
        display=$first
        while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do
            display=$((display + 1))
        done
    fi
    Xvfb ":$display" -screen 0 "$screen" -nolisten tcp >"$log" 2>&1 &
    xvfb_pid=$!
    trap 'wineserver -k 2>/dev/null || true; kill "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 50); do
        [ -e "/tmp/.X11-unix/X$display" ] && return 0
        kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb could not start on :$display ($(cat "$log"))"
        sleep 0.1
    done
}
