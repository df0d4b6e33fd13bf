"""``python -m auditor``: the same as the ``ragfit`` command."""

import sys

from auditor.cli import main

if __name__ == "__main__":
    sys.exit(main())
