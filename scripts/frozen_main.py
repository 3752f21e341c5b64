"""The program PyInstaller freezes (see build.spec): the `shorei` console script, `app.cli:main`."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
