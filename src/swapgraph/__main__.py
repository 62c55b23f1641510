"""Allow ``python -m swapgraph``."""

from swapgraph.cli import main

raise SystemExit(main())
