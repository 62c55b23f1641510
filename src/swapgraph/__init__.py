"""swapgraph: a knowledge graph of prisoner exchanges and its engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from swapgraph.notebook import open as open

__version__ = "0.2.0"


def __getattr__(name: str) -> object:
    # `swapgraph.open` (the notebook API) is imported on first use, so that `import swapgraph`
    # (and every command line start) stays cheap.
    if name == "open":
        from swapgraph.notebook import open

        return open
    raise AttributeError(f"module 'swapgraph' has no attribute {name!r}")
