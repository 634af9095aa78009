"""``python -m benchmarks [--only NAME] [--update-baselines]``: see benchmarks/framework.py."""

import sys

from benchmarks.framework import main

sys.exit(main())
