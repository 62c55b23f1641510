"""swapgraph: a knowledge graph of state-to-state prisoner exchanges and its engine."""

__version__ = "0.1.0"
