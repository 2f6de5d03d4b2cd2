"""``python -m anestools``: same as the ``anestools`` console script."""

import sys

from anestools.cli import main

if __name__ == "__main__":
    sys.exit(main())
