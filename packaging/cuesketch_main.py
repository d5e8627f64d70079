"""The frozen app's entry point: the same command line as ``python -m cuesketch``."""

from cuesketch.cli import main

raise SystemExit(main())
