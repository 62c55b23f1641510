"""Request plumbing shared by the routers: bounded bodies, protocol errors, the query log."""

from __future__ import annotations

import hashlib

from fastapi import Request

from swapgraph.errors import SwapgraphError

#: Key in the ASGI scope under which a handler leaves what the request log should show.
LOG_KEY = "swapgraph.log"


class BadRequest(SwapgraphError):
    """The request breaks the protocol (a parameter missing or repeated, a bad encoding)."""


class UnsupportedMediaType(SwapgraphError):
    """The request body's content type is not one this route reads."""


class BodyTooLarge(SwapgraphError):
    """The request body is larger than the server accepts."""


async def read_body(request: Request) -> bytes:
    """Read the request body, refusing it as soon as it passes the server's limit.

    Raises:
        BodyTooLarge: If the body (or its declared length) is over the limit.
    """
    limit: int = request.app.state.service.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


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
