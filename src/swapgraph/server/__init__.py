"""The HTTP API: SPARQL 1.1 Protocol, named queries, Linked Data, validation, statistics.

:func:`create_app` and :class:`Settings` are loaded on first use: ``swapgraph serve`` checks
the project before it needs the web framework, and a project it refuses never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from swapgraph.server.app import create_app
    from swapgraph.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from swapgraph.server.app import create_app

        return create_app
    if name == "Settings":
        from swapgraph.settings import Settings

        return Settings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
