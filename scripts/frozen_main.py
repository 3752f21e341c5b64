"""The program PyInstaller freezes (see build.spec): the `shorei` console script, `app.cli:main`.

On Windows the same frozen program is built twice: `shorei-cli.exe` (console) runs `app.cli:main` as the
`shorei` command does, and `Shorei.exe` (windowed, no console) opens the window: `Shorei.exe FILE` (a
double-clicked or dropped file) opens FILE in it, as `shorei gui FILE` does.
"""

import sys
from pathlib import PureWindowsPath

from app.cli import main

GUI_NAME = "Shorei"
"""The windowed program's name (build.spec's GUI_NAME), without .exe."""


def gui_arguments(executable: str, argv: list[str], *, windows: bool) -> list[str] | None:
    """The `shorei` arguments the windowed program runs with, or None for the console program (and always
    on Linux, where the one program is `shorei`). Windows file names ignore case, so the name does too."""
    if not windows or PureWindowsPath(executable).stem.casefold() != GUI_NAME.casefold():
        return None
    return ["gui", *argv]


if __name__ == "__main__":
    arguments = gui_arguments(sys.executable, sys.argv[1:], windows=sys.platform == "win32")
    sys.exit(main(arguments))
