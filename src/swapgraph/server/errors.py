"""The errors only the server raises, and the HTTP status of every error it answers.

The core's errors are in :mod:`swapgraph.errors`; this module adds those that are about
requests (a body too large, a format parameter unknown …) and maps each class to its status.
"""

from __future__ import annotations

from swapgraph.errors import (
    LimitExceeded,
    NotAcceptable,
    ParameterError,
    QueryError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    SwapgraphError,
)


class BadRequest(SwapgraphError):
    """The request breaks the protocol (a parameter missing or repeated, a bad encoding)."""


class UnsupportedMediaType(SwapgraphError):
    """The request body's content type is not one this route reads."""


class BodyTooLarge(SwapgraphError):
    """The request body is larger than the server accepts."""


class BadFormat(SwapgraphError):
    """A ``format`` parameter names no known format."""


class UnknownEntity(SwapgraphError):
    """The graph says nothing about the IRI asked for."""


class ServerBusy(QueryError):
    """No worker can take the job now; the client should retry after ``retry_after`` s."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class WorkerLost(ServerBusy):
    """The worker running the job died (killed, out of memory, crashed)."""


# Most specific first: the first class an error is an instance of decides its status.
_STATUS: list[tuple[type[SwapgraphError], int]] = [
    (QuerySyntaxError, 400),
    (BadRequest, 400),
    (BadFormat, 400),
    (LimitExceeded, 400),
    (QueryRefused, 403),
    (UnknownEntity, 404),
    (NotAcceptable, 406),
    (BodyTooLarge, 413),
    (UnsupportedMediaType, 415),
    (ParameterError, 422),
    (ServerBusy, 503),
    (QueryTimeout, 503),
    (ResultTooLarge, 507),
    (QueryError, 500),
    (SwapgraphError, 500),
]


def status_of(error: SwapgraphError) -> int:
    """The HTTP status an error is answered with."""
    return next(status for kind, status in _STATUS if isinstance(error, kind))
