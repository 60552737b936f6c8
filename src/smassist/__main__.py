"""`python -m smassist` runs the command line."""

import sys

from smassist.cli import main

sys.exit(main())
