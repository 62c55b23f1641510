"""The FastAPI application: routers, errors, CORS, security headers and the request log."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from swapgraph import __version__
from swapgraph.errors import SwapgraphError
from swapgraph.server import linked_data, routes_api, routes_export, routes_ld, sparql, web
from swapgraph.server.errors import ServerBusy, status_of
from swapgraph.server.pages import render
from swapgraph.server.pool import PoolScope
from swapgraph.server.requests import (
    LOG_KEY,
    HeadAsGet,
    HttpMiddleware,
    StrictRequestTarget,
)
from swapgraph.server.service import GraphService
from swapgraph.settings import Settings

#: The request log: one line per request.
log = logging.getLogger("swapgraph.server")

# Every asset is served by swapgraph itself, so the pages need nothing from elsewhere. No
# inline script or style (the templates have none); data: images for Swagger UI's icons.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: Headers on every response, HTML or not (an API answer opened in a browser is a page too).
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers without CSP level 2
]
_SWAGGER_UI = web.STATIC_DIR / "vendor" / "swagger-ui" / "swagger-ui-bundle.js"


def create_app(settings: Settings, service: GraphService | None = None) -> FastAPI:
    """Build the application: load the dataset, start the query workers, wire the routes.

    Args:
        settings: The project, engine and limits.
        service: The service of ``settings``, if it was started already (it then belongs
            to the app).

    Returns:
        The app; its workers stop when the app shuts down.
    """
    if service is None:
        service = GraphService(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="swapgraph",
        version=__version__,
        summary="State-to-state prisoner exchanges as a knowledge graph: SPARQL, named "
        "queries, Linked Data and validation.",
        lifespan=lifespan,
        # Replaced below by a page over packaged assets: FastAPI's own pages load Swagger UI
        # and ReDoc from a CDN, with inline script.
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    app.include_router(sparql.router)
    app.include_router(routes_api.router)
    app.include_router(linked_data.router)
    app.include_router(routes_export.router)
    app.include_router(routes_ld.router)
    routes_api.add_named_query_routes(app, service.named_queries)
    app.include_router(web.router)

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def docs() -> HTMLResponse:
        """The API's documentation: Swagger UI from this package's files, never a CDN."""
        page = render(
            "docs.html",
            title=f"{app.title} {app.version}: API",
            openapi_url=app.openapi_url,
            assets=_SWAGGER_UI.is_file(),
        )
        return HTMLResponse(page)

    @app.exception_handler(SwapgraphError)
    async def _error(_: Request, error: SwapgraphError) -> PlainTextResponse:
        status = status_of(error)
        headers = {"Retry-After": str(error.retry_after)} if isinstance(error, ServerBusy) else None
        return PlainTextResponse(f"{error}\n", status_code=status, headers=headers)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_credentials=False,  # no cookies or auth: never a wildcard with credentials
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type"],
        )
    app.add_middleware(PoolScope)
    app.add_middleware(security_headers)
    app.add_middleware(StrictRequestTarget)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RequestLog)
    return app


def security_headers(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: every HTTP response gets the :data:`SECURITY_HEADERS` it lacks."""

    async def add_headers(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers if scope["type"] == "http" else send)

    return add_headers


class RequestLog(HttpMiddleware):
    """ASGI middleware writing one log line per request: status, duration, query hash."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, then log how it ended."""
        started = time.perf_counter()
        record: dict[str, Any] = {"status": 500}
        scope[LOG_KEY] = record

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                record["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            log.info(
                "%s %s %d %.1fms query=%s",
                scope["method"],
                scope["path"],
                record["status"],
                elapsed,
                record.get("query", "-"),
            )
