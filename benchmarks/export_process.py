"""Child process of bench_libreoffice: Shorei's export of the 75 cases as a cold process, the way
LibreOffice is timed (interpreter start and imports included).

    python benchmarks/export_process.py DOCUMENT.json OUT_FOLDER KEY_FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(document: str, folder: str, key_folder: str) -> None:
    from app.models.document import load_application
    from benchmarks.bench_libreoffice import export_75

    print(export_75(load_application(Path(document)), Path(folder), Path(key_folder)))


if __name__ == "__main__":
    main(*sys.argv[1:])
