"""build.spec bundles everything the program reads, without running PyInstaller.

The spec is executed with stand-ins for PyInstaller's classes that record what it hands them, so these
tests see the real data list after the spec's own filtering. scripts/build.sh builds and runs the bundle.
"""

from __future__ import annotations

import ast
import runpy
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import pytest

import app.cli
import app.resources

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"
WINDOWS_SWITCH = 'WINDOWS = sys.platform == "win32"'


@dataclass
class SpecRun:
    """What build.spec handed to PyInstaller's Analysis, EXE and COLLECT, and its own names."""

    scripts: list[str] = field(default_factory=list)
    analysis: dict[str, Any] = field(default_factory=dict)
    exe: dict[str, Any] = field(default_factory=dict)
    """The options of the last EXE (the only one on Linux)."""
    exes: list[dict[str, Any]] = field(default_factory=list)
    collected: list[tuple[str, str, str]] = field(default_factory=list)
    collect_name: str = ""
    namespace: dict[str, Any] = field(default_factory=dict)


def _as_toc(datas: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(source, folder) pairs as PyInstaller's Analysis turns them into (path in bundle, source, "DATA")."""
    toc = []
    for source, folder in datas:
        path = Path(source)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            inside = file.relative_to(path) if path.is_dir() else PurePath(file.name)
            toc.append((str(PurePath(folder) / inside), str(file), "DATA"))
    return toc


def _run_spec(source: str) -> SpecRun:
    run = SpecRun()

    class Analysis:
        def __init__(self, scripts: list[str], **options: Any) -> None:
            run.scripts = scripts
            run.analysis = options
            self.pure: list[Any] = []
            self.scripts: list[Any] = []
            self.binaries: list[tuple[str, str, str]] = []
            self.datas = _as_toc(options["datas"])

    def pyz(*_args: Any, **_options: Any) -> object:
        return object()

    def exe(*_args: Any, **options: Any) -> object:
        run.exe = options
        run.exes.append(options)
        return object()

    def collect(*items: Any, **options: Any) -> None:
        run.collected = items[-1]
        run.collect_name = options["name"]

    namespace: dict[str, Any] = {
        "SPECPATH": str(ROOT),
        "workpath": tempfile.mkdtemp(prefix="shorei-spec-"),
        "Analysis": Analysis,
        "PYZ": pyz,
        "EXE": exe,
        "COLLECT": collect,
    }
    exec(compile(source, str(SPEC), "exec"), namespace)
    run.namespace = namespace
    return run


@pytest.fixture(scope="module")
def spec() -> SpecRun:
    """build.spec as PyInstaller runs it on Linux (on any OS the tests run on)."""
    source = SPEC.read_text(encoding="utf-8")
    assert WINDOWS_SWITCH in source
    return _run_spec(source.replace(WINDOWS_SWITCH, "WINDOWS = False"))


def _resource_folders() -> list[Path]:
    """Every folder app/resources.py resolves (one `*_path()` helper each), relative to the project root."""
    root = app.resources.project_root()
    helpers = [
        getattr(app.resources, name)
        for name in dir(app.resources)
        if name.endswith("_path") and callable(getattr(app.resources, name))
    ]
    return [helper().relative_to(root) for helper in helpers]


def test_the_resource_helpers_are_found() -> None:
    """The helpers this file relies on still exist (resources/ and facility_data/ at least)."""
    assert {Path("resources"), Path("facility_data")} <= set(_resource_folders())


def _unbundled(run: SpecRun) -> list[str]:
    """Files under the resource folders that the spec does not put at their path under sys._MEIPASS."""
    bundled = {(PurePath(inside), Path(source)) for inside, source, _kind in run.collected}
    missing = []
    for folder in _resource_folders():
        files = [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert files, f"{folder} holds no file"
        for file in files:
            inside = PurePath(file.relative_to(ROOT))
            if (inside, file) not in bundled:
                missing.append(inside.as_posix())
    return missing


def test_every_resource_file_is_bundled_at_the_place_the_program_looks(spec: SpecRun) -> None:
    """Each file under resources/ and facility_data/ lands in the bundle at its path under sys._MEIPASS."""
    assert _unbundled(spec) == []


def test_a_data_folder_dropped_from_the_spec_is_caught() -> None:
    """With facility_data/ taken out of the spec, the check above names its files."""
    source = SPEC.read_text(encoding="utf-8")
    folders = 'DATA_FOLDERS = ("resources", "facility_data")'
    assert folders in source
    missing = _unbundled(_run_spec(source.replace(folders, 'DATA_FOLDERS = ("resources",)')))
    assert "facility_data/jbct-sample/manifest.json" in missing
    assert not [path for path in missing if not path.startswith("facility_data/")]


def test_the_files_the_program_cannot_start_without_are_bundled(spec: SpecRun) -> None:
    """The form, the font and its licence, the vocabulary and the sample facility list with its manifest."""
    inside = {PurePath(path).as_posix() for path, _source, _kind in spec.collected}
    for needed in (
        "resources/forms/jbct-renewal-2026.toml",
        "resources/fonts/ipaexg.ttf",
        "resources/fonts/IPA_Font_License_Agreement_v1.0.txt",
        "resources/vocabulary/diagnosis.toml",
        "facility_data/jbct-sample/manifest.json",
        "facility_data/jbct-sample/facilities.csv",
    ):
        assert needed in inside


def test_shorei_metadata_is_bundled_for_its_version(spec: SpecRun) -> None:
    """importlib.metadata.version("shorei") works in the bundle: its dist-info METADATA is there."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    inside = {PurePath(path).as_posix() for path, _source, _kind in spec.collected}
    assert f"shorei-{version}.dist-info/METADATA" in inside


def test_the_program_is_the_shorei_console_script_with_a_console(spec: SpecRun) -> None:
    """The frozen entry runs `app.cli:main`, the same as the `shorei` command, and keeps a console."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["shorei"] == "app.cli:main"
    [script] = spec.scripts
    entry = runpy.run_path(script, run_name="not_main")
    assert entry["main"] is app.cli.main
    assert spec.exe["name"] == spec.collect_name == "shorei"
    assert spec.exe["console"] is True


def _qt_modules_imported_by_app() -> set[str]:
    modules = set()
    for source in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("PySide6."):
                modules.add(node.module)
            elif isinstance(node, ast.Import):
                modules.update(a.name for a in node.names if a.name.startswith("PySide6."))
    return modules


def test_no_qt_module_the_program_imports_is_excluded(spec: SpecRun) -> None:
    """Excluding Qt modules keeps the bundle small; none of the ones app/ imports may be among them."""
    used = _qt_modules_imported_by_app()
    assert used >= {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"}
    excluded = set(spec.analysis["excludes"])
    assert "PySide6.QtNetwork" in excluded
    assert not used & excluded, f"build.spec excludes Qt modules the program imports: {used & excluded}"


@pytest.mark.parametrize(
    "path",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt6Gui.dll",
        "PySide6/Qt/translations/qtbase_ja.qm",
        "resources/fonts/ipaexg.ttf",
    ],
)
def test_qt_files_a_desktop_needs_are_kept(spec: SpecRun, path: str) -> None:
    """Desktop and offscreen platforms, Japanese input methods, the widget libraries and Japanese catalogues stay."""
    assert not spec.namespace["unused_qt_file"](path)


@pytest.mark.parametrize(
    "path",
    [
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/plugins/platforms/qdirect2d.dll",
        "PySide6/Qt/plugins/generic/libqevdevtouchplugin.so",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt6Network.dll",
        "PySide6/Qt/translations/qtbase_de.qm",
    ],
)
def test_qt_files_for_embedded_screens_and_other_languages_are_dropped(spec: SpecRun, path: str) -> None:
    """Embedded-device platforms, touch input, networking and foreign catalogues are left out."""
    assert spec.namespace["unused_qt_file"](path)


@pytest.fixture(scope="module")
def windows_spec() -> SpecRun:
    """build.spec as PyInstaller runs it on Windows."""
    source = SPEC.read_text(encoding="utf-8")
    assert WINDOWS_SWITCH in source
    return _run_spec(source.replace(WINDOWS_SWITCH, "WINDOWS = True"))


def test_windows_has_a_windowed_and_a_console_program_in_one_folder(windows_spec: SpecRun) -> None:
    """Shorei.exe without a console and shorei-cli.exe with one, collected into the same folder."""
    by_name = {options["name"]: options for options in windows_spec.exes}
    assert set(by_name) == {"Shorei", "shorei-cli"}
    assert by_name["Shorei"]["console"] is False
    assert by_name["shorei-cli"]["console"] is True
    assert windows_spec.collect_name == "shorei"


def test_windows_programs_carry_the_icon_and_the_version(windows_spec: SpecRun) -> None:
    """Both name the .ico (16–256 px) and a version resource with pyproject's version and a Japanese text."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    for options in windows_spec.exes:
        icon = Path(options["icon"])
        assert icon == ROOT / "resources" / "icons" / "shorei.ico"
        sizes = _ico_sizes(icon.read_bytes())
        assert {16, 32, 48, 256} <= sizes
        text = Path(options["version"]).read_text(encoding="utf-8")
        assert f"StringStruct('ProductVersion', '{version}')" in text
        assert f"StringStruct('OriginalFilename', '{options['name']}.exe')" in text
        assert "FileDescription', 'Shorei 症例登録" in text


def _ico_sizes(data: bytes) -> set[int]:
    count = int.from_bytes(data[4:6], "little")
    return {data[6 + 16 * i] or 256 for i in range(count)}


def test_linux_keeps_one_console_program_without_windows_resources(spec: SpecRun) -> None:
    """On Linux the folder holds the one `shorei` console program, as scripts/build.sh expects."""
    [options] = spec.exes
    assert options["name"] == "shorei"
    assert options["console"] is True
    assert options["icon"] is None and options["version"] is None


def test_the_guide_is_bundled_where_the_help_menu_reads_it(spec: SpecRun) -> None:
    """docs/guide-ja.md lands at docs/guide-ja.md under sys._MEIPASS (app.resources.user_guide)."""
    bundled = {(PurePath(inside).as_posix(), Path(source)) for inside, source, _kind in spec.collected}
    guide = app.resources.user_guide()
    assert ("docs/guide-ja.md", ROOT / "docs" / "guide-ja.md") in bundled
    assert guide.relative_to(app.resources.project_root()).as_posix() == "docs/guide-ja.md"


@pytest.mark.parametrize(
    ("executable", "windows", "expected"),
    [
        (r"C:\Users\a\AppData\Local\Programs\Shorei\Shorei.exe", True, ["gui", "a.json"]),
        (r"C:\Programs\Shorei\SHOREI.EXE", True, ["gui", "a.json"]),
        (r"C:\Programs\Shorei\shorei-cli.exe", True, None),
        ("/opt/shorei/shorei", False, None),
    ],
)
def test_the_windowed_program_opens_the_window(
    spec: SpecRun, executable: str, windows: bool, expected: list[str] | None
) -> None:
    """`Shorei.exe FILE` runs as `shorei gui FILE`; shorei-cli.exe and the Linux program take their arguments as given."""
    [script] = spec.scripts
    entry = runpy.run_path(script, run_name="not_main")
    assert entry["gui_arguments"](executable, ["a.json"], windows=windows) == expected
