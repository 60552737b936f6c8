"""``python -m smassist.cli`` is ``smassist``."""

import sys

from smassist.cli import main

sys.exit(main())
