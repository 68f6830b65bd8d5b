"""`python -m eco` runs the same CLI as the `eco` console script."""

import sys

from eco.cli import main

sys.exit(main())
