from cuesketch.cli import main

raise SystemExit(main())
