"""Request plumbing shared by the routers: bounded bodies, protocol errors, the query log.

Also what every request must be before a router sees it (:class:`StrictRequestTarget`), and
how the service names itself in absolute URLs (:func:`public_url`).
"""

from __future__ import annotations

import hashlib
from urllib.parse import unquote_to_bytes

# Starlette's request (which FastAPI re-exports): the query workers import this module,
# and FastAPI itself would double their start-up.
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from swapgraph.errors import ParameterError
from swapgraph.formats import split_media_type
from swapgraph.server.errors import BadRequest, BodyTooLarge

#: Key in the ASGI scope under which a handler leaves what the request log should show.
LOG_KEY = "swapgraph.log"


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body, refusing it as soon as it passes ``limit`` bytes.

    Raises:
        BodyTooLarge: If the body (or its declared length) is over the limit.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        # The client left (or was cut off for sending too slowly): nobody reads the answer.
        raise BadRequest("the client closed the connection before the body ended") from None
    return b"".join(chunks)


def content_type(request: Request) -> tuple[str, dict[str, str]]:
    """The body's media type (lower case, ``""`` without a header) and its parameters."""
    return split_media_type(request.headers.get("content-type", ""))


def _too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge(f"the request body is larger than this endpoint's limit of {limit} bytes")


def query_hash(sparql: str) -> str:
    """A short, stable fingerprint of a query for the log (the text itself is not logged)."""
    return hashlib.sha256(sparql.encode("utf-8")).hexdigest()[:12]


def record_query(request: Request, sparql: str) -> None:
    """Leave the query's fingerprint for the request's log line."""
    log = request.scope.get(LOG_KEY)
    if isinstance(log, dict):
        log["query"] = query_hash(sparql)


def single_values(request: Request) -> dict[str, str]:
    """The query parameters, each given once.

    Raises:
        ParameterError: If a parameter is repeated (which value counts would be a guess).
    """
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in values:
            raise ParameterError(f"parameter {key!r} is given more than once")
        values[key] = value
    return values


def public_url(request: Request, base: str | None, route: str, **path_params: str) -> str:
    """The absolute URL of a route, as the service's users reach it.

    From the ``base_url`` setting when there is one, else from the address the server
    listens on; never from the ``Host`` header, which any client sets as it likes (a
    service description or VoID naming another host would be served to everyone).

    Args:
        request: The request being answered.
        base: The ``base_url`` setting, or ``None``.
        route: The route's name.
        **path_params: The route's path parameters.
    """
    path = str(request.app.url_path_for(route, **path_params))
    if base:
        return base.rstrip("/") + path
    host, port = request.scope.get("server") or ("127.0.0.1", 80)
    host = f"[{host}]" if ":" in host else host
    return f"{request.url.scheme}://{host}:{port}{path}"


class HttpMiddleware:
    """ASGI middleware that acts on HTTP requests only and passes anything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand an HTTP request to :meth:`http`; pass lifespan and other scopes on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request (subclasses call ``self.app`` to pass it on)."""
        await self.app(scope, receive, send)


class StrictRequestTarget:
    """ASGI middleware: 400 for a path or query string that is not percent-encoded UTF-8.

    The server would otherwise decode bad bytes to U+FFFD and run the request on text the
    client never sent; a NUL in the path reaches file system calls that reject it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse the request or pass it on."""
        if scope["type"] == "http":
            problem = _target_problem(scope.get("raw_path") or b"", scope.get("query_string", b""))
            if problem:
                body = f"{problem}\n".encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 400,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _target_problem(raw_path: bytes, query_string: bytes) -> str | None:
    try:
        path = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        return "the path is not percent-encoded UTF-8"
    if "\x00" in path:
        return "the path contains a NUL character"
    try:
        unquote_to_bytes(query_string.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return "the query string is not percent-encoded UTF-8"
    return None


class HeadAsGet:
    """ASGI middleware: answer ``HEAD`` as ``GET`` would, headers only (RFC 9110 §9.3.2).

    FastAPI routes declared with ``GET`` do not answer ``HEAD``; clients and caches use it
    to check a resource without fetching it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request as GET and drop the body it writes."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
