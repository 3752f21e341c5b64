#!/usr/bin/env bash
# Builds the Windows program under Wine and tests what a physician gets, in the environment that
# scripts/windows/setup.sh makes (run first if it is missing):
#
#   1. PyInstaller (Windows Python, build.spec) → dist/windows/shorei/ with Shorei.exe (windowed) and
#      shorei-cli.exe (console), both with the icon and the version resource;
#   2. their PE headers (tests/test_windows_exe.py with pefile, on Linux);
#   3. a smoke test of the BUILT program, the steps of scripts/build.sh: validate (JBCT, JSPM), forms,
#      facilities search, gui --screenshot (a PNG), export, verify with the PDF, the font embedded (read with
#      pypdfium2); then Shorei.exe started as the Start menu starts it: the day's backup is in the data
#      folder and the log holds no warning or error (nothing was shown);
#   4. the installer, built on Linux with NSIS (Debian's nsis, installed when missing) from
#      installer/shorei.nsi → dist/windows/Shorei-VERSION-setup.exe;
#   5. installed silently (/S) under Wine, the installed Shorei.exe started, installed again over itself
#      (an upgrade), uninstalled silently: the program is gone, the user's data folder is still there.
#
# One summary line per step; exits non-zero on the first failure. scripts/windows/stage.sh calls it.
#
# Usage: bash scripts/windows/build.sh
#   WIN_ROOT     the environment (default build/windows)
#   WIN_DISPLAY  the X display number for Xvfb (default: the first free one from 80)
#   WIN_INSTALLER_COMPRESSOR  zlib (default: fast to build) or lzma (a third smaller, six times slower)
#   WIN_REUSE_BUILD=1    keep dist/windows/shorei/ if it is there (for working on the later steps)
#   SHOREI_WINDOWS_SHOT  if set, a PNG of the installed program's window with the 25-case example is
#                        written there (docs/screenshots/windows-installed-25-cases.png)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
cd "$win_checkout"
root=$win_checkout

fail() {
    echo "windows build: FAILED: $*" >&2
    exit 1
}
say() { echo "windows build: $*"; }

[ -f "$WIN_PYTHON/python.exe" ] || bash "$here/setup.sh"
command -v uv >/dev/null 2>&1 || fail "uv is not installed (https://docs.astral.sh/uv/)"
all_started=$(win_now)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml)
dist=$root/dist/windows/shorei
out=$root/build/windows-run
rm -rf "$out"
mkdir -p "$out"

# --- Xvfb on a display of its own (Qt's `windows` platform; `offscreen` can hang at exit under Wine) ----
start_xvfb 80 1366x768x24 "$out/xvfb.log"
export DISPLAY=":$display" QT_QPA_PLATFORM=windows PYTHONUTF8=1
# No winemenubuilder: the shortcuts the installer makes must not become Linux menu entries of this machine.
export WINEDLLOVERRIDES="$WINEDLLOVERRIDES;winemenubuilder.exe=d"

# --- 1. PyInstaller under Windows Python --------------------------------------------------------------
started=$(win_now)
if [ "${WIN_REUSE_BUILD:-}" = 1 ] && [ -f "$dist/Shorei.exe" ]; then
    say "build: reusing dist/windows/shorei/ (WIN_REUSE_BUILD=1)"
else
    rm -rf "$dist"
    if ! PYTHONPATH="$(winpath "$root")" PYTHONDONTWRITEBYTECODE=1 winpy -m PyInstaller build.spec --noconfirm \
        --distpath "$(winpath "$root/dist/windows")" --workpath "$(winpath "$root/build/windows-work")" \
        >"$out/pyinstaller.log"; then
        tail -n 40 "$out/pyinstaller.log" >&2
        fail "PyInstaller did not build the Windows program (whole log: $out/pyinstaller.log)"
    fi
    for exe in Shorei.exe shorei-cli.exe; do
        [ -f "$dist/$exe" ] || fail "PyInstaller finished but $dist/$exe is missing"
    done
    # The stand-ins for what Wine 8.0 lacks must stay system DLLs, never shipped.
    for dll in bcryptprimitives.dll icuuc.dll; do
        [ -z "$(find "$dist" -iname "$dll" -print -quit)" ] || fail "the bundle carries Wine's stand-in $dll"
    done
    say "build: dist/windows/shorei/ with Shorei.exe and shorei-cli.exe, $(du -sh "$dist" | cut -f1), $(find "$dist" -type f | wc -l) files ($(($(win_now) - started)) s)"
fi

# --- 2. PE headers --------------------------------------------------------------------------------------
started=$(win_now)
if ! SHOREI_WINDOWS_DIST="$dist" uv run --quiet pytest -q -p no:cacheprovider tests/test_windows_exe.py \
    >"$out/pe.log" 2>&1; then
    cat "$out/pe.log" >&2
    fail "the executables' PE headers are not as they must be"
fi
say "pe headers: Shorei.exe GUI, shorei-cli.exe console, icon and version $version in both ($(tail -n 1 "$out/pe.log" | tr -d '=' | xargs), $(($(win_now) - started)) s)"

# --- 3. smoke test of the built program ---------------------------------------------------------------
started=$(win_now)
work=$out/work
mkdir -p "$work"
cp examples/valid-20-cases.json examples/jspm-transition-7-cases.json "$work/"
home=$out/home
# The built program alone: from the work folder, with no source tree on the path and a fresh data folder.
cli() {
    (cd "$work" && env -u PYTHONPATH SHOREI_HOME="$(winpath "$home")" \
        wine "$dist/shorei-cli.exe" "$@" </dev/null 2>&1 | tr -d '\r' >"$out/step.out"
    exit "${PIPESTATUS[0]}") || {
        local code=$?
        sed 's/^/   /' "$out/step.out" >&2
        fail "'shorei-cli.exe $*' exited with $code"
    }
}
cli validate valid-20-cases.json
cli validate jspm-transition-7-cases.json
cli forms
grep -q "jbct-renewal-2026" "$out/step.out" || fail "'shorei-cli.exe forms' does not list jbct-renewal-2026"
cli facilities search 伊勢 赤十字
grep -q "20953" "$out/step.out" || fail "'shorei-cli.exe facilities search' does not find 伊勢赤十字病院 (20953)"
cli gui valid-20-cases.json --screenshot shot.png
[ "$(head -c 8 "$work/shot.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "'shorei-cli.exe gui --screenshot' wrote no PNG"
[ "$(stat -c %s "$work/shot.png")" -ge 20000 ] || fail "the screenshot is almost empty: the window drew nothing"
cli export valid-20-cases.json --out out
grep -q "\"generator\":\"shorei $version\"" "$work/out/valid-20-cases.package.json" ||
    fail "the package does not name 'shorei $version' as its generator"
cli verify out/valid-20-cases.package.json --pdf out/valid-20-cases.pdf
uv run --quiet python scripts/pdf_fonts.py "$work/out/valid-20-cases.pdf" --require-embedded IPAex \
    >"$out/fonts.out" 2>&1 || fail "the exported PDF does not embed the IPAex font: $(cat "$out/fonts.out")"
say "smoke test: validate (JBCT, JSPM), forms, facilities search, gui --screenshot, export, verify, IPAex embedded ($(($(win_now) - started)) s)"

# Shorei.exe as the Start menu starts it (with a file, as a double-click does), in the same fresh data folder.
started=$(win_now)
gui_home=$out/gui-home
(cd "$work" && env -u PYTHONPATH SHOREI_HOME="$(winpath "$gui_home")" \
    wine "$dist/Shorei.exe" valid-20-cases.json --screenshot gui.png </dev/null 2>&1 | cat >"$out/gui.out") ||
    fail "Shorei.exe exited with an error: $(cat "$out/gui.out")"
[ -f "$work/gui.png" ] || fail "Shorei.exe showed no window (no screenshot at $work/gui.png)"
today=$(date +%Y%m%d)
ls "$gui_home/backups/shorei-$today-"*.sqlite3 >/dev/null 2>&1 ||
    fail "after Shorei.exe started, $gui_home/backups holds no backup of today ($(ls "$gui_home/backups" 2>&1))"
[ -f "$gui_home/logs/shorei.log" ] || fail "Shorei.exe wrote no log at $gui_home/logs/shorei.log"
# Qt's own diagnostics (logger shorei.qt; under Wine e.g. "EnableNonClientDpiScaling() failed … Call not
# implemented") are kept in the log but never shown to the user: only Shorei's own warnings count here.
if grep -E " (WARNING|ERROR|CRITICAL) " "$gui_home/logs/shorei.log" | grep -v " shorei\.qt: " >&2; then
    fail "Shorei.exe logged a warning or an error (above): the window showed it"
fi
[ ! -s "$gui_home/logs/crash.log" ] || fail "Shorei.exe wrote a crash record: $(cat "$gui_home/logs/crash.log")"
say "gui start: Shorei.exe opened the file, today's backup is there, no warning or error ($(($(win_now) - started)) s)"

# --- 4. the installer -------------------------------------------------------------------------------------
started=$(win_now)
if ! command -v makensis >/dev/null 2>&1; then
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >/dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nsis \
        >/dev/null || fail "apt-get could not install nsis"
fi
quad=$(echo "$version" | grep -oE '[0-9]+' | head -n 4 | paste -sd. -)
while [ "$(echo "$quad" | tr -cd . | wc -c)" -lt 3 ]; do quad=$quad.0; done
setup=$root/dist/windows/Shorei-$version-setup.exe
if ! makensis -V2 -WX -INPUTCHARSET UTF8 "-DCOMPRESSOR=${WIN_INSTALLER_COMPRESSOR:-zlib}" "-DVERSION=$version" "-DVERSION_QUAD=$quad" "-DSOURCE=$dist" \
    "-DICON=$root/resources/icons/shorei.ico" "-DOUTFILE=$setup" installer/shorei.nsi >"$out/makensis.log" 2>&1; then
    cat "$out/makensis.log" >&2
    fail "makensis could not build the installer"
fi
say "installer: dist/windows/$(basename "$setup"), $(du -h "$setup" | cut -f1) ($(($(win_now) - started)) s)"

# --- 5. silent install, start, upgrade, silent uninstall ---------------------------------------------------
started=$(win_now)
local_app_data=$(winepath -u "$(wine cmd /c echo %LOCALAPPDATA% </dev/null 2>/dev/null | tr -d '\r')")
installed=$local_app_data/Programs/Shorei
data=$local_app_data/Shorei
start_menu=$(winepath -u "$(wine cmd /c echo %APPDATA% </dev/null 2>/dev/null | tr -d '\r')")/Microsoft/Windows/Start\ Menu/Programs
key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Shorei'
# A data folder the prefix already holds is set aside and put back afterwards; the one made here must
# survive all of it, as a user's would.
if [ -e "$data" ]; then
    rm -rf "$data.before-build"
    mv "$data" "$data.before-build"
fi
mkdir -p "$data"
echo "keep" >"$data/keep-me.txt"
wine "$setup" /S </dev/null 2>&1 | cat >"$out/install.out"
wineserver -w
[ -f "$installed/Shorei.exe" ] && [ -f "$installed/shorei-cli.exe" ] && [ -f "$installed/uninstall.exe" ] ||
    fail "the silent install put no program into $installed ($(cat "$out/install.out"))"
[ -f "$start_menu/Shorei 症例登録.lnk" ] || fail "the silent install made no Start menu shortcut in $start_menu"
wine reg query "$key" </dev/null 2>&1 | tr -d '\r' >"$out/reg.out"
for value in DisplayName DisplayVersion Publisher DisplayIcon InstallLocation EstimatedSize UninstallString; do
    grep -q "$value" "$out/reg.out" || fail "the uninstall key lacks $value: $(cat "$out/reg.out")"
done
grep -q "DisplayVersion.*$version" "$out/reg.out" || fail "the uninstall key names another version"
shot=$out/installed.png
(cd "$work" && env -u PYTHONPATH -u SHOREI_HOME wine "$installed/Shorei.exe" \
    "$(winpath "$root/examples/valid-25-cases-1-section.json")" --screenshot "$(winpath "$shot")" \
    </dev/null 2>&1 | cat >"$out/installed.out")
[ -f "$shot" ] || fail "the installed Shorei.exe showed no window ($(cat "$out/installed.out"))"
ls "$data/backups/shorei-$today-"*.sqlite3 >/dev/null 2>&1 ||
    fail "the installed Shorei.exe made no backup in its data folder $data"
if grep -E " (WARNING|ERROR|CRITICAL) " "$data/logs/shorei.log" | grep -v " shorei\.qt: " >&2; then
    fail "the installed Shorei.exe logged a warning or an error (above)"
fi
if [ -n "${SHOREI_WINDOWS_SHOT:-}" ]; then
    cp "$shot" "$SHOREI_WINDOWS_SHOT"
fi
wine "$setup" /S /NODESKTOP </dev/null 2>&1 | cat >"$out/upgrade.out"
wineserver -w
[ -f "$installed/Shorei.exe" ] && [ -f "$data/keep-me.txt" ] && [ -f "$data/shorei.sqlite3" ] ||
    fail "installing over the installed program lost the program or the data folder"
wine "$installed/uninstall.exe" /S </dev/null 2>&1 | cat >"$out/uninstall.out"
wineserver -w
[ ! -e "$installed/Shorei.exe" ] && [ ! -e "$installed/_internal" ] ||
    fail "the silent uninstall left the program in $installed"
[ ! -e "$start_menu/Shorei 症例登録.lnk" ] || fail "the silent uninstall left the Start menu shortcut"
if wine reg query "$key" </dev/null >/dev/null 2>&1; then fail "the silent uninstall left the uninstall key"; fi
[ -f "$data/keep-me.txt" ] && [ -f "$data/shorei.sqlite3" ] && ls "$data/backups/"*.sqlite3 >/dev/null 2>&1 ||
    fail "the uninstall touched the user's data folder $data"
# The data folder was made for this test: leave the prefix as it was.
rm -rf "$data"
if [ -e "$data.before-build" ]; then mv "$data.before-build" "$data"; fi
say "install: silent install, Start menu and 「アプリと機能」 entry, installed Shorei.exe started, upgrade, silent uninstall; the data folder stayed ($(($(win_now) - started)) s)"

say "done in $(($(win_now) - all_started)) s"
