"""The frozen app's entry point: the same command line as ``python -m cuesketch``."""

import multiprocessing

# Export Stems renders in processes started by spawn: in the frozen app each one starts this
# program, which must then run the render worker, not the command line (PyInstaller's hook).
multiprocessing.freeze_support()

from cuesketch.cli import main  # noqa: E402

raise SystemExit(main())
