"""The HTTP API: SPARQL 1.1 Protocol, named queries, Linked Data, validation, statistics."""

from swapgraph.server.app import create_app
from swapgraph.server.service import Settings

__all__ = ["Settings", "create_app"]
