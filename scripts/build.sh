#!/usr/bin/env bash
# Build the one-folder program with PyInstaller (build.spec) into dist/shorei/, then smoke-test the BUILT
# program, not the Python sources: from an empty folder, with a clean environment and a fresh SHOREI_HOME,
# offscreen. Needs uv only (the PDF's fonts are read with scripts/pdf_fonts.py). Prints the build time and the bundle's size.
#
# Usage: bash scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

fail() {
    echo "build.sh: FAILED: $*" >&2
    exit 1
}

command -v uv >/dev/null 2>&1 || fail "uv is not installed (https://docs.astral.sh/uv/)"

echo "== build (PyInstaller, build.spec → dist/shorei/)"
mkdir -p build
log=$root/build/pyinstaller.log
started=$(date +%s)
if ! uv run pyinstaller build.spec --noconfirm >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "PyInstaller did not build the program (whole log: $log)"
fi
build_seconds=$(($(date +%s) - started))
program=$root/dist/shorei/shorei
[ -x "$program" ] || fail "PyInstaller finished but $program is missing"
echo "built in ${build_seconds} s (log: $log)"

echo "== smoke test of dist/shorei/shorei"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/work" "$tmp/user"
cp examples/valid-20-cases.json examples/jspm-transition-7-cases.json "$tmp/work/"

# The built program alone: no source tree on the path, no virtual environment, no user settings.
shorei() {
    (cd "$tmp/work" && env -i PATH=/usr/bin:/bin HOME="$tmp/user" LANG=C.UTF-8 SHOREI_HOME="$tmp/home" \
        QT_QPA_PLATFORM=offscreen "$program" "$@")
}

step() {
    local what=$1
    shift
    echo "-- $what"
    local code=0
    shorei "$@" >"$tmp/step.out" 2>&1 || code=$?
    sed 's/^/   /' "$tmp/step.out"
    [ "$code" = 0 ] || fail "'shorei $*' ($what) exited with $code"
}

step "validate the sample application" validate valid-20-cases.json

step "validate a JSPM application (its forms and facility list)" validate jspm-transition-7-cases.json

step "list the installed forms" forms
grep -q "jbct-renewal-2026" "$tmp/step.out" || fail "'shorei forms' does not list jbct-renewal-2026: the forms are not bundled"

step "search the bundled facility list" facilities search 伊勢 赤十字
grep -q "20953" "$tmp/step.out" || fail "'shorei facilities search' does not find 伊勢赤十字病院 (20953) in the sample list"

step "open it in the window and take a screenshot" gui valid-20-cases.json --screenshot "$tmp/shot.png"
[ -f "$tmp/shot.png" ] || fail "the window wrote no screenshot at $tmp/shot.png"
[ "$(head -c 8 "$tmp/shot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "the screenshot is not a PNG"
# Width and height from the PNG header; a painted main window is large and far from blank.
width=$(od -An -tu4 --endian=big -j16 -N4 "$tmp/shot.png" | tr -d ' ')
height=$(od -An -tu4 --endian=big -j20 -N4 "$tmp/shot.png" | tr -d ' ')
bytes=$(stat -c %s "$tmp/shot.png")
[ "$width" -ge 800 ] && [ "$height" -ge 500 ] || fail "the screenshot is only ${width}×${height} pixels"
[ "$bytes" -ge 20000 ] || fail "the screenshot is only $bytes bytes: the window drew next to nothing"
echo "   screenshot ${width}×${height}, $bytes bytes"
if [ -n "${SHOREI_SMOKE_SHOT:-}" ]; then
    cp "$tmp/shot.png" "$SHOREI_SMOKE_SHOT"
fi

step "export the PDF and the signed package" export valid-20-cases.json --out "$tmp/out"
pdf=$tmp/out/valid-20-cases.pdf
package=$tmp/out/valid-20-cases.package.json
[ -s "$pdf" ] || fail "export wrote no PDF at $pdf"
[ -s "$package" ] || fail "export wrote no package at $package"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml)
grep -q "\"generator\":\"shorei $version\"" "$package" ||
    fail "the package does not name 'shorei $version' as its generator: the bundle lacks shorei's metadata"

step "verify the package against the PDF" verify "$package" --pdf "$pdf"

echo "-- the PDF embeds the IPAex font"
fonts_code=0
uv run python scripts/pdf_fonts.py "$pdf" --require-embedded IPAex >"$tmp/fonts.out" 2>&1 || fonts_code=$?
sed 's/^/   /' "$tmp/fonts.out"
[ "$fonts_code" = 0 ] || fail "the IPAex font is not embedded in $pdf"

echo "== done: dist/shorei/ is $(du -sh dist/shorei | cut -f1) ($(find dist/shorei -type f | wc -l) files), built in ${build_seconds} s"
