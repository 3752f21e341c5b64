"""A faster answer to the question PySide6 asks of every module imported after it.

PySide6's `__feature__` support (PYSIDE-2029) decides for each imported module whether it uses PySide, by
`inspect.getsource(module)` and a search for "PySide6". `inspect` goes through `linecache` and `tokenize`
for that: with the ~300 modules the window imports, about 4 % of the instructions of a start with 75
cases (callgrind). The same question is answered here by reading the file's bytes; `ensure_qt_app`
installs it before the window's modules are imported. Modules without a `.py` file (built-ins, the
PyInstaller bundle's compiled modules) still get PySide6's own answer, and if a PySide6 release no longer
has the function, nothing is changed.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import PySide6.QtCore  # noqa: F401 (loads shibokensupport.feature, whose check is replaced)

if TYPE_CHECKING:
    from types import ModuleType

_MARK = "_shorei_reads_bytes"


def read_sources_as_bytes() -> None:
    """Replace `shibokensupport.feature._mod_uses_pyside` by a byte search of the module's file (once)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, _MARK, False):
        return

    def uses_pyside(module: ModuleType | str) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(original(module))
        try:
            with open(path, "rb") as source:  # noqa: PTH123 (the fastest read; no Path object per module)
                return b"PySide6" in source.read()
        except OSError:
            return bool(original(module))

    setattr(uses_pyside, _MARK, True)
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
