"""``python -m anestools``: same as the ``anestools`` console script."""

import sys

from anestools.cli import main

sys.exit(main())
