"""Allow ``python -m swapgraph``."""

from swapgraph.cli import main

# Guarded: the server's worker processes import this module again when they start.
if __name__ == "__main__":
    raise SystemExit(main())
