"""Issue 18: installing a form pack (< 1 s) and the preview of moving a 75-case application (< 50 ms)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.export.form_pack_install import install_pack
from app.export.form_packs import make_pack
from app.models.forms import bundled_forms, load_form
from app.resources import resource_path
from app.store.facility_files import bundled_facility_list
from app.validation.migration import preview_migration
from benchmarks.bench_validate import full_application
from benchmarks.common import Measurement, time_calls

ROOT = Path(__file__).resolve().parent.parent
WORKED = ROOT / "examples" / "packs" / "jbct-renewal-2027"


def _install_samples(pack: Path, scratch: Path, runs: int) -> list[float]:
    samples = []
    for n in range(runs):
        home = scratch / f"home-{n}"
        start = time.perf_counter()
        install_pack(home, pack, trust=True)
        samples.append(time.perf_counter() - start)
    return samples


def _process_samples(pack: Path, scratch: Path, runs: int) -> list[float]:
    """`shorei forms install PACK --trust` as a fresh process into an empty data folder."""
    samples = []
    for n in range(runs):
        env = {**os.environ, "SHOREI_HOME": str(scratch / f"process-{n}"), "PYTHONUTF8": "1"}
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "app.cli", "forms", "install", str(pack), "--trust"],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        samples.append(time.perf_counter() - start)
    return samples


def _with_vocabulary(scratch: Path) -> Path:
    """The worked example carrying the program's three vocabulary files (the most a pack may carry)."""
    folder = scratch / "with-vocabulary"
    shutil.copytree(WORKED, folder)
    shutil.copytree(resource_path("vocabulary"), folder / "vocabulary", ignore=shutil.ignore_patterns("__*"))
    return folder


def run(quick: bool = False) -> list[Measurement]:
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        pack = make_pack(WORKED, scratch / "publisher.pem", scratch / "p.shoreipack").path
        installs = _install_samples(pack, scratch, 2 if quick else 30)
        processes = _process_samples(pack, scratch, 1 if quick else 7)
        size = pack.stat().st_size
        vocabulary_pack = make_pack(
            _with_vocabulary(scratch), scratch / "publisher.pem", scratch / "v.shoreipack"
        )
        vocabulary_installs = _install_samples(vocabulary_pack.path, scratch / "v", 2 if quick else 10)
        vocabulary_size = vocabulary_pack.path.stat().st_size
    application = full_application()
    source = bundled_forms().get(application.form.id, application.form.version)
    assert source is not None
    target = load_form(WORKED / "forms" / "jbct-renewal-2027.toml")
    facilities = bundled_facility_list()
    preview = preview_migration(application, source, target, facilities)
    previews = time_calls(
        lambda: preview_migration(application, source, target, facilities),
        runs=3 if quick else 300,
        warmup=1 if quick else 20,
    )
    return [
        Measurement(
            what="install a form pack (read, check signature and hashes, install)",
            budget="< 1 s",
            budget_seconds=1.0,
            samples=installs,
            note=f"the worked example ({size} bytes), into an empty data folder, in process",
        ),
        Measurement(
            what="install a form pack carrying a diagnosis vocabulary (built once to check it)",
            budget="< 1 s",
            budget_seconds=1.0,
            samples=vocabulary_installs,
            note=f"the worked example with the program's three vocabulary files ({vocabulary_size} bytes)",
        ),
        Measurement(
            what="`shorei forms install PACK --trust` as a fresh process",
            budget="—",
            budget_seconds=None,
            samples=processes,
            note="Python start and imports included",
        ),
        Measurement(
            what="migrate preview of a 75-case application (2026 → 2027 form)",
            budget="< 50 ms",
            budget_seconds=0.05,
            samples=previews,
            note=f"{application.case_count()} cases; {len(preview.appearing)} problems appear, "
            f"{len(preview.disappearing)} disappear",
        ),
    ]
