"""HTTP/1.1 connections with a deadline for each request, and a keep-alive for idle ones.

uvicorn times only the wait between requests (keep-alive): a client that sends half its
headers, or fewer body bytes than it announced, holds its connection (and a file
descriptor, and for a body the handler waiting on it) for as long as it likes, and a few
thousand such clients exhaust the server. This protocol gives every request a deadline from
its first byte (or from the connection's start) to its last; past it the connection is
answered 408 if no response has started, and closed. Trickling bytes does not extend it.

Between requests a connection is idle, not late: it is closed silently after the keep-alive
(uvicorn's timer, whose own default of 5 s is shorter than any proxy's and than httpx's
pool expiry, so a client that sent its next request as the server closed got no answer).

On a stop, requests in flight get a grace period, after which their queries are stopped
(:class:`GracefulServer`).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from swapgraph.settings import default

_TIMEOUT_BODY = b"the request did not arrive in time\n"
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: " + str(len(_TIMEOUT_BODY)).encode() + b"\r\n\r\n"
) + _TIMEOUT_BODY


class _DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline for each request's headers and body."""

    read_timeout: float = default("read_timeout")
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the first request's clock at once: a silent new client is timed too."""
        super().connection_made(transport)
        self._follow_request(arriving=True)

    def data_received(self, data: bytes) -> None:
        """Read as uvicorn does, then start or stop the clock by the request's state."""
        super().data_received(data)
        self._follow_request(arriving=True)

    def on_response_complete(self) -> None:
        """After a response, time the next request only once its first bytes are here.

        Until then the connection is idle and uvicorn's keep-alive timer closes it.
        """
        super().on_response_complete()
        self._follow_request(arriving=bool(self.conn.trailing_data[0]))

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock with the connection."""
        self._stop_clock()
        super().connection_lost(exc)

    def _follow_request(self, *, arriving: bool) -> None:
        # IDLE: headers not complete yet (or not begun: then only a new connection, or
        # bytes already here, start the clock); SEND_BODY: the body is still on its way.
        state = self.conn.their_state
        awaiting = state is h11.SEND_BODY or (state is h11.IDLE and arriving)
        if awaiting and self._deadline is None and not self.transport.is_closing():
            self._deadline = self.loop.call_later(self.read_timeout, self._expire)
        elif not awaiting:
            self._stop_clock()

    def _stop_clock(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        # The cycle is the last request's until the next one's headers are read: its
        # response may be complete, and then the late request is owed its 408 too.
        cycle = self.cycle
        if cycle is None or not cycle.response_started or cycle.response_complete:
            self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()


def uvicorn_options(read_timeout: float, keep_alive: float) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` or ``uvicorn.Config``: the deadline, the keep-alive.

    Args:
        read_timeout: Seconds a client has to send one whole request, headers and body.
        keep_alive: Seconds an idle connection waits for its next request.
    """
    protocol = type("DeadlineProtocol", (_DeadlineProtocol,), {"read_timeout": read_timeout})
    return {"http": protocol, "timeout_keep_alive": keep_alive}


class GracefulServer(uvicorn.Server):
    """uvicorn, which stops the query workers when the grace period after a stop ends."""

    def __init__(self, config: uvicorn.Config, stop_jobs: Callable[[], None], grace: int) -> None:
        super().__init__(config)
        self._stop_jobs = stop_jobs
        self._grace = grace

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop accepting, let requests finish for the grace period, then stop the jobs."""
        # A thread: stopping the pool joins processes, which must not block the event loop.
        timer = threading.Timer(self._grace, self._stop_jobs)
        timer.daemon = True
        timer.start()
        try:
            await super().shutdown(sockets)
        finally:
            timer.cancel()
