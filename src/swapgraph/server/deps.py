"""FastAPI dependencies shared by the routers: the served dataset.

Handlers take the service as a parameter (``service: ServiceDep``) rather than reading
``request.app.state`` themselves, so a test can put another service in its place with
``app.dependency_overrides[get_service]`` and run the routes in-process.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from swapgraph.server.service import GraphService


def get_service(request: Request) -> GraphService:
    """The service that :func:`swapgraph.server.app.create_app` put on the application."""
    service: GraphService = request.app.state.service
    return service


#: A handler parameter that receives the served dataset.
ServiceDep = Annotated[GraphService, Depends(get_service)]
