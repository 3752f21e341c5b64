"""`python -m app.cli`: the `shorei` command."""

import sys

from app.cli import main

sys.exit(main())
